"""The scatter chart in the panel: core.charts draws the figure (the same code as kaigo:committeecharts),
matplotlib's Agg backend renders it to PNG bytes, a QLabel shows them (works on Qt5 and Qt6)."""

from __future__ import annotations

import io
import math

from ..core.classes import DEFAULT_THRESHOLDS

PANEL_SIZE_IN = (8.0, 5.4)


class ChartUnavailable(Exception):
    """core.charts is missing or failed: the panel shows a message instead of the chart."""

    MISSING, EMPTY, ERROR = "missing", "empty", "error"

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(detail or kind)
        self.kind = kind
        self.detail = detail or kind


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _class(value) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def scatter_png(
    rows: list[dict],
    highlighted: list[str],
    lang: str,
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS,
    width_px: int = 960,
) -> bytes:
    """PNG of the committee scatter chart (x density, log scale; y sufficiency rate) for these rows of the
    municipality table (dicts with the field names of kaigo:sufficiencyrates).

    Raises ChartUnavailable with a short reason when the chart module is not there or cannot draw.
    """
    try:
        from ..core import charts
        from ..core.committee import Municipality
    except ImportError as err:  # the charts module is not part of this build
        raise ChartUnavailable(ChartUnavailable.MISSING, str(err)) from None

    munis = [
        Municipality(
            code=str(row.get("muni_code") or ""),
            pref_name=str(row.get("pref_name") or ""),
            name=str(row.get("muni_name") or row.get("muni_code") or ""),
            pop_total=_number(row.get("pop_total")),
            area_km2=_number(row.get("area_km2")),
            density=_number(row.get("density")),
            density_class=_class(row.get("density_class")),
            rate_pct=_number(row.get("rate_pct")),
        )
        for row in rows
    ]
    drawable = [m for m in munis if m.rate_pct is not None and m.density is not None and m.density > 0]
    if not drawable:
        raise ChartUnavailable(ChartUnavailable.EMPTY, "no municipality with a rate and a density")
    try:
        fig = charts.scatter_figure(munis, highlight=list(highlighted), lang=lang, thresholds=thresholds)
        # the committee size (11 × 7 in) shrunk into a narrow panel makes its text unreadable: show the
        # same figure on a smaller page, so the text keeps its size relative to the panel
        fig.set_size_inches(*PANEL_SIZE_IN)
        for ax in fig.axes[:1]:  # room for the last tick label (100,000) on the narrower page
            box = ax.get_position()
            ax.set_position((box.x0 + 0.01, box.y0, box.width - 0.04, box.height))
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=max(40, int(width_px / PANEL_SIZE_IN[0])))
    except Exception as err:  # noqa: BLE001 - any chart failure becomes a message in the panel
        raise ChartUnavailable(ChartUnavailable.ERROR, f"{type(err).__name__}: {err}") from None
    return buf.getvalue()

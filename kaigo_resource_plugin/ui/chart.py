"""The scatter chart in the panel: core.charts draws the figure (the same code as kaigo:committeecharts),
matplotlib's Agg backend renders it to PNG bytes, a QLabel shows them (works on Qt5 and Qt6)."""

from __future__ import annotations

import io
import math
import sys


class ChartUnavailable(Exception):
    """core.charts is missing or failed: the panel shows the message instead of the chart."""


def scatter_png(
    codes: list[str],
    names: list[str],
    density: list[float | None],
    rate: list[float | None],
    highlighted: list[str],
    lang: str,
    width_px: int = 640,
    height_px: int = 460,
) -> bytes:
    """PNG of the committee scatter chart (x density, log scale; y sufficiency rate) for these rows.

    Raises ChartUnavailable with a short message when the chart module is not there or cannot draw.
    """
    try:
        from ..core import charts
    except ImportError as err:  # the charts module is not part of this build
        raise ChartUnavailable(str(err)) from None

    keep = [
        i
        for i in range(len(codes))
        if density[i] is not None
        and rate[i] is not None
        and not (isinstance(density[i], float) and math.isnan(density[i]))  # type: ignore[arg-type]
        and density[i] > 0  # type: ignore[operator]
    ]
    if not keep:
        raise ChartUnavailable("no municipality with a rate and a density")
    dpi = 100
    try:
        fig = charts.scatter_figure(
            codes=[codes[i] for i in keep],
            names=[names[i] for i in keep],
            density=[float(density[i]) for i in keep],  # type: ignore[arg-type]
            rate=[float(rate[i]) for i in keep],  # type: ignore[arg-type]
            highlighted=list(highlighted),
            lang=lang,
        )
    except Exception as err:  # noqa: BLE001 - any chart failure becomes a message in the panel
        raise ChartUnavailable(f"{type(err).__name__}: {err}") from None
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.set_size_inches(width_px / dpi, height_px / dpi)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:  # a figure made through pyplot stays registered there until closed
        plt.close(fig)
    return buf.getvalue()

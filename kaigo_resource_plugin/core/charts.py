"""The committee charts, drawn once for the Processing algorithm and the dock panel alike.

Every function takes plain data (see core/committee.py) and a language, and returns a
``matplotlib.figure.Figure`` built with the object-oriented API (no pyplot, no global figure state), so
it runs headless and in worker threads. ``save_figure`` writes it as PNG (300 dpi), SVG and PDF, with the
Japanese font embedded in the PDF and the text of the SVG converted to outlines.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection, Sequence

from .atomic import atomic_path
from .classes import CLASS_LABELS, DEFAULT_THRESHOLDS, class_range_text
from .committee import (
    BANDS_TOP_FIRST,
    CLASSES,
    CrossTab,
    Municipality,
    band_text,
    class_header,
    point_label,
    topn_columns,
    topn_display_rows,
    topn_title,
    total_text,
)
from .fonts import CjkFont, find_cjk_font, font_families, truetype_family_for

DPI = 300
FORMATS = ("png", "svg", "pdf")

DOT_COLOR = "#4a78b5"
HIGHLIGHT_COLOR = "#e31a1c"
LINE_COLOR = "#555555"
HEADER_FILL = "#dbe5f1"
TOTAL_FILL = "#f2f2f2"
PEAK_FILL = "#fde3c8"
GRID_COLOR = "#9e9e9e"

_SAVE_LOCK = threading.Lock()


def _new_figure(width_in: float, height_in: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=100)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    return fig


def _families(font: CjkFont | None) -> list[str]:
    return font_families(font if font is not None else find_cjk_font())


def _apply_font(fig, families: list[str]) -> None:
    """Give every text of the figure (ticks included) the Japanese font."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_fontfamily(families)
    fig._kaigo_families = families  # read back by save_figure


# ------------------------------------------------------------------------------------------ scatter


def _log_limits(values: Sequence[float], thresholds: Sequence[float]) -> tuple[float, float]:
    """x range of the scatter: every dot and every threshold, with a margin (factor 1.6 left, 3.5 right)."""
    lo = min([*values, thresholds[0]]) if values else thresholds[0] / 10
    hi = max([*values, thresholds[-1]]) if values else thresholds[-1] * 10
    return lo / 1.6, hi * 3.5  # room on the right for the labels of the densest cities


def _tick_text(value: float, _pos=None) -> str:
    if value >= 1:
        return f"{value:,.0f}"
    return f"{value:g}"


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _segment_distance(x: float, y: float, ax: float, ay: float, bx: float, by: float) -> float:
    """Distance from (x, y) to the segment (ax, ay)-(bx, by)."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
    return math.hypot(x - (ax + t * dx), y - (ay + t * dy))


# Offsets (points) tried for each label, nearest first.
_LABEL_OFFSETS = [
    (dx * r, dy * r)
    for r in (1.0, 1.8, 2.8, 4.0, 5.5, 7.5)
    for dx, dy in (
        (6, 15),
        (-6, 15),
        (6, -15),
        (-6, -15),
        (10, 10),
        (10, -10),
        (-10, 10),
        (-10, -10),
        (0, 16),
        (0, -16),
        (16, 0),
        (-16, 0),
        (16, 6),
        (-16, 6),
        (16, -6),
        (-16, -6),
    )
]


def _set_offset(ann, dx: float, dy: float) -> None:
    ann.set_position((dx, dy))
    ann.set_horizontalalignment("left" if dx > 0 else ("right" if dx < 0 else "center"))
    ann.set_verticalalignment("bottom" if dy > 0 else ("top" if dy < 0 else "center"))


def _place_labels(fig, ax, annotations, xy_display, renderer, avoid=(), passes: int = 3) -> None:
    """Place the labels of the red dots: each takes the nearest offset where it stays inside the axes
    and overlaps no other label, no red dot and nothing in ``avoid``, with a leader line that crosses
    no red dot and no label; failing that, the offset of least cost. Greedy, then ``passes - 1``
    rounds where every label is placed again knowing where all the others are."""
    from matplotlib.text import Text

    axes_box = ax.get_window_extent(renderer)
    dot_r = 6.0 * fig.dpi / 72.0
    n = len(annotations)
    steps = (0.15, 0.3, 0.45, 0.6, 0.75, 0.9)

    def cost_of(i, box, others) -> float:
        # overlapping another label is the worst (after leaving the axes)
        cost = sum(20000.0 + 50.0 * _overlap(box, other) for other in others if _overlap(box, other) > 0)
        px, py = xy_display[i]
        ex, ey = min(max(px, box.x0), box.x1), min(max(py, box.y0), box.y1)
        for j, (x, y) in enumerate(xy_display):
            if j == i:
                continue
            if box.x0 - dot_r < x < box.x1 + dot_r and box.y0 - dot_r < y < box.y1 + dot_r:
                cost += 4000.0  # the label hides a red dot
            if _segment_distance(x, y, px, py, ex, ey) < dot_r * 1.2:
                cost += 3000.0  # the leader line runs over a red dot
        for other in others:
            if any(
                other.x0 < px + (ex - px) * t < other.x1 and other.y0 < py + (ey - py) * t < other.y1
                for t in steps
            ):
                cost += 3000.0  # the leader line runs through a label
        outside = (
            max(0.0, axes_box.x0 - box.x0)
            + max(0.0, box.x1 - axes_box.x1)
            + max(0.0, axes_box.y0 - box.y0)
            + max(0.0, box.y1 - axes_box.y1)
        )
        return cost + outside * 1e4

    def measure(i, dx, dy):
        ann = annotations[i]
        _set_offset(ann, dx, dy)
        ann.update_positions(renderer)
        return Text.get_window_extent(ann, renderer).padded(2.0)

    def arrange(order):
        """Greedy in ``order``, then rounds of re-placement; (total cost, offsets)."""
        offsets: list = [None] * n
        boxes: list = [None] * n
        for _round in range(max(1, passes)):
            for i in order:
                others = [*avoid, *(b for j, b in enumerate(boxes) if j != i and b is not None)]
                best, best_cost = None, None
                for dx, dy in _LABEL_OFFSETS:
                    box = measure(i, dx, dy)
                    cost = cost_of(i, box, others)
                    if best_cost is None or cost < best_cost - 1e-9:
                        best, best_cost = (dx, dy, box), cost
                    if cost == 0:
                        break
                dx, dy, box = best  # type: ignore[misc]
                offsets[i], boxes[i] = (dx, dy), box
        total = 0.0
        for i in range(n):
            others = [*avoid, *(b for j, b in enumerate(boxes) if j != i)]
            total += cost_of(i, boxes[i], others) + 0.5 * math.hypot(*offsets[i])
        return total, offsets

    by_x = sorted(range(n), key=lambda i: xy_display[i][0])
    orders = [by_x, by_x[::-1], sorted(range(n), key=lambda i: -xy_display[i][1])]
    _total, offsets = min((arrange(order) for order in orders), key=lambda result: result[0])
    for i, ann in enumerate(annotations):
        _set_offset(ann, *offsets[i])
        ann.update_positions(renderer)


def scatter_figure(
    munis: Sequence[Municipality],
    highlight: Collection[str] = (),
    lang: str = "ja",
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    title: str | None = None,
    rate_name: str | None = None,
    note: str | None = None,
    font: CjkFont | None = None,
):
    """Density (log x) against sufficiency rate (%), one dot per municipality with a rate and a density.

    ``highlight``: municipality codes drawn in red and labelled ``武蔵野市（100%, 13,675人/km²）``.
    Municipalities without a rate or without a positive density are not drawn (the caller reports them).
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    fam = _families(font)
    en = lang == "en"
    pts = [
        m
        for m in munis
        if m.rate_pct is not None
        and m.density is not None
        and not math.isnan(float(m.rate_pct))
        and not math.isnan(float(m.density))
        and float(m.density) > 0
    ]
    hl = set(highlight)
    normal = [m for m in pts if m.code not in hl]
    red = sorted((m for m in pts if m.code in hl), key=lambda m: (float(m.density), m.code))  # type: ignore[arg-type]

    fig = _new_figure(11.0, 7.0)
    ax = fig.add_axes((0.075, 0.12, 0.9, 0.68))
    x0, x1 = _log_limits([float(m.density) for m in pts], thresholds)  # type: ignore[arg-type]
    ax.set_xscale("log")
    ax.set_xlim(x0, x1)
    ax.set_ylim(-4, 111)
    ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.yaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    ax.xaxis.set_major_locator(FixedLocator([10.0**k for k in range(math.floor(math.log10(x0)), 9)]))
    ax.xaxis.set_major_formatter(FuncFormatter(_tick_text))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(
        "Population density (people/km²)" if en else "人口密度（人/km²）", fontfamily=fam, fontsize=12
    )
    ax.set_ylabel(
        f"{rate_name or 'Sufficiency rate'} (%)" if en else f"{rate_name or '充足率'}（％）",
        fontfamily=fam,
        fontsize=12,
    )

    ax.scatter(
        [float(m.density) for m in normal],  # type: ignore[arg-type]
        [float(m.rate_pct) for m in normal],  # type: ignore[arg-type]
        s=14,
        color=DOT_COLOR,
        alpha=0.55,
        linewidths=0,
        label="市区町村" if not en else "Municipality",
        zorder=2,
        gid="dots",
    )
    if red:
        ax.scatter(
            [float(m.density) for m in red],  # type: ignore[arg-type]
            [float(m.rate_pct) for m in red],  # type: ignore[arg-type]
            s=46,
            color=HIGHLIGHT_COLOR,
            edgecolors="#7f0000",
            linewidths=0.6,
            zorder=4,
            gid="highlight",
        )

    # class thresholds and class names above the plot
    from matplotlib.transforms import blended_transform_factory

    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for t in thresholds:
        ax.axvline(t, color=LINE_COLOR, linestyle="--", linewidth=1.1, zorder=3, gid="threshold")
    edges = [x0, *thresholds, x1]
    lab = CLASS_LABELS["en" if en else "ja"]
    for i, cls in enumerate(CLASSES):
        mid = math.sqrt(edges[i] * edges[i + 1])
        rng = class_range_text(cls, thresholds, "en" if en else "ja", wave=True)
        ax.text(
            mid,
            1.015,
            f"{lab[cls]}\n{rng}",
            transform=trans,
            ha="center",
            va="bottom",
            fontsize=11,
            fontfamily=fam,
            gid=f"class{cls}",
        )

    if title:
        fig.suptitle(title, fontsize=14, fontfamily=fam, y=0.975)

    excluded_note = note
    if excluded_note:
        fig.text(0.075, 0.02, excluded_note, fontsize=9, fontfamily=fam, color="#333333", va="bottom")

    # tick labels in the Japanese font before measuring anything
    _apply_font(fig, fam)
    renderer = fig.canvas.get_renderer()

    annotations = []
    for m in red:
        text = point_label(m.name, float(m.rate_pct), float(m.density), lang)  # type: ignore[arg-type]
        text = text.replace("（", "\n（", 1) if not en else text.replace(" (", "\n(", 1)
        ann = ax.annotate(
            text,
            xy=(float(m.density), float(m.rate_pct)),  # type: ignore[arg-type]
            xytext=(10, 10),
            textcoords="offset points",
            fontsize=9,
            fontfamily=fam,
            color="#b30000",
            linespacing=1.1,
            ha="left",
            va="bottom",
            zorder=5,
            arrowprops={"arrowstyle": "-", "color": "#b30000", "linewidth": 0.6, "shrinkA": 0, "shrinkB": 3},
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.75},
            annotation_clip=False,
        )
        ann.set_gid("label")
        annotations.append(ann)
    if annotations:
        xy = [ax.transData.transform((float(m.density), float(m.rate_pct))) for m in red]  # type: ignore[arg-type]
        avoid = [t.get_window_extent(renderer).padded(3.0) for t in ax.texts if t.get_gid() != "label"]
        _place_labels(fig, ax, annotations, xy, renderer, avoid)
    _apply_font(fig, fam)
    return fig


def scatter_labels(fig) -> list[str]:
    """The labels of the highlighted dots of a scatter figure (for tests and the dock)."""
    ax = fig.axes[0]
    return [
        t.get_text().replace("\n（", "（").replace("\n(", " (") for t in ax.texts if t.get_gid() == "label"
    ]


def scatter_counts(fig) -> tuple[int, int]:
    """(ordinary dots, red dots) drawn in a scatter figure."""
    ax = fig.axes[0]
    normal = red = 0
    for coll in ax.collections:
        n = len(coll.get_offsets())
        if coll.get_gid() == "dots":
            normal += n
        elif coll.get_gid() == "highlight":
            red += n
    return normal, red


# ------------------------------------------------------------------------------------------ tables


def _fit_text(text, renderer, max_width_px: float, min_size: float = 6.0) -> None:
    """Shrink the font of ``text`` until it is at most ``max_width_px`` wide."""
    size = text.get_fontsize()
    while size > min_size and text.get_window_extent(renderer).width > max_width_px:
        size -= 0.5
        text.set_fontsize(size)


def _draw_grid(
    fig,
    ax,
    left: float,
    top: float,
    widths: Sequence[float],
    heights: Sequence[float],
    cells: Sequence[Sequence[str]],
    fills: dict[tuple[int, int], str],
    bold: set[tuple[int, int]],
    aligns: Sequence[str],
    fam: list[str],
    fontsize: float,
    renderer,
    gid: str,
) -> float:
    """Draw a table whose top-left corner is (left, top) in inches; return its bottom."""
    from matplotlib.patches import Rectangle

    y = top
    for r, (row, h) in enumerate(zip(cells, heights)):
        x = left
        for c, (value, w) in enumerate(zip(row, widths)):
            ax.add_patch(
                Rectangle(
                    (x, y),
                    w,
                    h,
                    facecolor=fills.get((r, c), "white"),
                    edgecolor=GRID_COLOR,
                    linewidth=0.8,
                )
            )
            align = aligns[c] if r > 0 else "center"
            pad = 0.08
            tx = {"left": x + pad, "right": x + w - pad, "center": x + w / 2}[align]
            t = ax.text(
                tx,
                y + h / 2,
                value,
                ha=align,
                va="center",
                fontsize=fontsize,
                fontfamily=fam,
                fontweight="bold" if (r, c) in bold else "normal",
                linespacing=1.15,
                gid=f"{gid}:{r}:{c}",
            )
            _fit_text(t, renderer, (w - 2 * pad) * fig.dpi)
            x += w
        y += h
    return y


def _table_axes(fig):
    w, h = fig.get_size_inches()
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.axis("off")
    return ax


def crosstab_figure(
    ct: CrossTab,
    lang: str = "ja",
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    title: str | None = None,
    rate_name: str | None = None,
    font: CjkFont | None = None,
):
    """The cross-tab as a table image: bands (80-100 on top) × density classes plus 総計, cells
    ``302（90.4％）`` (count and column percentage). The largest band of each class is shaded."""
    fam = _families(font)
    en = lang == "en"
    widths = [2.3] + [2.0] * (len(CLASSES) + 1)  # bands, one column per class, 総計
    ncols = len(widths)
    heights = [0.62] + [0.4] * (len(BANDS_TOP_FIRST) + 1)
    margin = 0.35
    title_h = 0.55 if title else 0.15
    note_h = 0.45
    fig = _new_figure(sum(widths) + 2 * margin, title_h + sum(heights) + note_h + 0.2)
    ax = _table_axes(fig)
    renderer = fig.canvas.get_renderer()
    if title:
        ax.text(margin, 0.38, title, fontsize=13, fontfamily=fam, fontweight="bold", va="center", gid="title")

    corner = (
        f"{rate_name or 'Sufficiency rate'} band \\ density"
        if en
        else f"{rate_name or '充足率'}カテゴリ＼人口密度カテゴリ"
    )
    header = [corner] + [class_header(c, lang, thresholds) for c in CLASSES] + [total_text(lang)]
    grid = ct.text_grid(lang)
    cells = [header]
    for band, row in zip([*BANDS_TOP_FIRST, None], grid):
        cells.append([band_text(band) if band else total_text(lang), *row])
    fills = {(0, c): HEADER_FILL for c in range(ncols)}
    nrows = len(cells)
    for r in range(1, nrows):
        fills[(r, 0)] = HEADER_FILL
        fills[(r, ncols - 1)] = TOTAL_FILL
    for c in range(1, ncols):
        fills[(nrows - 1, c)] = TOTAL_FILL
    for ci, cls in enumerate(CLASSES, start=1):
        counts = [ct.count(b, cls) for b in BANDS_TOP_FIRST]
        if max(counts) > 0:
            for ri, n in enumerate(counts, start=1):
                if n == max(counts):
                    fills[(ri, ci)] = PEAK_FILL
    bold = {(0, c) for c in range(ncols)} | {(nrows - 1, c) for c in range(ncols)}
    aligns = ["center"] * ncols
    bottom = _draw_grid(
        fig, ax, margin, title_h, widths, heights, cells, fills, bold, aligns, fam, 11, renderer, "crosstab"
    )
    note = (
        "Number of municipalities (share of the density class's total)."
        if en
        else "※市町村数（人口密度カテゴリ総数に占める割合）"
    )
    ax.text(margin, bottom + 0.28, note, fontsize=9, fontfamily=fam, va="center", gid="note")
    _apply_font(fig, fam)
    return fig


def crosstab_cells(fig) -> dict[tuple[int, int], str]:
    """(row, column) -> text of the cross-tab table of a figure (row 0 = header)."""
    out = {}
    for t in fig.axes[0].texts:
        gid = t.get_gid() or ""
        if gid.startswith("crosstab:"):
            _name, r, c = gid.split(":")
            out[(int(r), int(c))] = t.get_text()
    return out


def topn_figure(
    per_class: dict[int, list[Municipality]],
    n: int = 10,
    lang: str = "ja",
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    title: str | None = None,
    rate_name: str | None = None,
    classes: Sequence[int] = CLASSES,
    font: CjkFont | None = None,
):
    """One table per density class (都道府県名, 市区町村名, 充足率, 全人口, 面積, 人口密度), stacked."""
    fam = _families(font)
    en = lang == "en"
    widths = [1.25, 2.9, 1.15, 1.3, 1.15, 1.35]
    row_h = 0.3
    head_h = 0.42
    caption_h = 0.45
    margin = 0.35
    title_h = 0.55 if title else 0.15
    blocks = []
    for cls in classes:
        rows = topn_display_rows(per_class.get(cls, []))
        if not rows:
            rows = [["", "該当なし" if not en else "none", "", "", "", ""]]
        blocks.append((cls, rows))
    height = title_h + sum(caption_h + head_h + row_h * len(rows) + 0.25 for _c, rows in blocks) + 0.1
    fig = _new_figure(sum(widths) + 2 * margin, height)
    ax = _table_axes(fig)
    renderer = fig.canvas.get_renderer()
    if title:
        ax.text(margin, 0.38, title, fontsize=13, fontfamily=fam, fontweight="bold", va="center", gid="title")
    header = topn_columns(lang, rate_name)
    aligns = ["left", "left", "right", "right", "right", "right"]
    y = title_h
    for cls, rows in blocks:
        ax.text(
            margin,
            y + caption_h / 2,
            topn_title(cls, n, lang, thresholds),
            fontsize=11,
            fontfamily=fam,
            fontweight="bold",
            va="center",
            gid=f"caption{cls}",
        )
        cells = [header, *rows]
        fills = {(0, c): HEADER_FILL for c in range(len(header))}
        bold = {(0, c) for c in range(len(header))}
        y = _draw_grid(
            fig,
            ax,
            margin,
            y + caption_h,
            widths,
            [head_h] + [row_h] * len(rows),
            cells,
            fills,
            bold,
            aligns,
            fam,
            10,
            renderer,
            f"topn{cls}",
        )
        y += 0.25
    _apply_font(fig, fam)
    return fig


def topn_cells(fig, cls: int) -> list[list[str]]:
    """Rows (header first) of the top-N table of class ``cls`` in a figure."""
    cells: dict[tuple[int, int], str] = {}
    for t in fig.axes[0].texts:
        gid = t.get_gid() or ""
        if gid.startswith(f"topn{cls}:"):
            _name, r, c = gid.split(":")
            cells[(int(r), int(c))] = t.get_text()
    if not cells:
        return []
    nr = max(r for r, _c in cells) + 1
    nc = max(c for _r, c in cells) + 1
    return [[cells.get((r, c), "") for c in range(nc)] for r in range(nr)]


# ------------------------------------------------------------------------------------------ saving


def save_figure(
    fig,
    base_path: str,
    formats: Sequence[str] = FORMATS,
    dpi: int = DPI,
    font: CjkFont | None = None,
) -> dict[str, str]:
    """Write ``base_path``.png (``dpi``), .svg and .pdf; returns {format: path}.

    Deterministic: no creation date in PDF or SVG metadata, fixed SVG ids. The PDF embeds the font as
    TrueType (Type 42; for CFF fonts such as Noto Sans CJK a TrueType copy of the glyphs used, see
    fonts.truetype_family_for); SVG text becomes paths.
    """
    import matplotlib

    font = font if font is not None else find_cjk_font()
    fam = getattr(fig, "_kaigo_families", None) or font_families(font)
    written: dict[str, str] = {}
    rc = {
        "pdf.fonttype": 42,
        "svg.fonttype": "path",
        "svg.hashsalt": "kaigo_resource_plugin",
        "font.family": fam,
        "pdf.compression": 6,
    }
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    }
    with _SAVE_LOCK, matplotlib.rc_context(rc):
        for fmt in formats:
            target = f"{base_path}.{fmt}"
            with atomic_path(target) as tmp:
                if fmt == "pdf" and font is not None and not font.truetype_outlines:
                    _save_pdf_with_truetype_copy(fig, tmp, font, fam, metadata["pdf"])
                else:
                    fig.savefig(tmp, format=fmt, dpi=dpi, facecolor="white", metadata=metadata.get(fmt))
            written[fmt] = target
    return written


def _save_pdf_with_truetype_copy(fig, path: str, font: CjkFont, families: list[str], metadata: dict) -> None:
    """PDF of a figure drawn with a CFF font: its texts switch to a TrueType copy of the glyphs they use
    while the file is written (Type 42: embedded, selectable); Type 3 glyphs if no copy can be made."""
    import matplotlib
    from matplotlib.text import Text

    texts = fig.findobj(Text)
    copy = truetype_family_for(font, "".join(t.get_text() for t in texts))
    if copy is None:
        with matplotlib.rc_context({"pdf.fonttype": 3}):
            fig.savefig(path, format="pdf", facecolor="white", metadata=metadata)
        return
    swapped = [copy, *families[1:]]
    try:
        for t in texts:
            t.set_fontfamily(swapped)
        with matplotlib.rc_context({"font.family": swapped}):
            fig.savefig(path, format="pdf", facecolor="white", metadata=metadata)
    finally:
        for t in fig.findobj(Text):
            t.set_fontfamily(families)

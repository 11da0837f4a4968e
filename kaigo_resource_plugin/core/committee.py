"""What the committee charts show, computed from plain data: cross-tab, top-N, labels (no drawing here).

The drawing is in core/charts.py; both the Processing algorithm and the dock panel use these functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .classes import (
    BANDS,
    CLASS_NUMBERS,
    CLASS_SHORT,
    DEFAULT_THRESHOLDS,
    class_range_text,
    density_class,
    rate_band,
)
from .contract import to_float

CLASSES: tuple[int, ...] = CLASS_NUMBERS
# Bands top first, as the committee's cross-tab shows them (80-100 on top).
BANDS_TOP_FIRST: tuple[str, ...] = tuple(label for label, _lo, _hi in reversed(BANDS))


@dataclass(frozen=True)
class Municipality:
    """One row of the municipality table, as the charts need it."""

    code: str
    pref_name: str
    name: str
    pop_total: float | None
    area_km2: float | None
    density: float | None
    density_class: int | None
    rate_pct: float | None


def _finite(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def resolve_class(
    density: float | None,
    given_class: int | None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
) -> int | None:
    """The density class stored in the table when valid (one of CLASSES), else computed from the density."""
    if given_class in CLASSES:
        return given_class
    return density_class(density, thresholds) if _finite(density) else None


def split_valid(munis: Iterable[Municipality]) -> tuple[list[Municipality], list[Municipality]]:
    """(municipalities with a rate and a class, those without: excluded from the charts and reported)."""
    valid, excluded = [], []
    for m in munis:
        if _finite(m.rate_pct) and m.density_class in CLASSES:
            valid.append(m)
        else:
            excluded.append(m)
    return valid, excluded


# ---------------------------------------------------------------- number formats of the slides


def _half_up(value: float, digits: int) -> Decimal:
    q = Decimal(1).scaleb(-digits)
    return Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP)


def percent_text(count: int, total: int) -> str:
    """Share of ``count`` in ``total`` with one decimal, half up; exactly 100 % as "100"; no total: "-"."""
    if total <= 0:
        return "-"
    if count == total:
        return "100"
    share = (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{share:.1f}"


def crosstab_cell_text(count: int, total: int, lang: str = "ja") -> str:
    """``302（90.4％）`` in Japanese, ``302 (90.4%)`` in English."""
    pct = percent_text(count, total)
    if lang == "en":
        return f"{count:,} ({pct}%)" if pct != "-" else f"{count:,} (-)"
    return f"{count}（{pct}％）" if pct != "-" else f"{count}（-）"


def rate_text(rate_pct: float, trim_100: bool = True) -> str:
    """``98.8%``; exactly 100 as ``100%`` (as the slides write it) when ``trim_100``."""
    text = f"{_half_up(rate_pct, 1):.1f}"
    if trim_100 and text == "100.0":
        text = "100"
    return f"{text}%"


def density_text(density: float) -> str:
    """``13,675`` (integer with separators) from 100 people/km² up, ``77.6`` (one decimal) below."""
    if density >= 100:
        return f"{int(_half_up(density, 0)):,}"
    return f"{_half_up(density, 1):.1f}"


def point_label(name: str, rate_pct: float, density: float, lang: str = "ja") -> str:
    """Scatter label ``武蔵野市（100%, 13,675人/km²）`` / ``Musashino (100%, 13,675 /km²)``."""
    if lang == "en":
        return f"{name} ({rate_text(rate_pct)}, {density_text(density)} /km²)"
    return f"{name}（{rate_text(rate_pct)}, {density_text(density)}人/km²）"


def class_header(cls: int, lang: str, thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> str:
    """Column header of a density class: name, then its density range on a second line."""
    lang = "en" if lang == "en" else "ja"
    return f"{CLASS_SHORT[lang][cls]}\n{class_range_text(cls, thresholds, lang)}"


def total_text(lang: str) -> str:
    return "Total" if lang == "en" else "総計"


def band_text(band: str) -> str:
    return f"{band}%"


# ---------------------------------------------------------------- cross-tab


@dataclass(frozen=True)
class CrossTab:
    """Number of municipalities per sufficiency band (rows) and density class (columns)."""

    counts: dict[tuple[str, int], int]

    def count(self, band: str | None, cls: int | None) -> int:
        """Cell count; None for the band or the class means the 総計 row or column."""
        return sum(
            n
            for (b, c), n in self.counts.items()
            if (band is None or b == band) and (cls is None or c == cls)
        )

    @property
    def total(self) -> int:
        return self.count(None, None)

    def cell_text(self, band: str | None, cls: int | None, lang: str = "ja") -> str:
        """``count（column percentage％）``, the total row being 100 %."""
        return crosstab_cell_text(self.count(band, cls), self.count(None, cls), lang)

    def percent(self, band: str | None, cls: int | None) -> float | None:
        col = self.count(None, cls)
        return 100.0 * self.count(band, cls) / col if col else None

    def text_grid(self, lang: str = "ja") -> list[list[str]]:
        """Rows 80-100 … 0-20 then 総計; columns class 1, 2, 3 then 総計 (cell texts only)."""
        grid = []
        for band in [*BANDS_TOP_FIRST, None]:
            grid.append([self.cell_text(band, cls, lang) for cls in [*CLASSES, None]])
        return grid


def crosstab(munis: Iterable[Municipality]) -> CrossTab:
    """Count the municipalities with a rate and a class by band × class (others are left out)."""
    counts = {(band, cls): 0 for band in BANDS_TOP_FIRST for cls in CLASSES}
    for m in munis:
        if not _finite(m.rate_pct) or m.density_class not in CLASSES:
            continue
        band = rate_band(float(m.rate_pct))  # type: ignore[arg-type]
        if band is None:
            continue
        counts[(band, m.density_class)] += 1
    return CrossTab(counts)


def crosstab_table(ct: CrossTab, lang: str, thresholds: Sequence[float] = DEFAULT_THRESHOLDS):
    """(header, rows) for CSV/XLSX: per column the count and the column percentage (full precision)."""
    first = "rate band" if lang == "en" else "充足率カテゴリ"
    n_word, p_word = ("count", "share (%)") if lang == "en" else ("市区町村数", "割合（％）")
    header: list[str] = [first]
    for cls in [*CLASSES, None]:
        name = class_header(cls, lang, thresholds).replace("\n", " ") if cls else total_text(lang)
        header += [f"{name} {n_word}", f"{name} {p_word}"]
    rows = []
    for band in [*BANDS_TOP_FIRST, None]:
        row: list[object] = [band_text(band) if band else total_text(lang)]
        for cls in [*CLASSES, None]:
            row += [ct.count(band, cls), ct.percent(band, cls)]
        rows.append(row)
    return header, rows


def crosstab_text_table(ct: CrossTab, lang: str, thresholds: Sequence[float] = DEFAULT_THRESHOLDS):
    """(header, rows) with the cells as shown in the chart, ``302（90.4％）``."""
    corner = "rate band \\ density class" if lang == "en" else "充足率カテゴリ＼人口密度カテゴリ"
    header = [corner] + [class_header(c, lang, thresholds).replace("\n", " ") for c in CLASSES]
    header.append(total_text(lang))
    rows = []
    for band, cells in zip([*BANDS_TOP_FIRST, None], ct.text_grid(lang)):
        rows.append([band_text(band) if band else total_text(lang), *cells])
    return header, rows


# ---------------------------------------------------------------- top N


def top_n(munis: Iterable[Municipality], n: int = 10) -> dict[int, list[Municipality]]:
    """Per density class the ``n`` municipalities with the highest rate; ties broken by code."""
    per_class: dict[int, list[Municipality]] = {cls: [] for cls in CLASSES}
    for m in munis:
        if _finite(m.rate_pct) and m.density_class in CLASSES:
            per_class[m.density_class].append(m)
    for cls, items in per_class.items():
        items.sort(key=lambda m: (-float(m.rate_pct), m.code))  # type: ignore[arg-type]
        per_class[cls] = items[: max(0, int(n))]
    return per_class


def _num(value: float | None, digits: int) -> str:
    if not _finite(value):
        return "-"
    if digits == 0:
        return f"{int(_half_up(float(value), 0)):,}"  # type: ignore[arg-type]
    return f"{_half_up(float(value), digits):,.{digits}f}"  # type: ignore[arg-type]


def topn_columns(lang: str, rate_name: str | None = None) -> list[str]:
    if lang == "en":
        return [
            "Prefecture",
            "Municipality",
            rate_name or "Rate",
            "Population",
            "Area (km²)",
            "Density (/km²)",
        ]
    return ["都道府県名", "市区町村名", rate_name or "充足率", "全人口", "面積（km²）", "人口密度（人/km²）"]


def topn_display_rows(items: Sequence[Municipality]) -> list[list[str]]:
    """Rows as the slides print them: ``93.2%``, ``7,979``, ``70.4``, ``113.4``."""
    return [
        [
            m.pref_name,
            m.name,
            rate_text(float(m.rate_pct), trim_100=False),  # type: ignore[arg-type]
            _num(m.pop_total, 0),
            _num(m.area_km2, 1),
            _num(m.density, 1),
        ]
        for m in items
    ]


def topn_title(cls: int, n: int, lang: str, thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> str:
    if lang == "en":
        rng = class_range_text(cls, thresholds, "en", words=True)
        return f"{CLASS_SHORT['en'][cls]} (density {rng}): top {n} municipalities by sufficiency rate"
    rng = class_range_text(cls, thresholds, "ja", wave=True)
    top = "トップテン" if n == 10 else f"上位{n}"
    return f"{CLASS_SHORT['ja'][cls]}（人口密度{rng}）で充足率{top}の市区町村"


def _plain_number(value: float | None) -> float | int | None:
    """Integral floats as int (population 7979, not 7979.0), NaN as None."""
    if not _finite(value):
        return None
    v = float(value)  # type: ignore[arg-type]
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def topn_table(per_class: dict[int, list[Municipality]], lang: str):
    """(header, rows) for CSV/XLSX: class, rank, code, names, rate, population, area, density (numbers)."""
    if lang == "en":
        header = [
            "density_class",
            "class_label",
            "rank",
            "muni_code",
            "pref_name",
            "muni_name",
            "rate_pct",
            "pop_total",
            "area_km2",
            "density",
        ]
    else:
        header = [
            "人口密度カテゴリ",
            "地域分類",
            "順位",
            "市区町村コード",
            "都道府県名",
            "市区町村名",
            "充足率（％）",
            "全人口",
            "面積（km²）",
            "人口密度（人/km²）",
        ]
    rows = []
    for cls in CLASSES:
        for rank, m in enumerate(per_class.get(cls, []), start=1):
            rows.append(
                [
                    cls,
                    CLASS_SHORT["en" if lang == "en" else "ja"][cls],
                    rank,
                    m.code,
                    m.pref_name,
                    m.name,
                    m.rate_pct,
                    _plain_number(m.pop_total),
                    m.area_km2,
                    m.density,
                ]
            )
    return header, rows


# ---------------------------------------------------------------- highlight


def parse_highlight(text: str | None) -> list[str]:
    """Split ``"13203, 大東市、27218"`` into tokens (comma, 、, ，, ; or whitespace separated)."""
    if not text:
        return []
    for sep in ("、", "，", ";", "；", "\n", "\t"):
        text = text.replace(sep, ",")
    tokens: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if part:
            tokens.extend(p for p in part.split() if p)
    return tokens


def match_highlight(munis: Sequence[Municipality], tokens: Sequence[str]) -> tuple[set[str], list[str]]:
    """Codes of the municipalities named by ``tokens`` (a 5-digit code, a code without its leading zero,
    a 6-digit code with check digit, or a name such as 大東市 / 大阪市北区 / 東京都武蔵野市, a town without
    its district: 豊能町 for 豊能郡豊能町); and the tokens matching none.
    """
    by_code: dict[str, set[str]] = {}
    by_name: dict[str, set[str]] = {}
    for m in munis:
        by_code.setdefault(m.code, set()).add(m.code)
        for key in {m.name, f"{m.pref_name}{m.name}"}:
            if key:
                by_name.setdefault(key, set()).add(m.code)
    chosen: set[str] = set()
    unknown: list[str] = []
    for token in tokens:
        hits: set[str] = set()
        if token.isdigit():
            code = token
            if len(code) == 6:
                code = code[:5]
            code = code.zfill(5)
            hits = by_code.get(code, set())
        if not hits:
            hits = by_name.get(token, set())
        if not hits and not token.isdigit():
            # 豊能町 for 豊能郡豊能町 (e-Stat writes towns and villages with their district)
            hits = {
                m.code
                for m in munis
                if m.name.endswith(token)
                and len(m.name) > len(token)
                and m.name[: -len(token)].endswith("郡")
            }
        if hits:
            chosen |= hits
        else:
            unknown.append(token)
    return chosen, unknown


# ---------------------------------------------------------------- the municipality table as the charts read it

BASE_RATE_FIELD = "rate_pct"
TYPE_PREFIX = "rate_pct_"


def default_rate_fields(names: Sequence[str]) -> list[str]:
    """rate_pct, then every rate_pct_<type> in name order: the charts drawn when RATE_FIELDS is empty."""
    return [n for n in names if n == BASE_RATE_FIELD] + sorted(n for n in names if n.startswith(TYPE_PREFIX))


def rate_kind(field: str) -> str | None:
    """Resource type of a rate field (rate_pct_convenience → convenience); None for rate_pct."""
    if field.startswith(TYPE_PREFIX):
        return field[len(TYPE_PREFIX) :]
    return None if field == BASE_RATE_FIELD else field


def rate_name(field: str, lang: str) -> str:
    """Name of a rate field in titles: 充足率 / 充足率（convenience）."""
    base = "Sufficiency rate" if lang == "en" else "充足率"
    if field.startswith(TYPE_PREFIX):
        kind = field[len(TYPE_PREFIX) :]
        return f"{base} ({kind})" if lang == "en" else f"{base}（{kind}）"
    if field == BASE_RATE_FIELD:
        return base
    return f"{base} ({field})" if lang == "en" else f"{base}（{field}）"


def code_text(value: object) -> str:
    """A municipality code cell as text: 1101 / 1101.0 / "1101" → "01101"; "" for None."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text.zfill(5) if text.isdigit() and len(text) < 5 else text


def _cell_number(value: object) -> float | None:
    """A cell of the municipality table as a number ("1,234" and "12.5%" too); None when empty."""
    return to_float(value, None, lenient_text=True)


def table_row(
    get, rate_fields: Sequence[str], has_density: bool, thresholds: Sequence[float] = DEFAULT_THRESHOLDS
) -> dict:
    """One row of the municipality table, ``get(name)`` giving a cell (None for NULL or a missing field).

    The density is the table's, else pop_total / area_km2; the class is the stored density_class when it
    is one of the classes, else the class of the density.
    """
    density = _cell_number(get("density")) if has_density else None
    if density is None:
        pop, area = _cell_number(get("pop_total")), _cell_number(get("area_km2"))
        density = pop / area if pop is not None and area else None
    given = _cell_number(get("density_class"))
    cls = int(given) if given is not None and given in CLASS_NUMBERS else None
    if cls is None:
        cls = density_class(density, thresholds) if density is not None else None
    pref, name = get("pref_name"), get("muni_name")
    return {
        "code": code_text(get("muni_code")),
        "pref": "" if pref is None else str(pref).strip(),
        "name": "" if name is None else str(name).strip(),
        "pop": _cell_number(get("pop_total")),
        "area": _cell_number(get("area_km2")),
        "density": density,
        "cls": cls,
        "rates": {f: _cell_number(get(f)) for f in rate_fields},
    }


def municipalities(rows: Sequence[dict], field: str) -> list[Municipality]:
    """The rows of ``table_row`` as Municipality, with the rate of ``field``."""
    return [
        Municipality(
            r["code"], r["pref"], r["name"], r["pop"], r["area"], r["density"], r["cls"], r["rates"][field]
        )
        for r in rows
    ]


def scatter_texts(
    field: str, lang: str, title: str, drawn: int, n_excluded: int, highlighted: bool
) -> tuple[str, str]:
    """(title, note under the chart) of the scatter chart of one rate field."""
    kind = rate_kind(field)
    if lang == "en":
        default_title = "Sufficiency rate and population density" + (f" ({kind})" if kind else "")
        note = f"{drawn:,} municipalit{'y' if drawn == 1 else 'ies'}"
        if n_excluded:
            note += f" ({n_excluded:,} without a rate or density class left out)"
        if highlighted:
            note += ". Red: chosen municipalities."
    else:
        default_title = "地域資源充足率と人口密度の関係" + (f"（{kind}）" if kind else "")
        note = f"市区町村数 {drawn:,}"
        if n_excluded:
            note += f"（充足率または地域分類のない {n_excluded:,} 市区町村を除く）"
        if highlighted:
            note += "　●赤丸：指定した市区町村"
    if not title:
        return default_title, note
    if not kind:
        return title, note
    return (f"{title} ({kind})" if lang == "en" else f"{title}（{kind}）"), note


def table_titles(field: str, lang: str, title: str) -> tuple[str, str]:
    """(cross-tab title, top-N title) for the primary rate field; the user's title replaces both."""
    pname = rate_name(field, lang)
    pname_mid = pname[0].lower() + pname[1:] if lang == "en" else pname  # mid-sentence in English
    kind = rate_kind(field)
    ct_title = title or (
        f"Distribution by density class and {pname_mid} band (number of municipalities)"
        if lang == "en"
        else "地域資源充足率を加味した地域分布" + (f"（{kind}）" if kind else "")
    )
    tn_title = title or (
        f"Municipalities with the highest {pname_mid} per density class"
        if lang == "en"
        else f"人口密度カテゴリ別 {pname}の高い市区町村"
    )
    return ct_title, tn_title

"""Sufficiency rates (地域資源充足率) and density classes (地域分類) per municipality — pure numpy.

The algorithms kaigo:sufficiencyrates, kaigo:densityclasses, kaigo:fullanalysis and the dock read
their layers into the plain arrays of ``ChomeArrays`` and call ``aggregate_municipalities``; the
result, a ``MunicipalityTable``, knows its output fields (SPEC §4), its Japanese / English headings
and how to write itself to CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .classes import CLASS_LABELS, DEFAULT_THRESHOLDS, THRESHOLD_PARAMETERS, density_class, rate_band
from .codes import city_of_ward
from .contract import DEFAULT_CARE3_SHARE, WATER_HCODE  # noqa: F401  (re-exported for the algorithms)
from .errors import InputError
from .plausibility import check_text_file
from .tables import write_csv, write_xlsx

ANY = ""  # resource type key of the unsuffixed fields (= any type)

# ---------------------------------------------------------------------------------------------
# Validation helpers


def check_thresholds(*values: float) -> tuple[float, ...]:
    """The density thresholds (one per boundary between classes, in the order of THRESHOLD_PARAMETERS),
    or an InputError when they are not positive and increasing."""
    names = THRESHOLD_PARAMETERS if len(values) == len(THRESHOLD_PARAMETERS) else ()
    if not names:
        names = tuple(f"threshold {i + 1}" for i in range(len(values)))
    for v in values:
        if v is None or not math.isfinite(float(v)):
            raise InputError(
                ja=f"人口密度のしきい値（{' / '.join(names)}）に数値を指定してください。",
                en=f"Give numbers for the density thresholds {', '.join(names[:-1])} and {names[-1]}.",
            )
    out = tuple(float(v) for v in values)
    if not out or out[0] <= 0 or any(a >= b for a, b in zip(out, out[1:])):
        given = ", ".join(f"{n} {v:g}" for n, v in zip(names, out))
        defaults = [f"{t:g}" for t in DEFAULT_THRESHOLDS]
        raise InputError(
            ja=f"人口密度のしきい値の順序が正しくありません（{given}）。{' < '.join(names)} となる"
            f"正の値にしてください（既定 {' と '.join(defaults)}）。",
            en=f"The density thresholds are in the wrong order ({given}): set positive values with "
            f"{' < '.join(names)} (defaults {' and '.join(defaults)}).",
        )
    return out


def check_share(share: float, what: str = "CARE3_SHARE") -> float:
    """A care-level-3+ share must lie in [0, 1]."""
    if share is None or not math.isfinite(float(share)) or not (0.0 <= float(share) <= 1.0):
        raise InputError(
            ja=f"{what} の値 {share} は 0〜1 の割合で指定してください（例：10.9% なら 0.109）。",
            en=f"{what} = {share} must be a share between 0 and 1 (e.g. 0.109 for 10.9 %).",
        )
    return float(share)


def normalize_muni_code(value: object) -> str | None:
    """5-digit municipality code from a table cell: '13101', 13101, '131016' (check digit), '1100'."""
    if value is None:
        return None
    text = str(value).strip().strip('"').strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        return None
    if len(text) == 6:  # 全国地方公共団体コード with check digit
        text = text[:5]
    if len(text) < 5:
        text = text.zfill(5)  # leading zero lost in a spreadsheet (01100 → 1100)
    return text if len(text) == 5 else None


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(
        ja="CSV の文字コードを読み取れません。UTF-8 または Shift-JIS（CP932）で保存してください。",
        en="Cannot decode the CSV: save it as UTF-8 or Shift-JIS (CP932).",
    )


def read_code_table(path: str, param: str, unit_hint: str, percent: bool = False) -> dict[str, float]:
    """Two-column CSV (municipality code, number), UTF-8 (with or without BOM) or CP932.

    A header row and extra columns are allowed: the first column whose cells look like municipality
    codes is the key, the next numeric column is the value. Lines without a code are skipped.
    ``percent``: a value written with a trailing % ("10.9%") is divided by 100.
    """
    if not os.path.isfile(path):
        raise InputError(
            ja=f"{param} のファイル {path} が見つかりません。", en=f"{param}: file {path} not found."
        )
    with open(path, "rb") as fh:
        data = fh.read()
    check_text_file(data, os.path.basename(path), param)
    text = _decode(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    out: dict[str, float] = {}
    bad: list[str] = []
    code_col: int | None = None
    for row in csv.reader(io.StringIO(text), dialect):
        cells = [c.strip() for c in row]
        if code_col is None:  # the first row with a municipality code fixes the code column
            for i, c in enumerate(cells):
                if normalize_muni_code(c) is not None:
                    code_col = i
                    break
            if code_col is None:
                if cells and cells[0].replace(".", "").isdigit():
                    bad.append(cells[0])  # a number where the code should be
                continue  # header or title rows
        if code_col >= len(cells) or not cells[code_col]:
            continue
        raw_code = cells[code_col].strip('"')
        code = normalize_muni_code(raw_code)
        if code is None:
            if raw_code.replace(".", "").isdigit():
                bad.append(raw_code)  # digits, but not a municipality code
            continue  # a repeated header, a total line
        value = None
        for c in cells[code_col + 1 :]:
            text = c.replace(",", "")
            per_cent = percent and text.endswith(("%", "％"))
            try:
                value = float(text[:-1] if per_cent else text)
                value = value / 100.0 if per_cent else value
                break
            except ValueError:
                continue
        if value is None or not math.isfinite(value):
            bad.append(code)
            continue
        out[code] = value
    if bad:
        raise InputError(
            ja=f"{param} の {len(bad)} 行（例：{bad[0]}）は"
            "市区町村コード（5 桁または 6 桁）と数値の組ではありません。",
            en=f"{param}: {len(bad)} rows (e.g. {bad[0]}) are not a municipality code (5 or 6 digits) "
            "with a number.",
        )
    if not out:
        raise InputError(
            ja=f"{param} のファイルに「市区町村コード, {unit_hint}」の行がありません。",
            en=f"{param}: the file has no rows of the form 'municipality code, {unit_hint}'.",
        )
    return out


def read_care3_table(path: str, param: str = "CARE3_TABLE") -> dict[str, float]:
    """Municipality code → share of people 75+ at care level 3 or above (a fraction, or "10.9%").

    The one reader of CARE3_TABLE, for kaigo:importestat and kaigo:sufficiencyrates alike.
    """
    table = read_code_table(path, param, "share", percent=True)
    for code, share in table.items():
        if not 0.0 <= share <= 1.0:
            raise InputError(
                ja=f"{param} の {code} の割合 {share:g} が 0〜1 の範囲外です（10.9% は 0.109 と書きます）。",
                en=f"{param}: the share {share:g} of {code} is outside 0–1 (write 10.9 % as 0.109).",
            )
    return table


def municipal_areas_from_table(
    table: Mapping[str, float], codes: Iterable[str], rollup: bool
) -> dict[str, float | None]:
    """Area (km²) of each municipality code from an AREA_TABLE; None when the table lacks it. With
    ``rollup`` a designated city missing from the table gets the sum of its wards' areas."""
    out: dict[str, float | None] = {}
    for code in codes:
        v = table.get(code)
        if v is None and rollup:  # the table lists the wards: their sum is the city's area
            wards = [a for c, a in table.items() if city_of_ward(c) == code]
            v = float(sum(wards)) if wards else None
        out[code] = v
    return out


def care3_from_table(
    munis: Sequence[str], table: Mapping[str, float], constant: float
) -> tuple[np.ndarray, list[str]]:
    """The care-level-3+ share of each feature from its municipality's row of CARE3_TABLE, the constant
    where the table lacks the municipality; and those municipalities, sorted."""
    missing: set[str] = set()
    values = []
    for code in munis:
        v = table.get(code)
        if v is None:
            missing.add(code)
            v = constant
        values.append(v)
    return np.array(values, dtype=float), sorted(missing)


def parse_flag(value: object) -> bool:
    """has_access-like values: 1/0, True/False, '1'/'0', 'true'/'yes'/'covered'; NULL → False."""
    t = type(value)
    if t is int:  # fast path: 1/0 integers
        return value != 0
    if value is None:
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return bool(value) and not (isinstance(value, float) and math.isnan(value))
    text = str(value).strip().lower()
    if text in ("", "0", "false", "f", "no", "n", "blank", "null", "none", "nan"):
        return False
    try:
        return float(text) != 0.0
    except ValueError:
        return text in ("true", "t", "yes", "y", "covered")


# ---------------------------------------------------------------------------------------------
# Data in


@dataclass
class ChomeArrays:
    """One entry per feature of the chōme layer (the parts of a multi-part chōme share a key).

    NaN in a numeric array means NULL. ``access`` maps the resource type ("" = any type) to a bool
    array. ``care3`` is the care-level-3+ share per feature (0 where the weight is already
    at-home elderly). ``area_m2`` is the per-feature area when it comes from a field.
    """

    keys: Sequence[str]
    muni: Sequence[str]
    elderly: np.ndarray
    access: Mapping[str, np.ndarray]
    care3: np.ndarray | float = 0.0
    population: np.ndarray | None = None
    pop_75plus: np.ndarray | None = None
    water: np.ndarray | None = None
    area_m2: np.ndarray | None = None
    pref_name: Sequence[str | None] | None = None
    muni_name: Sequence[str | None] | None = None


@dataclass
class AggregateNotes:
    """What the user should hear about: counted, not fatal."""

    n_features: int = 0
    n_water: int = 0
    n_keys: int = 0
    n_multipart_keys: int = 0
    n_conflicting_keys: int = 0  # parts of one key with different non-zero weights (max taken)
    n_null_elderly: int = 0
    n_null_population: int = 0
    zero_elderly_munis: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Data out

BASE_FIELDS: tuple[tuple[str, str], ...] = (
    ("muni_code", "string"),
    ("pref_name", "string"),
    ("muni_name", "string"),
    ("pop_total", "double"),
    ("area_km2", "double"),
    ("area_source", "string"),
    ("density", "double"),
    ("density_class", "int"),
    ("class_label", "string"),
    ("pop_75plus", "double"),
    ("at_home_75plus", "double"),
    ("n_chome", "int"),
    ("n_blank", "int"),
)
RATE_FIELDS: tuple[tuple[str, str], ...] = (
    ("at_home_with_access", "double"),
    ("at_home_without_access", "double"),
    ("rate_pct", "double"),
    ("rate_band", "string"),
)
DENSITY_FIELDS: tuple[tuple[str, str], ...] = (
    ("area_km2", "double"),
    ("area_source", "string"),
    ("density", "double"),
    ("density_class", "int"),
    ("class_label", "string"),
)

HEADINGS: dict[str, tuple[str, str]] = {
    "muni_code": ("市区町村コード", "Municipality code"),
    "pref_name": ("都道府県名", "Prefecture"),
    "muni_name": ("市区町村名", "Municipality"),
    "pop_total": ("全人口", "Total population"),
    "area_km2": ("面積(km²)", "Area (km²)"),
    "area_source": ("面積の出典", "Area source"),
    "density": ("人口密度(人/km²)", "Population density (people/km²)"),
    "density_class": ("地域分類番号", "Density class"),
    "class_label": ("地域分類", "Density class name"),
    "pop_75plus": ("75歳以上人口", "Population 75+"),
    "at_home_75plus": ("在宅高齢者数", "At-home elderly (75+)"),
    "n_chome": ("町丁字数", "Chōme"),
    "n_blank": ("空白地域の町丁字数", "Blank chōme"),
    "at_home_with_access": ("資源にアクセスできる在宅高齢者", "At-home elderly with access"),
    "at_home_without_access": ("資源にアクセスできない在宅高齢者", "At-home elderly without access"),
    "rate_pct": ("充足率(%)", "Sufficiency rate (%)"),
    "rate_band": ("充足率カテゴリ", "Sufficiency band (%)"),
}


def heading(name: str, lang: str = "ja") -> str:
    """Column heading of an output field for people (XLSX); ``<field>_<type>`` gets （type）."""
    idx = 1 if lang == "en" else 0
    if name in HEADINGS:
        return HEADINGS[name][idx]
    for base, _kind in RATE_FIELDS:
        if name.startswith(base + "_"):
            rtype = name[len(base) + 1 :]
            return f"{HEADINGS[base][idx]} ({rtype})" if lang == "en" else f"{HEADINGS[base][idx]}（{rtype}）"
    return name


_COUNT_FIELDS = ("pop_total", "pop_75plus", "at_home_75plus", "n_chome", "n_blank")


def number_format(name: str) -> str | None:
    """Excel number format of an output field in the XLSX (None: General)."""
    from .tables import AREA_FORMAT, COUNT_FORMAT, DECIMAL_FORMAT, RATE_FORMAT

    if name == "rate_pct" or name.startswith("rate_pct_"):
        return RATE_FORMAT
    if name in _COUNT_FIELDS or name.startswith(("at_home_with_access", "at_home_without_access")):
        return COUNT_FORMAT
    if name == "density":
        return DECIMAL_FORMAT
    if name == "area_km2":
        return AREA_FORMAT
    return None


def area_source_text(value: object, lang: str = "ja") -> object:
    """The area_source value (ellipsoid / field:NAME / table:FILE) as a person reads it."""
    if not isinstance(value, str) or not value:
        return value
    ja = lang != "en"
    if value == "ellipsoid":
        return (
            "ポリゴンから楕円体上で計算（水面を除く）"
            if ja
            else "computed on the ellipsoid from the polygons (water excluded)"
        )
    kind, _sep, what = value.partition(":")
    if kind == "field":
        return f"面積フィールド {what} の合計" if ja else f"sum of the area field {what}"
    if kind == "table":
        return f"面積表 {what}" if ja else f"area table {what}"
    return value


@dataclass
class MunicipalityTable:
    """Columns of the municipality table in output order; None = NULL. Rows sorted by muni_code."""

    fields: list[tuple[str, str]]
    columns: dict[str, list]
    types: list[str] = field(default_factory=list)  # resource types, "" excluded
    notes: AggregateNotes = field(default_factory=AggregateNotes)

    def __len__(self) -> int:
        return len(self.columns["muni_code"]) if "muni_code" in self.columns else 0

    @property
    def names(self) -> list[str]:
        return [n for n, _k in self.fields]

    def rows(self) -> list[list]:
        cols = [self.columns[n] for n in self.names]
        return [list(r) for r in zip(*cols)] if cols else []

    def write_csv(self, path: str) -> None:
        """UTF-8 with BOM, ASCII field names (the same as the GeoPackage)."""
        write_csv(path, self.names, self.rows())

    def write_xlsx(self, path: str, lang: str = "ja", sheet: str | None = None) -> None:
        """Headings in Japanese (or English); class labels and the area source follow the language; Excel
        number formats: rates one decimal, head counts with thousands separators (cells keep the value)."""
        rows = self.rows()
        names = self.names
        if lang == "en" and "density_class" in names and "class_label" in names:
            ci, li = names.index("density_class"), names.index("class_label")
            for r in rows:
                if r[ci] is not None:
                    r[li] = CLASS_LABELS["en"][r[ci]]
        if "area_source" in names:
            si = names.index("area_source")
            for r in rows:
                r[si] = area_source_text(r[si], lang)
        header = [heading(n, lang) for n in names]
        widths = [max(10.0, min(40.0, 2.2 * len(h) if lang == "ja" else 1.1 * len(h))) for h in header]
        write_xlsx(
            path,
            [(sheet or ("市区町村" if lang == "ja" else "Municipalities"), header, rows)],
            [widths],
            [[number_format(n) for n in names]],
        )


def rate_fields(types: Sequence[str]) -> list[tuple[str, str]]:
    out = list(RATE_FIELDS)
    for t in types:
        out.extend((f"{n}_{t}", k) for n, k in RATE_FIELDS)
    return out


def municipality_fields(types: Sequence[str]) -> list[tuple[str, str]]:
    """Output fields of kaigo:sufficiencyrates (SPEC §4 order, then n_chome, n_blank)."""
    base = [f for f in BASE_FIELDS if f[0] not in ("n_chome", "n_blank")]
    extra = [f for f in BASE_FIELDS if f[0] in ("n_chome", "n_blank")]
    return base + rate_fields(types) + extra


# ---------------------------------------------------------------------------------------------
# Computation


def _nan_to_none(values: Iterable[float]) -> list:
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else float(v) for v in values]


def _counts(values: Iterable[float]) -> list:
    """Sums of head counts: int when whole (so tables show 193717, not 193717.0), else float."""
    out: list = []
    for v in values:
        f = float(v)
        out.append(None if math.isnan(f) else (int(f) if f.is_integer() and abs(f) < 2**53 else f))
    return out


def _people(values: Iterable[float]) -> list:
    """Estimated head counts (75+ × (1 − share), summed): rounded to a millionth of a person, so that
    a table shows 14063.544, not the float noise 14063.544000000002 of the summation."""
    return [round(float(v), 6) for v in values]


def rate_pct(with_access: np.ndarray, total: np.ndarray) -> list[float | None]:
    """100 · with / total at full precision; None where total is 0 (no at-home elderly)."""
    out: list[float | None] = []
    for w, t in zip(np.asarray(with_access, float), np.asarray(total, float)):
        # with ≤ total holds exactly; the two sums are rounded apart (100.00000000000001 was seen):
        # keep the rate inside [0, 100] so that bands and charts never see an impossible value
        out.append(None if not t > 0 else float(min(100.0, max(0.0, 100.0 * w / t))))
    return out


def density_columns(
    population: Sequence[float | None],
    area_km2: Sequence[float | None],
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
) -> tuple[list[float | None], list[int | None], list[str | None]]:
    """Density (people/km²), class number and Japanese label; None where population or area is missing."""
    dens: list[float | None] = []
    cls: list[int | None] = []
    lab: list[str | None] = []
    for p, a in zip(population, area_km2):
        if p is None or a is None or not a > 0 or (isinstance(p, float) and math.isnan(p)):
            d = None
        else:
            d = float(p) / float(a)
        c = density_class(d, thresholds)
        dens.append(d)
        cls.append(c)
        lab.append(CLASS_LABELS["ja"][c] if c is not None else None)
    return dens, cls, lab


def collapse_by_key(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unique keys sorted, index of each row's key, index of each key's first row)."""
    arr = np.asarray(keys, dtype=object).astype(str)
    uniq, first, inverse = np.unique(arr, return_index=True, return_inverse=True)
    return uniq, inverse.reshape(-1), first


def _max_by(inverse: np.ndarray, n: int, values: np.ndarray) -> np.ndarray:
    """Max per group ignoring NaN; NaN for a group whose values are all NaN."""
    out = np.full(n, -np.inf)
    v = np.asarray(values, dtype=float)
    ok = ~np.isnan(v)
    np.maximum.at(out, inverse[ok], v[ok])
    out[np.isneginf(out)] = np.nan
    return out


def _conflicts(inverse: np.ndarray, n: int, values: np.ndarray, vmax: np.ndarray) -> int:
    """Keys whose parts carry different non-zero values."""
    v = np.asarray(values, dtype=float)
    ok = ~np.isnan(v) & (v != 0)
    vmin = np.full(n, np.inf)
    np.minimum.at(vmin, inverse[ok], v[ok])
    return int(np.sum(np.isfinite(vmin) & (vmin < vmax)))


def aggregate_municipalities(
    chome: ChomeArrays,
    area_km2: Mapping[str, float] | None = None,
    area_source: str | None = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    types: Sequence[str] | None = None,
) -> MunicipalityTable:
    """Group chōme by municipality: sums, rates per resource type, density and class.

    - Water areas (``water`` True) are dropped.
    - The parts of a multi-part chōme (same key) count once: each weight is the maximum over its
      parts (e-Stat puts the population on part E1 and 0 on the others; a joined table repeats it),
      access is "any part has access", a per-feature area is summed over the parts.
    - at-home elderly = weight × (1 − care3 share) per chōme.
    - rate = Σ at-home elderly with access / Σ at-home elderly × 100; None when the sum is 0.
    - density = population / area_km2[muni]; class by ``thresholds``.
    """
    thresholds = check_thresholds(*thresholds)
    n = len(chome.keys)
    notes = AggregateNotes(n_features=n)
    keep = np.ones(n, dtype=bool)
    if chome.water is not None:
        keep &= ~np.asarray(chome.water, dtype=bool)
    notes.n_water = int(n - keep.sum())
    idx = np.nonzero(keep)[0]

    def sel(a):
        return None if a is None else np.asarray(a)[idx]

    keys = [chome.keys[i] for i in idx]
    uniq, inv, first = (
        collapse_by_key(keys) if keys else (np.array([], str), np.zeros(0, int), np.zeros(0, int))
    )
    nk = len(uniq)
    notes.n_keys = nk
    notes.n_multipart_keys = int(np.sum(np.bincount(inv, minlength=nk) > 1)) if nk else 0

    elderly_f = sel(np.asarray(chome.elderly, dtype=float))
    notes.n_null_elderly = int(np.isnan(elderly_f).sum())
    elderly_k = _max_by(inv, nk, elderly_f)
    notes.n_conflicting_keys = _conflicts(inv, nk, elderly_f, elderly_k)
    elderly_k = np.nan_to_num(elderly_k, nan=0.0)
    care = chome.care3
    care_a = np.asarray(care, dtype=float)
    care_f = np.full(len(idx), float(care_a)) if care_a.ndim == 0 else care_a[idx]
    care3_k = np.nan_to_num(care_f[first], nan=0.0) if nk else np.zeros(0)
    at_home_k = elderly_k * (1.0 - care3_k)

    pop_k = None
    if chome.population is not None:
        pop_f = sel(np.asarray(chome.population, dtype=float))
        notes.n_null_population = int(np.isnan(pop_f).sum())
        pop_k = np.nan_to_num(_max_by(inv, nk, pop_f), nan=0.0)
    p75_k = None
    if chome.pop_75plus is not None:
        p75_k = np.nan_to_num(_max_by(inv, nk, sel(np.asarray(chome.pop_75plus, dtype=float))), nan=0.0)

    if types is None:
        types = [t for t in chome.access if t != ANY]
    types = list(types)
    access_k: dict[str, np.ndarray] = {}
    for t in [ANY, *types]:
        if t not in chome.access:
            continue
        a = sel(np.asarray(chome.access[t], dtype=bool)).astype(np.int64)
        acc = np.zeros(nk, dtype=np.int64)
        np.maximum.at(acc, inv, a)
        access_k[t] = acc.astype(bool)
    if ANY not in access_k:
        if types:
            any_acc = np.zeros(nk, dtype=bool)
            for t in types:
                any_acc |= access_k[t]
            access_k[ANY] = any_acc
        else:
            raise InputError(
                ja="入力レイヤにアクセスの有無の属性（has_access）がありません。"
                "先に kaigo:blankareas を実行してください。",
                en="The input layer has no access field (has_access): run kaigo:blankareas first.",
            )

    # municipality of each key: the one of its first part
    muni_f = [chome.muni[i] for i in idx]
    muni_k = np.asarray([muni_f[i] for i in first], dtype=object).astype(str) if nk else np.array([], str)
    codes, m_inv = np.unique(muni_k, return_inverse=True) if nk else (np.array([], str), np.zeros(0, int))
    m_inv = m_inv.reshape(-1)
    nm = len(codes)

    def msum(v: np.ndarray) -> np.ndarray:
        return np.bincount(m_inv, weights=v, minlength=nm) if nk else np.zeros(0)

    tot = msum(at_home_k)
    cols: dict[str, list] = {"muni_code": [str(c) for c in codes]}

    # names: first non-empty over the features of the municipality (in input order)
    def names_of(values: Sequence[str | None] | None) -> list[str | None]:
        found: dict[str, str] = {}
        if values is not None:
            for j, i in enumerate(idx):
                v = values[i]
                if v:
                    found.setdefault(muni_f[j], v)
        return [found.get(str(c)) for c in codes]

    cols["pref_name"] = names_of(chome.pref_name)
    cols["muni_name"] = names_of(chome.muni_name)
    pop_m = msum(pop_k) if pop_k is not None else None
    cols["pop_total"] = _counts(pop_m) if pop_m is not None else [None] * nm
    if chome.area_m2 is not None:
        af = sel(np.asarray(chome.area_m2, dtype=float))
        area_m = np.bincount(m_inv[inv], weights=np.nan_to_num(af), minlength=nm) / 1e6 if nk else np.zeros(0)
        areas: list[float | None] = [float(a) for a in area_m]
    elif area_km2 is not None:
        areas = [area_km2.get(str(c)) for c in codes]
        areas = [None if a is None else float(a) for a in areas]
    else:
        areas = [None] * nm
    cols["area_km2"] = areas
    cols["area_source"] = [area_source if a is not None else None for a in areas]
    dens, cls, lab = density_columns(cols["pop_total"], areas, thresholds)
    cols["density"], cols["density_class"], cols["class_label"] = dens, cls, lab
    cols["pop_75plus"] = _counts(msum(p75_k)) if p75_k is not None else [None] * nm
    cols["at_home_75plus"] = _people(tot)
    for t in [ANY, *types]:
        suffix = f"_{t}" if t else ""
        w = msum(np.where(access_k[t], at_home_k, 0.0))
        rates = rate_pct(w, tot)
        cols[f"at_home_with_access{suffix}"] = _people(w)
        cols[f"at_home_without_access{suffix}"] = _people(tot - w)
        cols[f"rate_pct{suffix}"] = rates
        cols[f"rate_band{suffix}"] = [rate_band(r) for r in rates]
    cols["n_chome"] = [int(v) for v in np.bincount(m_inv, minlength=nm)] if nk else []
    blank = (~access_k[ANY]) & (at_home_k > 0)
    cols["n_blank"] = [int(v) for v in msum(blank.astype(float))]
    notes.zero_elderly_munis = [str(c) for c, t in zip(codes, tot) if not t > 0]
    return MunicipalityTable(fields=municipality_fields(types), columns=cols, types=types, notes=notes)


def resource_types(field_names: Iterable[str]) -> list[str]:
    """Resource types = suffixes of the fields named has_access_<type>, in field order."""
    out = []
    for name in field_names:
        if name.lower().startswith("has_access_") and len(name) > len("has_access_"):
            t = name[len("has_access_") :]
            if t not in out:
                out.append(t)
    return out


def check_areas(area_km2: np.ndarray, area_field: str | None) -> None:
    """Refuse (bilingual) an area that is zero, negative or missing: a density needs every area.

    ``area_field``: the field the areas come from, None when they are the polygons' own.
    """
    bad = ~(np.asarray(area_km2, dtype=float) > 0)
    if not bad.any():
        return
    j = int(np.nonzero(bad)[0][0])
    what = f"AREA_FIELD「{area_field}」" if area_field else "ポリゴン"
    raise InputError(
        ja=f"{what}の面積が 0・負・空（NULL）の行が {int(bad.sum())} 件あります（{j + 1} 行目など）。"
        "面積を補ってから実行してください。",
        en=f"The area ({'field ' + area_field if area_field else 'polygons'}) is zero, negative "
        f"or NULL in {int(bad.sum())} rows (e.g. row {j + 1}): fill in the areas first.",
    )


def class_counts_text(
    counts: Mapping[int, int], thresholds: Sequence[float], area_source: str, lang: str
) -> str:
    """The log line of kaigo:densityclasses: where the areas come from, the thresholds, rows per class."""
    limits = " / ".join(f"{t:g}" for t in thresholds)
    if lang == "ja":
        return f"面積：{area_source}　しきい値 {limits} 人/km²　分類 {'、'.join(f'{c}：{n}' for c, n in counts.items())}"
    return f"Area: {area_source}; thresholds {limits} people/km²; class {', '.join(f'{c}: {n}' for c, n in counts.items())}"

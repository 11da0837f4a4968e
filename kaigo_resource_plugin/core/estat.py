"""e-Stat inputs: boundary dBASE text (encoding detection), the T001082 age table, and their join.

Pure Python (no QGIS). The Processing algorithm ``kaigo:importestat`` reads geometries through QGIS and
hands plain records to :func:`join_boundaries`, which returns one record per chōme key and the join
report.

Facts about the files (checked on the 2015/2020 e-Stat files of Osaka):

* Boundary ``.dbf`` text is CP932. GDAL decodes it only when a ``.cpg`` sidecar or the dBASE language
  byte (LDID, offset 29; 0x13 = CP932) says so; otherwise the names come out as Latin-1 mojibake.
  :func:`read_dbf` reads the bytes itself and :func:`detect_encoding` decides from the bytes.
* T001082 CSV: row 1 codes (``KEY_CODE, HYOSYO, CITYNAME, NAME, HTKSYORI, HTKSAKI, GASSAN, T001082001
  …``), row 2 Japanese labels, data from row 3. ``HYOSYO`` 1 = municipality (5-digit key), 2 = area
  without chōme and 3 = town total (9-digit keys), 4 = chōme (11-digit key whose first 9 digits are its
  town's level-3 key). ``X`` = suppressed, ``-`` = zero. ``HTKSYORI`` 2 = the figures of this area were
  added to the area(s) in ``HTKSAKI``; 1 = this area received the figures of the areas in ``GASSAN``.
  ``HTKSAKI``/``GASSAN`` hold codes relative to the municipality (4 or 6 digits, ``;``-separated).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import struct
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import plausibility
from .codes import DESIGNATED_CITIES, muni_code_from_key, rollup_code
from .contract import AGE_75PLUS_COLUMN as AGE75_COLUMN
from .contract import AGE_TOTAL_COLUMN as TOTAL_COLUMN
from .contract import (  # noqa: F401  (detect_layout, point_crs_for_layout: re-exported for callers)
    DEFAULT_CARE3_SHARE,
    WATER_HCODE,
    detect_layout,
    point_crs_for_layout,
    to_float,
)
from .errors import InputError
from .rates import read_care3_table  # noqa: F401  (the one CARE3_TABLE reader, re-exported)

# dBASE language driver ids (byte 29 of the header) that mean Japanese Shift-JIS / CP932.
_LDID_CP932 = {0x13, 0x7B}
# LDIDs that name another code page (the few that appear in the wild).
_LDID_OTHER = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x57: "cp1252",
    0x4D: "cp936",
    0x4E: "cp949",
    0x4F: "cp950",
    0x64: "cp852",
    0x65: "cp866",
    0x7C: "cp874",
    0xC8: "cp1250",
    0xC9: "cp1251",
}


# ---------------------------------------------------------------------------------------------------
# Encoding detection


def _codec(name: str | None) -> str | None:
    """Normalised Python codec name for a .cpg / open-option name, or None when unknown."""
    if not name:
        return None
    text = name.strip().strip("\ufeff").strip()
    if not text:
        return None
    aliases = {
        "SJIS": "cp932",
        "SHIFT_JIS": "cp932",
        "SHIFT-JIS": "cp932",
        "932": "cp932",
        "MS932": "cp932",
        "WINDOWS-31J": "cp932",
        "65001": "utf-8",
        "UTF8": "utf-8",
    }
    text = aliases.get(text.upper(), text)
    if text.isdigit():
        text = "cp" + text
    try:
        return codecs.lookup(text).name
    except LookupError:
        return None


def detect_encoding(samples: Iterable[bytes], declared: str | None = None) -> str:
    """Encoding of Japanese text from its bytes: ``utf-8``, ``cp932`` or the declared fallback.

    Bytes that are valid UTF-8 are UTF-8 (pure ASCII included). Otherwise bytes that are valid CP932
    are CP932 — whatever a sidecar says, because a wrong ``.cpg`` is as common as a missing one.
    Bytes that are neither fall back to ``declared`` (or CP932, the e-Stat encoding).
    """
    blob = b"\n".join(s for s in samples if s)
    if not blob or blob.isascii():
        return _codec(declared) or "utf-8"
    try:
        blob.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        blob.decode("cp932")
        return "cp932"
    except UnicodeDecodeError:
        pass
    return _codec(declared) or "cp932"


def decode_text_bytes(data: bytes) -> tuple[str, str]:
    """Decode a whole text file (CSV): UTF-8 with or without BOM, else CP932. Returns (text, encoding)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    enc = detect_encoding([data])
    return data.decode(enc, errors="replace"), enc


_MOJIBAKE = re.compile("[\u0080-\u00ff]")


def repair_mojibake(text: str | None) -> str | None:
    """Undo CP932 bytes that were decoded as Latin-1 (what GDAL does without .cpg and LDID).

    A string made only of code points below U+0100, with some in U+0080–U+00FF, whose Latin-1 bytes are
    valid CP932 and not valid UTF-8, is decoded again as CP932. Anything else is returned unchanged.
    """
    if not text or not _MOJIBAKE.search(text):
        return text
    if any(ord(c) > 0xFF for c in text):
        return text
    raw = text.encode("latin-1")
    try:
        raw.decode("utf-8")
        return text
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp932")
    except UnicodeDecodeError:
        return text


# ---------------------------------------------------------------------------------------------------
# A small dBASE III reader (what shapefiles use)


@dataclass(frozen=True)
class DbfField:
    name: str
    type: str
    length: int
    decimals: int
    offset: int  # within the record, after the deletion flag


@dataclass
class DbfFile:
    """The raw records of a .dbf file. ``records`` excludes nothing: index = OGR feature id."""

    path: str
    fields: list[DbfField]
    ldid: int
    record_length: int
    data: bytes
    header_length: int
    n_records: int
    cpg: str | None = None  # contents of the .cpg sidecar, when there is one

    def field(self, name: str) -> DbfField | None:
        upper = name.upper()
        for f in self.fields:
            if f.name.upper() == upper:
                return f
        return None

    def raw_column(self, name: str) -> list[bytes]:
        f = self.field(name)
        if f is None:
            raise KeyError(name)
        start = self.header_length + 1 + f.offset
        rl = self.record_length
        data = self.data
        ln = f.length
        return [data[start + i * rl : start + i * rl + ln] for i in range(self.n_records)]

    def deleted(self) -> list[bool]:
        hl, rl, data = self.header_length, self.record_length, self.data
        return [data[hl + i * rl] == 0x2A for i in range(self.n_records)]

    def declared_encoding(self) -> tuple[str | None, str]:
        """(encoding, source) from the .cpg sidecar or the language byte; (None, "none") if neither."""
        if self.cpg:
            enc = _codec(self.cpg)
            if enc:
                return enc, "cpg"
        if self.ldid in _LDID_CP932:
            return "cp932", "ldid"
        if self.ldid in _LDID_OTHER:
            return _LDID_OTHER[self.ldid], "ldid"
        return None, "none"

    def text_encoding(self) -> tuple[str, str]:
        """(encoding, how it was found) for the text fields, decided from the bytes themselves."""
        samples = [b for f in self.fields if f.type == "C" for b in self.raw_column(f.name)]
        declared, source = self.declared_encoding()
        enc = detect_encoding(samples, declared)
        if declared and _codec(declared) == enc:
            how = source
        elif declared:
            how = f"bytes (the {source} says {declared})"
        else:
            how = "bytes (no .cpg, no language byte)"
        return enc, how

    def column(self, name: str, encoding: str) -> list[object]:
        """Decoded values of one field: str for C, int/float for N/F, None for blanks."""
        f = self.field(name)
        if f is None:
            raise KeyError(name)
        raw = self.raw_column(f.name)
        if f.type == "C":
            out: list[object] = []
            for b in raw:
                s = b.rstrip(b" \x00").decode(encoding, errors="replace").strip()
                out.append(s if s else None)
            return out
        if f.type in ("N", "F"):
            vals: list[object] = []
            for b in raw:
                s = b.strip(b" \x00*").decode("ascii", errors="replace")
                if not s:
                    vals.append(None)
                    continue
                try:
                    vals.append(float(s) if (f.decimals or "." in s or "e" in s.lower()) else int(s))
                except ValueError:
                    vals.append(None)
            return vals
        return [b.decode("latin-1").strip() or None for b in raw]


def read_dbf(path: str) -> DbfFile:
    """Read a dBASE III file (a shapefile's .dbf, or the .shp path, whose .dbf is read)."""
    base, ext = os.path.splitext(path)
    if ext.lower() != ".dbf":
        for cand in (base + ".dbf", base + ".DBF"):
            if os.path.exists(cand):
                path = cand
                break
    with open(path, "rb") as fh:
        data = fh.read()
    if len(data) < 32:
        raise InputError(ja=f"{path} は dBASE ファイルではありません。", en=f"{path} is not a dBASE file.")
    n_records, header_length, record_length = struct.unpack("<IHH", data[4:12])
    ldid = data[29]
    fields: list[DbfField] = []
    pos = 32
    offset = 0
    while pos + 32 <= header_length and data[pos] != 0x0D:
        desc = data[pos : pos + 32]
        name = desc[:11].split(b"\x00", 1)[0].decode("latin-1").strip()
        ftype = chr(desc[11])
        length = desc[16]
        decimals = desc[17]
        fields.append(DbfField(name, ftype, length, decimals, offset))
        offset += length
        pos += 32
    # A truncated file: keep the complete records only.
    available = max(0, (len(data) - header_length) // record_length) if record_length else 0
    n_records = min(n_records, available)
    cpg = None
    stem = os.path.splitext(path)[0]
    for cand in (stem + ".cpg", stem + ".CPG"):
        if os.path.exists(cand):
            with open(cand, "rb") as fh:
                cpg = fh.read().decode("ascii", errors="ignore").strip() or None
            break
    return DbfFile(path, fields, ldid, record_length, data, header_length, n_records, cpg)


# ---------------------------------------------------------------------------------------------------
# T001082


@dataclass
class AgeRow:
    key: str
    level: int
    city_name: str
    name: str
    htksyori: str
    htksaki: str
    gassan: str
    total: int | None  # None when suppressed (X)
    age75: int | None
    source: str  # file name


@dataclass
class AgeTable:
    rows: dict[str, AgeRow]
    files: list[tuple[str, str, int]]  # (file, encoding, data rows)
    duplicates: list[str] = field(default_factory=list)  # keys given twice with different figures
    notes: list[tuple[str, str]] = field(default_factory=list)  # (ja, en) warnings about the files


def _to_count(text: str) -> int | None:
    t = text.strip().replace(",", "")
    if t in ("-", "－", "‐", ""):
        return 0
    if t.upper() in ("X", "Ｘ", "…", "***"):
        return None
    try:
        return int(float(t))
    except ValueError:
        return None


def _norm_label(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")


def parse_t001082(text: str, source: str) -> list[AgeRow]:
    """Rows of a T001082 CSV text. Raises InputError naming the file when it is not T001082."""
    reader = csv.reader(io.StringIO(text))
    try:
        codes = [c.strip().lstrip("\ufeff") for c in next(reader)]
        labels = next(reader)
    except csv.Error:
        raise plausibility.not_csv_error(source) from None
    except StopIteration:
        raise InputError(
            ja=f"{source} は空か 1 行しかありません。e-Stat の小地域集計 T001082 の CSV を指定してください。",
            en=f"{source} is empty or has a single line; give the e-Stat small-area table T001082 (CSV).",
        ) from None
    upper = [c.upper() for c in codes]
    tables = sorted({c[:7] for c in upper if re.fullmatch(r"T\d{9}", c)})
    missing = [c for c in ("KEY_CODE", "HYOSYO", TOTAL_COLUMN, AGE75_COLUMN) if c not in upper]
    if missing:
        found = "、".join(tables) if tables else "なし"
        found_en = ", ".join(tables) if tables else "none"
        raise InputError(
            ja=f"{source} は T001082（年齢（5歳階級、4区分）別、男女別人口、2020年国勢調査）ではありません"
            f"（列 {'、'.join(missing)} がありません。表番号: {found}）。e-Stat から T001082 の CSV を"
            "ダウンロードして指定してください。",
            en=f"{source} is not table T001082 (population by 5-year age, 2020 census): columns "
            f"{', '.join(missing)} are missing (table codes found: {found_en}). Download T001082 as CSV "
            "from e-Stat and give that file.",
        )
    i_key, i_lvl = upper.index("KEY_CODE"), upper.index("HYOSYO")
    i_tot, i_75 = upper.index(TOTAL_COLUMN), upper.index(AGE75_COLUMN)
    lab75 = _norm_label(labels[i_75]) if i_75 < len(labels) else ""
    labtot = _norm_label(labels[i_tot]) if i_tot < len(labels) else ""
    if "75歳以上" not in lab75 or not lab75.startswith("総数") or not labtot.startswith("総数"):
        raise InputError(
            ja=f"{source}: 2 行目の見出しが T001082 と違います（{AGE75_COLUMN} が「総数７５歳以上」でない: "
            f"「{labels[i_75] if i_75 < len(labels) else ''}」）。e-Stat からダウンロードしたままの T001082 "
            "（1 行目に列コード、2 行目に日本語の見出し）を指定してください。",
            en=f"{source}: the label row does not match T001082 ({AGE75_COLUMN} should be 総数７５歳以上, "
            "found "
            f"'{labels[i_75] if i_75 < len(labels) else ''}'). Give T001082 as downloaded from e-Stat (codes "
            "in row 1, Japanese labels in row 2).",
        )

    def col(name: str) -> int | None:
        return upper.index(name) if name in upper else None

    i_city, i_name = col("CITYNAME"), col("NAME")
    i_hs, i_hk, i_gs = col("HTKSYORI"), col("HTKSAKI"), col("GASSAN")
    width = max(i_key, i_lvl, i_tot, i_75) + 1
    out: list[AgeRow] = []

    def get(row: list[str], i: int | None) -> str:
        return row[i].strip() if i is not None and i < len(row) else ""

    for row in reader:
        if len(row) < width:
            continue
        key = normalize_key(row[i_key])
        lvl_text = row[i_lvl].strip()
        if not key or not lvl_text.isdigit():
            continue
        for i in (i_tot, i_75):
            plausibility.check_count_text(row[i], codes[i], source, reader.line_num)
        out.append(
            AgeRow(
                key=key,
                level=int(lvl_text),
                city_name=get(row, i_city),
                name=get(row, i_name),
                htksyori=get(row, i_hs),
                htksaki=get(row, i_hk),
                gassan=get(row, i_gs),
                total=_to_count(row[i_tot]),
                age75=_to_count(row[i_75]),
                source=source,
            )
        )
    if not out:
        raise InputError(
            ja=f"{source} に T001082 のデータ行がありません（3 行目以降が空）。",
            en=f"{source} has no data rows (nothing from row 3 on).",
        )
    return out


def read_age_tables(paths: Sequence[str]) -> AgeTable:
    """Read one or more T001082 CSVs (CP932 or UTF-8 with/without BOM) into one table keyed by KEY_CODE."""
    if not paths:
        raise InputError(
            ja="年齢別人口の表（AGES）が指定されていません。", en="No age table (AGES) was given."
        )
    rows: dict[str, AgeRow] = {}
    files: list[tuple[str, str, int]] = []
    duplicates: list[str] = []
    notes: list[tuple[str, str]] = []
    for path in paths:
        name = os.path.basename(path)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as err:
            raise InputError(
                ja=f"年齢別人口の表 {path} を読めません（{err.strerror}）。",
                en=f"Cannot read the age table {path} ({err.strerror}).",
            ) from None
        plausibility.check_text_file(data, name, "AGES")
        text, enc = decode_text_bytes(data)
        text, cut = plausibility.clean_table_text(text, name)
        try:
            parsed = parse_t001082(text, name)
        except csv.Error:
            raise plausibility.not_csv_error(name) from None
        if cut:
            notes.append(cut)
        fixed, n_fixed = plausibility.restore_leading_zeros([r.key for r in parsed])
        if n_fixed:
            i = next(i for i, r in enumerate(parsed) if r.key != fixed[i])
            ja, en = plausibility.leading_zero_note(n_fixed, parsed[i].key, fixed[i])
            notes.append((f"{name}: {ja}", f"{name}: {en}"))
            for r, k in zip(parsed, fixed):
                r.key = k
        files.append((name, enc, len(parsed)))
        for r in parsed:
            old = rows.get(r.key)
            if old is None:
                rows[r.key] = r
            elif (old.total, old.age75, old.level) != (r.total, r.age75, r.level):
                duplicates.append(r.key)
    return AgeTable(rows, files, duplicates, notes)


# ---------------------------------------------------------------------------------------------------
# Keys, layouts, names


def normalize_key(value: object) -> str:
    """KEY_CODE as a digit string ('' when empty): ints, floats and lost leading zeros are repaired."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.isdigit() and len(text) in (4, 8, 10):
        # a prefecture code 01–09 whose leading zero a spreadsheet dropped (keys have 5, 9 or 11 digits)
        text = "0" + text
    return text


def record_names(rec: dict[str, object], layout: str) -> tuple[str | None, str | None, str | None]:
    """(pref_name, muni_name, chome_name) from one boundary record (field names upper case)."""

    def s(name: str) -> str | None:
        v = rec.get(name)
        if v is None:
            return None
        t = str(v).strip()
        return t or None

    if layout == "2020":
        pref = s("PREF_NAME") or s("KEN_NAME")
        muni = s("CITY_NAME")
        if muni is None and (s("GST_NAME") or s("CSS_NAME")):
            muni = (s("GST_NAME") or "") + (s("CSS_NAME") or "")
        chome = s("S_NAME") or s("MOJI")
    else:
        pref = s("KEN_NAME") or s("PREF_NAME")
        gst, css = s("GST_NAME"), s("CSS_NAME")
        muni = ((gst or "") + (css or "")) or s("CITY_NAME")
        chome = s("MOJI") or s("S_NAME")
    # a layer written by this plugin (re-imported): its own field names
    return pref or s("PREF_NAME"), muni or s("MUNI_NAME"), chome or s("CHOME_NAME")


# ---------------------------------------------------------------------------------------------------
# The join


@dataclass
class BoundaryRecord:
    """One boundary feature (a polygon part, or a row of a table with X_CODE/Y_CODE)."""

    index: int  # position in the caller's list of geometries
    key: str
    hcode: int | None = None
    pref_name: str | None = None
    muni_name: str | None = None
    chome_name: str | None = None
    x: float | None = None
    y: float | None = None
    main_part: bool = False  # AREA_MAX_F == 'M': the part that carries the representative point
    care3: float | None = None  # per-chōme share from CARE3_FIELD
    muni_hint: str | None = None  # PREF/KEN + CITY, for the odd key shorter than 5 digits
    area_m2: float | None = None  # e-Stat AREA (m²) of this part


@dataclass
class ChomeResult:
    key: str
    muni_code: str
    pref_name: str | None
    muni_name: str | None
    chome_name: str | None
    pop_total: int | None
    pop_75plus: int | None
    care3_share: float | None
    at_home_75plus: float | None
    age_level: int | None
    join_status: str  # matched / merged_away / suppressed / missing / overlap
    hcode: int | None
    x: float | None
    y: float | None
    parts: list[int]  # BoundaryRecord.index of every part
    area_m2: float | None = None  # e-Stat AREA summed over the parts (m²), None when absent


REPORT_FIELDS = (
    "item",
    "muni_code",
    "KEY_CODE",
    "name",
    "detail",
    "count",
    "value_boundary",
    "value_table",
)


# The join report's detail sentences in Japanese (the report is built in English, then shown in the QGIS
# language by detail_text). Longest phrases first; codes, keys and numbers pass through.
_DETAIL_JA: tuple[tuple[str, str], ...] = (
    ("chōme keys in the boundary input (water excluded)", "境界データの町丁キー（水面を除く）"),
    ("keys found in the table at level 2, 3 or 4", "表のレベル2・3・4の行と一致したキー"),
    ("boundary keys with no row in the table (pop NULL)", "表に行のない境界キー（人口は NULL）"),
    (
        "level-2/4 rows (with figures) of these municipalities that no boundary key covers",
        "どの境界キーにも対応しない、これらの市区町村のレベル2・4の行（数値あり）",
    ),
    ("water areas (HCODE 8154) dropped", "除外した水面（HCODE 8154）"),
    ("keys stored as several features, merged into one", "複数の地物に分かれていたキー（1つに統合）"),
    ("features without a KEY_CODE, dropped", "KEY_CODE のない地物（除外）"),
    ("rows with X (suppressed) and no merge target", "秘匿（X）で合算先のない行"),
    ("rows whose figures e-Stat added to another area", "e-Stat が別の地域に合算した行"),
    ("town keys whose chōme are also in the boundary", "町丁も境界データにある町（合計）のキー"),
    (
        "municipalities in the table but not in the boundary (ignored): ",
        "表にあり境界データにない市区町村（無視）: ",
    ),
    (
        "keys given twice with different figures (the first file wins): ",
        "異なる数値で2回あるキー（最初のファイルを採用）: ",
    ),
    ("town total (HYOSYO=3) and its chōme ", "町の合計（HYOSYO=3）とその町丁 "),
    (
        " are both in the boundary: the town key gets NULL figures so nothing is counted twice",
        " が両方とも境界データにあります。二重に数えないよう町のキーは NULL にしました",
    ),
    ("no row in the table (renamed, merged or split?)", "表に行がありません（名称変更・統合・分割？）"),
    ("no HYOSYO=1 row for this municipality in the table", "表にこの市区町村の行（HYOSYO=1）がありません"),
    (" (target not in the boundary)", "（合算先は境界データにない）"),
    (" (source not in the boundary)", "（合算元は境界データにない）"),
    ("; X (suppressed)", "、X（秘匿）"),
    ("; not in boundary", "、境界データにない"),
    (" boundary keys missing", " 件の境界キーが表にない"),
    ("difference ", "差 "),
)


def detail_text(detail: str | None, lang: str) -> str | None:
    """A join-report detail in the language of the user (Japanese, or as built: English)."""
    if not detail or lang != "ja":
        return detail
    text = detail
    if text == "equal" or text.startswith("equal;"):
        text = "一致" + text[len("equal") :]
    text = re.sub(r"keys matched to a HYOSYO=(\d) row", r"HYOSYO=\1 の行と一致したキー", text)
    for en, ja in _DETAIL_JA:
        text = text.replace(en, ja)
    return text.replace("; ", "、")


@dataclass
class ReportRow:
    item: str
    muni_code: str | None = None
    key: str | None = None
    name: str | None = None
    detail: str | None = None
    count: int | None = None
    value_boundary: float | None = None
    value_table: float | None = None

    def as_tuple(self) -> tuple[object, ...]:
        return (
            self.item,
            self.muni_code,
            self.key,
            self.name,
            self.detail,
            self.count,
            self.value_boundary,
            self.value_table,
        )


@dataclass
class JoinResult:
    chome: list[ChomeResult]
    report: list[ReportRow]
    summary: dict[str, int]
    log: list[str]  # lines for the log, bilingual where it matters
    warnings: list[str]


@dataclass
class Care3Spec:
    constant: float = DEFAULT_CARE3_SHARE
    by_muni: dict[str, float] | None = None


def _expand_relative(muni: str, codes: str) -> list[str]:
    out = []
    for part in codes.replace(",", ";").split(";"):
        p = part.strip()
        if p.isdigit():
            out.append(p if len(p) >= 9 else muni + p)
    return out


def _add(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def join_boundaries(
    records: Sequence[BoundaryRecord],
    ages: AgeTable,
    care3: Care3Spec | None = None,
    rollup_wards: bool = False,
    list_limit: int | None = None,
) -> JoinResult:
    """Join boundary records to the T001082 rows on KEY_CODE; one result per chōme key, sorted by key.

    A boundary key matches the table row with the same key when that row is level 2, 3 or 4. Level-3
    rows (town totals) are never added to their level-4 rows: a boundary that holds both a town key
    matched at level 3 and chōme keys of the same town gets NULL figures for the town key (status
    ``overlap``) and a report line, so nothing is counted twice. Suppressed (X) figures stay NULL;
    figures that e-Stat merged into another area stay where e-Stat put them.
    """
    care3 = care3 or Care3Spec()
    table = ages.rows
    report: list[ReportRow] = []
    log: list[str] = []
    warnings: list[str] = []

    # 0. keys that lost their leading zero (a key column read as numbers) get it back
    fixed, n_fixed = plausibility.restore_leading_zeros(
        [b.key for b in records], [b.muni_hint[:2] if b.muni_hint else None for b in records]
    )
    if n_fixed:
        i = next(i for i, b in enumerate(records) if b.key != fixed[i])
        ja, en = plausibility.leading_zero_note(n_fixed, records[i].key, fixed[i])
        warnings.append(f"{ja}\n{en}")
        for b, k in zip(records, fixed):
            b.key = k

    # 1. group parts per key, drop water and keyless records
    groups: dict[str, list[BoundaryRecord]] = {}
    water = 0
    no_key = 0
    for b in records:
        if b.hcode == WATER_HCODE:
            water += 1
            continue
        if not b.key:
            no_key += 1
            continue
        groups.setdefault(b.key, []).append(b)
    if not groups:
        raise InputError(
            ja="境界データに（水面以外の）KEY_CODE を持つ地物が 1 つもありません。",
            en="The boundary input has no feature with a KEY_CODE (other than water areas).",
        )
    keys = sorted(groups)
    multipart = sum(1 for k in keys if len(groups[k]) > 1)

    # 2. match
    matched_level: dict[str, int] = {}
    for k in keys:
        row = table.get(k)
        if row is not None and row.level in (2, 3, 4):
            matched_level[k] = row.level
    if not matched_level:
        b_prefs = sorted({k[:2] for k in keys})
        t_prefs = sorted({k[:2] for k in table})
        raise InputError(
            ja=f"境界データの KEY_CODE が年齢別人口の表に 1 つもありません（境界の都道府県コード "
            f"{'、'.join(b_prefs)}、表の都道府県コード {'、'.join(t_prefs)}）。同じ都道府県・同じ地域の "
            "T001082 を指定してください。何も出力していません。",
            en=f"None of the boundary KEY_CODEs is in the age table (boundary prefecture codes "
            f"{', '.join(b_prefs)}; table prefecture codes {', '.join(t_prefs)}). Give the T001082 table "
            "of the same prefecture. No output was written.",
        )
    # level-3 keys whose own level-4 chōme are also in the boundary: never count both
    overlap: dict[str, list[str]] = {}
    l3 = {k for k, lv in matched_level.items() if lv == 3}
    if l3:
        for k in keys:
            if len(k) == 11 and k[:9] in l3:
                overlap.setdefault(k[:9], []).append(k)

    # 3. per-key results
    hints = {k: next((p.muni_hint for p in groups[k] if p.muni_hint), None) for k in keys}

    def muni_of(key: str) -> str:
        return muni_code_from_key(key) or hints.get(key) or key[:5]

    results: list[ChomeResult] = []
    muni_names: dict[str, str | None] = {}
    muni_prefs: dict[str, str | None] = {}
    care3_sources = {"field": 0, "table": 0, "constant": 0}
    for k in keys:
        parts = groups[k]
        main = next((p for p in parts if p.main_part), parts[0])
        row = table.get(k) if k in matched_level else None
        ward = muni_of(k)
        code = rollup_code(ward, rollup_wards)
        pref = next((p.pref_name for p in parts if p.pref_name), None)
        muni = next((p.muni_name for p in parts if p.muni_name), None)
        if muni is None:
            t1 = table.get(ward)
            muni = t1.city_name if t1 is not None and t1.city_name else (row.city_name if row else None)
        if rollup_wards and code != ward:
            muni = DESIGNATED_CITIES.get(code) or muni
        chome = next((p.chome_name for p in parts if p.chome_name), None)
        if chome is None and row is not None:
            chome = row.name or None
        muni_names.setdefault(code, muni)
        if muni_names[code] is None:
            muni_names[code] = muni
        muni_prefs.setdefault(code, pref)

        total = age75 = None
        level = None
        status = "missing"
        if row is not None:
            level = row.level
            total, age75 = row.total, row.age75
            if k in overlap:
                total = age75 = None
                status = "overlap"
            elif row.htksyori == "2":
                status = "merged_away"
            elif total is None or age75 is None:
                status = "suppressed"
            else:
                status = "matched"

        share = next((p.care3 for p in parts if p.care3 is not None), None)
        if share is not None:
            care3_sources["field"] += 1
        elif care3.by_muni and (ward in care3.by_muni or code in care3.by_muni):
            share = care3.by_muni.get(ward, care3.by_muni.get(code))
            care3_sources["table"] += 1
        else:
            share = care3.constant
            care3_sources["constant"] += 1
        at_home = None if age75 is None or share is None else age75 * (1.0 - share)
        results.append(
            ChomeResult(
                key=k,
                muni_code=code,
                pref_name=pref,
                muni_name=muni,
                chome_name=chome,
                pop_total=total,
                pop_75plus=age75,
                care3_share=share,
                at_home_75plus=at_home,
                age_level=level,
                join_status=status,
                hcode=main.hcode,
                x=main.x,
                y=main.y,
                parts=[p.index for p in parts],
                area_m2=_sum_area(parts),
            )
        )

    # 4. report
    n_level = {lv: sum(1 for v in matched_level.values() if v == lv) for lv in (2, 3, 4)}
    missing = [c for c in results if c.join_status == "missing"]
    boundary_wards = sorted({muni_of(k) for k in keys})
    boundary_ward_set = set(boundary_wards)

    # coverage of table rows: matched directly, or through a matched level-3 parent
    covered = set(matched_level) - set(overlap)  # an overlapping town key gets NULL: it covers nothing
    table_only: list[AgeRow] = []
    table_other_munis: set[str] = set()
    suppressed_rows: list[AgeRow] = []
    merged_pairs: list[tuple[AgeRow, str]] = []
    for key in sorted(table):
        r = table[key]
        w = muni_of(key)
        if w not in boundary_ward_set:
            if r.level == 1:
                table_other_munis.add(w)
            continue
        if r.htksyori == "2":
            for target in _expand_relative(w, r.htksaki):
                merged_pairs.append((r, target))
        if (r.total is None or r.age75 is None) and r.htksyori != "2":
            # a level-3 total is X when one of its chōme is: it matters only when a boundary key uses it
            if r.level in (2, 4) or (r.level == 3 and key in matched_level):
                suppressed_rows.append(r)
        if r.level not in (2, 4) or key in covered or r.htksyori == "2":
            continue  # merged-away rows carry no figures: they are listed under "merged"
        if r.level == 4 and key[:9] in covered:
            continue
        table_only.append(r)

    def add(item: str, **kw: object) -> None:
        report.append(ReportRow(item, **kw))  # type: ignore[arg-type]

    add("boundary_keys", count=len(keys), detail="chōme keys in the boundary input (water excluded)")
    add("matched", count=len(matched_level), detail="keys found in the table at level 2, 3 or 4")
    for lv in (2, 3, 4):
        add(f"matched_level{lv}", count=n_level[lv], detail=f"keys matched to a HYOSYO={lv} row")
    add("boundary_missing", count=len(missing), detail="boundary keys with no row in the table (pop NULL)")
    add(
        "table_only",
        count=len(table_only),
        detail="level-2/4 rows (with figures) of these municipalities that no boundary key covers",
    )
    add("water_dropped", count=water, detail="water areas (HCODE 8154) dropped")
    add("multipart_merged", count=multipart, detail="keys stored as several features, merged into one")
    if no_key:
        add("no_key", count=no_key, detail="features without a KEY_CODE, dropped")
    add("suppressed", count=len(suppressed_rows), detail="rows with X (suppressed) and no merge target")
    add("merged", count=len(merged_pairs), detail="rows whose figures e-Stat added to another area")
    if overlap:
        add("level3_overlap", count=len(overlap), detail="town keys whose chōme are also in the boundary")
    if table_other_munis:
        add(
            "table_other_munis",
            count=len(table_other_munis),
            detail="municipalities in the table but not in the boundary (ignored): "
            + " ".join(sorted(table_other_munis)),
        )
    if ages.duplicates:
        add(
            "table_duplicates",
            count=len(ages.duplicates),
            detail="keys given twice with different figures (the first file wins): "
            + " ".join(ages.duplicates[:20]),
        )

    for lv3, kids in sorted(overlap.items()):
        add(
            "level3_overlap",
            muni_code=muni_of(lv3),
            key=lv3,
            name=table[lv3].name,
            detail="town total (HYOSYO=3) and its chōme " + " ".join(kids) + " are both in the boundary: "
            "the town key gets NULL figures so nothing is counted twice",
        )
    for c in missing:
        add(
            "boundary_missing",
            muni_code=muni_of(c.key),
            key=c.key,
            name=c.chome_name,
            detail="no row in the table (renamed, merged or split?)",
        )
    for r in table_only:
        add(
            "table_only",
            muni_code=muni_of(r.key),
            key=r.key,
            name=r.name,
            detail=f"HYOSYO={r.level}; pop_total={_fmt(r.total)}, pop_75plus={_fmt(r.age75)}",
            value_table=r.age75,
        )
    for r in suppressed_rows:
        add(
            "suppressed",
            muni_code=muni_of(r.key),
            key=r.key,
            name=r.name,
            detail=f"HYOSYO={r.level}; X (suppressed)"
            + ("" if r.key in matched_level else "; not in boundary"),
        )
    for r, target in merged_pairs:
        t = table.get(target)
        add(
            "merged",
            muni_code=muni_of(r.key),
            key=r.key,
            name=r.name,
            detail=f"→ {target} {t.name if t else '?'}"
            + ("" if target in matched_level else " (target not in the boundary)")
            + ("" if r.key in groups else " (source not in the boundary)"),
        )

    # per-municipality check: chōme sum vs the HYOSYO=1 row
    by_code: dict[str, list[ChomeResult]] = {}
    for c in results:
        by_code.setdefault(c.muni_code, []).append(c)
    lost_munis = 0
    for code in sorted(by_code):
        wards = sorted({muni_of(c.key) for c in by_code[code]})  # the wards of a rolled-up city
        t_tot: int | None = 0
        t_75: int | None = 0
        have_row = False
        for w in wards:
            r1 = table.get(w)
            if r1 is not None and r1.level == 1:
                have_row = True
                t_tot = None if t_tot is None or r1.total is None else t_tot + r1.total
                t_75 = None if t_75 is None or r1.age75 is None else t_75 + r1.age75
        s_tot = sum(c.pop_total or 0 for c in by_code[code])
        s_75 = sum(c.pop_75plus or 0 for c in by_code[code])
        name = muni_names.get(code)
        if not have_row:
            add(
                "muni_not_in_table",
                muni_code=code,
                name=name,
                detail="no HYOSYO=1 row for this municipality in the table",
                value_boundary=s_75,
            )
            warnings.append(
                f"{code} {name or ''}: 表に市区町村の行（HYOSYO=1）がありません / no municipality row "
                "(HYOSYO=1) in the table"
            )
            lost_munis += 1
            continue
        n_miss = sum(1 for c in by_code[code] if c.join_status == "missing")
        for item, sv, tv in (("muni_check_total", s_tot, t_tot), ("muni_check_75plus", s_75, t_75)):
            ok = tv is not None and sv == tv
            add(
                item,
                muni_code=code,
                name=name,
                count=len(by_code[code]),
                detail=("equal" if ok else f"difference {_fmt(None if tv is None else sv - tv)}")
                + (f"; {n_miss} boundary keys missing" if n_miss else ""),
                value_boundary=sv,
                value_table=tv,
            )
        if t_75 is not None and s_75 != t_75:
            lost_munis += 1
            warnings.append(
                f"{code} {name or ''}: 町丁の75歳以上の合計 {s_75:,} ≠ 市区町村の行 {t_75:,} / "
                f"chōme sum of 75+ {s_75:,} differs from the municipality row {t_75:,}"
            )

    summary = {
        "boundary_keys": len(keys),
        "matched": len(matched_level),
        "matched_level2": n_level[2],
        "matched_level3": n_level[3],
        "matched_level4": n_level[4],
        "boundary_missing": len(missing),
        "table_only": len(table_only),
        "water_dropped": water,
        "multipart_merged": multipart,
        "suppressed": len(suppressed_rows),
        "merged": len(merged_pairs),
        "level3_overlap": len(overlap),
        "munis": len(by_code),
        "munis_not_equal": lost_munis,
        "care3_field": care3_sources["field"],
        "care3_table": care3_sources["table"],
        "care3_constant": care3_sources["constant"],
    }
    log.append(
        f"町丁キー {len(keys):,} 件のうち {len(matched_level):,} 件が表と一致（レベル2: {n_level[2]:,}、"
        f"レベル3: {n_level[3]:,}、レベル4: {n_level[4]:,}）、表にないキー {len(missing):,} 件、"
        f"境界のない表の行 {len(table_only):,} 件、水面 {water:,} 件を除外。"
    )
    log.append(
        f"{len(keys):,} chōme keys: {len(matched_level):,} matched (level 2: {n_level[2]:,}, level 3: "
        f"{n_level[3]:,}, level 4: {n_level[4]:,}), {len(missing):,} missing from the table, "
        f"{len(table_only):,} table rows without boundary, {water:,} water areas dropped, "
        f"{multipart:,} multi-part keys merged."
    )
    # each Japanese line is followed by its English version (the log shows one: core.language.pair_lines)
    log.append(
        f"秘匿（X）の行 {len(suppressed_rows):,} 件、e-Stat が別の地域に合算した行 {len(merged_pairs):,} 件"
        "（REPORT に一覧）。"
    )
    log.append(
        f"{len(suppressed_rows):,} suppressed (X) rows, {len(merged_pairs):,} rows whose "
        "figures e-Stat added to another area (listed in REPORT)."
    )
    n_checked = sum(1 for r in report if r.item == "muni_check_75plus")
    log.append(
        f"市区町村の照合（町丁の75歳以上の合計 = HYOSYO=1 の行）: {n_checked - lost_munis:,} / "
        f"{n_checked:,} が一致。"
    )
    log.append(
        f"Municipality check (chōme sum of 75+ = the HYOSYO=1 row): {n_checked - lost_munis:,} of "
        f"{n_checked:,} equal."
    )
    if missing:
        limit = len(missing) if list_limit is None else list_limit
        shown = ", ".join(f"{c.key} {c.chome_name or ''}".strip() for c in missing[:limit])
        more = "" if len(missing) <= limit else f" … (+{len(missing) - limit:,}, see REPORT)"
        warnings.append(  # "ja\nen": the log shows the QGIS language's line (algorithms.base)
            f"表にない境界キー（人口は NULL）: {shown}{more}\n"
            f"boundary keys missing from the table (population NULL): {shown}{more}"
        )
    return JoinResult(results, report, summary, log, warnings)


def _fmt(v: int | None) -> str:
    return "X" if v is None else f"{v:,}"


# ---------------------------------------------------------------------------------------------------
# Records from attribute dicts


def _to_int(v: object) -> int | None:
    if v is None or v == "":
        return None
    try:
        return int(float(str(v).strip()))
    except ValueError:
        return None


def _opt_float(v: object) -> float | None:
    return to_float(v, None)


def make_record(
    index: int,
    rec: dict[str, object],
    key_field: str,
    layout: str,
    care3_field: str | None = None,
    source: str = "",
) -> BoundaryRecord:
    """A BoundaryRecord from one feature's attributes (a dict with UPPER-CASE field names)."""
    pref, muni, chome = record_names(rec, layout)
    pref_code = normalize_key(rec.get("PREF") or rec.get("KEN"))
    city_code = normalize_key(rec.get("CITY"))
    hint = None
    if pref_code.isdigit() and city_code.isdigit():
        hint = pref_code.zfill(2) + city_code.zfill(3)
    elif normalize_key(rec.get("MUNI_CODE")).isdigit():
        hint = normalize_key(rec.get("MUNI_CODE")).zfill(5)
    care3 = None
    if care3_field:
        raw = rec.get(care3_field.upper())
        care3 = _opt_float(raw)
        if raw not in (None, "") and care3 is None or care3 is not None and not 0.0 <= care3 <= 1.0:
            raise InputError(
                ja=f"{source} の {care3_field} の値 {raw} は 0〜1 の割合ではありません（10.9% は 0.109）。",
                en=f"{source}: {care3_field} = {raw} is not a share between 0 and 1 (10.9 % is 0.109).",
            )
    return BoundaryRecord(
        index=index,
        key=normalize_key(rec.get(key_field.upper())),
        hcode=_to_int(rec.get("HCODE")),
        pref_name=pref,
        muni_name=muni,
        chome_name=chome,
        x=_opt_float(rec.get("X_CODE")),
        y=_opt_float(rec.get("Y_CODE")),
        main_part=str(rec.get("AREA_MAX_F") or "").strip().upper() == "M",
        care3=care3,
        muni_hint=hint,
        area_m2=_opt_float(rec.get("AREA") if rec.get("AREA") not in (None, "") else rec.get("AREA_M2")),
    )


def _sum_area(parts: list[BoundaryRecord]) -> float | None:
    """e-Stat's AREA (m²) of a chōme: the sum over its parts; None when no part carries it."""
    values = [p.area_m2 for p in parts if p.area_m2 is not None]
    return float(sum(values)) if values else None


# ---------------------------------------------------------------------------------------------------
# The chōme layer kaigo:importestat writes: which kind, which columns, and which part stands for a key

# Geometry kind of a boundary input from compat.geometry_type (0 point, 1 line, 2 polygon, 4 none).
INPUT_KINDS = {0: "point", 2: "polygon", 4: "table"}
# (name, type, length) of the columns always written; then HCODE, X_CODE/Y_CODE and area_m2 when the
# inputs have them
CHOME_COLUMNS = (
    ("KEY_CODE", "string", 16),
    ("muni_code", "string", 5),
    ("pref_name", "string", 20),
    ("muni_name", "string", 40),
    ("chome_name", "string", 100),
    ("pop_total", "int", 0),
    ("pop_75plus", "int", 0),
    ("care3_share", "double", 0),
    ("at_home_75plus", "double", 0),
    ("age_level", "int", 0),
    ("join_status", "string", 16),
)
REPORT_FIELD_TYPES = {"count": "int", "value_boundary": "double", "value_table": "double"}


def output_kind(kinds: Iterable[str]) -> str:
    """ "polygon" when the inputs are polygons, "point" for points and X_CODE/Y_CODE tables; refused mixed."""
    kinds = set(kinds)
    if "polygon" in kinds and len(kinds) > 1:
        raise InputError(
            ja="境界データに面と点（または表）が混ざっています。どちらか一方だけを指定してください。",
            en="The boundary inputs mix polygons with points or tables; give one kind only.",
        )
    return "polygon" if "polygon" in kinds else "point"


@dataclass(frozen=True)
class ChomeSchema:
    """Which optional columns the chōme layer has: those that some input has."""

    hcode: bool
    xy: bool
    area: bool

    @classmethod
    def of_inputs(cls, field_lists: Iterable[Sequence[str]]) -> ChomeSchema:
        """From the (upper-case) field names of each input."""
        lists = [set(f) for f in field_lists]
        return cls(
            hcode=any("HCODE" in f for f in lists),
            xy=any("X_CODE" in f and "Y_CODE" in f for f in lists),
            area=any("AREA" in f or "AREA_M2" in f for f in lists),
        )

    def columns(self) -> list[tuple[str, str, int]]:
        out = list(CHOME_COLUMNS)
        if self.hcode:
            out.append(("HCODE", "int", 0))
        if self.xy:
            out += [("X_CODE", "double", 0), ("Y_CODE", "double", 0)]
        if self.area:
            out.append(("area_m2", "double", 0))
        return out

    def values(self, c: ChomeResult) -> list[object]:
        out: list[object] = [
            c.key,
            c.muni_code,
            c.pref_name,
            c.muni_name,
            c.chome_name,
            c.pop_total,
            c.pop_75plus,
            c.care3_share,
            c.at_home_75plus,
            c.age_level,
            c.join_status,
        ]
        if self.hcode:
            out.append(c.hcode)
        if self.xy:
            out += [c.x, c.y]
        if self.area:
            out.append(c.area_m2)
        return out


def point_part(parts: Sequence[int], records: Sequence[BoundaryRecord], has_geometry) -> int | None:
    """The part that stands for a chōme on a point layer: the main part (AREA_MAX_F = M) with a geometry,
    else the first part with one; None when no part has a geometry. ``has_geometry(i)`` tells."""
    main = next((i for i in parts if records[i].main_part and has_geometry(i)), None)
    if main is not None:
        return main
    return next((i for i in parts if has_geometry(i)), None)


def table_points_text(name: str, crs_id: str, layout: str, lang: str) -> str:
    """Log line for a table input whose points come from X_CODE/Y_CODE: the CRS, datum and layout year."""
    datum = "JGD2000" if layout == "2015" else "JGD2011"
    year = "2015" if layout == "2015" else "2020"
    if lang == "en":
        return f"{name}: no geometry; points from X_CODE/Y_CODE in {crs_id} ({datum}, {year} layout)"
    return f"{name}: ジオメトリなし。X_CODE/Y_CODE の点（{crs_id}、{datum}、{year} 年のレイアウト）"

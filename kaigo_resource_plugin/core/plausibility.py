"""Figures that cannot be right (SPEC §8): found here, refused or warned by the algorithms.

Pure Python + numpy. Each check returns plain values; the ``*_error`` / ``*_warning`` helpers give the
bilingual InputError or (ja, en) pair that says what to change.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import numpy as np

from .errors import InputError

JAPAN_LON = (122.0, 154.0)
JAPAN_LAT = (20.0, 46.0)
KEY_LENGTHS = (5, 9, 11)  # municipality, 町・大字, 丁目・小字 (e-Stat KEY_CODE)
SHAPEFILE_NAME_LIMIT = 10
MAX_CATEGORIES = 100


# --- coordinates ----------------------------------------------------------------------------------


def in_japan(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Per point: inside the box that holds every part of Japan (lon 122–154, lat 20–46)."""
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    return (lon >= JAPAN_LON[0]) & (lon <= JAPAN_LON[1]) & (lat >= JAPAN_LAT[0]) & (lat <= JAPAN_LAT[1])


def outside_japan(lon, lat) -> tuple[int, int, tuple[float, float] | None]:
    """(points outside Japan, points with coordinates, first such point) of finite lon/lat arrays."""
    lon = np.asarray(lon, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    ok = np.isfinite(lon) & np.isfinite(lat)
    bad = ok & ~in_japan(lon, lat)
    n_bad = int(bad.sum())
    first = None
    if n_bad:
        i = int(np.flatnonzero(bad)[0])
        first = (float(lon[i]), float(lat[i]))
    return n_bad, int(ok.sum()), first


def outside_japan_error(what_ja: str, what_en: str, n_bad: int, n: int, first) -> InputError:
    lon, lat = first
    return InputError(
        ja=f"{what_ja}の {n_bad:,} / {n:,} 地点が日本の範囲（経度 122〜154°、緯度 20〜46°）の外にあります"
        f"（例: 経度 {lon:.4f}, 緯度 {lat:.4f}）。レイヤの座標参照系（.prj）が正しいか確認し、"
        "正しい CRS を設定してください。",
        en=f"{n_bad:,} of {n:,} points of {what_en} lie outside Japan (longitude 122–154°, latitude 20–46°; "
        f"e.g. {lon:.4f}, {lat:.4f}): check that the layer's CRS (.prj) is right and set the right one.",
    )


def xy_code_problem(x, y) -> str | None:
    """What is wrong with X_CODE/Y_CODE taken as longitude/latitude: "metres" (projected values),
    "swapped" (latitude in X_CODE), "outside" (degrees, but not in Japan), or None."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    if not ok.any():
        return None
    xs, ys = x[ok], y[ok]
    inside = in_japan(xs, ys)
    if inside.mean() >= 0.99:
        return None
    if in_japan(ys, xs).mean() > 0.5:
        return "swapped"
    if (np.abs(xs) > 360).mean() > 0.5 or (np.abs(ys) > 90).mean() > 0.5:
        return "metres"
    return "outside"


def xy_code_error(problem: str, example: tuple[float, float]) -> InputError:
    x, y = example
    if problem == "metres":
        return InputError(
            ja=f"X_CODE/Y_CODE が経緯度（度）ではなくメートル単位の値のようです（例: {x:g}, {y:g}）。"
            "POINT_METHOD で「ポリゴン内の点」を選ぶか、経緯度の X_CODE/Y_CODE を持つデータを使ってください。",
            en=f"X_CODE/Y_CODE look like metres, not longitude/latitude in degrees (e.g. {x:g}, {y:g}): choose "
            "POINT_METHOD 'Point on surface', or use data whose X_CODE/Y_CODE are degrees.",
        )
    if problem == "swapped":
        return InputError(
            ja=f"X_CODE と Y_CODE が入れ替わっているようです（X_CODE={x:g} は緯度、Y_CODE={y:g} は経度の値）。"
            "X_CODE に経度、Y_CODE に緯度が入ったデータを使ってください。",
            en=f"X_CODE and Y_CODE look swapped (X_CODE={x:g} is a latitude, Y_CODE={y:g} a longitude): use data "
            "with the longitude in X_CODE and the latitude in Y_CODE.",
        )
    return InputError(
        ja=f"X_CODE/Y_CODE の地点が日本の範囲（経度 122〜154°、緯度 20〜46°）の外にあります（例: {x:g}, {y:g}）。"
        "X_CODE/Y_CODE の値を確認してください。",
        en=f"X_CODE/Y_CODE points lie outside Japan (longitude 122–154°, latitude 20–46°; e.g. {x:g}, {y:g}): "
        "check the X_CODE/Y_CODE values.",
    )


def first_bad_xy(x, y) -> tuple[float, float]:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y) & ~in_japan(x, y) & ~((x == 0) & (y == 0))
    i = int(np.flatnonzero(ok)[0]) if ok.any() else 0
    return float(x[i]), float(y[i])


# --- keys ------------------------------------------------------------------------------------------


def _pref_ok(key: str) -> bool:
    return len(key) >= 2 and key[:2].isdigit() and 1 <= int(key[:2]) <= 47


def restore_leading_zeros(
    keys: Sequence[str], prefs: Sequence[str | None] | None = None
) -> tuple[list[str], int]:
    """Keys that lost their leading zero (read as numbers: ``1101001001`` for Hokkaido ``01101001001``)
    get it back: all-digit keys of 8 or 10 digits (no e-Stat key has that length; a 4-digit value may be
    anything, e.g. an HCODE, so it is left alone) whose padded form starts with a prefecture code 01–09,
    and, where the prefecture is known (``prefs``), with that one. Returns (keys, number restored)."""
    out = list(keys)
    n = 0
    for i, k in enumerate(out):
        if not k or not k.isdigit() or len(k) not in (8, 10):
            continue
        padded = "0" + k
        if not _pref_ok(padded):
            continue
        if prefs is not None:
            p = prefs[i]
            if p is not None and str(p).strip() and str(p).strip().zfill(2) != padded[:2]:
                continue
        out[i] = padded
        n += 1
    return out, n


def leading_zero_note(n: int, example_before: str, example_after: str) -> tuple[str, str]:
    return (
        f"先頭の 0 が失われたキー {n:,} 件を復元しました（例: {example_before} → {example_after}）。"
        "元データのキー項目は文字列型で保存してください。",
        f"{n:,} keys had lost their leading zero and were restored (e.g. {example_before} → {example_after}). "
        "Store the key field as text in the source data.",
    )


def looks_like_key(key: str) -> bool:
    return key.isdigit() and len(key) in KEY_LENGTHS and _pref_ok(key)


def key_share(keys: Iterable[str]) -> tuple[float, int, str | None]:
    """(share of non-empty keys that look like e-Stat keys, number of non-empty keys, first bad one)."""
    n = 0
    good = 0
    first_bad = None
    for k in keys:
        if not k:
            continue
        n += 1
        if looks_like_key(k):
            good += 1
        elif first_bad is None:
            first_bad = k
    return (good / n if n else 1.0), n, first_bad


def not_a_key_error(field: str, example: str) -> InputError:
    return InputError(
        ja=f"キー項目「{field}」の値は町丁字のキーコード（5・9・11 桁の数字で、先頭 2 桁が都道府県コード）"
        f"ではありません（例: 「{example}」）。KEY_FIELD に KEY_CODE などの町丁字コードの項目を指定してください。",
        en=f"The values of the key field '{field}' are not chōme keys (5, 9 or 11 digits starting with the "
        f"prefecture code; e.g. '{example}'): set KEY_FIELD to the chōme code field, such as KEY_CODE.",
    )


# --- counts and parameters ------------------------------------------------------------------------


def bad_counts(values) -> tuple[int, int, float | None]:
    """(negative values, non-finite values (inf), first negative) of a count column (NaN = NULL, allowed)."""
    v = np.asarray(values, dtype=np.float64)
    neg = v < 0
    inf = np.isinf(v)
    first = float(v[np.flatnonzero(neg)[0]]) if neg.any() else None
    return int(neg.sum()), int(inf.sum()), first


def negative_count_error(field: str, n: int, first: float | None) -> InputError:
    shown = f"{first:g}" if first is not None else "inf"
    return InputError(
        ja=f"項目「{field}」に負または無限大の人数が {n:,} 件あります（例: {shown}）。"
        "人数は 0 以上の数で、データを修正するか別の項目を指定してください。",
        en=f"The field '{field}' holds {n:,} negative or infinite counts (e.g. {shown}): counts must be 0 or "
        "more; correct the data or choose another field.",
    )


def non_numeric_error(field: str, n: int, example: str) -> InputError:
    return InputError(
        ja=f"項目「{field}」に数値でない値が {n:,} 件あります（例: 「{example}」）。"
        "数値の項目を指定するか、データを修正してください。",
        en=f"The field '{field}' holds {n:,} values that are not numbers (e.g. '{example}'): choose a numeric "
        "field or correct the data.",
    )


def finite(value: float) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


# --- names -----------------------------------------------------------------------------------------


def distinct_names(names: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Make type names distinct: the second 'shops' becomes 'shops_2' (and so on). Returns (names,
    [(old, new)] for the renamed ones)."""
    seen: dict[str, int] = {}
    taken = set(names)
    out = []
    renamed = []
    for name in names:
        if name not in seen:
            seen[name] = 1
            out.append(name)
            continue
        k = seen[name] + 1
        while f"{name}_{k}" in taken:
            k += 1
        seen[name] = k
        new = f"{name}_{k}"
        taken.add(new)
        out.append(new)
        renamed.append((name, new))
    return out, renamed


def duplicate_names_note(renamed: list[tuple[str, str]]) -> tuple[str, str]:
    pairs = ", ".join(f"{a} → {b}" for a, b in renamed)
    return (
        f"同じ名前の資源レイヤがあるため、種類名を区別しました（{pairs}）。",
        f"Resource layers with the same name: the type names were made distinct ({pairs}).",
    )


def too_many_categories_error(field: str, n: int, limit: int = MAX_CATEGORIES) -> InputError:
    return InputError(
        ja=f"分類項目「{field}」の値が {n:,} 種類あります（上限 {limit}）。種類ごとの列が多すぎて結果を書けません。"
        "店舗の種類などの分類の項目を CATEGORY_FIELD に指定するか、空にしてください。",
        en=f"The category field '{field}' has {n:,} distinct values (at most {limit}): too many per-type "
        "columns to write. Set CATEGORY_FIELD to a field of types (such as the kind of shop), or leave it empty.",
    )


def long_field_names(names: Iterable[str], limit: int = SHAPEFILE_NAME_LIMIT) -> list[str]:
    return [n for n in names if len(n.encode("utf-8")) > limit]


def shapefile_names_error(param: str, long_names: list[str]) -> InputError:
    shown = ", ".join(long_names[:6]) + (" …" if len(long_names) > 6 else "")
    return InputError(
        ja=f"出力 {param} はシェープファイル（.shp）ですが、項目名が 10 バイトを超えるため切り詰められ、"
        f"後の処理で使えなくなります（{shown}）。GeoPackage（.gpkg）で保存してください。",
        en=f"The output {param} is a shapefile (.shp), which would cut the field names longer than 10 bytes "
        f"({shown}) so that the next steps cannot find them: save it as a GeoPackage (.gpkg).",
    )


# --- tables ----------------------------------------------------------------------------------------


def truncation(text: str) -> str | None:
    """How a CSV text may have been cut off: "short" (the last row, without a final newline, has fewer
    fields than the header: it certainly stops in the middle), "no_newline" (complete-looking last row
    but no final newline: its last figure may be cut), or None."""
    if not text or text.endswith(("\n", "\r")):
        return None
    lines = text.splitlines()
    if len(lines) < 2:
        return None
    if lines[-1].count(",") < lines[0].count(","):
        return "short"
    return "no_newline"


def truncated_error(name: str, line_no: int) -> InputError:
    return InputError(
        ja=f"表 {name} は {line_no:,} 行目の途中で切れています（ダウンロードやコピーが途中で終わったようです）。"
        "ファイルをもう一度ダウンロードしてください。",
        en=f"The table {name} stops in the middle of line {line_no:,} (the download or copy did not finish): "
        "download the file again.",
    )


def truncated_warning(name: str, line_no: int) -> tuple[str, str]:
    return (
        f"表 {name} の最後の行（{line_no:,} 行目）に改行がありません。途中で切れていないか確認してください。",
        f"The last line ({line_no:,}) of the table {name} has no line end: check that the file is complete.",
    )


def check_text_file(data: bytes, name: str, param: str) -> None:
    """Refuse a file that is not a text table: an Excel workbook (.xlsx is a zip), a legacy .xls, or
    any binary file (NUL bytes outside a UTF-16 text)."""
    head = data[:4096]
    if head.startswith(b"PK\x03\x04"):
        raise InputError(
            ja=f"{param} のファイル {name} は Excel ブック（.xlsx）または zip です。CSV 形式で保存したもの"
            "（zip なら展開した CSV）を指定してください。",
            en=f"The {param} file {name} is an Excel workbook (.xlsx) or a zip: save it as CSV (or unzip it) and "
            "give the CSV.",
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            ja=f"{param} のファイル {name} は古い Excel 形式（.xls）です。CSV 形式で保存して指定してください。",
            en=f"The {param} file {name} is an old Excel workbook (.xls): save it as CSV and give the CSV.",
        )
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in head:
        raise InputError(
            ja=f"{param} のファイル {name} は文字のファイル（CSV）ではありません（バイナリ）。"
            "e-Stat からダウンロードした CSV を指定してください。",
            en=f"The {param} file {name} is not a text (CSV) file but binary data: give the CSV downloaded "
            "from e-Stat.",
        )


def not_csv_error(name: str) -> InputError:
    return InputError(
        ja=f"{name} は CSV として読めません（引用符や改行が壊れています）。e-Stat からダウンロードしたままの CSV を"
        "指定してください。",
        en=f"{name} cannot be read as CSV (broken quotes or line ends): give the CSV as downloaded from e-Stat.",
    )


def clean_table_text(text: str, name: str) -> tuple[str, tuple[str, str] | None]:
    """Line ends made uniform (CR-only files, stray CRs inside a row removed), and a check that the table
    was not cut off: refuses a last row that stops in the middle; warns when the last line has no end."""
    if "\r" in text:
        if "\n" not in text:
            text = text.replace("\r", "\n")  # old Mac line ends
        else:
            text = text.replace("\r\n", "\n").replace("\r", "")
    cut = truncation(text)
    n_lines = text.count("\n") + 1
    if cut == "short":
        raise truncated_error(name, n_lines)
    if cut == "no_newline":
        return text, truncated_warning(name, n_lines)
    return text, None


_COUNT = re.compile(r"^-?[0-9]+(\.[0-9]*)?$")
_MARKS = {"-", "－", "‐", "", "X", "Ｘ", "x", "…", "***"}


def check_count_text(text: str, column: str, name: str, line_no: int) -> None:
    """A T001082 cell: a count, "-" (zero) or "X" (suppressed); refuse negative numbers and text."""
    t = text.strip().replace(",", "")
    if t in _MARKS:
        return
    if not _COUNT.match(t):
        raise InputError(
            ja=f"{name} の {line_no:,} 行目、列 {column} の値「{text.strip()}」は人数ではありません。"
            "e-Stat からダウンロードしたままの表を指定するか、値を修正してください。",
            en=f"{name}, line {line_no:,}, column {column}: '{text.strip()}' is not a count. Give the table as "
            "downloaded from e-Stat, or correct the value.",
        )
    if t.startswith("-"):
        raise InputError(
            ja=f"{name} の {line_no:,} 行目、列 {column} の人数が負です（{t}）。表を修正してください。",
            en=f"{name}, line {line_no:,}, column {column}: negative count ({t}). Correct the table.",
        )

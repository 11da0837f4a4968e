"""What was downloaded: the cache folder (one file per source and code, with what the server said about
it), and what a zip holds (shapefiles, tables). No QGIS import; the network itself is in algorithms/net.py."""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from .errors import InputError

CACHE_SUBFOLDER = "kaigo_resource_plugin_downloads"


def default_cache_folder(base: str | None = None) -> str:
    """The cache folder when the user gives none: under the QGIS profile (base) or the user's cache dir."""
    if base:
        return os.path.join(base, CACHE_SUBFOLDER)
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(root, CACHE_SUBFOLDER)


# ---------------------------------------------------------------------------------------------------
# Cache entries


@dataclass
class CacheEntry:
    url: str
    size: int
    last_modified: str | None
    etag: str | None
    downloaded_at: str
    server_name: str | None = None  # the file name the server gave (Content-Disposition)


def _meta(path: str) -> str:
    return path + ".json"


def read_entry(path: str) -> CacheEntry | None:
    """The cache entry of ``path`` when the file is there whole (its size is the one recorded)."""
    try:
        with open(_meta(path), encoding="utf-8") as fh:
            entry = CacheEntry(**json.load(fh))
    except (OSError, ValueError, TypeError):
        return None
    try:
        if os.path.getsize(path) != entry.size:
            return None
    except OSError:
        return None
    return entry


def write_entry(path: str, entry: CacheEntry) -> None:
    tmp = _meta(path) + ".part"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(asdict(entry), fh, ensure_ascii=False, indent=1)
    os.replace(tmp, _meta(path))


def forget(path: str) -> None:
    """Drop a cached file that turned out unusable (an error page, a zip without what was asked for)."""
    for p in (path, _meta(path)):
        if os.path.exists(p):
            os.unlink(p)


def header(headers: Mapping[str, str], name: str) -> str | None:
    for k, v in headers.items():
        if k.lower() == name.lower():
            return v
    return None


def server_changed(entry: CacheEntry, headers: Mapping[str, str]) -> bool | None:
    """Whether the server's file differs from the cached one, judged by ETag, size and date where the
    server says them; None when it says none of them (the cached file is then kept)."""
    said = False
    etag = header(headers, "ETag")
    if etag and entry.etag:
        if etag != entry.etag:
            return True
        said = True
    length = header(headers, "Content-Length")
    if length and length.strip().isdigit():
        if int(length) != entry.size:
            return True
        said = True
    modified = header(headers, "Last-Modified")
    if modified and entry.last_modified:
        if modified.strip() != entry.last_modified.strip():
            return True
        said = True
    return False if said else None


def disposition_name(headers: Mapping[str, str]) -> str | None:
    """The file name of a Content-Disposition header (``filename*=UTF-8''…`` or ``filename="…"``)."""
    value = header(headers, "Content-Disposition") or ""
    m = re.search(r"filename\*\s*=\s*[^']*''([^;]+)", value)
    if m:
        from urllib.parse import unquote

        return os.path.basename(unquote(m.group(1).strip()))
    m = re.search(r'filename\s*=\s*"?([^";]+)"?', value)
    return os.path.basename(m.group(1).strip()) if m else None


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def clear_cache(folder: str) -> int:
    """Remove the files this plugin cached in ``folder``; returns how many files went. Other files stay."""
    if not os.path.isdir(folder):
        return 0
    removed = 0
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if os.path.isfile(path) and name.startswith(("estat-", "ksj-", "overpass-")):
            os.unlink(path)
            removed += 1
        elif os.path.isdir(path) and name.endswith(".unzipped"):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


# ---------------------------------------------------------------------------------------------------
# Zips


@dataclass
class ZipContents:
    shapefiles: list[str]  # member names of .shp with .dbf and .shx beside them
    tables: list[str]  # .csv / .txt members
    geojson: list[str]
    members: list[str]


def _not_a_zip(path: str, source: str) -> InputError:
    try:
        with open(path, "rb") as fh:
            head = fh.read(200)
    except OSError:
        head = b""
    text = head.decode("utf-8", errors="replace").strip()
    looks_html = text.lower().startswith(("<!doctype", "<html", "<?xml"))
    what_ja = "HTML のページ" if looks_html else "zip ではないファイル"
    what_en = "an HTML page" if looks_html else "a file that is not a zip"
    return InputError(
        ja=f"{source} から zip ではなく{what_ja}が届きました。市区町村コード・年、またはダウンロード元の URL"
        "（設定・環境変数）を確認してください。",
        en=f"{source} sent {what_en} instead of a zip. Check the municipality code and year, or the "
        "download URL (plugin setting / environment variable).",
    )


def inspect_zip(path: str, source: str = "") -> ZipContents:
    """What a downloaded zip holds. Raises InputError when it is not a zip (an error page, say)."""
    source = source or os.path.basename(path)
    if not zipfile.is_zipfile(path):
        raise _not_a_zip(path, source)
    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError):
        raise _not_a_zip(path, source) from None
    lower = {n.lower(): n for n in names}
    shps = []
    for n in names:
        base, ext = os.path.splitext(n)
        if ext.lower() == ".shp" and f"{base.lower()}.dbf" in lower and f"{base.lower()}.shx" in lower:
            shps.append(n)
    tables = [n for n in names if os.path.splitext(n)[1].lower() in (".csv", ".txt")]
    geojson = [n for n in names if os.path.splitext(n)[1].lower() in (".geojson", ".json")]
    return ZipContents(sorted(shps), sorted(tables), sorted(geojson), names)


def require_shapefile(contents: ZipContents, source: str) -> list[str]:
    if contents.shapefiles:
        return contents.shapefiles
    shown = ", ".join(contents.members[:8]) or "—"
    raise InputError(
        ja=f"{source} の zip にシェープファイル（.shp と .dbf・.shx の組）がありません（中身: {shown}）。"
        "ダウンロード元が境界データ（シェープファイル形式）を返しているか確認してください。",
        en=f"The zip from {source} holds no shapefile (.shp with its .dbf and .shx; it holds: {shown}). "
        "Check that the download source serves boundary data as shapefiles.",
    )


def require_table(contents: ZipContents, source: str, stem: str | None = None) -> str:
    """The table member (.txt/.csv) of a T001082 zip: the one named ``stem`` when there, else the only one."""
    if stem:
        named = [
            t for t in contents.tables if os.path.splitext(os.path.basename(t))[0].lower() == stem.lower()
        ]
        if named:
            return named[0]
    if len(contents.tables) == 1:
        return contents.tables[0]
    shown = ", ".join(contents.members[:8]) or "—"
    raise InputError(
        ja=f"{source} の zip に年齢別人口の表（.txt / .csv）が"
        + ("ありません" if not contents.tables else "複数あり、どれか決められません")
        + f"（中身: {shown}）。",
        en=f"The zip from {source} holds "
        + (
            "no table (.txt / .csv)"
            if not contents.tables
            else "several tables and none is named as expected"
        )
        + f" (it holds: {shown}).",
    )


def _safe_name(member: str) -> str:
    name = os.path.basename(member.replace("\\", "/"))
    if not name or name in (".", ".."):
        raise InputError(ja=f"zip の中の名前が不正です: {member}", en=f"Bad member name in the zip: {member}")
    return name


def extract(path: str, members: list[str], dest: str) -> list[str]:
    """Extract ``members`` (flattened: no folders, no path can leave ``dest``); returns the paths."""
    os.makedirs(dest, exist_ok=True)
    out = []
    with zipfile.ZipFile(path) as zf:
        for m in members:
            target = os.path.join(dest, _safe_name(m))
            tmp = target + ".part"
            with zf.open(m) as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(tmp, target)
            out.append(target)
    return out


def extract_shapefile(path: str, shp_member: str, dest: str) -> str:
    """Extract one shapefile with every sidecar of the same base name; returns the .shp path."""
    with zipfile.ZipFile(path) as zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
    base = os.path.splitext(shp_member)[0].lower()
    parts = [n for n in names if os.path.splitext(n)[0].lower() == base]
    extract(path, parts, dest)
    return os.path.join(dest, _safe_name(shp_member))

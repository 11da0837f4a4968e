"""Fetching the e-Stat files of municipalities (boundaries and the T001082 table) into a cache.

Shared by kaigo:downloadestat and the download step of kaigo:fullanalysis (download_inputs), so that no
algorithm imports another algorithm's module.
"""

from __future__ import annotations

import os
import shutil

from ..core import downloads, estat, sources
from ..core import municipalities as munis
from ..core.atomic import atomic_path
from ..core.errors import InputError
from . import net
from .base import check_cancel


def download_estat_files(
    places: list[munis.Municipality],
    year: int,
    cache_folder: str,
    feedback,
    *,
    clear: bool = False,
) -> tuple[list[str], list[str], list[str]]:
    """Download (or take from the cache) the boundary shapefile of every unit and the T001082 table of
    every prefecture. Returns (shapefile paths, table paths, log lines). Raises InputError / Cancelled;
    nothing outside the cache folder is written."""
    reg = munis.registry()
    units = reg.download_units(places)
    os.makedirs(cache_folder, exist_ok=True)
    if clear:
        n = downloads.clear_cache(cache_folder)
        feedback.pushInfo(f"キャッシュを空にしました / cache cleared: {n} files in {cache_folder}")
    base = net.base_url(sources.ESTAT)
    log = [f"e-Stat: {base} ({net.url_origin(sources.ESTAT)}); cache {cache_folder}"]
    prefs = sorted({u.pref_code for u in units})
    steps = len(units) + len(prefs)
    done = 0
    shapefiles: list[str] = []
    for u in units:
        check_cancel(feedback)
        mine, line = _boundary(u, year, base, cache_folder, feedback, _progress(feedback, done, steps))
        shapefiles += mine
        log.append(line)
        done += 1
    tables: list[str] = []
    for pref in prefs:
        check_cancel(feedback)
        table, line = _age_table(pref, base, cache_folder, feedback, _progress(feedback, done, steps))
        tables.append(table)
        log.append(line)
        done += 1
    feedback.setProgress(100 * done / max(1, steps))
    return shapefiles, tables, log


def _boundary(u, year: int, base: str, cache_folder: str, feedback, progress) -> tuple[list[str], str]:
    """(the shapefiles of one download unit, from the cache or the server and unzipped; the log line)."""
    url = sources.estat_boundary_url(u.code, year, base)
    what = f"e-Stat 境界データ {u.name} {u.code} ({year})"
    feedback.setProgressText(what)
    path = os.path.join(cache_folder, sources.boundary_cache_name(u.code, year))
    path, how = net.cached_download(url, path, feedback, what=what, progress=progress)
    try:
        shp_members = downloads.require_shapefile(downloads.inspect_zip(path, what), what)
    except InputError:
        downloads.forget(path)  # not kept: the next run asks the server again
        raise
    folder = path + ".unzipped"
    if how != "cached" or not os.path.isdir(folder):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(folder + ".part", ignore_errors=True)
        for member in shp_members:
            _write_cpg(downloads.extract_shapefile(path, member, folder + ".part"))
        os.replace(folder + ".part", folder)
    mine = [os.path.join(folder, os.path.basename(m)) for m in shp_members]
    return mine, f"{what}: {how} → {', '.join(os.path.basename(m) for m in mine)}"


def _age_table(pref: str, base: str, cache_folder: str, feedback, progress) -> tuple[str, str]:
    """(the T001082 table of one prefecture, from the cache or the server, unzipped and checked; the log
    line). A table in another layout is refused and not kept."""
    url = sources.estat_ages_url(pref, base)
    what = f"e-Stat {sources.AGE_TABLE_ID} {munis.PREFECTURES[int(pref) - 1][0]}"
    feedback.setProgressText(what)
    path = os.path.join(cache_folder, sources.ages_cache_name(pref))
    path, how = net.cached_download(url, path, feedback, what=what, progress=progress)
    try:
        member = downloads.require_table(
            downloads.inspect_zip(path, what), what, sources.ages_file_name(pref)
        )
    except InputError:
        downloads.forget(path)
        raise
    folder = path + ".unzipped"
    table = os.path.join(folder, os.path.basename(member))
    if how != "cached" or not os.path.exists(table):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(folder + ".part", ignore_errors=True)
        downloads.extract(path, [member], folder + ".part")
        os.replace(folder + ".part", folder)
    try:
        estat.read_age_tables([table])  # a table in another layout stops here, with its message
    except InputError:
        downloads.forget(path)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return table, f"{what}: {how} → {os.path.basename(table)}"


def _progress(feedback, done: int, steps: int):
    def cb(received, total):
        if total and total > 0:
            try:
                feedback.setProgress(100 * (done + min(1.0, received / total)) / max(1, steps))
            except RuntimeError:  # the run's feedback was already deleted
                pass

    return cb


def _write_cpg(shp: str) -> None:
    """e-Stat's shapefiles come without .cpg: record the encoding their .dbf bytes show (CP932)."""
    base = os.path.splitext(shp)[0]
    if any(os.path.exists(base + ext) for ext in (".cpg", ".CPG")):
        return
    for dbf in (base + ".dbf", base + ".DBF"):
        if os.path.exists(dbf):
            enc, _how = estat.read_dbf(dbf).text_encoding()
            with open(base + ".cpg", "w", encoding="ascii") as fh:
                fh.write({"cp932": "CP932", "utf-8": "UTF-8"}.get(enc.lower(), enc))
            return


def merge_tables(tables: list[str], target: str) -> None:
    """One T001082 file from the tables of several prefectures (one: copied unchanged), written whole."""
    with atomic_path(target) as tmp:
        if len(tables) == 1:
            shutil.copyfile(tables[0], tmp)
            return
        lines: list[str] = []
        for n, t in enumerate(tables):
            with open(t, "rb") as fh:
                text, _enc = estat.decode_text_bytes(fh.read())
            rows = text.lstrip("\ufeff").splitlines()
            lines += rows if n == 0 else rows[2:]
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            fh.write("\r\n".join(lines) + "\r\n")

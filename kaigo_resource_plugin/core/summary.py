"""The run summary of a full analysis, worded so that it can stand under a committee chart as a footnote."""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence

from .contract import AGE_TABLE_ID, detect_layout

_WAREKI = {2015: "平成27年", 2020: "令和2年", 2025: "令和7年"}


def census_year_of_table(path: str) -> int | None:
    """T001082 is the 2020 census small-area age table; other ids are not guessed."""
    name = os.path.basename(path).upper()
    if AGE_TABLE_ID in name:
        return 2020
    return None


def boundary_year_of_fields(fields: Sequence[str]) -> int | None:
    """2020 layout carries PREF/S_NAME; the 2015 layout KEN/MOJI without PREF (contract.detect_layout)."""
    layout = detect_layout(fields)
    return int(layout) if layout.isdigit() else None


def build_summary(
    *,
    started: datetime.datetime,
    finished: datetime.datetime,
    plugin_version: str,
    qgis_version: str,
    chome_sources: Sequence[str],
    age_sources: Sequence[str],
    resource_sources: Sequence[tuple[str, str, int]],
    parameters: dict,
    n_municipalities: int,
    n_chome: int,
    boundary_years: Sequence[int | None] = (),
) -> dict:
    return {
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - started).total_seconds(), 1),
        "plugin_version": plugin_version,
        "qgis_version": qgis_version,
        "chome_sources": [os.path.basename(s.split("|")[0]) for s in chome_sources],
        "boundary_years": sorted({y for y in boundary_years if y}),
        "age_sources": [os.path.basename(s) for s in age_sources],
        "age_years": sorted({y for y in (census_year_of_table(s) for s in age_sources) if y}),
        "resources": [
            {
                "name": name,
                "source": os.path.basename(src.split("|")[0]),
                "features": int(n),
                "osm": _looks_like_osm(f"{name} {src}"),
            }
            for name, src, n in resource_sources
        ],
        "parameters": parameters,
        "n_municipalities": int(n_municipalities),
        "n_chome": int(n_chome),
    }


def _looks_like_osm(text: str) -> bool:
    """OpenStreetMap data needs its attribution: recognise it by the usual names of OSM extracts."""
    low = text.lower()
    return any(tag in low for tag in ("osm", "openstreetmap", "geofabrik", "overpass"))


def _is_osm(resource: dict) -> bool:
    return bool(resource.get("osm")) or _looks_like_osm(f"{resource['name']} {resource['source']}")


def footnote(summary: dict, lang: str = "ja") -> str:
    """One paragraph: data sources and years, the method's parameters, plugin and QGIS versions."""
    p = summary["parameters"]
    radius = float(p.get("RADIUS") or 500)
    share = p.get("CARE3_SHARE")
    resources = summary["resources"]
    osm = any(_is_osm(r) for r in resources)
    if lang == "en":
        parts = ["Source: e-Stat (Portal Site of Official Statistics of Japan)"]
        census_years = [
            f"{y} Census" for y in sorted(set(summary["boundary_years"]) | set(summary["age_years"]))
        ]
        if census_years:
            parts[0] += ", " + " and ".join(census_years) + " small-area data"
        res = ", ".join(f"{r['name']} ({r['features']:,})" for r in resources)
        parts.append(f"resources: {res}" + (" © OpenStreetMap contributors" if osm else ""))
        elderly = "at-home elderly = 75+ minus care level 3+"
        if share is not None and p.get("ELDERLY_FIELD") is None:
            elderly += f" (estimated share {float(share):g})"
        elif p.get("ELDERLY_FIELD"):
            elderly = f"weight = field {p['ELDERLY_FIELD']}"
        parts.append(
            f"rate = share of {elderly} whose chōme representative point has a resource within {radius:g} m"
        )
        parts.append(f"kaigo_resource_plugin {summary['plugin_version']}, QGIS {summary['qgis_version']}")
        return "; ".join(parts) + "."
    years = sorted(set(summary["boundary_years"]) | set(summary["age_years"]))
    census = "・".join(f"{_WAREKI.get(y, f'{y}年')}国勢調査" for y in years)
    parts = ["出典：政府統計の総合窓口(e-Stat)" + (f"（{census} 小地域集計・境界データ）" if census else "")]
    res = "、".join(f"{r['name']}（{r['features']:,}件）" for r in resources)
    parts.append(f"資源：{res}" + ("（© OpenStreetMap contributors）" if osm else ""))
    if p.get("ELDERLY_FIELD"):
        elderly = f"{p['ELDERLY_FIELD']} を重みとした人口"
    else:
        elderly = "在宅高齢者（75歳以上人口から要介護3以上を除いた数"
        elderly += f"、要介護3以上の割合 {float(share):g} は推計値）" if share is not None else "）"
    parts.append(f"充足率＝町丁字の代表地点から半径{radius:g}m以内に資源がある{elderly}の割合")
    parts.append(f"kaigo_resource_plugin {summary['plugin_version']}／QGIS {summary['qgis_version']}")
    return "。".join(parts) + "。"


def render_text(summary: dict) -> str:
    lines = [
        "kaigo_resource_plugin — 実行記録 / run summary",
        "",
        "[脚注 / footnote]",
        footnote(summary, "ja"),
        footnote(summary, "en"),
        "",
        f"実行 / run: {summary['started']} → {summary['finished']} ({summary['seconds']} s)",
        f"町丁字 / chōme: {summary['n_chome']:,}    市区町村 / municipalities: {summary['n_municipalities']:,}",
        "町丁字データ / chōme data: " + ", ".join(summary["chome_sources"]),
        "年齢別人口 / age tables: " + (", ".join(summary["age_sources"]) or "—"),
        "資源 / resources: "
        + ", ".join(f"{r['name']} = {r['source']} ({r['features']:,})" for r in summary["resources"]),
        "",
        "[パラメータ / parameters]",
    ]
    for key in sorted(summary["parameters"]):
        lines.append(f"{key} = {summary['parameters'][key]}")
    return "\n".join(lines) + "\n"

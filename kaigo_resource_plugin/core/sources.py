"""Every endpoint, query and file-name pattern of the public data sources (SPEC §7), in one place.

Nothing else in the plugin spells a URL of e-Stat, Overpass or 国土数値情報. The base URLs are settings:
an environment variable wins over the plugin setting, which wins over the default, so that a municipality
behind its own mirror (or the tests' local server) can point the plugin elsewhere.

No QGIS import: the network glue (algorithms/net.py) reads the plugin settings and passes them in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

# ---------------------------------------------------------------------------------------------------
# Base URLs: defaults, plugin-setting keys, environment variables

ESTAT = "estat"
OVERPASS = "overpass"
KSJ = "ksj"

DEFAULT_URLS = {
    ESTAT: "https://www.e-stat.go.jp/gis/statmap-search/data",
    OVERPASS: "https://overpass-api.de/api/interpreter",
    KSJ: "https://nlftp.mlit.go.jp/ksj/gml/data",
}
ENV_VARS = {ESTAT: "KAIGO_ESTAT_URL", OVERPASS: "KAIGO_OVERPASS_URL", KSJ: "KAIGO_KSJ_URL"}
# QgsSettings keys (under the plugin's own section) that the user can set in QGIS's advanced settings.
SETTING_KEYS = {
    ESTAT: "kaigo_resource_plugin/estat_url",
    OVERPASS: "kaigo_resource_plugin/overpass_url",
    KSJ: "kaigo_resource_plugin/ksj_url",
}
TIMEOUT_ENV = "KAIGO_NETWORK_TIMEOUT"
TIMEOUT_SETTING = "kaigo_resource_plugin/network_timeout_s"
DEFAULT_TIMEOUT_S = 180.0
OVERPASS_SERVER_TIMEOUT_S = 120


def base_url(
    source: str,
    settings: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The base URL of ``source`` (``estat``, ``overpass``, ``ksj``): env var, else setting, else default."""
    if source not in DEFAULT_URLS:
        raise KeyError(source)
    env = os.environ if environ is None else environ
    value = (env.get(ENV_VARS[source]) or "").strip()
    if not value and settings:
        value = str(settings.get(SETTING_KEYS[source]) or "").strip()
    return (value or DEFAULT_URLS[source]).rstrip("?&")


def url_origin(source: str, settings=None, environ=None) -> str:
    """Where the URL of ``source`` comes from, for the log: 'env KAIGO_…', 'setting …' or 'default'."""
    env = os.environ if environ is None else environ
    if (env.get(ENV_VARS[source]) or "").strip():
        return f"env {ENV_VARS[source]}"
    if settings and str(settings.get(SETTING_KEYS[source]) or "").strip():
        return f"setting {SETTING_KEYS[source]}"
    return "default"


def timeout_seconds(
    settings: Mapping[str, object] | None = None, environ: Mapping[str, str] | None = None
) -> float:
    """Seconds without any data after which a download is abandoned (env, setting, default 180)."""
    env = os.environ if environ is None else environ
    for raw in (env.get(TIMEOUT_ENV), (settings or {}).get(TIMEOUT_SETTING)):
        try:
            value = float(str(raw))
        except (TypeError, ValueError):
            continue
        if value > 0:
            return value
    return DEFAULT_TIMEOUT_S


def _join_query(base: str, params: Sequence[tuple[str, str]]) -> str:
    sep = "&" if "?" in base else "?"
    return base + sep + urlencode(list(params))


# ---------------------------------------------------------------------------------------------------
# e-Stat

YEARS = (2020, 2015)
DEFAULT_YEAR = 2020
AGE_TABLE_ID = (
    "T001082"  # 2020 census 小地域集計 年齢（５歳階級、４区分）別、男女別人口: what importestat reads
)


def estat_boundary_url(muni_code: str, year: int = DEFAULT_YEAR, base: str | None = None) -> str:
    """境界データ 小地域（町丁・字等） of one municipality (5-digit code), shapefile, geographic degrees."""
    if year not in YEARS:
        raise ValueError(f"year {year} is not one of {YEARS}")
    code = str(muni_code).strip()
    if not re.fullmatch(r"\d{5}", code):
        raise ValueError(f"municipality code {muni_code!r} is not 5 digits")
    return _join_query(
        base or DEFAULT_URLS[ESTAT],
        [
            ("dlserveyId", f"A00200521{year}"),
            ("code", code),
            ("coordSys", "1"),
            ("format", "shape"),
            ("downloadType", "5"),
            ("datum", "2011" if year >= 2015 else "2000"),
        ],
    )


def estat_ages_url(pref_code: str, base: str | None = None) -> str:
    """小地域集計 T001082 of one prefecture (2-digit code): a zip holding tblT001082C{pref}.txt/.csv."""
    pref = str(pref_code).strip().zfill(2)
    if not re.fullmatch(r"\d{2}", pref) or not 1 <= int(pref) <= 47:
        raise ValueError(f"prefecture code {pref_code!r} is not 01–47")
    return _join_query(
        base or DEFAULT_URLS[ESTAT], [("statsId", AGE_TABLE_ID), ("code", pref), ("downloadType", "2")]
    )


def boundary_cache_name(muni_code: str, year: int) -> str:
    """File name of the cached boundary zip (the server's own name varies; ours does not)."""
    return f"estat-boundary-{year}-{muni_code}.zip"


def ages_cache_name(pref_code: str) -> str:
    return f"estat-{AGE_TABLE_ID}-{str(pref_code).zfill(2)}.zip"


def ages_file_name(pref_code: str) -> str:
    """The name e-Stat gives the table inside its zip (without extension: .txt or .csv)."""
    return f"tbl{AGE_TABLE_ID}C{str(pref_code).zfill(2)}"


# ---------------------------------------------------------------------------------------------------
# OpenStreetMap through Overpass: the study group's four resource types


@dataclass(frozen=True)
class ResourceType:
    key: str  # ASCII: file and layer name, field suffix
    label_en: str
    label_ja: str
    tags: str  # editable default: "key=v1|v2;key2=v3"


RESOURCE_TYPES = (
    ResourceType(
        "shopping",
        "Shopping",
        "買い物",
        "shop=supermarket|convenience|chemist|department_store|greengrocer|butcher|seafood|general",
    ),
    ResourceType(
        "sports", "Sports facilities", "運動施設", "leisure=sports_centre|fitness_centre|swimming_pool"
    ),
    ResourceType(
        "leisure",
        "Leisure facilities",
        "娯楽施設",
        "amenity=community_centre|social_centre|cinema|theatre|karaoke_box",
    ),
    ResourceType(
        "public",
        "Public facilities",
        "公共施設",
        "amenity=townhall|library|post_office|community_centre|social_facility",
    ),
)
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0)"

_TAG_KEY = re.compile(r"^[A-Za-z0-9_:\-]+$")
_TAG_VALUE = re.compile(r"^[^\"\\|;=]+$")


def parse_tags(text: str) -> list[tuple[str, list[str]]]:
    """``"shop=supermarket|convenience; amenity=library"`` → [("shop", [...]), ("amenity", ["library"])].

    A key without values (``"shop"`` or ``"shop=*"``) means any value. Raises ValueError with the bad part."""
    out: list[tuple[str, list[str]]] = []
    for part in re.split(r"[;\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        key, _, values = part.partition("=")
        key = key.strip()
        if not _TAG_KEY.match(key):
            raise ValueError(part)
        vals = [v.strip() for v in values.split("|") if v.strip()] if values.strip() not in ("", "*") else []
        for v in vals:
            if not _TAG_VALUE.match(v):
                raise ValueError(part)
        out.append((key, vals))
    if not out:
        raise ValueError(text)
    return out


def overpass_query(
    tags: Sequence[tuple[str, Sequence[str]]],
    bbox: tuple[float, float, float, float],
    server_timeout: int = OVERPASS_SERVER_TIMEOUT_S,
) -> str:
    """Overpass QL for every node/way/relation with one of ``tags`` in ``bbox`` = (S, W, N, E) degrees;
    ways and relations come back with their ``center``."""
    s, w, n, e = bbox
    if not (-90 <= s < n <= 90 and -180 <= w < e <= 180):
        raise ValueError(f"bad bounding box {bbox}")
    box = f"({s:.7f},{w:.7f},{n:.7f},{e:.7f})"
    lines = []
    for key, values in tags:
        if values:
            alts = "|".join(re.escape(v) for v in values)
            lines.append(f'  nwr["{key}"~"^({alts})$"]{box};')
        else:
            lines.append(f'  nwr["{key}"]{box};')
    return f"[out:json][timeout:{int(server_timeout)}];\n(\n" + "\n".join(lines) + "\n);\nout center tags;"


# ---------------------------------------------------------------------------------------------------
# 国土数値情報 (per prefecture)


@dataclass(frozen=True)
class KsjDataset:
    id: str  # P04 …
    yy: str  # two-digit year of the edition the URL names
    label_en: str
    label_ja: str
    name_field: str  # attribute holding the facility's name


KSJ_DATASETS = (
    KsjDataset("P04", "20", "Medical institutions", "医療機関", "P04_002"),
    KsjDataset(
        "P05", "22", "Town halls and public meeting facilities", "市町村役場等及び公的集会施設", "P05_002"
    ),
    KsjDataset("P14", "21", "Welfare facilities", "福祉施設", "P14_008"),
    KsjDataset("P20", "12", "Evacuation facilities", "避難施設", "P20_002"),
)
KSJ_ATTRIBUTION_JA = "「国土数値情報（{label}データ）（国土交通省）」を加工して作成"
KSJ_ATTRIBUTION_EN = "National Land Numerical Information ({label}), MLIT Japan"


def ksj_dataset(ds_id: str) -> KsjDataset:
    for ds in KSJ_DATASETS:
        if ds.id == ds_id.upper():
            return ds
    raise KeyError(ds_id)


def ksj_url(ds_id: str, pref_code: str, base: str | None = None, yy: str | None = None) -> str:
    """``{base}/{ID}/{ID}-{yy}/{ID}-{yy}_{pref}_GML.zip`` (e.g. P04-20_27_GML.zip)."""
    ds = ksj_dataset(ds_id)
    y = yy or ds.yy
    pref = str(pref_code).zfill(2)
    root = (base or DEFAULT_URLS[KSJ]).rstrip("/")
    return f"{root}/{ds.id}/{ds.id}-{y}/{ds.id}-{y}_{pref}_GML.zip"


def ksj_cache_name(ds_id: str, pref_code: str, yy: str | None = None) -> str:
    ds = ksj_dataset(ds_id)
    return f"ksj-{ds.id}-{yy or ds.yy}-{str(pref_code).zfill(2)}.zip"

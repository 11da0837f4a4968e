"""Overpass API answers (JSON, ``out center tags``) → one point per OpenStreetMap object. No QGIS import."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from .errors import InputError


@dataclass
class OsmPoint:
    osm_type: str  # node / way / relation
    osm_id: int
    lon: float
    lat: float
    name: str | None
    tag: str  # the tag of the query it matched, e.g. "shop=convenience"
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def osm_ref(self) -> str:
        return f"{self.osm_type}/{self.osm_id}"


@dataclass
class OverpassResult:
    points: list[OsmPoint]
    skipped_no_position: int
    timestamp: str | None  # osm3s.timestamp_osm_base: the age of the data the server answered from
    generator: str | None


def _matched(tags: dict[str, str], wanted: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    for key, values in wanted:
        v = tags.get(key)
        if v is None:
            continue
        if not values:
            return f"{key}={v}"
        for part in v.split(";"):  # OSM multi-values: shop=convenience;chemist
            if part.strip() in values:
                return f"{key}={part.strip()}"
    return None


def parse(
    data: bytes | str, wanted: Sequence[tuple[str, Sequence[str]]], source: str = "Overpass"
) -> OverpassResult:
    """Points of an Overpass JSON answer. Raises InputError for an answer that is not Overpass JSON and for
    a ``remark`` that reports a runtime error (the answer is then incomplete: nothing of it is used)."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    try:
        doc = json.loads(text)
    except ValueError:
        head = text.lstrip()[:200].replace("\n", " ")
        raise InputError(
            ja=f"{source} の応答が JSON ではありません（先頭: {head!r}）。Overpass API の URL"
            "（KAIGO_OVERPASS_URL またはプラグインの設定）を確認してください。",
            en=f"The answer of {source} is not JSON (it starts with {head!r}). Check the Overpass API URL "
            "(KAIGO_OVERPASS_URL or the plugin setting).",
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("elements"), list):
        raise InputError(
            ja=f"{source} の応答に elements がありません。Overpass API の URL を確認してください。",
            en=f"The answer of {source} has no 'elements'; check the Overpass API URL.",
        )
    remark = str(doc.get("remark") or "").strip()
    if remark and ("error" in remark.lower() or "timed out" in remark.lower()):
        raise InputError(
            ja=f"Overpass サーバーが処理を最後まで行えませんでした（{remark}）。結果は不完全なので使いません。"
            "範囲（EXTENT）を小さくするか、種類（TYPES）を減らすか、時間をおいて再実行してください。",
            en=f"The Overpass server could not finish the query ({remark}); the incomplete answer was not "
            "used. Make the extent (EXTENT) smaller, ask for fewer types (TYPES), or try again later.",
        )
    seen: set[tuple[str, int]] = set()
    points: list[OsmPoint] = []
    skipped = 0
    for el in doc["elements"]:
        if not isinstance(el, dict):
            continue
        kind = str(el.get("type") or "")
        try:
            ident = int(el.get("id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if (kind, ident) in seen:
            continue
        tags = {str(k): str(v) for k, v in (el.get("tags") or {}).items()}
        tag = _matched(tags, wanted)
        if tag is None:
            continue
        pos = el if kind == "node" else (el.get("center") or {})
        try:
            lon, lat = float(pos["lon"]), float(pos["lat"])
        except (KeyError, TypeError, ValueError):
            skipped += 1
            continue
        seen.add((kind, ident))
        points.append(OsmPoint(kind, ident, lon, lat, tags.get("name"), tag, tags))
    raw = doc.get("osm3s")
    osm3s: dict = raw if isinstance(raw, dict) else {}
    return OverpassResult(points, skipped, osm3s.get("timestamp_osm_base"), doc.get("generator"))

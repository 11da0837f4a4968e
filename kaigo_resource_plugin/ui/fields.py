"""Guess the e-Stat fields of a chōme layer and ASCII type names for resource layers.

Pure Python on lists of field names (no QGIS import), so the rules are unit-tested without QGIS.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..core.contract import ELDERLY_CANDIDATES, POPULATION_CANDIDATES

# Representative-point methods, in the order of the POINT_METHOD enum of kaigo:blankareas (SPEC §1.1).
POINT_ESTAT, POINT_SURFACE, POINT_CENTROID = 0, 1, 2

KEY_CANDIDATES = ("KEY_CODE",)


@dataclass
class ChomeFields:
    """What the panel pre-fills for a chōme layer."""

    key: str | None = None
    elderly: str | None = None
    population: str | None = None
    point_method: int = POINT_SURFACE
    area: str | None = None  # only for chōme without polygons: e-Stat AREA (m²) gives the density
    has_xy: bool = False
    has_hcode: bool = False
    found: list[str] = field(default_factory=list)

    @property
    def is_estat(self) -> bool:
        return self.key is not None and (self.has_xy or self.has_hcode)


def _find(names: list[str], candidates: tuple[str, ...]) -> str | None:
    """First candidate in ``names`` (exact, then case-insensitive), spelled as in the layer."""
    for cand in candidates:
        if cand in names:
            return cand
    lower = {n.lower(): n for n in names}
    for cand in candidates:
        if cand.lower() in lower:
            return lower[cand.lower()]
    return None


def detect_chome_fields(names: list[str], has_polygons: bool = True) -> ChomeFields:
    """Key, elderly weight, population, point method (and, for points, the area field) of a chōme layer.

    Polygons get their area on the ellipsoid; points or a plain table cannot, so the e-Stat ``AREA``
    field (m²) is proposed for them.
    """
    out = ChomeFields()
    out.key = _find(names, KEY_CANDIDATES)
    out.elderly = _find(names, ELDERLY_CANDIDATES)
    out.population = _find(names, POPULATION_CANDIDATES)
    x, y = _find(names, ("X_CODE",)), _find(names, ("Y_CODE",))
    out.has_xy = x is not None and y is not None
    out.has_hcode = _find(names, ("HCODE",)) is not None
    out.point_method = POINT_ESTAT if out.has_xy else POINT_SURFACE
    if not has_polygons:
        out.area = _find(names, ("AREA",))
    for name in (out.key, out.elderly, out.population):
        if name and name not in out.found:
            out.found.append(name)
    if out.has_xy:
        out.found += [x, y]  # type: ignore[list-item]
    if out.has_hcode:
        out.found.append(_find(names, ("HCODE",)))  # type: ignore[arg-type]
    return out


def is_chome_candidate(names: list[str]) -> bool:
    """A layer that looks like an e-Stat chōme layer (has KEY_CODE)."""
    return _find(names, KEY_CANDIDATES) is not None


_ASCII_WORDS = (
    ("コンビニ", "convenience"),
    ("スーパー", "supermarket"),
    ("図書館", "library"),
    ("病院", "hospital"),
    ("診療所", "clinic"),
    ("薬局", "pharmacy"),
    ("郵便", "post"),
    ("銀行", "bank"),
    ("商店", "shop"),
    ("店舗", "shop"),
    ("買い物", "shop"),
    ("介護", "care"),
)


def suggest_type_name(layer_name: str, index: int, taken: set[str] | None = None) -> str:
    """ASCII, lower-case type name for the ``_<type>`` field suffix, derived from a layer name.

    "convenience_osaka" → "convenience"; Japanese names map common words ("コンビニ" → "convenience");
    anything else falls back to ``type<index+1>``. Names already in ``taken`` get a numeric suffix.
    """
    taken = taken or set()
    text = unicodedata.normalize("NFKC", layer_name or "")
    base = ""
    for ja, en in _ASCII_WORDS:
        if ja in text:
            base = en
            break
    if not base:
        words = re.findall(r"[a-z0-9]+", text.lower())
        # drop place names that trail a type ("convenience_osaka"): keep the first word
        base = words[0] if words else ""
        if base and base[0].isdigit():
            base = "t" + base
    base = (base or f"type{index + 1}")[:20]
    name, n = base, 2
    while name in taken:
        name = f"{base}{n}"
        n += 1
    return name


def valid_type_name(name: str) -> bool:
    """Type names become field suffixes: ASCII letters, digits and underscores, starting with a letter."""
    return re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,29}", name or "") is not None

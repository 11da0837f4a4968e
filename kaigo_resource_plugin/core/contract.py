"""The plugin's vocabulary in one place: output field names, statuses, e-Stat codes, defaults, CRS codes.

Everything that names a fact of the Processing contract (SPEC §4) or of the e-Stat files imports it from
here, so that a newcomer changes a name, a code or a default in one line. The few small helpers that
every layer needs (reading a number from an attribute, telling the 2015 from the 2020 e-Stat layout)
live here too, once. Pure Python: no QGIS, no numpy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

# ---------------------------------------------------------------------------------------------------
# Output field names (SPEC §4: stable, ASCII; never rename them)

KEY_CODE = "KEY_CODE"  # e-Stat chōme key, kept as it is
MUNI_CODE = "muni_code"
PREF_NAME = "pref_name"
MUNI_NAME = "muni_name"
CHOME_NAME = "chome_name"
POP_TOTAL = "pop_total"
POP_75PLUS = "pop_75plus"
AT_HOME_75PLUS = "at_home_75plus"
CARE3_SHARE_FIELD = "care3_share"
AREA_M2 = "area_m2"
# access (kaigo:blankareas); with several resource types each is repeated as <name>_<type>
HAS_ACCESS = "has_access"
N_WITHIN = "n_within"
NEAREST_M = "nearest_m"
STATUS = "status"
# municipality level (kaigo:sufficiencyrates, kaigo:densityclasses)
AREA_KM2 = "area_km2"
AREA_SOURCE = "area_source"
DENSITY = "density"
DENSITY_CLASS = "density_class"
CLASS_LABEL = "class_label"
AT_HOME_WITH_ACCESS = "at_home_with_access"
AT_HOME_WITHOUT_ACCESS = "at_home_without_access"
RATE_PCT = "rate_pct"
RATE_BAND = "rate_band"
N_CHOME = "n_chome"
N_BLANK = "n_blank"

# The plugin's own chōme name fields: a layer carrying them was written by the plugin, not by e-Stat.
OWN_NAME_FIELDS = (PREF_NAME, MUNI_NAME, CHOME_NAME)

# Values of the status field
STATUS_BLANK = "blank"
STATUS_COVERED = "covered"
STATUS_NO_POPULATION = "no_population"
STATUSES = (STATUS_BLANK, STATUS_COVERED, STATUS_NO_POPULATION)

# ---------------------------------------------------------------------------------------------------
# e-Stat codes

WATER_HCODE = 8154  # HCODE of a water area (水面調査区): not a chōme
AGE_TABLE_ID = "T001082"  # 2020 census small-area table: population by five-year age group
AGE_TOTAL_COLUMN = "T001082001"
AGE_75PLUS_COLUMN = "T001082020"

# ---------------------------------------------------------------------------------------------------
# Defaults of the parameters (SPEC §4)

DEFAULT_RADIUS_M = 500.0
DEFAULT_KEY_FIELD = KEY_CODE
DEFAULT_CARE3_SHARE = 0.109  # share of people 75+ certified at care level 3 or above (METI 2025)

# ---------------------------------------------------------------------------------------------------
# Coordinate reference systems

JGD2011_GEOGRAPHIC = "EPSG:6668"  # the CRS of every lon/lat array handed to core (GRS80)
JGD2000_GEOGRAPHIC = "EPSG:4612"  # X_CODE/Y_CODE of the 2015 e-Stat files

# ---------------------------------------------------------------------------------------------------
# Geometry kinds (the values of QgsWkbTypes.geometryType / compat.geometry_type)

GEOMETRY_POINT = 0
GEOMETRY_LINE = 1
GEOMETRY_POLYGON = 2
GEOMETRY_NONE = 4

# ---------------------------------------------------------------------------------------------------
# Small helpers, one copy each


def to_float(value: object, missing: float | None = math.nan, *, lenient_text: bool = False) -> float | None:
    """A number from an attribute or a table cell; ``missing`` for NULL, NaN, empty or non-numeric text.

    ``lenient_text``: text such as "1,234" or "12.5%" counts as a number (the thousands separator and a
    trailing percent sign are dropped, the value is not divided by 100). A QVariant NULL, which cannot be
    converted, is ``missing`` as well.
    """
    t = type(value)
    if t is float:
        return missing if value != value else value  # type: ignore[return-value]
    if t is int:
        return float(value)  # type: ignore[arg-type]
    if value is None:
        return missing
    if isinstance(value, str):
        text = value.strip()
        if lenient_text:
            text = text.replace(",", "").rstrip("%％")
        if not text:
            return missing
        value = text
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return missing
    return missing if out != out else out


def is_water_hcode(hcode: object) -> bool:
    """True for HCODE 8154 (水面調査区), whether read as a number or as text."""
    value = to_float(hcode)
    return value is not None and math.isfinite(value) and int(value) == WATER_HCODE


def detect_layout(field_names: Iterable[str]) -> str:
    """'2020' (PREF, PREF_NAME, S_NAME), '2015' (KEN, KEN_NAME, MOJI without PREF) or 'unknown'.

    The plugin's own lower-case name fields (pref_name …) say nothing about the census year and are
    passed over; other names are compared in upper case.
    """
    names = {n.upper() for n in field_names if n not in OWN_NAME_FIELDS}
    if "PREF" in names or "S_NAME" in names or "PREF_NAME" in names:
        return "2020"
    if "KEN" in names or "MOJI" in names or "KEN_NAME" in names:
        return "2015"
    return "unknown"


def point_crs_for_layout(layout: str) -> str:
    """CRS of X_CODE/Y_CODE: JGD2000 geographic for the 2015 files, JGD2011 for the 2020 ones."""
    return JGD2000_GEOGRAPHIC if layout == "2015" else JGD2011_GEOGRAPHIC

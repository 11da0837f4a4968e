"""Glue shared by several algorithms (so that no algorithm imports another algorithm's module): finding
fields, areas of polygons on the ellipsoid, dissolving chōme, writing the municipality table, the LANGUAGE
parameter."""

from __future__ import annotations

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFields,
    QgsGeometry,
    QgsWkbTypes,
)

from ..compat import field_kind, is_null, make_field
from ..core.area import RingCollector
from ..core.contract import JGD2011_GEOGRAPHIC
from ..core.dissolve import coverage_union_wkb
from ..core.errors import InputError
from ..core.rates import MunicipalityTable
from ..i18n_loader import output_language
from . import checks
from .crs import checked_transform

LANGUAGES = ("auto", "ja", "en")  # options of the LANGUAGE parameters


def resolve_language(index: int) -> str:
    choice = LANGUAGES[index] if 0 <= index < len(LANGUAGES) else "auto"
    if choice == "auto":
        from ..i18n_loader import output_language

        return output_language()
    return choice


AREA_UNITS = ("m2", "km2", "ha")
AREA_UNIT_TO_KM2 = {"m2": 1e-6, "km2": 1.0, "ha": 0.01}


def find_field(fields: QgsFields, *names: str) -> str | None:
    """The first of ``names`` that the layer has (exact, then case-insensitive)."""
    existing = [f.name() for f in fields]
    for n in names:
        if n and n in existing:
            return n
    lower = {e.lower(): e for e in existing}
    for n in names:
        if n and n.lower() in lower:
            return lower[n.lower()]
    return None


def require_field(fields: QgsFields, name: str, param: str, numeric: bool) -> str:
    """The field ``name`` of the input; InputError when missing or, for numbers, stored as text."""
    found = find_field(fields, name)
    if found is None:
        raise InputError(
            ja=f"{param}：入力レイヤに属性「{name}」がありません。",
            en=f"{param}: the input layer has no field '{name}'.",
        )
    if numeric:
        kind = field_kind(fields.field(found))
        if kind not in ("int", "double"):
            raise InputError(
                ja=f'{param}：属性「{found}」が数値ではなく文字列です。フィールド計算機で to_real("{found}") '
                "などにより数値の属性を作り、それを指定してください。",
                en=f"{param}: field '{found}' holds text, not numbers. Make a numeric field (e.g. with the "
                f'field calculator, to_real("{found}")) and choose that one.',
            )
    return found


def to_text(value) -> str | None:
    if type(value) is str:  # fast path
        return value.strip() or None
    if is_null(value):
        return None
    text = str(value).strip()
    return text or None


def area_crs_transform(source_crs, context) -> QgsCoordinateTransform | None:
    """Transform to geographic lon/lat for the ellipsoidal area (None when already geographic)."""
    if not source_crs.isValid():
        raise InputError(
            ja="入力レイヤの座標参照系（CRS）が不明なため面積を計算できません。CRS を設定するか、"
            "面積の属性（AREA_FIELD）を指定してください。",
            en="The input layer has no valid CRS, so its area cannot be computed: set its CRS or give "
            "an area field (AREA_FIELD).",
        )
    checks.require_exact_transform(source_crs, context.transformContext(), "入力レイヤ", "the input layer")
    if source_crs.isGeographic():
        return None
    # JGD2011 lon/lat: any GRS80 geographic CRS gives the same ellipsoidal areas
    geographic = QgsCoordinateReferenceSystem(JGD2011_GEOGRAPHIC)
    return checked_transform(source_crs, geographic, context.transformContext())


def add_geometry_rings(rc: RingCollector, geom: QgsGeometry, group: int, transform) -> None:
    """Add the polygon rings of ``geom`` (lon/lat after ``transform``) to ``rc`` under ``group``."""
    if geom is None or geom.isEmpty():
        return
    g = QgsGeometry(geom)
    if QgsWkbTypes.isCurvedType(g.wkbType()):
        g = QgsGeometry(g.constGet().segmentize())
    if transform is not None:
        g.transform(transform)
    rc.add_wkb(bytes(g.asWkb()), group)


def dissolve(parts: list[QgsGeometry]) -> QgsGeometry | None:
    """Union of chōme polygons: GEOS coverage union when they tile cleanly, else a general union."""
    if not parts:
        return None
    collected = QgsGeometry.collectGeometry(parts)
    fast = coverage_union_wkb(bytes(collected.asWkb()))
    if fast is not None:
        g = QgsGeometry()
        g.fromWkb(fast)
    else:
        g = QgsGeometry.unaryUnion(parts)
        if g is None or g.isNull():  # GEOS refused an invalid part: repair, then retry
            g = QgsGeometry.unaryUnion([p.makeValid() for p in parts])
    if g is None or g.isNull():
        return None
    g.convertToMultiType()
    return g


def write_outputs(table: MunicipalityTable, csv_path: str, xlsx_path: str, feedback) -> None:
    lang = output_language()
    if csv_path:
        table.write_csv(csv_path)
        feedback.pushInfo(f"CSV: {csv_path}")
    if xlsx_path:
        table.write_xlsx(xlsx_path, lang)
        feedback.pushInfo(f"XLSX: {xlsx_path}")


def sink_fields(fields: list[tuple[str, str]], extra: QgsFields | None = None) -> QgsFields:
    out = QgsFields()
    if extra is not None:
        for f in extra:
            out.append(f)
    for name, kind in fields:
        out.append(make_field(name, kind))
    return out


def check_metres(name: str, value: float, ja_label: str = "") -> None:
    """A radius or distance parameter must be a finite number of metres above 0 (``ja_label``: its
    Japanese name before the parameter name, e.g. "半径 ")."""
    if not (value > 0.0) or not np.isfinite(value):
        raise InputError(
            ja=f"{ja_label}{name} は 0 より大きいメートル数にしてください（指定値: {value:g}）。",
            en=f"{name} must be a number of metres greater than 0 (got {value:g}).",
        )

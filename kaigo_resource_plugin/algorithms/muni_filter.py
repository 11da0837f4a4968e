"""The chōme of some municipalities only: a subset of the layer's own provider (nothing copied), so that
every step downstream — including the e-Stat join, which reads the .dbf of a shapefile itself — sees
exactly what it would see for a layer holding those chōme alone."""

from __future__ import annotations

from qgis.core import QgsFeatureRequest, QgsVectorLayer

from ..core.codes import muni_code_from_key
from ..core.errors import InputError
from ..core.muni_filter import resolve_municipalities

NAME_FIELDS = ("CITY_NAME", "SITYO_NAME", "GST_NAME", "muni_name")


def municipalities_in(layer, key_field: str) -> dict[str, set[str]]:
    """Municipality code → names, from the chōme keys (first five digits) and the e-Stat name fields."""
    names = layer.fields().names()
    key = next((n for n in names if n.lower() == key_field.lower()), None)
    if key is None:
        raise InputError(
            ja=f"町丁字レイヤ {layer.name()} にキーのフィールド {key_field} がありません。KEY_FIELD を指定してください。",
            en=f"The chōme layer {layer.name()} has no key field {key_field}: set KEY_FIELD.",
        )
    name_fields = [n for n in NAME_FIELDS if n in names]
    request = QgsFeatureRequest().setSubsetOfAttributes([key, *name_fields], layer.fields())
    request.setFlags(QgsFeatureRequest.Flag.NoGeometry)
    out: dict[str, set[str]] = {}
    for feature in layer.getFeatures(request):
        code = muni_code_from_key(feature[key])
        if code is None:
            continue
        bucket = out.setdefault(code, set())
        for n in name_fields:
            value = feature[n]
            if isinstance(value, str) and value:
                bucket.add(value)
    return out


def _key_name(layer, key_field: str) -> str:
    return next(n for n in layer.fields().names() if n.lower() == key_field.lower())


def _subset_sql(layer, key_field: str, codes: list[str]) -> str:
    """OGR SQL on the provider: keys that start with one of the codes."""
    key = _key_name(layer, key_field)
    column = f'CAST("{key}" AS CHARACTER(20))' if layer.fields().field(key).isNumeric() else f'"{key}"'
    return " OR ".join(f"{column} LIKE '{code}%'" for code in codes)


def filter_layers(layers: list, key_field: str, text: str, feedback=None) -> tuple[list, list[str]]:
    """The layers limited to the municipalities ``text`` names (codes or names); (layers, codes).

    An empty ``text`` returns the layers unchanged. A token that names no municipality of the layers,
    or a layer whose provider cannot filter, is an error that says what to change.
    """
    if not (text or "").strip():
        return list(layers), []
    present: dict[str, set[str]] = {}
    for layer in layers:
        for code, names in municipalities_in(layer, key_field).items():
            present.setdefault(code, set()).update(names)
    codes, unknown = resolve_municipalities(text, present)
    if unknown:
        raise InputError(
            ja=f"MUNI_CODES の {', '.join(unknown)} は町丁字レイヤにありません。市区町村コード（5 桁）か名前を指定してください。",
            en=f"MUNI_CODES {', '.join(unknown)}: not in the chōme layer. Give 5-digit municipality codes or names.",
        )
    out = []
    for layer in layers:
        mine = [c for c in codes if c in municipalities_in(layer, key_field)]
        if not mine:
            continue
        if layer.providerType() != "ogr":  # e.g. a memory layer: a filtered copy
            key = _key_name(layer, key_field)
            wanted = ", ".join(f"'{c}'" for c in mine)
            request = QgsFeatureRequest().setFilterExpression(f'left(to_string("{key}"), 5) IN ({wanted})')
            copy = layer.materialize(request)
            copy.setName(layer.name())
            out.append(copy)
            continue
        subset = QgsVectorLayer(layer.source(), layer.name(), layer.providerType())
        subset.setProviderEncoding(layer.dataProvider().encoding())
        sql = _subset_sql(layer, key_field, mine)
        existing = layer.subsetString()
        if not subset.isValid() or not subset.setSubsetString(
            f"({existing}) AND ({sql})" if existing else sql
        ):
            raise InputError(
                ja=f"{layer.name()} を市区町村で絞り込めませんでした。",
                en=f"{layer.name()} could not be limited to the municipalities.",
            )
        out.append(subset)
    if feedback is not None:
        feedback.pushInfo(
            f"市区町村を限定: {', '.join(codes)}\nLimited to the municipalities: {', '.join(codes)}"
        )
    return out, codes

"""Glue shared by kaigo:blankareas and kaigo:networkaccess (no algorithm imports another's module).

Their common parameters, the check of the chōme and resource inputs, the resource type names of the
field suffixes, the output fields (every input field, then the results) and the write pass of the chōme
output: one feature per chōme, the parts of a multi-part chōme collected into one multi-geometry.
"""

from __future__ import annotations

import operator

import numpy as np
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessing,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..compat import WKB_POINT, geometry_type, make_field
from ..core.access import safe_type_names
from ..core.errors import InputError
from ..i18n_loader import say
from .base import check_cancel
from .layer_read import unreadable_chome_message, unreadable_layers


def _tr(text: str) -> str:
    return QCoreApplication.translate("KaigoAlgorithm", text)


# ---------------------------------------------------------------------- parameters


def input_parameters(input_name: str = "INPUT", resources_name: str = "RESOURCES") -> list:
    """INPUT (the chōme) and RESOURCES (one resource type per layer)."""
    return [
        QgsProcessingParameterFeatureSource(
            input_name,
            _tr("Chōme layer (polygons, points, or a table with X_CODE/Y_CODE)"),
            [QgsProcessing.SourceType.TypeVector],
        ),
        QgsProcessingParameterMultipleLayers(
            resources_name,
            _tr("Resource layers (one resource type per layer)"),
            QgsProcessing.SourceType.TypeVectorAnyGeometry,
        ),
    ]


def category_population_parameters(input_name: str = "INPUT") -> list:
    """CATEGORY_FIELD of the resource layers and POPULATION_FIELD of the chōme."""
    return [
        QgsProcessingParameterString(
            "CATEGORY_FIELD",
            _tr("Category field of the resource layers (splits them into types)"),
            optional=True,
        ),
        QgsProcessingParameterField(
            "POPULATION_FIELD",
            _tr("Population field (default pop_total, else JINKO)"),
            parentLayerParameterName=input_name,
            optional=True,
        ),
    ]


def type_names_parameter():
    return QgsProcessingParameterString(
        "TYPE_NAMES",
        _tr("Type names for the field suffixes (comma-separated, optional)"),
        optional=True,
    )


def unreadable_inputs_message(
    parameters, context, input_name="INPUT", resources_name="RESOURCES"
) -> str | None:
    """Names the resource layer or the chōme layer that cannot be read, in both languages, or None."""
    bad = unreadable_layers(parameters.get(resources_name), context)
    if bad:
        return (
            f"資源レイヤを読み込めません: {', '.join(bad)}。RESOURCES のパスと形式を確認してください。\n"
            f"Cannot read the resource layer(s) {', '.join(bad)}: check the paths and formats in RESOURCES."
        )
    return unreadable_chome_message(parameters, context, input_name)


# ---------------------------------------------------------------------- inputs


def source_and_resources(alg, parameters, context):
    """(the chōme source, the resource layers), refused with a bilingual message when missing."""
    source = alg.parameterAsSource(parameters, alg.INPUT, context)
    if source is None:
        raise InputError(
            ja="町丁字レイヤ INPUT を読み込めません。ファイルのパスと形式を確認してください。",
            en="The chōme layer INPUT cannot be read. Check its path and format.",
        )
    layers = alg.parameterAsLayerList(parameters, alg.RESOURCES, context)
    if not layers:
        raise InputError(
            ja="資源レイヤ RESOURCES を 1 つ以上指定してください（読み込めるファイルか確認してください）。",
            en="Give at least one readable resource layer in RESOURCES.",
        )
    return source, layers


def resource_type_names(res, type_names_param: str, feedback) -> list[str]:
    """The field suffixes of the resource types: TYPE_NAMES when given (one per type), else their names."""
    safe = safe_type_names(res.type_names)
    if type_names_param.strip():
        given = [t.strip() for t in type_names_param.split(",")]
        if len(given) != len(safe):
            raise InputError(
                ja=f"TYPE_NAMES の数（{len(given)}）が資源の種類の数（{len(safe)}: "
                f"{', '.join(res.type_names)}）と一致しません。",
                en=f"TYPE_NAMES has {len(given)} names but there are {len(safe)} resource types "
                f"({', '.join(res.type_names)}).",
            )
        safe = safe_type_names(given)
    for raw, s in zip(res.type_names, safe):
        n_t = int((res.type_index == res.type_names.index(raw)).sum())
        feedback.pushInfo(
            say(f"資源の種類: {raw} → _{s}（{n_t} 件）", f"resource type: {raw} → _{s} ({n_t})")
        )
    return safe


# ---------------------------------------------------------------------- output


def suffixed_fields(type_names: list[str], columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, kind) of the result ``columns`` for "any" type, then for each type with its suffix _<type>."""
    return [
        (f"{name}{suffix}", kind) for suffix in [""] + [f"_{t}" for t in type_names] for name, kind in columns
    ]


def output_fields(in_fields, added, feedback):
    """(indexes of the input fields kept, the output fields): every input field except those named like
    a result field (case-insensitive; they are replaced, and the log says which), then the results."""
    added_lower = {n.lower() for n, _ in added}
    keep = [i for i, f in enumerate(in_fields) if f.name().lower() not in added_lower]
    replaced = [f.name() for i, f in enumerate(in_fields) if i not in keep]
    if replaced:
        feedback.pushInfo(say("上書きした項目: ", "replaced fields: ") + ", ".join(replaced))
    out_fields = QgsFields()
    for i in keep:
        out_fields.append(in_fields[i])
    for name, kind in added:
        out_fields.append(make_field(name, kind))
    return keep, out_fields


def output_wkb(source, chome):
    """The input's geometry type (multi when a polygon chōme has several parts); points for a table."""
    if not chome.has_geometry:
        return WKB_POINT
    wkb = source.wkbType()
    if geometry_type(wkb) == 2 and bool((chome.size > 1).any()):
        wkb = QgsWkbTypes.multiType(wkb)
    return wkb


def _value_setter(n_in: int, n_added: int):
    """f(feature, values): widen the feature and set the result values, unrolled (the hot loop)."""
    lines = [
        "def append_values(f, v):",
        f"    f.resizeAttributes({n_in + n_added})",
        "    s = f.setAttribute",
    ]
    lines += [f"    s({n_in + j}, v[{j}])" for j in range(n_added)]
    namespace: dict = {}
    exec("\n".join(lines), namespace)  # noqa: S102 - code generated from two integers
    return namespace["append_values"]


def chain(prefetched: list, rest):
    """The prefetched features (released as they are handed out), then the rest of the iterator."""
    prefetched.reverse()
    pop = prefetched.pop
    while prefetched:
        yield pop()
    yield from rest


def _fast_rows(chome, ok, values, all_kept: bool, promote: bool):
    """(fid → result values of the features written as they are: single-part chōme, input fields all
    kept, no promotion to multi; fid → (feature index, chōme index) of every other feature written)."""
    group_a = chome.group
    written = group_a >= 0
    written[written] = ok[group_a[written]]
    simple = written.copy()
    if all_kept and chome.has_geometry and not promote:
        simple[written] = chome.size[group_a[written]] == 1
    else:
        simple[:] = False
    rows: dict = {}
    if simple.any():
        picked = operator.itemgetter(*group_a[simple].tolist())(values)
        if int(simple.sum()) == 1:
            picked = (picked,)
        rows = dict(zip(chome.fids[simple].tolist(), picked))
    special_i = np.flatnonzero(written & ~simple)
    special = dict(zip(chome.fids[special_i].tolist(), zip(special_i.tolist(), group_a[special_i].tolist())))
    return rows, special


class _Parts:
    """The features that are not written as they are: parts collected per chōme, attributes rebuilt."""

    def __init__(self, chome, values, keep, n_in, promote: bool):
        self.chome, self.values, self.keep, self.promote = chome, values, keep, promote
        self.size = chome.size.tolist()
        self.main = chome.main.tolist()
        self.seen = [0] * len(self.size)
        self.pending: dict[int, list] = {}
        self.all_kept = len(keep) == n_in
        n_added = len(values[0]) if values else 0
        self.width = n_in + n_added
        self.targets = list(range(n_in, self.width))

    def feature(self, f, i: int, g: int):
        """The output feature for input feature ``f`` (index ``i``, chōme ``g``), or None (not yet / none)."""
        if self.size[g] > 1:
            f = self._collect(f, i, g)
            if f is None:
                return None
        if self.promote:
            geom = f.geometry()
            if not geom.isNull() and not geom.isMultipart():
                geom.convertToMultiType()
                f.setGeometry(geom)
        if not self.chome.has_geometry:
            f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(self.chome.x[g]), float(self.chome.y[g]))))
        vals = self.values[g]
        if self.all_kept:
            f.resizeAttributes(self.width)
            for j, v in zip(self.targets, vals):
                f.setAttribute(j, v)
        else:
            attrs = f.attributes()
            f.setAttributes([attrs[j] for j in self.keep] + list(vals))
        return f

    def _collect(self, f, i: int, g: int):
        """A part of a multi-part chōme: kept until its last part, then the main part's feature carrying
        all the parts' geometries (when promoted to multi)."""
        entry = self.pending.setdefault(g, [None, []])
        geom = f.geometry()
        if geom is not None and not geom.isNull():
            entry[1].append(geom)
        if self.main[g] == i:
            entry[0] = QgsFeature(f)
        self.seen[g] += 1
        if self.seen[g] < self.size[g]:
            return None
        del self.pending[g]
        f = entry[0]
        if f is not None and self.promote and entry[1]:
            f.setGeometry(QgsGeometry.collectGeometry(entry[1]))
        return f


def write_chome(features, chome, ok, values, keep, n_in, wkb, sink, feedback) -> None:
    """Second pass over the chōme layer (``features``, all of them): one output feature per chōme.

    A single-part chōme is the input feature itself with the result values appended (its attributes
    are never converted to Python: the fast path). The parts of a multi-part chōme are collected into
    one multi-geometry carrying the attributes of its main part, written when its last part is read.
    """
    promote = chome.has_geometry and QgsWkbTypes.isMultiType(wkb) and geometry_type(wkb) == 2
    rows, special = _fast_rows(chome, ok, values, len(keep) == n_in, promote)
    parts = _Parts(chome, values, keep, n_in, promote)
    append_values = _value_setter(n_in, len(values[0]) if values else 0)
    total = max(len(chome.fids), 1)
    fast_insert = QgsFeatureSink.Flag.FastInsert
    add_many = sink.addFeatures
    batch: list = []  # features are handed to the sink 64 at a time (fewer calls into QGIS)
    push = batch.append
    get_row = rows.get
    k = 0
    for f in features:
        k += 1
        if k % 2000 == 0:
            feedback.setProgress(80.0 + 20.0 * k / total)
            check_cancel(feedback)
        vals = get_row(f.id())
        if vals is not None:
            append_values(f, vals)
            push(f)
            if len(batch) == 64:
                add_many(batch, fast_insert)
                batch.clear()
            continue
        where = special.get(f.id())
        if where is None:
            continue
        f = parts.feature(f, *where)
        if f is None:
            continue
        if batch:
            add_many(batch, fast_insert)
            batch.clear()
        sink.addFeature(f, fast_insert)
    if batch:
        add_many(batch, fast_insert)

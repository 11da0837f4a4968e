"""The one gate every kaigo algorithm run goes through (SPEC §8: nothing the user had is ever lost).

``KaigoAlgorithm.processAlgorithm`` wraps each run (toolbox, batch, model, qgis_process, the dock and
the child runs of fullanalysis alike) in a ``RunGuard``:

1. before any work: every output is compared with every input of the run (same file, any part of the
   same shapefile, the same layer of the same GeoPackage) and with the other outputs; an output that is
   read-only, a folder, or locked by another program is refused;
2. every file output is redirected into a hidden staging folder beside its target; the algorithm
   writes there;
3. only when the run succeeded are the staged files moved onto their targets, all or none
   (``core.outputs.Commit``); a GeoPackage output that already exists gets only its own layer replaced
   (the other layers of the file stay); folder outputs keep a manifest so that a rerun removes only the
   files an earlier run wrote and this one does not write again;
4. on error or cancel, the staging folders are removed: the targets are as they were.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil

from ..core import outputs as out
from ..core import reproducible
from ..core.errors import InputError

_OGR_URI = re.compile(r"""^ogr:dbname='?(?P<path>[^']+?)'?\s+table="?(?P<table>[^"\s]+)"?""")
_SKIP = ("memory:", "postgis:", "postgres:", "spatialite:", "mssql:", "oracle:", "hana:", "/vsi")


def _static(value):
    """The plain string behind a parameter value (property, output or source definition), else value."""
    from qgis.core import (
        QgsProcessingFeatureSourceDefinition,
        QgsProcessingOutputLayerDefinition,
        QgsProperty,
    )

    if isinstance(value, QgsProcessingOutputLayerDefinition):
        value = value.sink
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        value = value.source
    if isinstance(value, QgsProperty):
        value = value.staticValue()
    return value


def _first_layer_name(path: str) -> str | None:
    try:
        from osgeo import gdal, ogr
    except ImportError:  # pragma: no cover
        return None
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        ds = ogr.Open(path, 0)
        if ds is None or ds.GetLayerCount() == 0:
            return None
        return ds.GetLayer(0).GetName()
    except Exception:  # noqa: BLE001 - any GDAL failure: unknown layer
        return None
    finally:
        gdal.PopErrorHandler()


def _layer_names(path: str) -> list[str]:
    try:
        from osgeo import gdal, ogr
    except ImportError:  # pragma: no cover
        return []
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        ds = ogr.Open(path, 0)
        return [] if ds is None else [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
    except Exception:  # noqa: BLE001
        return []
    finally:
        gdal.PopErrorHandler()


def _place_of_source(param: str, source: str, provider: str = "ogr") -> out.Place | None:
    """An input's Place from a layer source string (``path|layername=x`` or a provider URI)."""
    from qgis.core import QgsProviderRegistry

    if not isinstance(source, str) or not source or source.startswith(_SKIP):
        return None
    path, layer = None, None
    if provider in ("ogr", "gdal", "delimitedtext"):
        parts = QgsProviderRegistry.instance().decodeUri(provider, source)
        path = parts.get("path")
        layer = parts.get("layerName") or None
        if provider == "ogr" and not layer and parts.get("layerId") not in (None, ""):
            names = _layer_names(path) if path else []
            lid = int(parts.get("layerId"))
            layer = names[lid] if 0 <= lid < len(names) else None
    if not path:
        path = source.split("|")[0]
        if path.startswith("file://"):
            path = path[7:].split("?")[0]
    if not os.path.exists(path):
        return None
    path = out.real(path)
    if out.is_container(path) and layer is None:
        layer = _first_layer_name(path)
    return out.Place(param, path, layer)


def input_places(alg, parameters, context) -> list[out.Place]:
    """Every file (and GeoPackage layer) the run reads."""
    from qgis.core import (
        QgsMapLayer,
        QgsProcessingDestinationParameter,
        QgsProcessingParameterFile,
        QgsProcessingUtils,
    )

    places: list[out.Place] = []
    for d in alg.parameterDefinitions():
        if isinstance(d, QgsProcessingDestinationParameter):
            continue
        name = d.name()
        value = parameters.get(name)
        if value is None:
            continue
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, QgsMapLayer):
                p = _place_of_source(name, item.source(), item.providerType())
            else:
                item = _static(item)
                if not isinstance(item, str) or not item.strip():
                    continue
                item = item.strip()
                if isinstance(d, QgsProcessingParameterFile) or os.path.exists(item.split("|")[0]):
                    p = _place_of_source(name, item)
                else:
                    layer = None
                    with contextlib.suppress(Exception):
                        layer = QgsProcessingUtils.mapLayerFromString(item, context, False)
                    p = _place_of_source(name, layer.source(), layer.providerType()) if layer else None
            if p is not None:
                places.append(p)
    return places


class _Output:
    """One destination parameter of the run: where the user wants it, and where it is staged."""

    def __init__(self, definition, value, place: out.Place, kind: str, uri_table: str | None):
        self.definition = definition
        self.value = value  # the original parameter value
        self.place = place
        self.kind = kind  # "file" or "folder"
        self.uri_table = uri_table  # an ogr:dbname=… table="…" destination
        self.stage: str | None = None  # staging folder
        self.staged_value: object = None


def _output_target(value) -> tuple[str, str | None] | None:
    """(path, table of an ogr: URI) of a destination value; None for temporary or database outputs."""
    from qgis.core import QgsProcessing

    text = _static(value)
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or text == QgsProcessing.TEMPORARY_OUTPUT or text.startswith(_SKIP):
        return None
    m = _OGR_URI.match(text)
    if m:
        return m.group("path"), m.group("table")
    if text.startswith("ogr:"):
        return None
    return text, None


def output_list(alg, parameters) -> list[_Output]:
    from qgis.core import (
        QgsProcessingDestinationParameter,
        QgsProcessingParameterFeatureSink,
        QgsProcessingParameterFolderDestination,
        QgsProcessingParameterVectorDestination,
    )

    found = []
    for d in alg.parameterDefinitions():
        if not isinstance(d, QgsProcessingDestinationParameter):
            continue
        value = parameters.get(d.name())
        if value is None:
            continue
        target = _output_target(value)
        if target is None:
            continue
        path, table = target
        folder = isinstance(d, QgsProcessingParameterFolderDestination)
        rpath = out.real(path)
        layer = None
        if not folder and out.is_container(rpath):
            layer = table or os.path.splitext(os.path.basename(rpath))[0]
        elif not folder and isinstance(
            d, (QgsProcessingParameterFeatureSink, QgsProcessingParameterVectorDestination)
        ):
            if not os.path.splitext(rpath)[1]:  # QGIS adds its default extension
                rpath += ".gpkg"
                layer = os.path.basename(rpath)[:-5]
        place = out.Place(d.name(), rpath, layer, folder)
        found.append(_Output(d, value, place, "folder" if folder else "file", table))
    return found


def _folder_files(alg, outputs: list[_Output]) -> list[out.Place]:
    """Files an algorithm declares it writes into its output folders (``FOLDER_OUTPUTS``)."""
    declared = getattr(alg, "FOLDER_OUTPUTS", {}) or {}
    places = []
    for o in outputs:
        for rel in declared.get(o.place.param, ()):
            path = os.path.join(o.place.path, rel)
            places.append(out.Place(o.place.param, out.real(path)))  # replaced whole, every layer
    return places


def check(alg, parameters, context) -> None:
    """Refuse (InputError) an output that would overwrite an input or another output, or cannot be written."""
    inputs = input_places(alg, parameters, context)
    outputs = output_list(alg, parameters)
    places = [o.place for o in outputs]
    input_set = set(inputs)
    for o, other in out.collisions(inputs, places + _folder_files(alg, outputs)):
        raise out.collision_error(o, other, other_is_input=other in input_set)
    for p in places + _folder_files(alg, outputs):
        reason = out.unwritable(p)
        if reason:
            raise out.unwritable_error(p, reason)


class RunGuard:
    """Stage the outputs of one run and commit them together (see the module docstring)."""

    def __init__(self, alg, parameters, context):
        self.alg = alg
        self.parameters = parameters
        self.context = context
        self.inputs = input_places(alg, parameters, context)
        self.outputs = output_list(alg, parameters)
        self.stages: list[str] = []

    def check(self) -> None:
        check(self.alg, self.parameters, self.context)

    def staged_parameters(self) -> dict:
        """The parameters with every file/folder output pointing into a staging folder."""
        from qgis.core import QgsProcessingOutputLayerDefinition

        params = dict(self.parameters)
        for o in self.outputs:
            target_dir = o.place.path if o.kind == "folder" else os.path.dirname(o.place.path)
            try:
                stage = out.staging_dir(target_dir)  # one per output: two sinks never share a file
            except OSError as err:
                raise InputError(
                    ja=f"出力 {o.place.param} のフォルダ {target_dir} に書き込めません（{err.strerror}）。"
                    "書き込みできるフォルダを指定してください。",
                    en=f"Cannot write the output {o.place.param} into the folder {target_dir} ({err.strerror}): "
                    "choose a folder you can write to.",
                ) from None
            if stage not in self.stages:
                self.stages.append(stage)
            o.stage = stage
            text = str(_static(o.value)).strip()
            m = _OGR_URI.match(text) if o.uri_table else None
            staged: object
            if o.kind == "folder":
                staged = stage
            elif m is not None:
                staged_path = os.path.join(stage, os.path.basename(m.group("path")))
                staged = text[: m.start("path")] + staged_path + text[m.end("path") :]
            else:
                staged = os.path.join(stage, os.path.basename(text))
            if isinstance(o.value, QgsProcessingOutputLayerDefinition):
                new = QgsProcessingOutputLayerDefinition(staged, o.value.destinationProject)
                new.destinationName = o.value.destinationName
                new.createOptions = o.value.createOptions
                if hasattr(o.value, "useRemapping") and o.value.useRemapping():
                    new.setRemappingDefinition(o.value.remappingDefinition())
                staged = new
            o.staged_value = staged
            params[o.definition.name()] = staged
        return params

    def final_text(self, text):
        """A log line with every staged path replaced by the path the file will have after the run."""
        return self._map(text) if isinstance(text, str) else text

    def _map(self, value):
        """A result value that names a staged file → the same file at its target."""
        if isinstance(value, (list, tuple)):
            return type(value)(self._map(v) for v in value)
        if isinstance(value, dict):
            return {k: self._map(v) for k, v in value.items()}
        if not isinstance(value, str):
            return value
        for o in self.outputs:
            if o.stage is None:
                continue
            target_dir = o.place.path if o.kind == "folder" else os.path.dirname(o.place.path)
            value = value.replace(o.stage + os.sep, target_dir + os.sep)
            if value == o.stage:
                value = target_dir
        return value

    def commit(self, results: dict, feedback=None) -> dict:
        """Move every staged output into place (all or none); returns the results with target paths."""
        commit = out.Commit(inputs=list(self.inputs))
        merges: list[tuple[str, list, bool]] = []  # (target GeoPackage, [(staged, param)], target exists)
        folders: list[tuple[_Output, list[str]]] = []
        for o in self.outputs:
            if o.stage is None:
                continue
            if o.kind == "folder":
                pairs = out.manifest_moves(o.place.path, o.stage)
                for src, dst in pairs:
                    commit.add(src, dst, o.place.param)
                folders.append((o, [dst for _s, dst in pairs]))
                continue
        staged_files: dict[str, list[tuple[str, str]]] = {}  # target → [(staged, param)]
        for o in self.outputs:
            if o.stage is None or o.kind != "file":
                continue
            for src, dst in out.manifest_moves(os.path.dirname(o.place.path), o.stage):
                staged_files.setdefault(dst, []).append((src, o.place.param))
        for dst, items in staged_files.items():
            existing_layers = out.is_container(dst) and os.path.exists(dst) and bool(_layer_names(dst))
            if out.is_container(dst) and (existing_layers or len(items) > 1):
                merges.append((dst, items, existing_layers))
            else:
                for src, param in items:
                    commit.add(src, dst, param)
        for staged, _target, _param in commit.moves:
            if staged.lower().endswith(".pdf"):
                reproducible.stabilise_pdf(staged)
        layer_results: dict[str, str] = {}
        with contextlib.ExitStack() as locks:
            # two runs into one folder commit one after the other (never a mix of both): the folder's
            # manifest is the lock
            for o, _written in sorted(folders, key=lambda fw: fw[0].place.path):
                manifest = os.path.join(o.place.path, out.MANIFEST)
                if not os.path.exists(manifest):
                    with contextlib.suppress(OSError), open(manifest, "a", encoding="utf-8"):
                        pass
                locks.enter_context(out.exclusive(manifest))
            # two runs that merge into one GeoPackage take turns; the lock is on its folder (see
            # out.exclusive_folder), taken once per folder
            for folder in sorted({os.path.dirname(dst) for dst, _items, existing in merges if existing}):
                locks.enter_context(out.exclusive_folder(folder))
            commit.held.update(dst for dst, _items, existing in merges if existing)
            for dst, items, existing_layers in merges:
                merged, names = _merge_layers([src for src, _p in items], dst if existing_layers else None)
                commit.add(merged, dst, items[0][1], merged=True)
                before = _layer_names(dst) if existing_layers else []
                if len(set(before) | set(names)) > 1 and names:
                    layer_results[dst] = f"{dst}|layername={names[0]}"
            commit.run()
            for o, written in folders:
                removed = out.remove_stale(o.place.path, written, self.inputs)
                if removed and feedback is not None:
                    feedback.pushInfo(
                        f"前回の実行で書き込まれ今回は作られなかったファイル {len(removed)} 件を削除しました。\n"
                        f"Removed {len(removed)} file(s) an earlier run wrote that this run does not write again."
                    )
                with contextlib.suppress(OSError):
                    out.write_manifest(o.place.path, written)
        mapped = {}
        for key, value in results.items():
            new = self._map(value)
            if isinstance(new, str) and new in layer_results:
                new = layer_results[new]
            mapped[key] = new
        self._remap_layers_to_load(layer_results)
        return mapped

    def _remap_layers_to_load(self, layer_results: dict[str, str]) -> None:
        ctx = self.context
        if ctx is None or not hasattr(ctx, "layersToLoadOnCompletion"):
            return
        loads = ctx.layersToLoadOnCompletion()
        changed = False
        new = {}
        for key, details in loads.items():
            mapped = self._map(key)
            mapped = layer_results.get(mapped, mapped)
            if mapped != key:
                changed = True
                # setLayersToLoadOnCompletion deletes the post-processor of a key that is not in the new map
                # while the renamed copy still points at it: a double delete when the context ends. Post-
                # processors are attached in after_commit(), under the final path; never carry one across.
                details.setPostProcessor(None)
            new[mapped] = details
        if changed:
            ctx.setLayersToLoadOnCompletion(new)

    def cleanup(self) -> None:
        for stage in self.stages:
            out.remove_tree(stage)
        self.stages = []


def _merge_layers(staged: list[str], target: str | None) -> tuple[str, list[str]]:
    """One GeoPackage beside the staged ones: a copy of ``target`` (None: start from the first staged
    file) in which the layers of every staged GeoPackage replace those of the same name, the other
    layers staying as they were. Returns (its path, names of the layers written)."""
    from osgeo import gdal

    first = staged[0]
    merged = os.path.join(os.path.dirname(first), ".kaigo-merged-" + os.path.basename(target or first))
    names: list[str] = []
    if target is not None:
        shutil.copyfile(target, merged)
        rest = staged
    else:
        shutil.copyfile(first, merged)
        names += _layer_names(first)
        rest = staged[1:]
    for src in rest:
        layers = _layer_names(src)
        try:
            ds = gdal.VectorTranslate(
                merged, src, options=gdal.VectorTranslateOptions(accessMode="overwrite", layers=layers)
            )
            ok = ds is not None
            ds = None
        except Exception:  # noqa: BLE001 - GDAL exceptions on (QGIS ≥ 3.40)
            ok = False
        if not ok:
            raise InputError(
                ja=f"GeoPackage {target or first} にレイヤを書き込めませんでした。ファイルが壊れていないか確認するか、"
                "別の出力先を指定してください。元のファイルはそのままです。",
                en=f"Could not write the layers into the GeoPackage {target or first}: check that the file is "
                "intact, or choose another output. The file is unchanged.",
            )
        names += layers
    return merged, names

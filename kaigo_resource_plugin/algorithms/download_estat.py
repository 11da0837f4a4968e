"""kaigo:downloadestat — municipality names or codes → e-Stat 境界データ and the T001082 table, cached, and
(IMPORT) the analysis-ready chōme layer of kaigo:importestat."""

from __future__ import annotations

import os
import shutil

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessing,
    QgsProcessingOutputFolder,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsVectorLayer,
)

from ..core import downloads, estat, sources
from ..core import municipalities as munis
from ..core.atomic import atomic_path
from ..core.errors import InputError
from . import net
from .base import KaigoAlgorithm, check_cancel


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
        url = sources.estat_boundary_url(u.code, year, base)
        what = f"e-Stat 境界データ {u.name} {u.code} ({year})"
        feedback.setProgressText(what)
        path = os.path.join(cache_folder, sources.boundary_cache_name(u.code, year))
        path, how = net.cached_download(
            url, path, feedback, what=what, progress=_progress(feedback, done, steps)
        )
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
        shapefiles += mine
        log.append(f"{what}: {how} → {', '.join(os.path.basename(m) for m in mine)}")
        done += 1
    tables: list[str] = []
    for pref in prefs:
        check_cancel(feedback)
        url = sources.estat_ages_url(pref, base)
        what = f"e-Stat {sources.AGE_TABLE_ID} {munis.PREFECTURES[int(pref) - 1][0]}"
        feedback.setProgressText(what)
        path = os.path.join(cache_folder, sources.ages_cache_name(pref))
        path, how = net.cached_download(
            url, path, feedback, what=what, progress=_progress(feedback, done, steps)
        )
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
        tables.append(table)
        log.append(f"{what}: {how} → {os.path.basename(table)}")
        done += 1
    feedback.setProgress(100 * done / max(1, steps))
    return shapefiles, tables, log


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


class DownloadEstatAlgorithm(KaigoAlgorithm):
    NAME = "downloadestat"
    DISPLAY_NAME = "Download e-Stat boundaries and age table (by municipality name)"

    MUNICIPALITIES = "MUNICIPALITIES"
    YEAR = "YEAR"
    IMPORT = "IMPORT"
    ROLLUP_WARDS = "ROLLUP_WARDS"
    CARE3_SHARE = "CARE3_SHARE"
    CACHE_FOLDER = "CACHE_FOLDER"
    CLEAR_CACHE = "CLEAR_CACHE"
    OUTPUT = "OUTPUT"
    OUTPUT_AGES = "OUTPUT_AGES"

    def initAlgorithm(self, config=None):
        self.addParameter(
            QgsProcessingParameterString(
                self.MUNICIPALITIES,
                self.tr("Municipalities (names in kanji or kana, codes, or a prefecture; comma-separated)"),
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.YEAR,
                self.tr("Census year of the boundaries (2020 or 2015)"),
                QgsProcessingParameterNumber.Type.Integer,
                sources.DEFAULT_YEAR,
                minValue=min(sources.YEARS),
                maxValue=max(sources.YEARS),
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.IMPORT,
                self.tr("Import (kaigo:importestat): output the analysis-ready chōme layer"),
                True,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.ROLLUP_WARDS, self.tr("Roll designated-city wards up to the city"), False
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.CARE3_SHARE,
                self.tr("Share of people 75+ at care level 3 or above (constant)"),
                QgsProcessingParameterNumber.Type.Double,
                estat.DEFAULT_CARE3_SHARE,
                minValue=0.0,
                maxValue=1.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.CACHE_FOLDER,
                self.tr("Cache folder (downloads are kept here; empty: the QGIS profile's folder)"),
                behavior=QgsProcessingParameterFile.Behavior.Folder,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.CLEAR_CACHE, self.tr("Clear the cache first (download everything again)"), False
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                self.OUTPUT,
                self.tr("Chōme layer (imported) or boundaries"),
                QgsProcessing.SourceType.TypeVectorAnyGeometry,
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT_AGES,
                self.tr("T001082 age table"),
                self.tr("CSV files (*.csv *.txt)"),
                optional=True,
            )
        )
        self.addOutput(QgsProcessingOutputFolder("CACHE", self.tr("Cache folder used")))
        self.addOutput(QgsProcessingOutputNumber("N_MUNICIPALITIES", self.tr("Municipalities downloaded")))
        self.addOutput(QgsProcessingOutputString("CODES", self.tr("Municipality codes downloaded")))

    def process(self, parameters, context, feedback):
        text = self.parameterAsString(parameters, self.MUNICIPALITIES, context)
        year = self.parameterAsInt(parameters, self.YEAR, context)
        if year not in sources.YEARS:
            raise InputError(
                ja=f"YEAR は 2020 か 2015 にしてください（指定値: {year}）。",
                en=f"YEAR must be 2020 or 2015 (got {year}).",
            )
        do_import = self.parameterAsBoolean(parameters, self.IMPORT, context)
        cache = (
            self.parameterAsFile(parameters, self.CACHE_FOLDER, context) or ""
        ).strip() or net.default_cache_folder()
        places = munis.registry().resolve(text)
        units = munis.registry().download_units(places)
        feedback.pushInfo(
            "市区町村 / municipalities: "
            + "、".join(f"{m.name} ({m.code})" for m in places)
            + (f" → {len(units)} 単位 / units" if len(units) != len(places) else "")
        )
        shapefiles, tables, log = download_estat_files(
            places,
            year,
            cache,
            feedback,
            clear=self.parameterAsBoolean(parameters, self.CLEAR_CACHE, context),
        )
        for line in log:
            feedback.pushInfo(line)
        check_cancel(feedback)

        ages_target = self.parameterAsFileOutput(parameters, self.OUTPUT_AGES, context)
        if not ages_target:
            from qgis.core import QgsProcessingUtils

            ages_target = QgsProcessingUtils.generateTempFilename("T001082.csv")
        merge_tables(tables, ages_target)

        result = {
            "CACHE": cache,
            "N_MUNICIPALITIES": len(units),
            "CODES": ",".join(u.code for u in units),
            self.OUTPUT_AGES: ages_target,
        }
        if do_import:
            import processing

            feedback.setProgressText(self.tr("Importing (kaigo:importestat)…"))
            child = processing.run(
                "kaigo:importestat",
                {
                    "INPUT": shapefiles,
                    "AGES": [ages_target],
                    "CARE3_SHARE": self.parameterAsDouble(parameters, self.CARE3_SHARE, context),
                    "ROLLUP_WARDS": self.parameterAsBoolean(parameters, self.ROLLUP_WARDS, context),
                    "OUTPUT": parameters[self.OUTPUT],
                    "REPORT": "TEMPORARY_OUTPUT",
                },
                context=context,
                feedback=feedback,
                is_child_algorithm=True,
            )
            result[self.OUTPUT] = child["OUTPUT"]
            return result

        # the boundaries as downloaded, one layer
        layers = []
        for shp in shapefiles:
            layer = QgsVectorLayer(shp, os.path.splitext(os.path.basename(shp))[0], "ogr")
            if not layer.isValid():
                raise InputError(
                    ja=f"ダウンロードしたシェープファイル {shp} を開けません。キャッシュを空にして再実行してください。",
                    en=f"Cannot open the downloaded shapefile {shp}. Clear the cache and run again.",
                )
            layers.append(layer)
        fields = QgsFields()
        for layer in layers:
            for f in layer.fields():
                if fields.indexOf(f.name()) < 0:
                    fields.append(f)
        crs = layers[0].crs() if layers[0].crs().isValid() else QgsCoordinateReferenceSystem("EPSG:6668")
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, layers[0].wkbType(), crs)
        for layer in layers:
            xform = None
            if layer.crs().isValid() and layer.crs() != crs:
                xform = QgsCoordinateTransform(layer.crs(), crs, context.transformContext())
            names = [f.name() for f in layer.fields()]
            for feat in layer.getFeatures():
                out = QgsFeature(fields)
                attrs = [None] * fields.count()
                for name, value in zip(names, feat.attributes()):
                    attrs[fields.indexOf(name)] = value
                out.setAttributes(attrs)
                g = feat.geometry()
                if xform is not None and g is not None and not g.isEmpty():
                    g.transform(xform)
                out.setGeometry(g)
                sink.addFeature(out, QgsFeatureSink.Flag.FastInsert)
        result[self.OUTPUT] = dest
        return result

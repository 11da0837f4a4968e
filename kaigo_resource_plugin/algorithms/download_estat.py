"""kaigo:downloadestat — municipality names or codes → e-Stat 境界データ and the T001082 table, cached, and
(IMPORT) the analysis-ready chōme layer of kaigo:importestat."""

from __future__ import annotations

import os

from qgis.core import (
    QgsCoordinateReferenceSystem,
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

from ..core import estat, sources
from ..core import municipalities as munis
from ..core.errors import InputError
from . import net
from .base import KaigoAlgorithm, check_cancel
from .crs import checked_transform
from .estat_files import download_estat_files, merge_tables


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
            result[self.OUTPUT] = self._import(parameters, context, feedback, shapefiles, ages_target)
        else:
            result[self.OUTPUT] = self._merge_boundaries(parameters, context, shapefiles)
        return result

    def _import(self, parameters, context, feedback, shapefiles, ages_target):
        """kaigo:importestat on the downloaded files, as a child: its OUTPUT."""
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
        return child["OUTPUT"]

    def _merge_boundaries(self, parameters, context, shapefiles):
        """The boundaries as downloaded, in one layer (the union of their fields, the first one's CRS)."""
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
                xform = checked_transform(layer.crs(), crs, context.transformContext())
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
        return dest

"""kaigo:fullanalysis — from downloaded files to every output of the committee in one run."""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingMultiStepFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputFolder,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsVectorLayer,
)

from ..compat import parameter_as_fields
from ..core import summary as run_summary
from ..core.contract import (
    AREA_M2,
    AT_HOME_75PLUS,
    DEFAULT_CARE3_SHARE,
    DEFAULT_RADIUS_M,
    POP_75PLUS,
    first_present,
)
from ..core.errors import InputError
from ..core.tables import write_csv
from ..i18n_loader import output_language
from . import decision_steps, download_inputs
from .base import (
    ForwardingFeedback,
    KaigoAlgorithm,
    check_cancel,
    threshold_arguments,
    threshold_parameters,
    threshold_values,
)
from .network_steps import (
    full_analysis_network_outputs,
    full_analysis_network_parameter,
    run_in_full_analysis,
)

# Files every run writes at the top of OUTPUT_FOLDER (SPEC §4).
CHOME_GPKG = "chome.gpkg"
MUNI_GPKG = "municipalities.gpkg"
MUNI_CSV = "municipalities.csv"
MUNI_XLSX = "municipalities.xlsx"
REPORT_CSV = "join_report.csv"
SUMMARY_TXT = "run_summary.txt"
SUMMARY_JSON = "run_summary.json"


def _plugin_version() -> str:
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(os.path.dirname(os.path.dirname(__file__)), "metadata.txt"), encoding="utf-8")
    return cfg["general"].get("version", "?")


class FullAnalysisAlgorithm(KaigoAlgorithm):
    NAME = "fullanalysis"
    DISPLAY_NAME = "Full analysis (boundaries + ages + resources → every output)"

    CHOME = "CHOME"
    # what the run writes into OUTPUT_FOLDER, checked against the inputs before any work (guard.py)
    FOLDER_OUTPUTS = {
        "OUTPUT_FOLDER": (CHOME_GPKG, MUNI_GPKG, MUNI_CSV, MUNI_XLSX, REPORT_CSV, SUMMARY_TXT, SUMMARY_JSON)
    }
    AGES = "AGES"
    ELDERLY_FIELD = "ELDERLY_FIELD"
    RESOURCES = "RESOURCES"
    RADIUS = "RADIUS"
    CARE3_SHARE = "CARE3_SHARE"
    KEY_FIELD = "KEY_FIELD"
    POPULATION_FIELD = "POPULATION_FIELD"
    AREA_FIELD = "AREA_FIELD"
    AREA_TABLE = "AREA_TABLE"
    ROLLUP_WARDS = "ROLLUP_WARDS"
    HIGHLIGHT = "HIGHLIGHT"
    TOP_N = "TOP_N"
    MAPS = "MAPS"
    MAP_CHOME = "MAP_CHOME"
    MAP_MUNI_CODES = "MAP_MUNI_CODES"
    MUNI_CODES = "MUNI_CODES"
    LANGUAGE = "LANGUAGE"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.CHOME,
                self.tr("Chōme boundaries or chōme table with X_CODE/Y_CODE (e-Stat)"),
                QgsProcessing.SourceType.TypeVector,
                optional=True,  # with MUNICIPALITIES they are downloaded
            )
        )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.AGES,
                self.tr("Census table T001082 (CSV, optional)"),
                QgsProcessing.SourceType.TypeFile,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.ELDERLY_FIELD,
                self.tr("Elderly field when no age table is given (e.g. JINKO)"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterMultipleLayers(
                self.RESOURCES,
                self.tr("Resource layers (one type each)"),
                QgsProcessing.SourceType.TypeVectorAnyGeometry,
                optional=True,  # with MUNICIPALITIES they are downloaded
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                download_inputs.PARAMETER,
                self.tr("Municipalities to download instead of CHOME/AGES/RESOURCES (names or codes)"),
                optional=True,
            )
        )
        radius = QgsProcessingParameterNumber(
            self.RADIUS, self.tr("Radius (m)"), QgsProcessingParameterNumber.Type.Double, DEFAULT_RADIUS_M
        )
        self.addParameter(radius)
        self.addParameter(
            QgsProcessingParameterNumber(
                self.CARE3_SHARE,
                self.tr("Share of 75+ certified at care level 3 or above"),
                QgsProcessingParameterNumber.Type.Double,
                DEFAULT_CARE3_SHARE,
                minValue=0.0,
                maxValue=1.0,
            )
        )
        # field pickers listing the fields of the chōme layer(s) chosen in CHOME; a typed name (qgis_process,
        # models, the panel) is taken as it is. Optional: empty means KEY_CODE (no chōme when downloading)
        self.addParameter(
            QgsProcessingParameterField(
                self.KEY_FIELD,
                self.tr("Chōme key field (default KEY_CODE)"),
                defaultValue="KEY_CODE",
                parentLayerParameterName=self.CHOME,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.POPULATION_FIELD,
                self.tr("Population field (default pop_total, else JINKO)"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.AREA_FIELD,
                self.tr("Area field (default: area on the ellipsoid)"),
                parentLayerParameterName=self.CHOME,
                type=QgsProcessingParameterField.DataType.Numeric,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.MUNI_CODES,
                self.tr("Municipalities to analyse (codes or names, comma-separated; default: all)"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFile(
                self.AREA_TABLE,
                self.tr("Official areas: CSV of municipality code → km² (面積調, optional)"),
                extension="csv",
                optional=True,
            )
        )
        for parameter in threshold_parameters():
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterBoolean(
                self.ROLLUP_WARDS, self.tr("Roll designated-city wards up to the city"), False
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.HIGHLIGHT,
                self.tr("Municipalities to highlight (codes or names, comma-separated)"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.TOP_N,
                self.tr("Rows in the top-N tables"),
                QgsProcessingParameterNumber.Type.Integer,
                10,
                minValue=1,
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.MAPS, self.tr("Export blank-area maps"), True))
        self.addParameter(
            QgsProcessingParameterVectorLayer(
                self.MAP_CHOME,
                self.tr("Chōme polygons for the maps (when the chōme input is points)"),
                [QgsProcessing.SourceType.TypeVectorPolygon],
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.MAP_MUNI_CODES, self.tr("Municipality codes to map (default: all)"), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LANGUAGE,
                self.tr("Language of charts and tables"),
                [self.tr("Automatic (QGIS language)"), "日本語", "English"],
                defaultValue=0,
            )
        )
        for parameter in decision_steps.parameters():  # RADII, N_SITES (SPEC §5)
            self.addParameter(parameter)
        self.addParameter(full_analysis_network_parameter())  # NETWORK (issue #17): both rates
        self.addParameter(
            QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, self.tr("Output folder"))
        )
        for output in decision_steps.outputs():
            self.addOutput(output)
        for key, label in (
            ("CHOME_GPKG", self.tr("Chōme with access (GeoPackage)")),
            ("MUNICIPALITIES_GPKG", self.tr("Municipality table (GeoPackage)")),
            ("MUNICIPALITIES_CSV", self.tr("Municipality table (CSV)")),
            ("MUNICIPALITIES_XLSX", self.tr("Municipality table (XLSX)")),
            ("JOIN_REPORT", self.tr("Join report (CSV)")),
            ("SUMMARY", self.tr("Run summary")),
        ):
            self.addOutput(QgsProcessingOutputFile(key, label))
        self.addOutput(QgsProcessingOutputFolder("CHARTS_FOLDER", self.tr("Charts folder")))
        self.addOutput(QgsProcessingOutputFolder("MAPS_FOLDER", self.tr("Maps folder")))
        self.addOutput(QgsProcessingOutputString("FILES", self.tr("Every file written (one per line)")))
        self.addOutput(QgsProcessingOutputNumber("N_MUNICIPALITIES", self.tr("Municipalities")))
        for output in full_analysis_network_outputs():
            self.addOutput(output)

    # ------------------------------------------------------------------------------------------
    def _field_name(self, parameters, name, context) -> str:
        """The one field name of a field parameter ("" when none), whether picked or typed."""
        names = parameter_as_fields(self, parameters, name, context)
        return str(names[0]).strip() if names else ""

    def _child(self, alg_id, params, context, feedback):
        alg = QgsApplication.processingRegistry().createAlgorithmById(alg_id)
        if alg is None:
            raise QgsProcessingException(f"{alg_id} is not available")
        ok, message = alg.canExecute()
        if not ok:
            raise QgsProcessingException(message)
        feedback.pushInfo(f"— {alg_id}")
        # catchExceptions=False: the child's own message (what to change) reaches the user unchanged
        results, ok = alg.run(params, context, feedback, {}, False)
        if not ok:
            raise QgsProcessingException(
                f"{alg_id} が失敗しました。ログを確認してください。\n{alg_id} failed; see the log above."
            )
        check_cancel(feedback)
        return results

    def _read_parameters(self, parameters, context, feedback) -> dict:
        """The parameters as plain values, named as ``_run_steps`` reads them (MUNI_CODES applied)."""
        chome_layers = self.parameterAsLayerList(parameters, self.CHOME, context)
        if not chome_layers:
            raise InputError(
                ja="町丁字レイヤ（CHOME）がありません。境界データか X_CODE/Y_CODE を持つ表を指定してください。",
                en="No chōme layer (CHOME): give e-Stat boundaries or a table with X_CODE/Y_CODE.",
            )
        ages = self.parameterAsFileList(parameters, self.AGES, context) if parameters.get(self.AGES) else []
        resources = self.parameterAsLayerList(parameters, self.RESOURCES, context)
        if not resources:
            raise InputError(
                ja="資源レイヤ（RESOURCES）がありません。店舗などのポイントレイヤを1つ以上指定してください。",
                en="No resource layer (RESOURCES): give at least one layer of shops or facilities.",
            )
        p = {
            "chome_layers": chome_layers,
            "ages": ages,
            "resources": resources,
            "elderly_field": self.parameterAsString(parameters, self.ELDERLY_FIELD, context).strip(),
            "radius": self.parameterAsDouble(parameters, self.RADIUS, context),
            "care3": self.parameterAsDouble(parameters, self.CARE3_SHARE, context),
            "key_field": self._field_name(parameters, self.KEY_FIELD, context) or "KEY_CODE",
            "pop_field": self.parameterAsString(parameters, self.POPULATION_FIELD, context).strip(),
            "area_field": self._field_name(parameters, self.AREA_FIELD, context),
            "area_table": self.parameterAsFile(parameters, self.AREA_TABLE, context),
            "rollup": self.parameterAsBoolean(parameters, self.ROLLUP_WARDS, context),
            "highlight": self.parameterAsString(parameters, self.HIGHLIGHT, context).strip(),
            "top_n": self.parameterAsInt(parameters, self.TOP_N, context),
            "maps": self.parameterAsBoolean(parameters, self.MAPS, context),
            "map_chome": self.parameterAsVectorLayer(parameters, self.MAP_CHOME, context),
            "map_codes": self.parameterAsString(parameters, self.MAP_MUNI_CODES, context).strip(),
            "language": self.parameterAsEnum(parameters, self.LANGUAGE, context),
            "folder": self.parameterAsString(parameters, self.OUTPUT_FOLDER, context),
        }
        muni_codes = self.parameterAsString(parameters, self.MUNI_CODES, context).strip()
        if muni_codes:  # the chōme of these municipalities only, as if the layer held nothing else
            from .muni_filter import filter_layers

            p["chome_layers"], _codes = filter_layers(chome_layers, p["key_field"], muni_codes, feedback)
        p["network"] = (
            self.parameterAsVectorLayer(parameters, "NETWORK", context) if parameters.get("NETWORK") else None
        )
        return p

    def process(self, parameters, context, feedback):
        downloaded = download_inputs.prepare(self, parameters, context, feedback)  # MUNICIPALITIES
        if downloaded is not None:
            parameters = downloaded.parameters
        p = self._read_parameters(parameters, context, feedback)
        if p["radius"] <= 0:
            raise InputError(
                ja=f"半径（RADIUS）が {p['radius']:g} m です。0より大きい値（既定 500）を指定してください。",
                en=f"The radius (RADIUS) is {p['radius']:g} m: give a value above 0 (default 500).",
            )
        p["thresholds"] = threshold_values(self, parameters, context)
        if not p["ages"] and not p["elderly_field"]:
            first_fields = p["chome_layers"][0].fields().names()
            if AT_HOME_75PLUS not in first_fields and POP_75PLUS not in first_fields:
                raise InputError(
                    ja="年齢別人口の表（AGES、T001082）がなく、高齢者数のフィールド（ELDERLY_FIELD、例 JINKO）も指定されていません。どちらかを指定してください。",
                    en="There is no age table (AGES, T001082) and no elderly field (ELDERLY_FIELD, e.g. JINKO): give one of them.",
                )
        p.update(decision_steps.read(self, parameters, context))
        folder = p["folder"]
        try:
            os.makedirs(folder, exist_ok=True)
            p["tmp"] = tempfile.mkdtemp(prefix=".kaigo-run-", dir=folder)
        except OSError as err:
            raise InputError(
                ja=f"出力フォルダ（OUTPUT_FOLDER）に書き込めません：{folder}（{err.strerror}）。書き込めるフォルダを指定してください。",
                en=f"Cannot write to the output folder (OUTPUT_FOLDER) {folder} ({err.strerror}): choose a writable folder.",
            ) from None
        try:
            result = self._run_steps(context, feedback, **p)
            download_inputs.keep_resources(downloaded, folder)
            return result
        finally:
            shutil.rmtree(p["tmp"], ignore_errors=True)

    def _run_steps(self, context, feedback, **p):
        tmp = p["tmp"]
        steps = QgsProcessingMultiStepFeedback(7, feedback)
        # the children write into a temporary folder moved into OUTPUT_FOLDER at the end: their log names
        # the final paths, not the temporary ones that no longer exist after the run
        child = FinalPathsFeedback(steps, tmp, p["folder"])
        started = datetime.datetime.now()
        steps.setCurrentStep(0)  # 1. chōme layer with population and elderly fields
        chome_input, report_header, report_rows = self._step_import(context, child, p)
        steps.setCurrentStep(1)  # 2. access to resources
        chome_path = os.path.join(tmp, CHOME_GPKG)
        self._blank_areas(chome_input, chome_path, context, child, p)
        steps.setCurrentStep(2)  # 3. municipality table
        rate_params, muni_output = self._step_rates(chome_path, context, child, steps, p)
        n_muni = QgsVectorLayer(muni_output, "municipalities", "ogr").featureCount()
        network_files = {}
        if p["network"] is not None:  # walking distance on the network beside the circle (issue #17)
            network_files = run_in_full_analysis(
                self._child, p["network"], p, chome_path, tmp, context, steps
            )
        steps.setCurrentStep(3)  # 4. committee charts
        self._step_charts(context, child, p)
        decision_steps.suggest(self._child, context, child, p, chome_path, tmp)
        steps.setCurrentStep(4)  # 5. blank-area maps
        map_source = self._step_maps(chome_path, context, child, steps, p)
        steps.setCurrentStep(5)  # 6. join report and run summary
        if report_header:
            write_csv(os.path.join(tmp, REPORT_CSV), report_header, report_rows)
        self._write_summary(started, rate_params, n_muni, chome_path, steps, p)
        steps.setCurrentStep(
            6
        )  # 7. move everything into place (nothing half-written is ever left in OUTPUT_FOLDER)
        check_cancel(feedback)
        written = _move_outputs(tmp, p["folder"])
        results = self._results(
            p, written, n_muni, bool(report_header), map_source is not None, network_files
        )
        feedback.setProgress(
            100
        )  # steps.setProgress(100) is a no-op when the last child already ended at 100
        return results

    def _step_import(self, context, child_feedback, p):
        """(chōme input of the next steps, join report header, rows): imported, merged or as given."""
        tmp = p["tmp"]
        if p["ages"]:
            imported = self._child(
                "kaigo:importestat",
                {
                    "INPUT": p["chome_layers"],
                    "AGES": p["ages"],
                    "KEY_FIELD": p["key_field"],
                    "CARE3_SHARE": p["care3"],
                    "ROLLUP_WARDS": p["rollup"],
                    "OUTPUT": os.path.join(tmp, "chome_imported.gpkg"),
                    "REPORT": os.path.join(tmp, "join_report.gpkg"),
                },
                context,
                child_feedback,
            )
            return (imported["OUTPUT"], *_read_table(imported["REPORT"]))
        if len(p["chome_layers"]) > 1:
            merged = self._child(
                "native:mergevectorlayers",
                {"LAYERS": p["chome_layers"], "CRS": None, "OUTPUT": os.path.join(tmp, "chome_merged.gpkg")},
                context,
                child_feedback,
            )
            return merged["OUTPUT"], [], []
        return p["chome_layers"][0], [], []

    def _blank_areas(self, chome_input, output, context, child_feedback, p):
        blank_params = {
            "INPUT": chome_input,
            "RESOURCES": p["resources"],
            "RADIUS": p["radius"],
            "KEY_FIELD": p["key_field"],
            "OUTPUT": output,
        }
        if p["pop_field"]:
            blank_params["POPULATION_FIELD"] = p["pop_field"]
        self._child("kaigo:blankareas", blank_params, context, child_feedback)

    def _step_rates(self, chome_path, context, child_feedback, steps, p):
        """Run kaigo:sufficiencyrates: (its parameters (the run summary names the area field), its output)."""
        tmp = p["tmp"]
        rate_params = {
            "INPUT": chome_path,
            "KEY_FIELD": p["key_field"],
            "CARE3_SHARE": p["care3"],
            **threshold_arguments(p["thresholds"]),
            "ROLLUP_WARDS": p["rollup"],
            "OUTPUT": os.path.join(tmp, MUNI_GPKG),
            "OUTPUT_CSV": os.path.join(tmp, MUNI_CSV),
            "OUTPUT_XLSX": os.path.join(tmp, MUNI_XLSX),
        }
        if p["elderly_field"]:
            rate_params["ELDERLY_FIELD"] = p["elderly_field"]
        if p["pop_field"]:
            rate_params["POPULATION_FIELD"] = p["pop_field"]
        if p["area_field"]:
            area = p["area_field"]
            if area == "AREA" and p["ages"]:  # the picker lists CHOME's fields; after kaigo:importestat
                names = QgsVectorLayer(chome_path, "chome", "ogr").fields().names()
                if area not in names and "area_m2" in names:
                    area = "area_m2"  # e-Stat's AREA (m²) is carried as area_m2
            rate_params["AREA_FIELD"] = area
        elif p["area_table"]:
            rate_params["AREA_TABLE"] = p["area_table"]
        elif not _is_polygon(chome_path):
            # points or a table: no polygons to measure; e-Stat's AREA (m²) of each chōme is the area
            names = QgsVectorLayer(chome_path, "chome", "ogr").fields().names()
            fallback = first_present(POINT_AREA_FIELDS, names)
            if fallback:
                rate_params["AREA_FIELD"] = fallback
                rate_params["AREA_UNIT"] = 0  # m²
                steps.pushInfo(
                    f"町丁字がポイントのため、面積は e-Stat の {fallback}（m²）の合計を使います。\n"
                    f"The chōme are points: the area is the sum of e-Stat's {fallback} (m²)."
                )
        decision_steps.add_radii(rate_params, p, tmp)
        rates = self._child("kaigo:sufficiencyrates", rate_params, context, child_feedback)
        return rate_params, rates["OUTPUT"]

    def _step_charts(self, context, child_feedback, p):
        chart_params = {
            "INPUT": os.path.join(p["tmp"], MUNI_GPKG),
            "TOP_N": p["top_n"],
            **threshold_arguments(p["thresholds"]),
            "LANGUAGE": p["language"],
            "OUTPUT_FOLDER": os.path.join(p["tmp"], "charts"),
        }
        if p["highlight"]:
            chart_params["HIGHLIGHT"] = p["highlight"]
        self._child("kaigo:committeecharts", chart_params, context, child_feedback)

    def _step_maps(self, chome_path, context, child_feedback, steps, p):
        """Run kaigo:exportmap on the chōme polygons (MAP_CHOME's when given); the layer mapped, or None."""
        if not p["maps"]:
            return None
        if p["map_chome"] is not None:
            map_source = os.path.join(p["tmp"], "map_chome.gpkg")
            self._blank_areas(p["map_chome"], map_source, context, child_feedback, p)
        elif _is_polygon(chome_path):
            map_source = chome_path
        else:
            steps.pushInfo(
                "町丁字がポイントのため空白地域図は作成しません（地図用のポリゴンは MAP_CHOME で指定できます）。\n"
                "The chōme are points: no blank-area map (give polygons for the maps in MAP_CHOME)."
            )
            return None
        map_params = {
            "INPUT": map_source,
            "RESOURCES": p["resources"],
            "LANGUAGE": p["language"],
            "OUTPUT_FOLDER": os.path.join(p["tmp"], "maps"),
        }
        if p["map_codes"]:
            map_params["MUNI_CODES"] = p["map_codes"]
        self._child("kaigo:exportmap", map_params, context, child_feedback)
        return map_source

    @staticmethod
    def _write_summary(started, rate_params, n_muni, chome_path, steps, p):
        """run_summary.txt and run_summary.json; the footnote in the log."""
        tmp = p["tmp"]
        summary = run_summary.build_summary(
            started=started,
            finished=datetime.datetime.now(),
            plugin_version=_plugin_version(),
            qgis_version=Qgis.QGIS_VERSION,
            chome_sources=[lyr.source() for lyr in p["chome_layers"]],
            age_sources=list(p["ages"]),
            resource_sources=[(lyr.name(), lyr.source(), lyr.featureCount()) for lyr in p["resources"]],
            parameters={
                "RADIUS": p["radius"],
                "CARE3_SHARE": p["care3"],
                "KEY_FIELD": p["key_field"],
                "ELDERLY_FIELD": p["elderly_field"] or None,
                "POPULATION_FIELD": p["pop_field"] or None,
                "AREA_FIELD": rate_params.get("AREA_FIELD"),
                "AREA_TABLE": p["area_table"] or None,
                **threshold_arguments(p["thresholds"]),
                "ROLLUP_WARDS": p["rollup"],
            },
            n_municipalities=n_muni,
            n_chome=QgsVectorLayer(chome_path, "chome", "ogr").featureCount(),
            boundary_years=[
                run_summary.boundary_year_of_fields(lyr.fields().names()) for lyr in p["chome_layers"]
            ],
        )
        with open(os.path.join(tmp, SUMMARY_TXT), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(run_summary.render_text(summary))
        with open(os.path.join(tmp, SUMMARY_JSON), "w", encoding="utf-8", newline="\n") as fh:
            json.dump(summary, fh, ensure_ascii=False, indent=2, sort_keys=True)
        # the footnote in both languages lives in run_summary.txt (it leaves the machine); the log speaks one
        steps.pushInfo(run_summary.footnote(summary, output_language()))

    def _results(self, p, written, n_muni, has_report, has_maps, network_files) -> dict:
        folder = p["folder"]
        results = {
            self.OUTPUT_FOLDER: folder,
            "CHOME_GPKG": os.path.join(folder, CHOME_GPKG),
            "MUNICIPALITIES_GPKG": os.path.join(folder, MUNI_GPKG),
            "MUNICIPALITIES_CSV": os.path.join(folder, MUNI_CSV),
            "MUNICIPALITIES_XLSX": os.path.join(folder, MUNI_XLSX),
            "JOIN_REPORT": os.path.join(folder, REPORT_CSV) if has_report else None,
            "SUMMARY": os.path.join(folder, SUMMARY_TXT),
            "CHARTS_FOLDER": os.path.join(folder, "charts"),
            "MAPS_FOLDER": os.path.join(folder, "maps") if has_maps else None,
            "FILES": "\n".join(written),
            "N_MUNICIPALITIES": n_muni,
        }
        for key, name in network_files.items():
            results[key] = os.path.join(folder, name)
        results.update(decision_steps.results(folder, p))
        return results

    def after_commit(self, results, parameters, context) -> None:
        """From the toolbox the chōme (styled red/blue/grey) and the municipality table are added to the
        map, as any Processing output layer is; qgis_process has no project and ignores this."""
        if context.project() is None:
            return
        from qgis.core import QgsProcessingContext

        lang = output_language()
        for key, name_ja, name_en in (
            ("MUNICIPALITIES_GPKG", "市区町村の充足率", "Municipalities: sufficiency rate"),
            ("CHOME_GPKG", "町丁字: 空白地域", "Chōme: blank areas"),
        ):
            path = results.get(key)
            if not path or not os.path.exists(path):
                continue
            details = QgsProcessingContext.LayerDetails(
                name_ja if lang == "ja" else name_en, context.project(), key
            )
            if key == "CHOME_GPKG":
                details.setPostProcessor(_StatusStyle.create(lang))
            context.addLayerToLoadOnCompletion(path, details)


def _is_polygon(path: str) -> bool:
    from ..compat import geometry_type

    layer = QgsVectorLayer(path, "chome", "ogr")
    return layer.isValid() and geometry_type(layer.wkbType()) == 2


def _read_table(path: str) -> tuple[list[str], list[list]]:
    from ..compat import is_null

    layer = QgsVectorLayer(path, "report", "ogr")
    names = [f.name() for f in layer.fields() if f.name().lower() != "fid"]
    rows = []
    for feat in layer.getFeatures():
        rows.append([None if is_null(feat[n]) else feat[n] for n in names])
    return names, rows


class FinalPathsFeedback(ForwardingFeedback):
    """Forwards everything to ``feedback``; a path inside ``tmp`` is shown as its final place in ``folder``."""

    def __init__(self, feedback, tmp: str, folder: str):
        super().__init__(feedback)
        self._tmp, self._folder = tmp, folder

    def rewrite(self, text, kind: str):
        return text.replace(self._tmp, self._folder) if isinstance(text, str) else text


class _StatusStyle(QgsProcessingLayerPostProcessorInterface):
    """Styles the chōme layer that the toolbox adds to the map (blank red, covered blue, grey)."""

    _alive: list = []  # QGIS holds a plain pointer: keep the Python object alive until it ran

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    @classmethod
    def create(cls, lang: str):
        instance = cls(lang)
        cls._alive = [*cls._alive[-19:], instance]
        return instance

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        from ..styling import apply_status_style

        if layer is not None and layer.isValid() and "status" in layer.fields().names():
            apply_status_style(layer, self.lang)


# intermediate files of the steps: never moved into OUTPUT_FOLDER
INTERMEDIATE_FILES = ("chome_imported.gpkg", "chome_merged.gpkg", "join_report.gpkg", "map_chome.gpkg")
# e-Stat's AREA (m²) of each chōme, the area of a point layer
POINT_AREA_FIELDS = (AREA_M2, "AREA")


def _move_outputs(tmp: str, folder: str) -> list[str]:
    """Move every output of ``tmp`` (not the intermediate files, GeoPackage journals, hidden files) into
    ``folder``, keeping the sub-folders; the paths written, sorted."""
    written = []
    for dirpath, dirnames, filenames in os.walk(tmp):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, tmp)
        for name in sorted(filenames):
            if name in INTERMEDIATE_FILES:
                continue
            if name.endswith(("-wal", "-shm")) or name.startswith("."):
                continue
            rel = os.path.normpath(os.path.join(rel_dir, name))
            target = os.path.join(folder, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(os.path.join(dirpath, name), target)
            written.append(target)
    written.sort()
    return written

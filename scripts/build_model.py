"""Builds kaigo_resource_plugin/models/kaigo_analysis.model3: the graphical model a user would draw in the
Model Designer — importestat → blankareas → sufficiencyrates → committeecharts — so that it can be opened,
changed and run like any model. Run with the QGIS Python: `.venv/bin/python scripts/build_model.py`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qgis_env  # noqa: E402

TARGET = qgis_env.ROOT / "kaigo_resource_plugin" / "models" / "kaigo_analysis.model3"


def build():
    from qgis.core import (
        QgsProcessing,
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterMultipleLayers,
        QgsProcessingParameterNumber,
    )
    from qgis.PyQt.QtCore import QPointF

    model = QgsProcessingModelAlgorithm(
        "analysismodel", "Model: e-Stat → blank areas → rates → charts", "kaigo"
    )
    model.setHelpContent(
        {
            "ALG_DESC": (
                "A graphical model that chains kaigo:importestat, kaigo:blankareas, kaigo:sufficiencyrates and "
                "kaigo:committeecharts the way a user would in the Model Designer. Open it in the Model Designer "
                "to change a step (e.g. add a filter of the resources).\n"
                "e-Stat 境界データと T001082 の結合 → 500m 空白地域の判定 → 市区町村別の充足率 → 検討会資料の図表、"
                "を順に実行するグラフィカルモデルです。モデルデザイナーで開いて手順を変えられます。"
            ),
            "ALG_CREATOR": "kaigo_resource_plugin",
        }
    )
    params = [
        (
            QgsProcessingParameterMultipleLayers(
                "CHOME", "Chōme boundaries / 町丁字境界 (e-Stat)", QgsProcessing.SourceType.TypeVector
            ),
            QPointF(140, 60),
        ),
        (
            QgsProcessingParameterMultipleLayers(
                "AGES", "Census table T001082 / 年齢別人口 (CSV)", QgsProcessing.SourceType.TypeFile
            ),
            QPointF(380, 60),
        ),
        (
            QgsProcessingParameterMultipleLayers(
                "RESOURCES", "Resources / 資源レイヤ", QgsProcessing.SourceType.TypeVectorAnyGeometry
            ),
            QPointF(620, 60),
        ),
        (
            QgsProcessingParameterNumber(
                "RADIUS", "Radius (m) / 半径", QgsProcessingParameterNumber.Type.Double, 500.0, minValue=0.001
            ),
            QPointF(860, 60),
        ),
        (
            QgsProcessingParameterNumber(
                "CARE3_SHARE",
                "Share of 75+ at care level 3+ / 要介護3以上の割合",
                QgsProcessingParameterNumber.Type.Double,
                0.109,
                minValue=0.0,
                maxValue=1.0,
            ),
            QPointF(1100, 60),
        ),
    ]
    for definition, pos in params:
        component = QgsProcessingModelParameter(definition.name())
        component.setPosition(pos)
        model.addModelParameter(definition, component)

    S = QgsProcessingModelChildParameterSource.fromStaticValue

    def child(alg_id, child_id, description, pos, sources, outputs):
        c = QgsProcessingModelChildAlgorithm(alg_id)
        c.setChildId(child_id)
        c.setDescription(description)
        c.setPosition(pos)
        for name, source in sources.items():
            c.addParameterSources(name, [source])
        # what the Model Designer does: every other input keeps the algorithm's default, written out
        from qgis.core import (
            QgsApplication,
            QgsProcessingDestinationParameter,
            QgsProcessingParameterDefinition,
        )

        alg = QgsApplication.processingRegistry().algorithmById(alg_id)
        for definition in alg.parameterDefinitions():
            if definition.name() in sources or isinstance(definition, QgsProcessingDestinationParameter):
                continue
            if definition.flags() & QgsProcessingParameterDefinition.Flag.FlagOptional:
                continue
            c.addParameterSources(definition.name(), [S(definition.defaultValue())])
        model_outputs = {}
        for out_name, (child_output, label) in outputs.items():
            out = QgsProcessingModelOutput(out_name, label)
            out.setChildId(child_id)
            out.setChildOutputName(child_output)
            out.setMandatory(True)
            out.setPosition(QPointF(pos.x() + 300, pos.y()))  # beside its step, never on another box
            model_outputs[out_name] = out
        c.setModelOutputs(model_outputs)
        model.addChildAlgorithm(c)
        return c

    P = QgsProcessingModelChildParameterSource.fromModelParameter
    S = QgsProcessingModelChildParameterSource.fromStaticValue
    C = QgsProcessingModelChildParameterSource.fromChildOutput
    child(
        "kaigo:importestat",
        "import",
        "Import e-Stat / e-Stat の取り込み",
        QPointF(500, 200),
        {"INPUT": P("CHOME"), "AGES": P("AGES"), "CARE3_SHARE": P("CARE3_SHARE"), "KEY_FIELD": S("KEY_CODE")},
        {"join_report": ("REPORT", "Join report / 結合レポート")},
    )
    child(
        "kaigo:blankareas",
        "blank",
        "Blank areas / 空白地域",
        QPointF(500, 320),
        {
            "INPUT": C("import", "OUTPUT"),
            "RESOURCES": P("RESOURCES"),
            "RADIUS": P("RADIUS"),
            "KEY_FIELD": S("KEY_CODE"),
        },
        {"chome": ("OUTPUT", "Chōme with access / 町丁字（アクセス判定）")},
    )
    child(
        "kaigo:sufficiencyrates",
        "rates",
        "Sufficiency rates / 充足率",
        QPointF(500, 440),
        {"INPUT": C("blank", "OUTPUT"), "CARE3_SHARE": P("CARE3_SHARE"), "KEY_FIELD": S("KEY_CODE")},
        {"municipalities": ("OUTPUT", "Municipalities / 市区町村表")},
    )
    child(
        "kaigo:committeecharts",
        "charts",
        "Committee charts / 図表",
        QPointF(500, 560),
        {"INPUT": C("rates", "OUTPUT")},
        {"charts": ("OUTPUT_FOLDER", "Charts / 図表")},
    )
    model.updateDestinationParameters()
    return model


def main() -> int:
    qgis_env.start()
    model = build()
    ok, errors = model.validate() if hasattr(model, "validate") else (True, [])
    if not ok:
        print("model does not validate:", errors)
        return 1
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    if not model.toFile(str(TARGET)):
        print("could not write", TARGET)
        return 1
    print(TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""kaigo:committeecharts — municipality table → scatter, cross-tab and top-N charts and tables (SPEC §2)."""

from __future__ import annotations

import os

from qgis.core import (
    QgsExpression,
    QgsFeatureRequest,
    QgsProcessing,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExpression,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..compat import is_null, parameter_as_fields
from ..core.committee import default_rate_fields
from ..core.contract import AREA_KM2, DENSITY, MUNI_CODE, MUNI_NAME, POP_TOTAL
from ..core.errors import InputError
from ..i18n_loader import output_language, say
from .base import KaigoAlgorithm, check_cancel, threshold_parameters, threshold_values
from .glue import resolve_language


class CommitteeChartsAlgorithm(KaigoAlgorithm):
    NAME = "committeecharts"
    DISPLAY_NAME = "Committee charts (scatter, cross-tab, top N)"

    INPUT = "INPUT"
    RATE_FIELDS = "RATE_FIELDS"
    HIGHLIGHT = "HIGHLIGHT"
    HIGHLIGHT_EXPRESSION = "HIGHLIGHT_EXPRESSION"
    TOP_N = "TOP_N"
    LANGUAGE = "LANGUAGE"
    TITLE = "TITLE"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"

    def canExecute(self):  # noqa: N802
        try:
            import matplotlib  # noqa: F401
            from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
            from matplotlib.figure import Figure  # noqa: F401
        except ImportError:
            return False, self.tr(
                "The Python package matplotlib is not installed: install it (python3-matplotlib, or "
                "matplotlib in the OSGeo4W / QGIS Python) to draw the committee charts."
            )
        return True, ""

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.INPUT,
                self.tr("Municipality table (from Sufficiency rates)"),
                [QgsProcessing.SourceType.TypeVector],
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.RATE_FIELDS,
                self.tr("Rate fields (one scatter chart each; default rate_pct and every rate_pct_<type>)"),
                parentLayerParameterName=self.INPUT,
                allowMultiple=True,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.HIGHLIGHT,
                self.tr("Municipalities to highlight (codes or names, comma separated)"),
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterExpression(
                self.HIGHLIGHT_EXPRESSION,
                self.tr("Municipalities to highlight (expression)"),
                parentLayerParameterName=self.INPUT,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.TOP_N,
                self.tr("Rows of the top-N tables"),
                QgsProcessingParameterNumber.Type.Integer,
                10,
                False,
                1,
            )
        )
        for parameter in threshold_parameters():
            self.addParameter(parameter)
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LANGUAGE,
                self.tr("Language of the charts"),
                [
                    self.tr("Automatic (QGIS language; Japanese unless QGIS runs in English)"),
                    "日本語",
                    "English",
                ],
                defaultValue=0,
            )
        )
        self.addParameter(QgsProcessingParameterString(self.TITLE, self.tr("Title"), optional=True))
        self.addParameter(
            QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, self.tr("Output folder"))
        )
        self.addOutput(QgsProcessingOutputFile("CROSSTAB_PNG", self.tr("Cross-tab (PNG)")))
        self.addOutput(QgsProcessingOutputFile("CROSSTAB_CSV", self.tr("Cross-tab (CSV)")))
        self.addOutput(QgsProcessingOutputFile("CROSSTAB_XLSX", self.tr("Cross-tab (XLSX)")))
        self.addOutput(QgsProcessingOutputFile("TOPN_PNG", self.tr("Top-N tables (PNG)")))
        self.addOutput(QgsProcessingOutputFile("TOPN_CSV", self.tr("Top-N tables (CSV)")))
        self.addOutput(QgsProcessingOutputFile("TOPN_XLSX", self.tr("Top-N tables (XLSX)")))
        self.addOutput(QgsProcessingOutputNumber("N_MUNICIPALITIES", self.tr("Municipalities in the charts")))
        self.addOutput(QgsProcessingOutputNumber("N_EXCLUDED", self.tr("Municipalities without a rate")))
        self.addOutput(QgsProcessingOutputNumber("N_HIGHLIGHTED", self.tr("Highlighted municipalities")))
        self.addOutput(QgsProcessingOutputString("FONT", self.tr("Font used for Japanese text")))

    # ------------------------------------------------------------------ reading

    def _rate_fields(self, parameters, context, names: list[str]) -> list[str]:
        chosen = parameter_as_fields(self, parameters, self.RATE_FIELDS, context)
        if not chosen:
            chosen = default_rate_fields(names)
        missing = [f for f in chosen if f not in names]
        if missing:
            raise InputError(
                ja=f"入力テーブルに充足率の項目 {', '.join(missing)} がありません。"
                "RATE_FIELDS を見直してください。",
                en=f"The input table has no rate field {', '.join(missing)}: check RATE_FIELDS.",
            )
        if not chosen:
            raise InputError(
                ja="入力テーブルに充足率の項目（rate_pct または rate_pct_<種類>）がありません。"
                "「充足率の算出」(kaigo:sufficiencyrates) の出力を指定するか、"
                "RATE_FIELDS で項目を選んでください。",
                en="The input table has no rate field (rate_pct or rate_pct_<type>): give the output of "
                "kaigo:sufficiencyrates or choose the fields in RATE_FIELDS.",
            )
        return chosen

    def _checked_source(self, parameters, context):
        """(source, has a density field), refused with a bilingual message when it is not the municipality table."""
        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise InputError(ja="入力テーブルを開けません。", en="The input table cannot be opened.")
        names = source.fields().names()
        for required in (MUNI_CODE, MUNI_NAME):
            if required not in names:
                raise InputError(
                    ja=f"入力テーブルに項目 {required} がありません。市区町村別の表"
                    "（kaigo:sufficiencyrates の出力）を指定してください。",
                    en=f"The input table has no field {required}: give the municipality table "
                    "produced by kaigo:sufficiencyrates.",
                )
        has_density = DENSITY in names
        if not has_density and not (POP_TOTAL in names and AREA_KM2 in names):
            raise InputError(
                ja="入力テーブルに人口密度（density）も、全人口と面積（pop_total, area_km2）もありません。",
                en="The input table has neither density nor pop_total and area_km2.",
            )
        return source, has_density

    def _expression(self, parameters, context, source):
        """(prepared HIGHLIGHT_EXPRESSION, its context), or (None, None) without one."""
        # parameterAsExpression() silently returns "" for an expression that does not parse
        expr_text = (self.parameterAsString(parameters, self.HIGHLIGHT_EXPRESSION, context) or "").strip()
        if not expr_text:
            return None, None
        expression = QgsExpression(expr_text)
        if expression.hasParserError():
            raise InputError(
                ja=f"HIGHLIGHT_EXPRESSION の式が読めません: {expression.parserErrorString()}",
                en=f"HIGHLIGHT_EXPRESSION cannot be parsed: {expression.parserErrorString()}",
            )
        expr_context = context.expressionContext()
        expr_context.appendScope(source.createExpressionContextScope())
        expression.prepare(expr_context)
        return expression, expr_context

    @staticmethod
    def _read_rows(source, has_density, rate_fields, thresholds, expression, expr_context, feedback):
        """(rows of the table sorted by code and name, codes the expression highlights), read once."""
        from ..core import committee

        idx = {n: i for i, n in enumerate(source.fields().names())}
        rows = []
        expr_codes: set[str] = set()
        total = max(1, source.featureCount())
        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
        for i, feat in enumerate(source.getFeatures(request)):
            if i % 500 == 0:
                check_cancel(feedback)
                feedback.setProgress(20.0 * i / total)
            attrs = [None if is_null(v) else v for v in feat.attributes()]
            row = committee.table_row(
                lambda name, attrs=attrs: attrs[idx[name]] if name in idx else None,
                rate_fields,
                has_density,
                thresholds,
            )
            rows.append(row)
            if expression is not None:
                expr_context.setFeature(feat)
                value = expression.evaluate(expr_context)
                if expression.hasEvalError():
                    raise InputError(
                        ja=f"HIGHLIGHT_EXPRESSION を評価できません: {expression.evalErrorString()}",
                        en=f"HIGHLIGHT_EXPRESSION cannot be evaluated: {expression.evalErrorString()}",
                    )
                if not is_null(value) and bool(value):
                    expr_codes.add(row["code"])
        if not rows:
            raise InputError(ja="入力テーブルに行がありません。", en="The input table has no rows.")
        rows.sort(key=lambda r: (r["code"], r["name"]))
        return rows, expr_codes

    @staticmethod
    def _font(feedback):
        from ..core.fonts import find_cjk_font, font_description

        font = find_cjk_font()
        feedback.pushInfo(
            say("グラフの日本語フォント: ", "chart font: ") + font_description(font, output_language())
        )
        if font is None:
            feedback.pushWarning(
                "日本語フォントが見つかりません。"
                "Noto Sans CJK JP か IPAexGothic をインストールしてください。\n"
                "No Japanese font is installed: install Noto Sans CJK JP or IPAexGothic."
            )
        return font

    def process(self, parameters, context, feedback):
        from ..core import committee

        source, has_density = self._checked_source(parameters, context)
        rate_fields = self._rate_fields(parameters, context, source.fields().names())
        lang = resolve_language(self.parameterAsEnum(parameters, self.LANGUAGE, context))
        top_n = self.parameterAsInt(parameters, self.TOP_N, context)
        thresholds = threshold_values(self, parameters, context)
        title = (self.parameterAsString(parameters, self.TITLE, context) or "").strip()
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        expression, expr_context = self._expression(parameters, context, source)
        rows, expr_codes = self._read_rows(
            source, has_density, rate_fields, thresholds, expression, expr_context, feedback
        )
        tokens = committee.parse_highlight(self.parameterAsString(parameters, self.HIGHLIGHT, context))
        highlight, unknown = committee.match_highlight(committee.municipalities(rows, rate_fields[0]), tokens)
        if unknown:
            feedback.pushWarning(
                say("強調表示する市区町村が見つかりません（HIGHLIGHT）: ", "not found for HIGHLIGHT: ")
                + ", ".join(unknown)
            )
        highlight |= expr_codes
        font = self._font(feedback)
        figures, n_in, n_ex = _scatter_figures(
            rows, rate_fields, highlight, lang, thresholds, title, font, feedback
        )
        valid, _excluded = committee.split_valid(committee.municipalities(rows, rate_fields[0]))
        tables = _tables(valid, rate_fields[0], lang, thresholds, title, top_n, font, figures)
        check_cancel(feedback)
        results = _write(folder, figures, tables, lang, top_n, font, feedback)
        results.update({"N_MUNICIPALITIES": n_in, "N_EXCLUDED": n_ex, "N_HIGHLIGHTED": len(highlight)})
        feedback.setProgress(100)
        return results


def _scatter_figures(rows, rate_fields, highlight, lang, thresholds, title, font, feedback):
    """([(base name, scatter figure)] one per rate field, municipalities drawn and left out of the first)."""
    from ..core import charts, committee

    figures = []  # (base name, figure)
    n_in = n_ex = 0
    for k, field in enumerate(rate_fields):
        check_cancel(feedback)
        valid, excluded = committee.split_valid(committee.municipalities(rows, field))
        no_density = [m for m in valid if m.density is None or m.density <= 0]
        drawn = len(valid) - len(no_density)
        if excluded:
            shown = ", ".join(f"{m.name}({m.code})" for m in excluded[:20])
            more = "" if len(excluded) <= 20 else f" … (+{len(excluded) - 20})"
            feedback.pushInfo(
                say(
                    f"{field}: 充足率または地域分類のない {len(excluded)} 市区町村を除外: {shown}{more}",
                    f"{field}: {len(excluded)} municipalities without a rate or class left out: {shown}{more}",
                )
            )
        if k == 0:
            n_in, n_ex = len(valid), len(excluded)
        scatter_title, note = committee.scatter_texts(
            field, lang, title, drawn, len(excluded), bool(highlight)
        )
        fig = charts.scatter_figure(valid, highlight, lang, thresholds, scatter_title, None, note, font=font)
        figures.append((f"scatter_{field}", fig))
        feedback.setProgress(20 + 40.0 * (k + 1) / len(rate_fields))
    return figures, n_in, n_ex


def _tables(valid, primary, lang, thresholds, title, top_n, font, figures) -> dict:
    """The cross-tab and top-N figures (appended to ``figures``) and tables of the primary rate field."""
    from ..core import charts, committee

    pname = committee.rate_name(primary, lang)
    ct = committee.crosstab(valid)
    per_class = committee.top_n(valid, top_n)
    ct_title, tn_title = committee.table_titles(primary, lang, title)
    figures.append(("crosstab", charts.crosstab_figure(ct, lang, thresholds, ct_title, pname, font=font)))
    figures.append(
        ("topn", charts.topn_figure(per_class, top_n, lang, thresholds, tn_title, pname, font=font))
    )
    return {
        "crosstab": committee.crosstab_table(ct, lang, thresholds),
        "crosstab_text": committee.crosstab_text_table(ct, lang, thresholds),
        "topn": committee.topn_table(per_class, lang),
        # CSV: ASCII field names, as in municipalities.csv (scripts rely on them); XLSX: headings for people
        "topn_csv_header": committee.topn_table(per_class, "en")[0],
    }


def _write(folder, figures, tables, lang, top_n, font, feedback) -> dict:
    """Every figure (PNG, SVG, PDF) and table (CSV, XLSX) into ``folder``; the algorithm's outputs."""
    from ..core import charts
    from ..core.tables import AREA_FORMAT, COUNT_FORMAT, DECIMAL_FORMAT, RATE_FORMAT, write_csv, write_xlsx

    os.makedirs(folder, exist_ok=True)
    results = {"OUTPUT_FOLDER": folder}
    files = []
    for j, (base, fig) in enumerate(figures):
        check_cancel(feedback)
        written = charts.save_figure(fig, os.path.join(folder, base), font=font)
        files += [written[f] for f in ("png", "svg", "pdf")]
        results[f"{base.upper()}_PNG"] = written["png"]
        feedback.setProgress(60 + 35.0 * (j + 1) / len(figures))
    p = os.path.join
    ct_header, ct_rows = tables["crosstab"]
    ct_text_header, ct_text_rows = tables["crosstab_text"]
    tn_header, tn_rows = tables["topn"]
    write_csv(p(folder, "crosstab.csv"), ct_header, ct_rows)
    sheet1 = "Cross-tab" if lang == "en" else "クロス集計"
    sheet2 = "As shown" if lang == "en" else "表示用"
    write_xlsx(
        p(folder, "crosstab.xlsx"),
        [(sheet1, ct_header, ct_rows), (sheet2, ct_text_header, ct_text_rows)],
        widths=[[16] + [14] * (len(ct_header) - 1), [24] + [22] * (len(ct_text_header) - 1)],
        formats=[[None] + [COUNT_FORMAT, RATE_FORMAT] * ((len(ct_header) - 1) // 2), None],
    )
    write_csv(p(folder, "topn.csv"), tables["topn_csv_header"], tn_rows)
    write_xlsx(
        p(folder, "topn.xlsx"),
        [("Top N" if lang == "en" else f"上位{top_n}", tn_header, tn_rows)],
        widths=[[10, 14, 6, 10, 12, 24, 12, 12, 12, 14]],
        formats=[
            [None, None, None, None, None, None, RATE_FORMAT, COUNT_FORMAT, AREA_FORMAT, DECIMAL_FORMAT]
        ],
    )
    for name in ("crosstab.csv", "crosstab.xlsx", "topn.csv", "topn.xlsx"):
        files.append(p(folder, name))
    results.update(
        {
            "CROSSTAB_CSV": p(folder, "crosstab.csv"),
            "CROSSTAB_XLSX": p(folder, "crosstab.xlsx"),
            "TOPN_CSV": p(folder, "topn.csv"),
            "TOPN_XLSX": p(folder, "topn.xlsx"),
            "FONT": font.family if font is not None else "",
            "FILES": files,
        }
    )
    return results

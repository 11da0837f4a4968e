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
from ..core.contract import to_float
from ..core.errors import InputError
from ..i18n_loader import output_language, say
from .base import KaigoAlgorithm, check_cancel, threshold_parameters, threshold_values
from .glue import resolve_language

BASE_RATE_FIELD = "rate_pct"
TYPE_PREFIX = "rate_pct_"


def _to_float(value) -> float | None:
    """A cell of the municipality table as a number ("1,234" and "12.5%" too); None when empty."""
    return to_float(value, None, lenient_text=True)


def _to_code(value) -> str:
    if is_null(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text.zfill(5) if text.isdigit() and len(text) < 5 else text


def _to_text(value) -> str:
    return "" if is_null(value) else str(value).strip()


def rate_kind(field: str) -> str | None:
    """Resource type of a rate field (rate_pct_convenience → convenience); None for rate_pct."""
    if field.startswith(TYPE_PREFIX):
        return field[len(TYPE_PREFIX) :]
    return None if field == BASE_RATE_FIELD else field


def rate_name(field: str, lang: str) -> str:
    """Name of a rate field in titles: 充足率 / 充足率（convenience）."""
    base = "Sufficiency rate" if lang == "en" else "充足率"
    if field.startswith(TYPE_PREFIX):
        kind = field[len(TYPE_PREFIX) :]
        return f"{base} ({kind})" if lang == "en" else f"{base}（{kind}）"
    if field == BASE_RATE_FIELD:
        return base
    return f"{base} ({field})" if lang == "en" else f"{base}（{field}）"


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
            chosen = [n for n in names if n == BASE_RATE_FIELD]
            chosen += sorted(n for n in names if n.startswith(TYPE_PREFIX))
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

    def process(self, parameters, context, feedback):
        from ..core import charts, committee
        from ..core.classes import CLASS_NUMBERS, density_class
        from ..core.fonts import find_cjk_font, font_description
        from ..core.tables import (
            AREA_FORMAT,
            COUNT_FORMAT,
            DECIMAL_FORMAT,
            RATE_FORMAT,
            write_csv,
            write_xlsx,
        )

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise InputError(ja="入力テーブルを開けません。", en="The input table cannot be opened.")
        names = source.fields().names()
        for required in ("muni_code", "muni_name"):
            if required not in names:
                raise InputError(
                    ja=f"入力テーブルに項目 {required} がありません。市区町村別の表"
                    "（kaigo:sufficiencyrates の出力）を指定してください。",
                    en=f"The input table has no field {required}: give the municipality table "
                    "produced by kaigo:sufficiencyrates.",
                )
        has_density = "density" in names
        if not has_density and not ("pop_total" in names and "area_km2" in names):
            raise InputError(
                ja="入力テーブルに人口密度（density）も、全人口と面積（pop_total, area_km2）もありません。",
                en="The input table has neither density nor pop_total and area_km2.",
            )
        rate_fields = self._rate_fields(parameters, context, names)
        lang = resolve_language(self.parameterAsEnum(parameters, self.LANGUAGE, context))
        top_n = self.parameterAsInt(parameters, self.TOP_N, context)
        thresholds = threshold_values(self, parameters, context)
        title = (self.parameterAsString(parameters, self.TITLE, context) or "").strip()
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        highlight_text = self.parameterAsString(parameters, self.HIGHLIGHT, context)
        # parameterAsExpression() silently returns "" for an expression that does not parse
        expr_text = (self.parameterAsString(parameters, self.HIGHLIGHT_EXPRESSION, context) or "").strip()

        expression = None
        expr_context = None
        if expr_text:
            expression = QgsExpression(expr_text)
            if expression.hasParserError():
                raise InputError(
                    ja=f"HIGHLIGHT_EXPRESSION の式が読めません: {expression.parserErrorString()}",
                    en=f"HIGHLIGHT_EXPRESSION cannot be parsed: {expression.parserErrorString()}",
                )
            expr_context = context.expressionContext()
            expr_context.appendScope(source.createExpressionContextScope())
            expression.prepare(expr_context)

        # --- read the table once
        idx = {n: i for i, n in enumerate(names)}
        rows = []
        expr_codes: set[str] = set()
        total = max(1, source.featureCount())
        request = QgsFeatureRequest().setFlags(QgsFeatureRequest.Flag.NoGeometry)
        for i, feat in enumerate(source.getFeatures(request)):
            if i % 500 == 0:
                check_cancel(feedback)
                feedback.setProgress(20.0 * i / total)
            attrs = feat.attributes()

            def get(name, attrs=attrs):
                return attrs[idx[name]] if name in idx else None

            code = _to_code(get("muni_code"))
            density = _to_float(get("density")) if has_density else None
            if density is None:
                pop, area = _to_float(get("pop_total")), _to_float(get("area_km2"))
                density = pop / area if pop is not None and area else None
            given = _to_float(get("density_class"))
            cls = int(given) if given is not None and given in CLASS_NUMBERS else None
            if cls is None:
                cls = density_class(density, thresholds) if density is not None else None
            rows.append(
                {
                    "code": code,
                    "pref": _to_text(get("pref_name")),
                    "name": _to_text(get("muni_name")),
                    "pop": _to_float(get("pop_total")),
                    "area": _to_float(get("area_km2")),
                    "density": density,
                    "cls": cls,
                    "rates": {f: _to_float(get(f)) for f in rate_fields},
                }
            )
            if expression is not None:
                expr_context.setFeature(feat)
                value = expression.evaluate(expr_context)
                if expression.hasEvalError():
                    raise InputError(
                        ja=f"HIGHLIGHT_EXPRESSION を評価できません: {expression.evalErrorString()}",
                        en=f"HIGHLIGHT_EXPRESSION cannot be evaluated: {expression.evalErrorString()}",
                    )
                if not is_null(value) and bool(value):
                    expr_codes.add(code)
        if not rows:
            raise InputError(ja="入力テーブルに行がありません。", en="The input table has no rows.")
        rows.sort(key=lambda r: (r["code"], r["name"]))

        def munis_for(field: str) -> list:
            return [
                committee.Municipality(
                    r["code"],
                    r["pref"],
                    r["name"],
                    r["pop"],
                    r["area"],
                    r["density"],
                    r["cls"],
                    r["rates"][field],
                )
                for r in rows
            ]

        all_munis = munis_for(rate_fields[0])
        tokens = committee.parse_highlight(highlight_text)
        highlight, unknown = committee.match_highlight(all_munis, tokens)
        if unknown:
            feedback.pushWarning(
                say("強調表示する市区町村が見つかりません（HIGHLIGHT）: ", "not found for HIGHLIGHT: ")
                + ", ".join(unknown)
            )
        highlight |= expr_codes

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

        # --- build every figure and table first, then write
        figures = []  # (base name, figure)
        n_in = n_ex = 0
        for k, field in enumerate(rate_fields):
            check_cancel(feedback)
            munis = munis_for(field)
            valid, excluded = committee.split_valid(munis)
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
            name = rate_name(field, lang)
            kind = rate_kind(field)
            if lang == "en":
                default_title = "Sufficiency rate and population density" + (f" ({kind})" if kind else "")
                note = f"{drawn:,} municipalit{'y' if drawn == 1 else 'ies'}"
                if excluded:
                    note += f" ({len(excluded):,} without a rate or density class left out)"
                if highlight:
                    note += ". Red: chosen municipalities."
            else:
                default_title = "地域資源充足率と人口密度の関係" + (f"（{kind}）" if kind else "")
                note = f"市区町村数 {drawn:,}"
                if excluded:
                    note += f"（充足率または地域分類のない {len(excluded):,} 市区町村を除く）"
                if highlight:
                    note += "　●赤丸：指定した市区町村"
            scatter_title = default_title
            if title:
                scatter_title = (
                    title if not kind else (f"{title} ({kind})" if lang == "en" else f"{title}（{kind}）")
                )
            fig = charts.scatter_figure(
                valid, highlight, lang, thresholds, scatter_title, None, note, font=font
            )
            figures.append((f"scatter_{field}", fig))
            feedback.setProgress(20 + 40.0 * (k + 1) / len(rate_fields))

        primary = rate_fields[0]
        pname = rate_name(primary, lang)
        valid, _excluded = committee.split_valid(munis_for(primary))
        ct = committee.crosstab(valid)
        per_class = committee.top_n(valid, top_n)
        pname_mid = pname[0].lower() + pname[1:] if lang == "en" else pname  # mid-sentence in English
        ct_title = title or (
            f"Distribution by density class and {pname_mid} band (number of municipalities)"
            if lang == "en"
            else "地域資源充足率を加味した地域分布"
            + (f"（{rate_kind(primary)}）" if rate_kind(primary) else "")
        )
        tn_title = title or (
            f"Municipalities with the highest {pname_mid} per density class"
            if lang == "en"
            else f"人口密度カテゴリ別 {pname}の高い市区町村"
        )
        figures.append(("crosstab", charts.crosstab_figure(ct, lang, thresholds, ct_title, pname, font=font)))
        figures.append(
            ("topn", charts.topn_figure(per_class, top_n, lang, thresholds, tn_title, pname, font=font))
        )
        ct_header, ct_rows = committee.crosstab_table(ct, lang, thresholds)
        ct_text_header, ct_text_rows = committee.crosstab_text_table(ct, lang, thresholds)
        tn_header, tn_rows = committee.topn_table(per_class, lang)
        check_cancel(feedback)

        # --- write
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
        write_csv(p(folder, "crosstab.csv"), ct_header, ct_rows)
        sheet1 = "Cross-tab" if lang == "en" else "クロス集計"
        sheet2 = "As shown" if lang == "en" else "表示用"
        write_xlsx(
            p(folder, "crosstab.xlsx"),
            [(sheet1, ct_header, ct_rows), (sheet2, ct_text_header, ct_text_rows)],
            widths=[[16] + [14] * (len(ct_header) - 1), [24] + [22] * (len(ct_text_header) - 1)],
            formats=[[None] + [COUNT_FORMAT, RATE_FORMAT] * ((len(ct_header) - 1) // 2), None],
        )
        # CSV: ASCII field names, as in municipalities.csv (scripts rely on them); XLSX: headings for people
        write_csv(p(folder, "topn.csv"), committee.topn_table(per_class, "en")[0], tn_rows)
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
                "N_MUNICIPALITIES": n_in,
                "N_EXCLUDED": n_ex,
                "N_HIGHLIGHTED": len(highlight),
                "FONT": font.family if font is not None else "",
                "FILES": files,
            }
        )
        feedback.setProgress(100)
        return results

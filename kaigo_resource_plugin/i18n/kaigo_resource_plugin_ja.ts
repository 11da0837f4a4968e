<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>CommitteeChartsAlgorithm</name>
    <message>
        <source>Automatic (QGIS language; Japanese unless QGIS runs in English)</source>
        <translation>自動（QGIS の言語。英語で動かしている場合を除き日本語）</translation>
    </message>
    <message>
        <source>Committee charts (scatter, cross-tab, top N)</source>
        <translation>検討会用の図表（散布図・クロス集計・上位表）</translation>
    </message>
    <message>
        <source>Cross-tab (CSV)</source>
        <translation>クロス集計（CSV）</translation>
    </message>
    <message>
        <source>Cross-tab (PNG)</source>
        <translation>クロス集計（PNG）</translation>
    </message>
    <message>
        <source>Cross-tab (XLSX)</source>
        <translation>クロス集計（XLSX）</translation>
    </message>
    <message>
        <source>Density threshold between classes 1 and 2 (people/km²)</source>
        <translation>人口密度しきい値 中山間地域／一般都市（人/km²）</translation>
    </message>
    <message>
        <source>Density threshold between classes 2 and 3 (people/km²)</source>
        <translation>人口密度しきい値 一般都市／大都市（人/km²）</translation>
    </message>
    <message>
        <source>Font used for Japanese text</source>
        <translation>日本語に使ったフォント</translation>
    </message>
    <message>
        <source>Highlighted municipalities</source>
        <translation>強調表示した市区町村の数</translation>
    </message>
    <message>
        <source>Language of the charts</source>
        <translation>図表の言語</translation>
    </message>
    <message>
        <source>Municipalities in the charts</source>
        <translation>図表に含めた市区町村の数</translation>
    </message>
    <message>
        <source>Municipalities to highlight (codes or names, comma separated)</source>
        <translation>強調表示する市区町村（コードまたは名称、カンマ区切り）</translation>
    </message>
    <message>
        <source>Municipalities to highlight (expression)</source>
        <translation>強調表示する市区町村（式）</translation>
    </message>
    <message>
        <source>Municipalities without a rate</source>
        <translation>充足率のない市区町村の数</translation>
    </message>
    <message>
        <source>Municipality table (from Sufficiency rates)</source>
        <translation>市区町村別の表（充足率の算出の出力）</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>出力フォルダ</translation>
    </message>
    <message>
        <source>Rate fields (one scatter chart each; default rate_pct and every rate_pct_&lt;type&gt;)</source>
        <translation>充足率のフィールド（1つごとに散布図。既定：rate_pct と各 rate_pct_&lt;種類&gt;）</translation>
    </message>
    <message>
        <source>Rows of the top-N tables</source>
        <translation>上位表の行数</translation>
    </message>
    <message>
        <source>The Python package matplotlib is not installed: install it (python3-matplotlib, or matplotlib in the OSGeo4W / QGIS Python) to draw the committee charts.</source>
        <translation>Python パッケージ matplotlib がインストールされていません。図表を描くには matplotlib（python3-matplotlib、または OSGeo4W／QGIS の Python の matplotlib）をインストールしてください。</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>タイトル</translation>
    </message>
    <message>
        <source>Top-N tables (CSV)</source>
        <translation>上位表（CSV）</translation>
    </message>
    <message>
        <source>Top-N tables (PNG)</source>
        <translation>上位表（PNG）</translation>
    </message>
    <message>
        <source>Top-N tables (XLSX)</source>
        <translation>上位表（XLSX）</translation>
    </message>
</context>
<context>
    <name>ExportMapAlgorithm</name>
    <message>
        <source>Also write SVG</source>
        <translation>SVG も書き出す</translation>
    </message>
    <message>
        <source>Automatic (QGIS language; Japanese unless QGIS runs in English)</source>
        <translation>自動（QGIS の言語。英語で動かしている場合を除き日本語）</translation>
    </message>
    <message>
        <source>Chōme with status (from Blank areas)</source>
        <translation>判定済みの町丁字（空白地域の判定の出力）</translation>
    </message>
    <message>
        <source>Data sources (default: e-Stat and OpenStreetMap)</source>
        <translation>出典（既定：e-Stat と OpenStreetMap）</translation>
    </message>
    <message>
        <source>Export blank-area maps (print layout)</source>
        <translation>空白地域図の書き出し（印刷レイアウト）</translation>
    </message>
    <message>
        <source>Language of the map</source>
        <translation>地図の言語</translation>
    </message>
    <message>
        <source>Maps written</source>
        <translation>書き出した地図の数</translation>
    </message>
    <message>
        <source>Municipality codes (comma separated; default: every municipality of the input)</source>
        <translation>市区町村コード（カンマ区切り。既定：入力のすべての市区町村）</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>出力フォルダ</translation>
    </message>
    <message>
        <source>Radius shown in the legend (m)</source>
        <translation>凡例に示す半径（m）</translation>
    </message>
    <message>
        <source>Resources (blue pins)</source>
        <translation>地域資源（青いピン）</translation>
    </message>
    <message>
        <source>Status field (blank / covered / no_population)</source>
        <translation>判定結果のフィールド（blank / covered / no_population）</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>タイトル</translation>
    </message>
</context>
<context>
    <name>FullAnalysisAlgorithm</name>
    <message>
        <source>Area field (default: area on the ellipsoid)</source>
        <translation>面積フィールド（既定：楕円体面積を計算）</translation>
    </message>
    <message>
        <source>Automatic (QGIS language)</source>
        <translation>自動（QGIS の言語）</translation>
    </message>
    <message>
        <source>Census table T001082 (CSV, optional)</source>
        <translation>国勢調査 小地域集計 T001082（CSV、任意）</translation>
    </message>
    <message>
        <source>Charts folder</source>
        <translation>図表フォルダ</translation>
    </message>
    <message>
        <source>Chōme boundaries or chōme table with X_CODE/Y_CODE (e-Stat)</source>
        <translation>町丁字境界、または X_CODE/Y_CODE を持つ町丁字の表（e-Stat）</translation>
    </message>
    <message>
        <source>Chōme key field</source>
        <translation>町丁字キーのフィールド</translation>
    </message>
    <message>
        <source>Chōme polygons for the maps (when the chōme input is points)</source>
        <translation>地図用の町丁字ポリゴン（町丁字がポイントの場合）</translation>
    </message>
    <message>
        <source>Chōme with access (GeoPackage)</source>
        <translation>アクセス判定済みの町丁字（GeoPackage）</translation>
    </message>
    <message>
        <source>Density threshold 一般都市 / 大都市 (people/km²)</source>
        <translation>人口密度しきい値 一般都市／大都市（人/km²）</translation>
    </message>
    <message>
        <source>Density threshold 中山間地域 / 一般都市 (people/km²)</source>
        <translation>人口密度しきい値 中山間地域／一般都市（人/km²）</translation>
    </message>
    <message>
        <source>Elderly field when no age table is given (e.g. JINKO)</source>
        <translation>年齢別人口の表がない場合の高齢者数フィールド（例：JINKO）</translation>
    </message>
    <message>
        <source>Every file written (one per line)</source>
        <translation>書き出したファイル（1行に1つ）</translation>
    </message>
    <message>
        <source>Export blank-area maps</source>
        <translation>空白地域図を出力</translation>
    </message>
    <message>
        <source>Full analysis (boundaries + ages + resources → every output)</source>
        <translation>一括分析（境界＋年齢別人口＋資源 → 全出力）</translation>
    </message>
    <message>
        <source>Join report (CSV)</source>
        <translation>結合レポート（CSV）</translation>
    </message>
    <message>
        <source>Language of charts and tables</source>
        <translation>図表の言語</translation>
    </message>
    <message>
        <source>Maps folder</source>
        <translation>地図フォルダ</translation>
    </message>
    <message>
        <source>Municipalities</source>
        <translation>市区町村数</translation>
    </message>
    <message>
        <source>Municipalities to highlight (codes or names, comma-separated)</source>
        <translation>強調表示する市区町村（コードまたは名称、カンマ区切り）</translation>
    </message>
    <message>
        <source>Municipality codes to map (default: all)</source>
        <translation>地図を作る市区町村コード（既定：すべて）</translation>
    </message>
    <message>
        <source>Municipality table (CSV)</source>
        <translation>市区町村表（CSV）</translation>
    </message>
    <message>
        <source>Municipality table (GeoPackage)</source>
        <translation>市区町村表（GeoPackage）</translation>
    </message>
    <message>
        <source>Municipality table (XLSX)</source>
        <translation>市区町村表（XLSX）</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>出力フォルダ</translation>
    </message>
    <message>
        <source>Population field (default pop_total, else JINKO)</source>
        <translation>人口フィールド（既定 pop_total、なければ JINKO）</translation>
    </message>
    <message>
        <source>Radius (m)</source>
        <translation>半径（m）</translation>
    </message>
    <message>
        <source>Resource layers (one type each)</source>
        <translation>資源レイヤ（レイヤごとに1種類）</translation>
    </message>
    <message>
        <source>Roll designated-city wards up to the city</source>
        <translation>政令指定都市の区を市に集約</translation>
    </message>
    <message>
        <source>Rows in the top-N tables</source>
        <translation>上位表の行数</translation>
    </message>
    <message>
        <source>Run summary</source>
        <translation>実行記録</translation>
    </message>
    <message>
        <source>Share of 75+ certified at care level 3 or above</source>
        <translation>75歳以上のうち要介護3以上の割合</translation>
    </message>
</context>
<context>
    <name>KaigoAlgorithm</name>
    <message>
        <source>Analysis</source>
        <translation>分析</translation>
    </message>
    <message>
        <source>Charts and maps</source>
        <translation>図表・地図</translation>
    </message>
    <message>
        <source>E-Stat data</source>
        <translation>e-Statデータ</translation>
    </message>
</context>
<context>
    <name>KaigoProvider</name>
    <message>
        <source>Kaigo resources (地域資源充足率)</source>
        <translation>介護・生活資源（地域資源充足率）</translation>
    </message>
</context>
</TS>

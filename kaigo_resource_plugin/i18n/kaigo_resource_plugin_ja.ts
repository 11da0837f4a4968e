<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>BlankAreasAlgorithm</name>
    <message>
        <source>Blank areas</source>
        <translation>空白地域</translation>
    </message>
    <message>
        <source>Blank areas (resources within a radius)</source>
        <translation>空白地域（半径内の地域資源）</translation>
    </message>
    <message>
        <source>Category field of the resource layers (splits them into types)</source>
        <translation>資源レイヤの種別フィールド（値ごとに別の種類として扱う）</translation>
    </message>
    <message>
        <source>Centroid</source>
        <translation>重心</translation>
    </message>
    <message>
        <source>Chōme key field</source>
        <translation>町丁字のキーフィールド</translation>
    </message>
    <message>
        <source>Chōme layer (polygons, points, or a table with X_CODE/Y_CODE)</source>
        <translation>町丁字レイヤ（ポリゴン、点、または X_CODE/Y_CODE を持つ表）</translation>
    </message>
    <message>
        <source>Point on surface</source>
        <translation>ポリゴン内の点（point on surface）</translation>
    </message>
    <message>
        <source>Population field (default pop_total, else JINKO)</source>
        <translation>人口フィールド（既定：pop_total、なければ JINKO）</translation>
    </message>
    <message>
        <source>Radius (metres, on the ellipsoid)</source>
        <translation>半径（メートル、楕円体上の距離）</translation>
    </message>
    <message>
        <source>Representative point</source>
        <translation>代表地点の求め方</translation>
    </message>
    <message>
        <source>Resource layers (one resource type per layer)</source>
        <translation>地域資源レイヤ（レイヤごとに 1 種類）</translation>
    </message>
    <message>
        <source>Type names for the field suffixes (comma-separated, optional)</source>
        <translation>フィールド名の接尾辞にする種類名（カンマ区切り、任意）</translation>
    </message>
    <message>
        <source>e-Stat X_CODE/Y_CODE (point on surface where missing)</source>
        <translation>e-Stat の X_CODE/Y_CODE（ない場合はポリゴン内の点）</translation>
    </message>
</context>
<context>
    <name>DensityClassesAlgorithm</name>
    <message>
        <source>Area field (default: area of the polygons on the ellipsoid)</source>
        <translation>面積フィールド（既定：ポリゴンの楕円体面積を計算）</translation>
    </message>
    <message>
        <source>Density classes of municipalities</source>
        <translation>市区町村の地域分類（人口密度）</translation>
    </message>
    <message>
        <source>Density threshold general / large city (people/km²)</source>
        <translation>人口密度のしきい値：一般都市／大都市（人/km²）</translation>
    </message>
    <message>
        <source>Density threshold rural / general city (people/km²)</source>
        <translation>人口密度のしきい値：中山間地域／一般都市（人/km²）</translation>
    </message>
    <message>
        <source>Municipalities with density class</source>
        <translation>地域分類付きの市区町村</translation>
    </message>
    <message>
        <source>Municipality layer or table with population</source>
        <translation>人口を持つ市区町村レイヤーまたは表</translation>
    </message>
    <message>
        <source>Total population field (default: pop_total, else JINKO)</source>
        <translation>全人口のフィールド（既定：pop_total、なければ JINKO）</translation>
    </message>
    <message>
        <source>Unit of the area field</source>
        <translation>面積フィールドの単位</translation>
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
        <source>Official areas: CSV of municipality code → km² (面積調, optional)</source>
        <translation>公式面積：市区町村コード→km² の CSV（面積調、任意）</translation>
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
    <name>ImportEstatAlgorithm</name>
    <message>
        <source>Boundary keys missing from the table</source>
        <translation>表にない境界のキー</translation>
    </message>
    <message>
        <source>Care-level-3+ share per municipality (CSV: code,share)</source>
        <translation>市区町村ごとの要介護3以上の割合（CSV：コード,割合）</translation>
    </message>
    <message>
        <source>Chōme with population</source>
        <translation>人口付きの町丁字</translation>
    </message>
    <message>
        <source>Field of the boundaries with a per-chōme share</source>
        <translation>町丁字ごとの割合を持つ境界データのフィールド</translation>
    </message>
    <message>
        <source>Import e-Stat boundaries and age table (T001082)</source>
        <translation>e-Stat 境界データと年齢別人口（T001082）の取り込み</translation>
    </message>
    <message>
        <source>Join report</source>
        <translation>結合レポート</translation>
    </message>
    <message>
        <source>Joining on KEY_CODE…</source>
        <translation>KEY_CODE で結合しています…</translation>
    </message>
    <message>
        <source>Key field of the boundaries</source>
        <translation>境界データのキーのフィールド</translation>
    </message>
    <message>
        <source>Keys matched</source>
        <translation>一致したキー</translation>
    </message>
    <message>
        <source>Keys matched at level 3</source>
        <translation>レベル 3（町の合計）で一致したキー</translation>
    </message>
    <message>
        <source>Merging parts per key…</source>
        <translation>キーごとに図形をまとめています…</translation>
    </message>
    <message>
        <source>Reading boundaries: {}</source>
        <translation>境界データを読んでいます：{}</translation>
    </message>
    <message>
        <source>Reading the T001082 tables…</source>
        <translation>T001082 の表を読んでいます…</translation>
    </message>
    <message>
        <source>Roll designated-city wards up to the city</source>
        <translation>政令指定都市の区を市にまとめる</translation>
    </message>
    <message>
        <source>Share of people 75+ at care level 3 or above (constant)</source>
        <translation>75歳以上のうち要介護3以上の割合（定数）</translation>
    </message>
    <message>
        <source>T001082 age tables (CSV, one or more)</source>
        <translation>年齢別人口 T001082（CSV、1 つ以上）</translation>
    </message>
    <message>
        <source>Table rows without boundary</source>
        <translation>境界のない表の行</translation>
    </message>
    <message>
        <source>e-Stat boundary files (境界データ, polygons or a table with X_CODE/Y_CODE)</source>
        <translation>e-Stat 境界データ（面、または X_CODE/Y_CODE を持つ表）</translation>
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
    <message>
        <source>Outputs</source>
        <translation>出力（図表・地図）</translation>
    </message>
    <message>
        <source>Preparation</source>
        <translation>データの準備</translation>
    </message>
</context>
<context>
    <name>KaigoProvider</name>
    <message>
        <source>Kaigo resources (地域資源充足率)</source>
        <translation>介護・生活資源（地域資源充足率）</translation>
    </message>
</context>
<context>
    <name>RepresentativePointsAlgorithm</name>
    <message>
        <source>Centroid</source>
        <translation>重心</translation>
    </message>
    <message>
        <source>Chōme key field</source>
        <translation>町丁字のキーフィールド</translation>
    </message>
    <message>
        <source>Chōme layer (polygons, points, or a table with X_CODE/Y_CODE)</source>
        <translation>町丁字レイヤ（ポリゴン、点、または X_CODE/Y_CODE を持つ表）</translation>
    </message>
    <message>
        <source>Point on surface</source>
        <translation>ポリゴン内の点（point on surface）</translation>
    </message>
    <message>
        <source>Representative point</source>
        <translation>代表地点の求め方</translation>
    </message>
    <message>
        <source>Representative points</source>
        <translation>代表地点</translation>
    </message>
    <message>
        <source>Representative points of chōme</source>
        <translation>町丁字の代表地点</translation>
    </message>
    <message>
        <source>e-Stat X_CODE/Y_CODE (point on surface where missing)</source>
        <translation>e-Stat の X_CODE/Y_CODE（ない場合はポリゴン内の点）</translation>
    </message>
</context>
<context>
    <name>SufficiencyRatesAlgorithm</name>
    <message>
        <source>Area field per chōme (default: area on the ellipsoid)</source>
        <translation>町丁字別の面積フィールド（既定：楕円体面積を計算）</translation>
    </message>
    <message>
        <source>Care-level-3+ share field per chōme</source>
        <translation>町丁字別の要介護3以上の割合のフィールド</translation>
    </message>
    <message>
        <source>Care-level-3+ share per municipality (CSV: code, share)</source>
        <translation>市区町村別の要介護3以上の割合（CSV：コード, 割合）</translation>
    </message>
    <message>
        <source>Chōme key field</source>
        <translation>町丁字キーのフィールド</translation>
    </message>
    <message>
        <source>Chōme layer with access and elderly fields</source>
        <translation>アクセス・高齢者数の属性を持つ町丁字レイヤー</translation>
    </message>
    <message>
        <source>Density threshold general / large city (people/km²)</source>
        <translation>人口密度のしきい値：一般都市／大都市（人/km²）</translation>
    </message>
    <message>
        <source>Density threshold rural / general city (people/km²)</source>
        <translation>人口密度のしきい値：中山間地域／一般都市（人/km²）</translation>
    </message>
    <message>
        <source>Elderly field (default: at_home_75plus, else pop_75plus)</source>
        <translation>高齢者数のフィールド（既定：at_home_75plus、なければ pop_75plus）</translation>
    </message>
    <message>
        <source>Municipality code field (default: first 5 digits of the key)</source>
        <translation>市区町村コードのフィールド（既定：キーの先頭5桁）</translation>
    </message>
    <message>
        <source>Municipality table</source>
        <translation>市区町村別集計表</translation>
    </message>
    <message>
        <source>Municipality table as CSV (UTF-8 with BOM)</source>
        <translation>市区町村別集計表（CSV、BOM付きUTF-8）</translation>
    </message>
    <message>
        <source>Municipality table as Excel workbook</source>
        <translation>市区町村別集計表（Excel ブック）</translation>
    </message>
    <message>
        <source>Official area per municipality (CSV: code, km²)</source>
        <translation>市区町村別の公式面積（CSV：コード, km²）</translation>
    </message>
    <message>
        <source>Roll designated-city wards up to the city</source>
        <translation>政令指定都市の区を市に集約する</translation>
    </message>
    <message>
        <source>Share of 75+ certified at care level 3 or above</source>
        <translation>75歳以上に占める要介護3以上の割合</translation>
    </message>
    <message>
        <source>Sufficiency rates by municipality</source>
        <translation>市区町村別の地域資源充足率</translation>
    </message>
    <message>
        <source>Total population field (default: pop_total, else JINKO)</source>
        <translation>全人口のフィールド（既定：pop_total、なければ JINKO）</translation>
    </message>
    <message>
        <source>Unit of the area field</source>
        <translation>面積フィールドの単位</translation>
    </message>
</context>
</TS>

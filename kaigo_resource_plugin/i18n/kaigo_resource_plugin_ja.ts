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
        <source>Centroid</source>
        <translation>重心</translation>
    </message>
    <message>
        <source>Chōme key field</source>
        <translation>町丁字のキーフィールド</translation>
    </message>
    <message>
        <source>Point on surface</source>
        <translation>ポリゴン内の点（point on surface）</translation>
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
        <source>e-Stat X_CODE/Y_CODE (point on surface where missing)</source>
        <translation>e-Stat の X_CODE/Y_CODE（ない場合はポリゴン内の点）</translation>
    </message>
</context>
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
    <name>DecisionBox</name>
    <message>
        <source>Candidate sites</source>
        <translation>候補地</translation>
    </message>
    <message>
        <source>Choose N and the candidates, then press Suggest sites.</source>
        <translation>地点数と候補地を選んで「候補地を提案」を押してください。</translation>
    </message>
    <message>
        <source>Empty: the representative points of the blank chōme</source>
        <translation>空欄: 空白地域の町丁字の代表地点</translation>
    </message>
    <message>
        <source>Failed: {error}</source>
        <translation>失敗しました: {error}</translation>
    </message>
    <message>
        <source>How many new sites (shops, mobile-sales stops…) to suggest</source>
        <translation>提案する新しい拠点（店舗、移動販売の停車地など）の数</translation>
    </message>
    <message>
        <source>No candidate reaches any uncovered elderly: no site suggested.</source>
        <translation>まだカバーされていない高齢者に届く候補地がないため、提案はありません。</translation>
    </message>
    <message>
        <source>Number of sites</source>
        <translation>地点数</translation>
    </message>
    <message>
        <source>Resource impact</source>
        <translation>資源ごとの影響</translation>
    </message>
    <message>
        <source>Resource impact (elderly only it reaches)</source>
        <translation>資源ごとの影響（その資源だけが届く高齢者）</translation>
    </message>
    <message>
        <source>Resource impact: the largest weight only one resource reaches is {top:,.0f}.</source>
        <translation>資源ごとの影響: 1 つの資源だけが届く高齢者の最大は {top:,.0f} 人です。</translation>
    </message>
    <message>
        <source>Run the analysis first.</source>
        <translation>先に分析を実行してください。</translation>
    </message>
    <message>
        <source>Running…</source>
        <translation>実行中…</translation>
    </message>
    <message>
        <source>Site suggestions</source>
        <translation>候補地の提案</translation>
    </message>
    <message>
        <source>Size of each resource = at-home elderly that only it reaches</source>
        <translation>記号の大きさ = その資源だけが届く在宅高齢者の数</translation>
    </message>
    <message>
        <source>Suggest sites</source>
        <translation>候補地を提案</translation>
    </message>
    <message>
        <source>Suggested sites</source>
        <translation>提案地点</translation>
    </message>
    <message>
        <source>The result could not be opened.</source>
        <translation>結果を開けませんでした。</translation>
    </message>
    <message>
        <source>There is no resource layer in the last run.</source>
        <translation>直前の実行に資源レイヤがありません。</translation>
    </message>
    <message>
        <source>{n} sites: rate {before:.1f} % → {after:.1f} % (+{gain:.1f} points)</source>
        <translation>{n} 地点: 充足率 {before:.1f}% → {after:.1f}%（+{gain:.1f} ポイント）</translation>
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
        <translation>人口を持つ市区町村レイヤまたは表</translation>
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
    <name>DownloadEstatAlgorithm</name>
    <message>
        <source>CSV files (*.csv *.txt)</source>
        <translation>CSV ファイル (*.csv *.txt)</translation>
    </message>
    <message>
        <source>Cache folder (downloads are kept here; empty: the QGIS profile's folder)</source>
        <translation>キャッシュフォルダ（ダウンロードしたファイルを保存。空欄: QGIS プロファイルのフォルダ）</translation>
    </message>
    <message>
        <source>Cache folder used</source>
        <translation>使ったキャッシュフォルダ</translation>
    </message>
    <message>
        <source>Census year of the boundaries (2020 or 2015)</source>
        <translation>境界データの国勢調査年（2020 または 2015）</translation>
    </message>
    <message>
        <source>Chōme layer (imported) or boundaries</source>
        <translation>町丁字レイヤ（取り込み後）または境界データ</translation>
    </message>
    <message>
        <source>Clear the cache first (download everything again)</source>
        <translation>先にキャッシュを空にする（すべてダウンロードし直す）</translation>
    </message>
    <message>
        <source>Download e-Stat boundaries and age table (by municipality name)</source>
        <translation>e-Stat 境界データと年齢別人口のダウンロード（市区町村名で指定）</translation>
    </message>
    <message>
        <source>Import (kaigo:importestat): output the analysis-ready chōme layer</source>
        <translation>取り込む（kaigo:importestat）: 分析用の町丁字レイヤを出力</translation>
    </message>
    <message>
        <source>Importing (kaigo:importestat)…</source>
        <translation>取り込んでいます（kaigo:importestat）…</translation>
    </message>
    <message>
        <source>Municipalities (names in kanji or kana, codes, or a prefecture; comma-separated)</source>
        <translation>市区町村（漢字・かなの名前、コード、または都道府県。カンマ区切り）</translation>
    </message>
    <message>
        <source>Municipalities downloaded</source>
        <translation>ダウンロードした市区町村の数</translation>
    </message>
    <message>
        <source>Municipality codes downloaded</source>
        <translation>ダウンロードした市区町村コード</translation>
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
        <source>T001082 age table</source>
        <translation>年齢別人口の表（T001082）</translation>
    </message>
</context>
<context>
    <name>DownloadResourcesAlgorithm</name>
    <message>
        <source>Cache folder for 国土数値情報 zips (empty: the QGIS profile's folder)</source>
        <translation>国土数値情報の zip のキャッシュフォルダ（空欄: QGIS プロファイルのフォルダ）</translation>
    </message>
    <message>
        <source>Download resources (OpenStreetMap, 国土数値情報)</source>
        <translation>地域資源のダウンロード（OpenStreetMap・国土数値情報）</translation>
    </message>
    <message>
        <source>Extent (a layer, e.g. the chōme layer, or an extent)</source>
        <translation>範囲（町丁字レイヤなどのレイヤ、または範囲）</translation>
    </message>
    <message>
        <source>Margin around the extent (m): resources just across the border count</source>
        <translation>範囲の外側の余白（m）: 境界のすぐ外の資源も数える</translation>
    </message>
    <message>
        <source>OpenStreetMap tags for {} (key=value|value; …)</source>
        <translation>{} の OpenStreetMap タグ（key=value|value; …）</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>出力フォルダ</translation>
    </message>
    <message>
        <source>Prefectures for 国土数値情報 (names or codes; empty: those of the extent)</source>
        <translation>国土数値情報の都道府県（名前またはコード。空欄: 範囲の都道府県）</translation>
    </message>
    <message>
        <source>Resource layers</source>
        <translation>資源のレイヤ</translation>
    </message>
    <message>
        <source>Resource types</source>
        <translation>資源の種類</translation>
    </message>
    <message>
        <source>Run summary</source>
        <translation>実行の概要</translation>
    </message>
    <message>
        <source>downloaded</source>
        <translation>ダウンロード日時</translation>
    </message>
</context>
<context>
    <name>DownloadRow</name>
    <message>
        <source>Download and run</source>
        <translation>ダウンロードして実行</translation>
    </message>
    <message>
        <source>Download cancelled; nothing was changed.</source>
        <translation>ダウンロードを取り消しました。何も変更していません。</translation>
    </message>
    <message>
        <source>Downloading {names}…</source>
        <translation>{names} をダウンロードしています…</translation>
    </message>
    <message>
        <source>Downloading… press Cancel to stop.</source>
        <translation>ダウンロードしています…［キャンセル］で止められます。</translation>
    </message>
    <message>
        <source>Downloads what is missing (kaigo:downloadestat, kaigo:downloadresources), then runs the analysis</source>
        <translation>足りないデータをダウンロードし（kaigo:downloadestat、kaigo:downloadresources）、分析を実行します</translation>
    </message>
    <message>
        <source>Municipality to download from e-Stat and OpenStreetMap (kanji or kana; a prefecture name means all its municipalities). The files are cached: a second run downloads nothing.</source>
        <translation>e-Stat と OpenStreetMap からダウンロードする市区町村（漢字またはかな。都道府県名はその全市区町村）。ファイルはキャッシュするので、2 回目はダウンロードしません。</translation>
    </message>
    <message>
        <source>The download failed; see the log.</source>
        <translation>ダウンロードに失敗しました。ログを確認してください。</translation>
    </message>
    <message>
        <source>e.g. 大東市, だいとうし, 27218</source>
        <translation>例: 大東市、だいとうし、27218</translation>
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
        <source>Resources (pins, one colour per layer)</source>
        <translation>地域資源（ピン、レイヤごとに色分け）</translation>
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
        <source>Chōme key field (default KEY_CODE)</source>
        <translation>町丁字キーのフィールド（既定 KEY_CODE）</translation>
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
        <source>Municipalities to analyse (codes or names, comma-separated; default: all)</source>
        <translation>分析する市区町村（コードまたは名前、カンマ区切り。既定: すべて）</translation>
    </message>
    <message>
        <source>Municipalities to download instead of CHOME/AGES/RESOURCES (names or codes)</source>
        <translation>CHOME・AGES・RESOURCES の代わりにダウンロードする市区町村（名前またはコード）</translation>
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
        <source>1 · Data preparation</source>
        <translation>1 データの準備</translation>
    </message>
    <message>
        <source>2 · Analysis</source>
        <translation>2 分析</translation>
    </message>
    <message>
        <source>3 · Charts and maps</source>
        <translation>3 図表・地図</translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation>分析</translation>
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
        <source>Charts and maps</source>
        <translation>図表・地図</translation>
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
        <source>Density threshold {below} / {above} (people/km²)</source>
        <translation>人口密度しきい値 {below}／{above}（人/km²）</translation>
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
        <source>Point on surface</source>
        <translation>ポリゴン内の点（point on surface）</translation>
    </message>
    <message>
        <source>Population field (default pop_total, else JINKO)</source>
        <translation>人口フィールド（既定：pop_total、なければ JINKO）</translation>
    </message>
    <message>
        <source>Preparation</source>
        <translation>データの準備</translation>
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
    <name>KaigoDecision</name>
    <message>
        <source>Chart of the rate against the radius (PNG; SVG and PDF beside it)</source>
        <translation>半径と充足率のグラフ（PNG。同じ場所に SVG と PDF も）</translation>
    </message>
    <message>
        <source>Chōme layer with a weight (from kaigo:importestat or kaigo:blankareas)</source>
        <translation>重み（高齢者数など）のある町丁字レイヤ（kaigo:importestat または kaigo:blankareas の出力）</translation>
    </message>
    <message>
        <source>Existing resources (one or more layers)</source>
        <translation>既存の地域資源（1 つ以上のレイヤ）</translation>
    </message>
    <message>
        <source>Radius (metres, on the ellipsoid)</source>
        <translation>半径（メートル、楕円体上）</translation>
    </message>
    <message>
        <source>Rates at other radii too (metres, comma-separated, e.g. 300,500,800,1000)</source>
        <translation>ほかの半径での充足率も求める（メートル、カンマ区切り。例: 300,500,800,1000）</translation>
    </message>
    <message>
        <source>Rates before and after the suggested sites (CSV)</source>
        <translation>提案地点の前後の充足率（CSV）</translation>
    </message>
    <message>
        <source>Suggest this many new sites (kaigo:suggestsites; empty: none)</source>
        <translation>新たな拠点をこの数だけ提案する（kaigo:suggestsites。空欄: 提案しない）</translation>
    </message>
    <message>
        <source>Suggested sites (GeoPackage)</source>
        <translation>提案地点（GeoPackage）</translation>
    </message>
    <message>
        <source>Weight field (default: at_home_75plus, else pop_75plus, else JINKO)</source>
        <translation>重みの項目（既定: at_home_75plus、なければ pop_75plus、なければ JINKO）</translation>
    </message>
</context>
<context>
    <name>KaigoDock</name>
    <message>
        <source>&amp;Kaigo resources – sufficiency rate</source>
        <translation>地域資源充足率（介護・生活資源）(&amp;K)</translation>
    </message>
    <message>
        <source>A chōme result (field status) or a municipality table (field rate_pct) from an earlier run</source>
        <translation>以前の実行結果の町丁字レイヤ（status フィールド）または市区町村表（rate_pct フィールド）</translation>
    </message>
    <message>
        <source>Add an e-Stat chōme layer (境界データ, with KEY_CODE) to the project.</source>
        <translation>e-Stat の町丁字レイヤ（境界データ、KEY_CODE あり）をプロジェクトに追加してください。</translation>
    </message>
    <message>
        <source>Advanced settings</source>
        <translation>詳細設定</translation>
    </message>
    <message>
        <source>Age table (T001082, optional)</source>
        <translation>年齢別人口の表（T001082、任意）</translation>
    </message>
    <message>
        <source>Age table chosen: the chōme are joined to it first and the weight is the at-home 75+ population (at_home_75plus).</source>
        <translation>年齢別人口の表を選択済み: 町丁字をまずこの表と結合し、在宅75歳以上人口（at_home_75plus）を重みとして使います。</translation>
    </message>
    <message>
        <source>All municipalities of the layer</source>
        <translation>レイヤのすべての市区町村</translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation>分析</translation>
    </message>
    <message>
        <source>Area field</source>
        <translation>面積フィールド</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Cancelled: nothing was added to the project.</source>
        <translation>キャンセルしました。プロジェクトには何も追加していません。</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>キャンセルしています…</translation>
    </message>
    <message>
        <source>Cannot write to the output folder {folder} ({reason}): choose another one.</source>
        <translation>出力フォルダ {folder} に書き込めません（{reason}）。別のフォルダを選んでください。</translation>
    </message>
    <message>
        <source>Care level 3+ share</source>
        <translation>要介護3以上の割合</translation>
    </message>
    <message>
        <source>Centroid</source>
        <translation>重心</translation>
    </message>
    <message>
        <source>Choose a result layer to restyle.</source>
        <translation>スタイルを再適用する結果レイヤを選んでください。</translation>
    </message>
    <message>
        <source>Choose the chōme layer.</source>
        <translation>町丁字レイヤを選んでください。</translation>
    </message>
    <message>
        <source>Choose the elderly field of the chōme layer (75+ population).</source>
        <translation>町丁字レイヤの高齢者数フィールド（75歳以上人口）を選んでください。</translation>
    </message>
    <message>
        <source>Choose the key field of the chōme layer (KEY_CODE).</source>
        <translation>町丁字レイヤのキーフィールド（KEY_CODE）を選んでください。</translation>
    </message>
    <message>
        <source>Chōme layer</source>
        <translation>町丁字レイヤ</translation>
    </message>
    <message>
        <source>Chōme: blank areas</source>
        <translation>町丁字：空白地域</translation>
    </message>
    <message>
        <source>Chōme: {blank} blank areas (red), {covered} with access (blue), {nopop} without population (grey).</source>
        <translation>町丁字：空白地域 {blank}（赤）、資源あり {covered}（青）、人口なし {nopop}（灰）。</translation>
    </message>
    <message>
        <source>Density threshold {n} (/km²)</source>
        <translation>人口密度しきい値{n}（人/km²）</translation>
    </message>
    <message>
        <source>Density threshold {n} must be below threshold {m}.</source>
        <translation>人口密度しきい値{n}はしきい値{m}より小さくしてください。</translation>
    </message>
    <message>
        <source>Designated cities as one municipality (wards rolled up)</source>
        <translation>政令指定都市を市単位で集計（区を合算）</translation>
    </message>
    <message>
        <source>Distance on the ground from the chōme's representative point</source>
        <translation>町丁字の代表地点からの地表上の距離</translation>
    </message>
    <message>
        <source>Done in {seconds:.0f} s: {blank} blank, {covered} covered, {nopop} without population.</source>
        <translation>完了（{seconds:.0f} 秒）：空白地域 {blank}、資源あり {covered}、人口なし {nopop}。</translation>
    </message>
    <message>
        <source>Elderly field</source>
        <translation>高齢者数フィールド</translation>
    </message>
    <message>
        <source>Empty: a folder kaigo_results beside the project file (or in Documents before it is saved)</source>
        <translation>空欄: プロジェクトファイルと同じ場所の kaigo_results フォルダ（プロジェクトの保存前はドキュメントフォルダ内）</translation>
    </message>
    <message>
        <source>Empty: temporary files</source>
        <translation>空欄：一時ファイル</translation>
    </message>
    <message>
        <source>Existing result</source>
        <translation>既存の結果</translation>
    </message>
    <message>
        <source>Export charts and tables…</source>
        <translation>図表を出力…</translation>
    </message>
    <message>
        <source>Export map…</source>
        <translation>地図を出力…</translation>
    </message>
    <message>
        <source>Give each resource layer a different type name.</source>
        <translation>資源レイヤごとに異なる種別名を付けてください。</translation>
    </message>
    <message>
        <source>JINKO (total population) is the weight: choose the e-Stat age table (T001082) below to weight by the at-home 75+ population.</source>
        <translation>JINKO（総人口）を重みとして使います。在宅75歳以上人口で重み付けするには、下の「年齢別人口の表（T001082、任意）」で e-Stat の表を選んでください。</translation>
    </message>
    <message>
        <source>Kaigo resources – sufficiency rate</source>
        <translation>地域資源充足率（介護・生活資源）</translation>
    </message>
    <message>
        <source>Kaigo resources – {name} ({radius} m)</source>
        <translation>地域資源充足率 – {name}（{radius} m）</translation>
    </message>
    <message>
        <source>Key field</source>
        <translation>キーフィールド</translation>
    </message>
    <message>
        <source>Municipalities</source>
        <translation>市区町村</translation>
    </message>
    <message>
        <source>Municipalities: sufficiency rate</source>
        <translation>市区町村：地域資源充足率</translation>
    </message>
    <message>
        <source>Municipality (download)</source>
        <translation>市区町村（ダウンロード）</translation>
    </message>
    <message>
        <source>No KEY_CODE field: choose the key field under Advanced settings.</source>
        <translation>KEY_CODE フィールドがありません。詳細設定でキーフィールドを選んでください。</translation>
    </message>
    <message>
        <source>No elderly field found: choose one (75+ population).</source>
        <translation>高齢者数フィールドが見つかりません。75歳以上人口のフィールドを選んでください。</translation>
    </message>
    <message>
        <source>No municipality has both a rate and a population density, so there is no scatter chart. Chōme points need an area field (Advanced settings).</source>
        <translation>充足率と人口密度の両方がある市区町村がないため、散布図は描けません。町丁字がポイントの場合は面積フィールドを指定してください（詳細設定）。</translation>
    </message>
    <message>
        <source>No output folder chosen under Advanced settings: the results are kept in the folder above.</source>
        <translation>詳細設定で出力フォルダが指定されていないため、結果は上のフォルダに保存します。</translation>
    </message>
    <message>
        <source>No polygons: the density uses the area field {field} (m²).</source>
        <translation>ポリゴンがないため、人口密度には面積フィールド {field}（m²）を使います。</translation>
    </message>
    <message>
        <source>Official area of each chōme; empty: area computed on the ellipsoid (water excluded)</source>
        <translation>町丁字ごとの公式面積。空欄の場合は楕円体上で面積を計算します（水面を除く）</translation>
    </message>
    <message>
        <source>Opens kaigo:committeecharts with this result</source>
        <translation>この結果で kaigo:committeecharts を開きます</translation>
    </message>
    <message>
        <source>Opens kaigo:exportmap with this result</source>
        <translation>この結果で kaigo:exportmap を開きます</translation>
    </message>
    <message>
        <source>Optional. With the e-Stat age table T001082 the chōme are first joined to it (kaigo:importestat) and the weight is the at-home 75+ population, as in the METI method.</source>
        <translation>任意。e-Stat の年齢別人口 T001082 を指定すると、まず町丁字に結合し（kaigo:importestat）、検討会の手法どおり在宅高齢者（75歳以上）を重みにします。</translation>
    </message>
    <message>
        <source>Optional: analyse only these municipalities (codes or names, comma-separated, e.g. 27218, 大東市). The figures are those of a layer holding their chōme alone.</source>
        <translation>任意: これらの市区町村だけを分析します（コードまたは名前をカンマ区切りで。例: 27218, 大東市）。結果はその市区町村の町丁字だけのレイヤで実行したときと同じです。</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>出力フォルダ</translation>
    </message>
    <message>
        <source>Output folder: {folder}</source>
        <translation>出力フォルダ：{folder}</translation>
    </message>
    <message>
        <source>Point on surface</source>
        <translation>ポリゴン内部の点</translation>
    </message>
    <message>
        <source>Population field</source>
        <translation>人口フィールド</translation>
    </message>
    <message>
        <source>Processing log</source>
        <translation>処理ログ</translation>
    </message>
    <message>
        <source>Radius</source>
        <translation>半径</translation>
    </message>
    <message>
        <source>Representative point</source>
        <translation>代表地点</translation>
    </message>
    <message>
        <source>Resource layer</source>
        <translation>資源レイヤ</translation>
    </message>
    <message>
        <source>Resource layers</source>
        <translation>資源レイヤ</translation>
    </message>
    <message>
        <source>Restyle / show</source>
        <translation>スタイル再適用／表示</translation>
    </message>
    <message>
        <source>Restyled {layer}: {blank} blank, {covered} covered, {nopop} without population.</source>
        <translation>{layer} のスタイルを再適用しました：空白地域 {blank}、資源あり {covered}、人口なし {nopop}。</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>結果</translation>
    </message>
    <message>
        <source>Run analysis</source>
        <translation>分析を実行</translation>
    </message>
    <message>
        <source>Run the analysis (or restyle an existing result) first.</source>
        <translation>先に分析を実行する（または既存の結果を読み込む）必要があります。</translation>
    </message>
    <message>
        <source>Run the analysis to see the municipalities here.</source>
        <translation>分析を実行すると、ここに市区町村の一覧が表示されます。</translation>
    </message>
    <message>
        <source>Running… QGIS stays usable; press Cancel to stop.</source>
        <translation>実行中… QGIS はそのまま操作できます。中止するにはキャンセルを押してください。</translation>
    </message>
    <message>
        <source>Runs kaigo:blankareas, then kaigo:sufficiencyrates, in the background</source>
        <translation>kaigo:blankareas と kaigo:sufficiencyrates をバックグラウンドで順に実行します</translation>
    </message>
    <message>
        <source>Select a row to zoom the map to the municipality</source>
        <translation>行を選ぶと地図がその市区町村にズームします</translation>
    </message>
    <message>
        <source>Share of people aged 75+ certified at care level 3 or above (estimate; 0.109 by default). At-home elderly = 75+ × (1 − share).</source>
        <translation>75歳以上のうち要介護3以上の認定を受けている人の割合（推計値、既定 0.109）。在宅高齢者 = 75歳以上 ×（1 − 割合）。</translation>
    </message>
    <message>
        <source>Show the blank-area and sufficiency-rate panel</source>
        <translation>空白地域・地域資源充足率パネルを表示</translation>
    </message>
    <message>
        <source>Showing {n} municipalities of {layer}.</source>
        <translation>{layer} の {n} 市区町村を表示しています。</translation>
    </message>
    <message>
        <source>Step 1/2: blank areas…</source>
        <translation>手順 1/2：空白地域…</translation>
    </message>
    <message>
        <source>Step 1/3: joining the age table…</source>
        <translation>手順 1/3：年齢別人口の結合…</translation>
    </message>
    <message>
        <source>Step 2/2: sufficiency rates…</source>
        <translation>手順 2/2：充足率…</translation>
    </message>
    <message>
        <source>Step 2/3: blank areas…</source>
        <translation>手順 2/3：空白地域…</translation>
    </message>
    <message>
        <source>Step 3/3: sufficiency rates…</source>
        <translation>手順 3/3：充足率…</translation>
    </message>
    <message>
        <source>The Processing algorithm {alg} is not available. Enable the Processing plugin and reinstall this plugin.</source>
        <translation>プロセシングのアルゴリズム {alg} が見つかりません。Processing プラグインを有効にし、このプラグインを再インストールしてください。</translation>
    </message>
    <message>
        <source>The age table {path} does not exist: choose the T001082 CSV again.</source>
        <translation>年齢別人口の表 {path} が見つかりません。T001082 の CSV を選び直してください。</translation>
    </message>
    <message>
        <source>The analysis failed: {error}</source>
        <translation>分析に失敗しました：{error}</translation>
    </message>
    <message>
        <source>The analysis failed; see the processing log in the panel.</source>
        <translation>分析に失敗しました。パネルの処理ログを確認してください。</translation>
    </message>
    <message>
        <source>The scatter chart appears here after a run.</source>
        <translation>実行後、ここに散布図が表示されます。</translation>
    </message>
    <message>
        <source>The scatter chart could not be drawn: {reason}</source>
        <translation>散布図を描けませんでした：{reason}</translation>
    </message>
    <message>
        <source>The scatter chart is not available in this installation.</source>
        <translation>この環境では散布図を表示できません。</translation>
    </message>
    <message>
        <source>These are temporary files, deleted when QGIS closes: choose an output folder under Advanced settings to keep the results with the project.</source>
        <translation>これは QGIS の終了時に削除される一時ファイルです。結果をプロジェクトと一緒に残すには、詳細設定で出力フォルダを指定してください。</translation>
    </message>
    <message>
        <source>Tick at least one resource layer.</source>
        <translation>資源レイヤを1つ以上チェックしてください。</translation>
    </message>
    <message>
        <source>Tick the layers of shops or facilities. The type name (ASCII) becomes the suffix of the output fields, e.g. rate_pct_convenience.</source>
        <translation>店舗や施設のレイヤをチェックしてください。種別名（半角英数字）は出力フィールド名の接尾辞になります（例：rate_pct_convenience）。</translation>
    </message>
    <message>
        <source>Type name</source>
        <translation>種別名</translation>
    </message>
    <message>
        <source>Type name “{name}”: use ASCII letters, digits and _ only, starting with a letter.</source>
        <translation>種別名「{name}」：半角英字で始まる半角英数字と _ だけを使ってください。</translation>
    </message>
    <message>
        <source>Unexpected error: {error} (details in the Log Messages panel, tab Kaigo)</source>
        <translation>予期しないエラー：{error}（詳細はログメッセージパネルの Kaigo タブ）</translation>
    </message>
    <message>
        <source>Unit of the area field</source>
        <translation>面積フィールドの単位</translation>
    </message>
    <message>
        <source>Water areas (HCODE 8154) are left out.</source>
        <translation>水面調査区（HCODE 8154）は除外します。</translation>
    </message>
    <message>
        <source>Weight of each chōme: 75+ population (or at-home 75+)</source>
        <translation>町丁字ごとの重み：75歳以上人口（または在宅の75歳以上人口）</translation>
    </message>
    <message>
        <source>at_home_75plus (at-home 75+, from the age table)</source>
        <translation>at_home_75plus（在宅75歳以上、年齢別人口の表から）</translation>
    </message>
    <message>
        <source>e-Stat T001082 table (*.csv *.CSV)</source>
        <translation>e-Stat T001082 の表 (*.csv *.CSV)</translation>
    </message>
    <message>
        <source>e-Stat fields detected: {fields}</source>
        <translation>検出した e-Stat フィールド：{fields}</translation>
    </message>
    <message>
        <source>e-Stat representative point (X_CODE, Y_CODE)</source>
        <translation>e-Stat の代表点（X_CODE, Y_CODE）</translation>
    </message>
    <message>
        <source>e-Stat small-area boundaries (町丁・字等) with KEY_CODE, or chōme points</source>
        <translation>KEY_CODE を持つ e-Stat 小地域境界（町丁・字等）、または町丁字のポイント</translation>
    </message>
    <message>
        <source>the result files could not be opened: {path}</source>
        <translation>結果ファイルを開けませんでした：{path}</translation>
    </message>
    <message>
        <source>{layer} has neither a status field (chōme result of kaigo:blankareas) nor rate_pct (municipality table of kaigo:sufficiencyrates).</source>
        <translation>{layer} には status フィールド（kaigo:blankareas の町丁字結果）も rate_pct フィールド（kaigo:sufficiencyrates の市区町村表）もありません。</translation>
    </message>
    <message>
        <source>{name}: sufficiency rate {rate:.1f} %</source>
        <translation>{name}：地域資源充足率 {rate:.1f}%</translation>
    </message>
    <message>
        <source>{n} municipalities.</source>
        <translation>{n} 市区町村。</translation>
    </message>
</context>
<context>
    <name>KaigoModel</name>
    <message>
        <source>4 · Models</source>
        <translation>4 モデル</translation>
    </message>
    <message>
        <source>Model: e-Stat import → blank areas → rates → charts</source>
        <translation>モデル：e-Stat 取り込み → 空白地域 → 充足率 → 図表</translation>
    </message>
</context>
<context>
    <name>KaigoProvider</name>
    <message>
        <source>Kaigo resources – sufficiency rate</source>
        <translation>地域資源充足率（介護・生活資源）</translation>
    </message>
</context>
<context>
    <name>MunicipalityTableModel</name>
    <message>
        <source>At-home 75+ without access</source>
        <translation>アクセスのない在宅高齢者</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>地域分類</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>コード</translation>
    </message>
    <message>
        <source>Density (/km²)</source>
        <translation>人口密度（人/km²）</translation>
    </message>
    <message>
        <source>Municipality</source>
        <translation>市区町村</translation>
    </message>
    <message>
        <source>Rate (%)</source>
        <translation>充足率（%）</translation>
    </message>
    <message>
        <source>Rate {name} (%)</source>
        <translation>充足率 {name}（%）</translation>
    </message>
</context>
<context>
    <name>NetworkAccessAlgorithm</name>
    <message>
        <source>Chōme with network distances (GeoPackage)</source>
        <translation>道路網距離を付けた町丁字（GeoPackage）</translation>
    </message>
    <message>
        <source>Cost factor field of the network (multiplies the length; optional)</source>
        <translation>道路網のコスト係数フィールド（長さに掛ける係数、任意）</translation>
    </message>
    <message>
        <source>Largest distance from a point to the network (metres; farther = off the network)</source>
        <translation>地点から道路網までの最大距離（m、これより遠い地点は道路網の外）</translation>
    </message>
    <message>
        <source>Network access</source>
        <translation>道路網距離による到達判定</translation>
    </message>
    <message>
        <source>Network access (walking distance on the road network)</source>
        <translation>道路網距離による到達判定（道路に沿った徒歩距離）</translation>
    </message>
    <message>
        <source>Radius (metres along the network)</source>
        <translation>半径（道路に沿った距離、m）</translation>
    </message>
    <message>
        <source>Road network (line layer, e.g. OpenStreetMap highway=*)</source>
        <translation>道路網（線レイヤ、例: OpenStreetMap の highway=*）</translation>
    </message>
    <message>
        <source>Road network for walking distances (optional line layer)</source>
        <translation>徒歩距離に使う道路網（任意、線レイヤ）</translation>
    </message>
    <message>
        <source>Straight line vs network, per municipality</source>
        <translation>直線距離と道路網距離の比較（市区町村別）</translation>
    </message>
    <message>
        <source>Straight line vs network, per municipality (CSV)</source>
        <translation>直線距離と道路網距離の比較（市区町村別、CSV）</translation>
    </message>
    <message>
        <source>Walking speed (metres per minute, e.g. 80; optional: adds minutes)</source>
        <translation>歩行速度（分速 m、例: 80。指定すると所要分数を追加）</translation>
    </message>
    <message>
        <source>Weight of the rates (default at_home_75plus, else pop_75plus, else the population)</source>
        <translation>充足率の重み（既定は at_home_75plus、なければ pop_75plus、なければ人口）</translation>
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
    <name>ResourceImpactAlgorithm</name>
    <message>
        <source>Rates per municipality before and after the closures</source>
        <translation>閉鎖前後の市区町村別充足率</translation>
    </message>
    <message>
        <source>Resource impact (what each resource covers alone; closures)</source>
        <translation>資源ごとの影響（その資源だけが覆う高齢者・閉鎖の影響）</translation>
    </message>
    <message>
        <source>Resources that close: an expression on the resource layers (e.g. "name" = 'A')</source>
        <translation>閉鎖する資源: 資源レイヤに対する式（例: "name" = 'A'）</translation>
    </message>
    <message>
        <source>Resources with their coverage</source>
        <translation>資源ごとのカバー状況</translation>
    </message>
    <message>
        <source>The selected resources close</source>
        <translation>選択中の資源が閉鎖する</translation>
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
        <translation>アクセス・高齢者数の属性を持つ町丁字レイヤ</translation>
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
<context>
    <name>SuggestSitesAlgorithm</name>
    <message>
        <source>Candidate sites (points; default: the representative points of the blank chōme)</source>
        <translation>候補地（点。既定: 空白地域の町丁字の代表地点）</translation>
    </message>
    <message>
        <source>Chōme with the rank of the site that covers them</source>
        <translation>町丁字（カバーする提案地点の順位つき）</translation>
    </message>
    <message>
        <source>N sites in each municipality (instead of N in all)</source>
        <translation>市区町村ごとに N 地点（全体で N 地点ではなく）</translation>
    </message>
    <message>
        <source>Number of sites to suggest</source>
        <translation>提案する地点の数</translation>
    </message>
    <message>
        <source>Stop when the rate reaches (%, optional)</source>
        <translation>充足率がこの値（%）に達したら止める（任意）</translation>
    </message>
    <message>
        <source>Suggest sites (maximal covering, greedy)</source>
        <translation>候補地の提案（最大被覆、貪欲法）</translation>
    </message>
    <message>
        <source>Suggested sites</source>
        <translation>提案地点</translation>
    </message>
</context>
</TS>

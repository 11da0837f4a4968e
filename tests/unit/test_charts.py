"""Committee charts: cross-tab, top-N, labels (core/committee.py), figures (core/charts.py), fonts."""

from __future__ import annotations

import importlib.util
import io
import re
import struct
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kaigo_paths import ROOT

from kaigo_resource_plugin.core import charts, committee
from kaigo_resource_plugin.core.committee import Municipality as M
from kaigo_resource_plugin.core.fonts import find_cjk_font, font_families

_spec = importlib.util.spec_from_file_location(
    "slides_fixture", ROOT / "tests" / "data" / "charts" / "slides_fixture.py"
)
slides = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slides)


def _munis(rows):
    return [
        M(
            r["muni_code"],
            r["pref_name"],
            r["muni_name"],
            r["pop_total"],
            r["area_km2"],
            r["density"],
            r["density_class"],
            r["rate_pct"],
        )
        for r in rows
    ]


@pytest.fixture(scope="module")
def slide_munis():
    return _munis(slides.rows())


def _m(code, rate, cls, density=100.0, name=None, pref="鳥取県"):
    return M(code, pref, name or f"町{code}", 1000.0, 10.0, density, cls, rate)


# ------------------------------------------------------------------ formats


@pytest.mark.parametrize(
    ("name", "rate", "density", "ja", "en"),
    [
        ("武蔵野市", 100.0, 13675.0, "武蔵野市（100%, 13,675人/km²）", "武蔵野市 (100%, 13,675 /km²)"),
        ("大東市", 98.8, 6534.0, "大東市（98.8%, 6,534人/km²）", "大東市 (98.8%, 6,534 /km²)"),
        ("行田市", 63.0, 1165.0, "行田市（63.0%, 1,165人/km²）", "行田市 (63.0%, 1,165 /km²)"),
        ("小林市", 39.8, 77.6, "小林市（39.8%, 77.6人/km²）", "小林市 (39.8%, 77.6 /km²)"),
        ("厚真町", 8.4, 9.2, "厚真町（8.4%, 9.2人/km²）", "厚真町 (8.4%, 9.2 /km²)"),
        ("播磨町", 99.94, 1525.7, "播磨町（99.9%, 1,526人/km²）", "播磨町 (99.9%, 1,526 /km²)"),
        ("X", 99.96, 99.96, "X（100%, 100.0人/km²）", "X (100%, 100.0 /km²)"),
    ],
)
def test_point_label(name, rate, density, ja, en):
    assert committee.point_label(name, rate, density, "ja") == ja
    assert committee.point_label(name, rate, density, "en") == en


def test_percent_text_rounds_half_up_and_writes_100_plainly():
    assert committee.percent_text(302, 334) == "90.4"
    assert committee.percent_text(21, 933) == "2.3"  # 2.2508
    assert committee.percent_text(1, 8) == "12.5"
    assert committee.percent_text(1, 16) == "6.3"  # 6.25 half up, not banker's 6.2
    assert committee.percent_text(3, 3) == "100"
    assert committee.percent_text(0, 5) == "0.0"
    assert committee.percent_text(0, 0) == "-"
    assert committee.crosstab_cell_text(302, 334) == "302（90.4％）"
    assert committee.crosstab_cell_text(1896, 1896) == "1896（100％）"
    assert committee.crosstab_cell_text(1896, 1896, "en") == "1,896 (100%)"
    assert committee.crosstab_cell_text(0, 0) == "0（-）"


# ------------------------------------------------------------------ cross-tab


def test_crosstab_by_hand():
    munis = [
        _m("31201", 100.0, 1),  # 100 % is in the top band
        _m("31202", 80.0, 1),  # lower bound inclusive
        _m("31203", 79.99, 1),
        _m("31204", 20.0, 2),
        _m("31205", 0.0, 2),
        _m("31206", None, 2),  # no rate: left out
        _m("31207", 50.0, None),  # no class: left out
        _m("31208", 55.0, 3),
    ]
    ct = committee.crosstab(munis)
    assert ct.count("80-100", 1) == 2
    assert ct.count("60-80", 1) == 1
    assert ct.count("20-40", 2) == 1
    assert ct.count("0-20", 2) == 1
    assert ct.count("40-60", 3) == 1
    assert ct.count(None, 1) == 3 and ct.count(None, 2) == 2 and ct.count(None, 3) == 1
    assert ct.total == 6
    grid = ct.text_grid("ja")
    # rows 80-100, 60-80, 40-60, 20-40, 0-20, total; columns class 1, 2, 3, total
    assert grid[0] == ["2（66.7％）", "0（0.0％）", "0（0.0％）", "2（33.3％）"]
    assert grid[2] == ["0（0.0％）", "0（0.0％）", "1（100％）", "1（16.7％）"]
    assert grid[5] == ["3（100％）", "2（100％）", "1（100％）", "6（100％）"]
    valid, excluded = committee.split_valid(munis)
    assert [m.code for m in excluded] == ["31206", "31207"]
    assert len(valid) == 6


def test_crosstab_reproduces_the_slide(slide_munis):
    ct = committee.crosstab(slide_munis)
    assert [ct.count(None, c) for c in (1, 2, 3)] == [933, 629, 334]
    assert ct.total == 1896
    for band, expected in slides.SLIDE_CROSSTAB.items():
        assert tuple(ct.count(band, c) for c in (1, 2, 3)) == expected
    grid = ct.text_grid("ja")
    for row, band in zip(grid, [*committee.BANDS_TOP_FIRST, None]):
        assert tuple(row) == slides.SLIDE_TEXT[band]


def test_crosstab_tables_for_csv(slide_munis):
    ct = committee.crosstab(slide_munis)
    header, rows = committee.crosstab_table(ct, "ja")
    assert header[0] == "充足率カテゴリ" and len(header) == 9
    assert rows[0][0] == "80-100%"
    assert rows[0][5] == 302 and rows[0][6] == pytest.approx(100 * 302 / 334)
    assert rows[-1][:3] == ["総計", 933, 100.0]
    theader, trows = committee.crosstab_text_table(ct, "ja")
    assert theader[-1] == "総計"
    assert trows[0] == ["80-100%", "21（2.3％）", "80（12.7％）", "302（90.4％）", "403（21.3％）"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
            st.one_of(st.none(), st.sampled_from([1, 2, 3])),
        ),
        max_size=60,
    )
)
def test_crosstab_adds_up(items):
    munis = [_m(f"{i:05d}", rate, cls) for i, (rate, cls) in enumerate(items)]
    ct = committee.crosstab(munis)
    valid = [(r, c) for r, c in items if r is not None and c is not None]
    assert ct.total == len(valid)
    for cls in (1, 2, 3):
        assert ct.count(None, cls) == sum(1 for _r, c in valid if c == cls)
        assert sum(ct.count(b, cls) for b in committee.BANDS_TOP_FIRST) == ct.count(None, cls)
    for band, lo, hi in [("0-20", 0, 20), ("80-100", 80, 101)]:
        assert ct.count(band, None) == sum(1 for r, _c in valid if lo <= r < hi)


# ------------------------------------------------------------------ top N


def test_top_n_sorted_by_rate_then_code():
    munis = [
        _m("31205", 90.0, 1),
        _m("31201", 90.0, 1),  # tie: smaller code first
        _m("31203", 95.0, 1),
        _m("31204", None, 1),
        _m("31202", 10.0, 1),
        _m("31301", 50.0, 2),
    ]
    top = committee.top_n(munis, 3)
    assert [m.code for m in top[1]] == ["31203", "31201", "31205"]
    assert [m.code for m in top[2]] == ["31301"]
    assert top[3] == []
    assert [m.code for m in committee.top_n(munis, 10)[1]] == ["31203", "31201", "31205", "31202"]


def test_top_n_reproduces_the_slides(slide_munis):
    top = committee.top_n(slide_munis, 10)
    rows2 = committee.topn_display_rows(top[2])
    expected2 = [
        [pref, name, f"{rate:.1f}%", f"{pop:,}", f"{area:,.1f}", f"{dens:,.1f}"]
        for _c, pref, name, rate, pop, area, dens in slides.SLIDE_TOP2
    ]
    assert rows2 == expected2
    assert rows2[2] == ["兵庫県", "加古郡播磨町", "99.9%", "33,604", "22.0", "1,525.7"]
    # class 1: the slide's first eight (the slide's cross-tab has 21 class-1 rates of 80 % or more)
    rows1 = committee.topn_display_rows(top[1])
    assert rows1[0] == ["埼玉県", "秩父郡横瀬町", "93.2%", "7,979", "70.4", "113.4"]
    assert rows1[2] == ["北海道", "釧路市", "88.5%", "165,061", "1,363.3", "121.1"]
    assert [r[1] for r in rows1[:8]] == [t[2] for t in slides.SLIDE_TOP1[:8]]
    assert top[3][0].name == "武蔵野市"
    header, rows = committee.topn_table(top, "ja")
    assert header[:6] == [
        "人口密度カテゴリ",
        "地域分類",
        "順位",
        "市区町村コード",
        "都道府県名",
        "市区町村名",
    ]
    assert len(rows) == 30
    assert rows[10][:7] == [2, "一般都市", 1, "27362", "大阪府", "泉南郡田尻町", 100.0]
    assert rows[0][7] == 7979 and isinstance(rows[0][7], int)


def test_highlight_tokens_and_matching(slide_munis):
    tokens = committee.parse_highlight("13203, 大東市、 1581 ; 282642 東京都武蔵野市 存在しない市")
    assert tokens == ["13203", "大東市", "1581", "282642", "東京都武蔵野市", "存在しない市"]
    codes, unknown = committee.match_highlight(slide_munis, tokens)
    assert codes == {"13203", "27218", "01581"}
    assert unknown == ["282642", "存在しない市"]  # 28264 is not in the table (播磨町 is 28464)
    assert committee.parse_highlight(None) == [] and committee.parse_highlight(" ") == []
    # a town named without its district; a ward name alone is not a municipality name
    codes, unknown = committee.match_highlight(slide_munis, ["横瀬町", "播磨町", "北区", "京都市北区"])
    assert codes == {"11361", "28464", "26101"} and unknown == ["北区"]


# ------------------------------------------------------------------ figures


def test_scatter_dots_labels_and_thresholds(slide_munis):
    chosen = {c for c, *_rest in slides.SLIDE_POINTS} | {"28464"}
    valid, excluded = committee.split_valid(slide_munis)
    assert len(excluded) == 3
    fig = charts.scatter_figure(valid, chosen, "ja", title="テスト")
    assert charts.scatter_counts(fig) == (1896 - 8, 8)
    labels = sorted(charts.scatter_labels(fig))
    assert "武蔵野市（100%, 13,675人/km²）" in labels
    assert "大東市（98.8%, 6,534人/km²）" in labels
    assert "厚真町（8.4%, 9.2人/km²）" in labels
    assert "加古郡播磨町（99.9%, 1,526人/km²）" in labels
    assert len(labels) == 8
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    lines = sorted(line.get_xdata()[0] for line in ax.lines if line.get_gid() == "threshold")
    assert lines == [200, 2000]
    classes = {t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("class")}
    assert classes["class1"].startswith("中山間地域") and "200人/km²未満" in classes["class1"]
    assert classes["class2"].startswith("一般都市\n")  # the cross-tab's name (issue #15 item 7)
    assert classes["class3"].startswith("大都市") and "2000人/km²以上" in classes["class3"]


def _boxes_of_labels(fig):
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    return [
        Text.get_window_extent(t, renderer) for t in fig.axes[0].texts if t.get_gid() == "label"
    ], fig.axes[0].get_window_extent(renderer)


def test_scatter_labels_do_not_overlap_and_stay_inside(slide_munis):
    chosen = {c for c, *_rest in slides.SLIDE_POINTS} | {"28464"}
    fig = charts.scatter_figure(committee.split_valid(slide_munis)[0], chosen, "ja")
    boxes, axes_box = _boxes_of_labels(fig)
    assert len(boxes) == 8
    for i, a in enumerate(boxes):
        assert axes_box.x0 - 1 <= a.x0 and a.x1 <= axes_box.x1 + 1 and axes_box.y0 - 1 <= a.y0
        assert a.y1 <= axes_box.y1 + 1
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)


def test_scatter_in_english_and_without_highlight():
    munis = [_m("31201", 50.0, 1, density=50.0, name="Chizu"), _m("31202", 90.0, 2, density=500.0)]
    fig = charts.scatter_figure(munis, {"31201"}, "en")
    assert charts.scatter_labels(fig) == ["Chizu (50.0%, 50.0 /km²)"]
    assert charts.scatter_counts(fig) == (1, 1)
    assert fig.axes[0].get_xlabel() == "Population density (people/km²)"
    many = [
        _m(f"31{k:03d}", 10.0 * (k % 10), 1 + k % 3, density=50.0 + k)
        for k in range(charts.FEW_MUNICIPALITIES + 1)
    ]
    fig = charts.scatter_figure(many, (), "ja")
    assert charts.scatter_counts(fig) == (len(many), 0)
    assert charts.scatter_labels(fig) == []


def test_scatter_of_a_few_municipalities_names_every_dot():
    """One town analysed: its dot is labelled, not a single pale unlabelled dot (issue #15 item 7)."""
    munis = [_m("27218", 30.7, 3, density=6700.0, name="大東市")]
    fig = charts.scatter_figure(munis, (), "ja")
    assert charts.scatter_counts(fig) == (0, 1)
    assert charts.scatter_labels(fig) == ["大東市（30.7%, 6,700人/km²）"]
    two = [*munis, _m("27210", 60.0, 3, density=5000.0, name="枚方市")]
    assert len(charts.scatter_labels(charts.scatter_figure(two, (), "ja"))) == 2


def test_crosstab_figure_shows_the_slide_numbers(slide_munis):
    ct = committee.crosstab(slide_munis)
    cells = charts.crosstab_cells(charts.crosstab_figure(ct, "ja", title="クロス集計"))
    assert cells[(0, 1)] == "中山間地域\n200人/km²未満"
    assert cells[(0, 2)] == "一般都市\n200-2000人/km²"
    assert cells[(0, 3)] == "大都市\n2000人/km²以上"
    assert cells[(0, 4)] == "総計"
    assert cells[(1, 0)] == "80-100%" and cells[(5, 0)] == "0-20%" and cells[(6, 0)] == "総計"
    assert cells[(1, 3)] == "302（90.4％）"
    assert cells[(6, 4)] == "1896（100％）"
    for r, band in enumerate([*committee.BANDS_TOP_FIRST, None], start=1):
        assert tuple(cells[(r, c)] for c in (1, 2, 3, 4)) == slides.SLIDE_TEXT[band]


def test_topn_figure_shows_the_tables(slide_munis):
    top = committee.top_n(slide_munis, 10)
    fig = charts.topn_figure(top, 10, "ja")
    t2 = charts.topn_cells(fig, 2)
    assert t2[0] == [
        "都道府県名",
        "市区町村名",
        "充足率",
        "全人口",
        "面積（km²）",
        "人口密度（人/km²）",
    ]  # units: issue #15
    assert len(t2) == 11
    assert t2[1] == ["大阪府", "泉南郡田尻町", "100.0%", "8,434", "24.0", "351.2"]
    assert t2[10] == ["大分県", "別府市", "93.3%", "115,321", "125.3", "920.1"]
    captions = {
        t.get_gid(): t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("caption")
    }
    assert captions["caption2"] == "一般都市（人口密度200～2000人/km²）で充足率トップテンの市区町村"
    empty = charts.topn_figure({1: [], 2: [], 3: []}, 5, "en")
    assert charts.topn_cells(empty, 3)[1][1] == "none"


# ------------------------------------------------------------------ fonts and files


def test_a_japanese_font_is_found():
    font = find_cjk_font()
    assert font is not None, "no CJK font installed (the set-up installs fonts-noto-cjk)"
    assert font_families(font)[0] == font.family
    assert font.pdf_fonttype in (3, 42)


def _glyph_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def test_japanese_renders_without_missing_glyphs(slide_munis, tmp_path):
    def draw_all():
        ct = committee.crosstab(slide_munis)
        for fig in (
            charts.scatter_figure(slide_munis[:50], {slide_munis[0].code}, "ja", title="充足率と人口密度"),
            charts.crosstab_figure(ct, "ja", title="地域分布"),
            charts.topn_figure(committee.top_n(slide_munis, 3), 3, "ja"),
        ):
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=50)
            charts.save_figure(fig, str(tmp_path / "f"), formats=("pdf", "svg"))

    assert _glyph_warnings(draw_all) == []


def test_the_glyph_check_does_detect_missing_glyphs():
    # the check above would fail with a Latin-only font: DejaVu Sans has no kanji
    def draw():
        fig = charts._new_figure(2, 1)
        fig.text(0.1, 0.5, "充足率", fontfamily=["DejaVu Sans"])
        fig.savefig(io.BytesIO(), format="png")

    assert _glyph_warnings(draw) != []


def test_pdf_embeds_the_font_and_png_is_300_dpi(tmp_path):
    font = find_cjk_font()
    munis = [_m("31201", 50.0, 1, density=50.0, name="智頭町"), _m("31202", 90.0, 2, density=500.0)]
    fig = charts.scatter_figure(munis, {"31201"}, "ja", title="鳥取県")
    written = charts.save_figure(fig, str(tmp_path / "scatter"))
    assert set(written) == {"png", "svg", "pdf"}
    pdf = (tmp_path / "scatter.pdf").read_bytes()
    names = [n.decode() for n in re.findall(rb"/BaseFont /(?:[A-Z]{6}\+)?([^\s/]+)", pdf)]
    # TrueType, embedded (FontFile2), with a ToUnicode map: the Japanese text is selectable
    expected = font.family.replace(" ", "") if font.truetype_outlines else "KaigoTT"
    assert any(n.startswith(expected[:8]) for n in names), names
    assert b"/FontFile2" in pdf and b"/ToUnicode" in pdf
    assert b"/Type3" not in pdf
    # the figure keeps its own font after the PDF
    assert {tuple(t.get_fontfamily()) for t in fig.findobj(charts_text_class())} == {
        tuple(font_families(font))
    }
    png = (tmp_path / "scatter.png").read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (11 * 300, 7 * 300)
    i = png.index(b"pHYs")
    ppm_x = struct.unpack(">I", png[i + 4 : i + 8])[0]
    assert round(ppm_x * 0.0254) == 300
    svg = (tmp_path / "scatter.svg").read_text(encoding="utf-8")
    assert "<text" not in svg  # text as outlines: renders without the font


def charts_text_class():
    from matplotlib.text import Text

    return Text


def _cff_cjk_font():
    """An installed Japanese font with CFF outlines (Noto Sans CJK JP, from the set-up), as a CjkFont."""
    from matplotlib import font_manager

    from kaigo_resource_plugin.core import fonts

    for entry in sorted(font_manager.fontManager.ttflist, key=lambda e: (e.name, e.fname)):
        if entry.name in fonts.PREFERRED_FAMILIES and entry.weight in (400, "normal", "regular"):
            font = fonts.CjkFont(entry.name, entry.fname, fonts._has_truetype_outlines(entry.fname))
            if not font.truetype_outlines and fonts._covers(entry.fname, fonts.PROBE_TEXT):
                return font
    pytest.skip("no Japanese font with CFF outlines installed: the TrueType conversion is not needed here")


def test_truetype_copy_of_a_cff_font():
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    from kaigo_resource_plugin.core import fonts

    dejavu = font_manager.findfont("DejaVu Sans")
    assert fonts.truetype_family_for(fonts.CjkFont("DejaVu Sans", dejavu, True), "abc") == "DejaVu Sans"
    font = _cff_cjk_font()
    family = fonts.truetype_family_for(font, "充足率（％）")
    assert family is not None and family.startswith("Kaigo TT ")
    assert fonts.truetype_family_for(font, "充足率（％）") == family  # cached
    for weight in ("normal", "bold"):
        path = font_manager.findfont(
            font_manager.FontProperties(family=family, weight=weight), fallback_to_default=False
        )
        tt = TTFont(path)
        assert "glyf" in tt and "CFF " not in tt
        assert all(ord(ch) in tt.getBestCmap() for ch in "充足率（％）A0")
        assert ("bold" in path) == (weight == "bold")


def test_pdf_falls_back_to_type3_glyphs(tmp_path, monkeypatch):
    font = _cff_cjk_font()
    monkeypatch.setattr(charts, "truetype_family_for", lambda *_a: None)
    fig = charts.crosstab_figure(committee.crosstab([_m("31201", 50.0, 1)]), "ja", font=font)
    charts.save_figure(fig, str(tmp_path / "ct"), formats=("pdf",), font=font)
    pdf = (tmp_path / "ct.pdf").read_bytes()
    assert b"/Type3" in pdf and b"/CharProcs" in pdf


def test_saving_is_deterministic(tmp_path):
    munis = [_m("31201", 50.0, 1, density=50.0, name="智頭町"), _m("31202", 90.0, 2, density=500.0)]
    for name in ("a", "b"):
        fig = charts.scatter_figure(munis, {"31201"}, "ja")
        charts.save_figure(fig, str(tmp_path / name))
    for ext in ("png", "svg", "pdf"):
        assert (tmp_path / f"a.{ext}").read_bytes() == (tmp_path / f"b.{ext}").read_bytes(), ext


def test_failed_save_leaves_no_file(tmp_path):
    fig = charts.scatter_figure([], (), "ja")
    with pytest.raises(ValueError):
        charts.save_figure(fig, str(tmp_path / "x"), formats=("png", "nosuchformat"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.png"]

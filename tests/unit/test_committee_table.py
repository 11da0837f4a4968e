"""core/committee.py: reading the municipality table for the charts, and the charts' texts."""

from kaigo_resource_plugin.core import committee


def _get(row):
    return lambda name: row.get(name)


def test_default_rate_fields_base_first_then_types_by_name():
    names = ["muni_code", "rate_pct_shop", "rate_pct", "rate_pct_bus", "rate"]
    assert committee.default_rate_fields(names) == ["rate_pct", "rate_pct_bus", "rate_pct_shop"]
    assert committee.default_rate_fields(["muni_code"]) == []


def test_rate_kind_and_name():
    assert committee.rate_kind("rate_pct") is None
    assert committee.rate_kind("rate_pct_convenience") == "convenience"
    assert committee.rate_kind("my_rate") == "my_rate"
    assert committee.rate_name("rate_pct", "ja") == "充足率"
    assert committee.rate_name("rate_pct_bus", "ja") == "充足率（bus）"
    assert committee.rate_name("rate_pct_bus", "en") == "Sufficiency rate (bus)"
    assert committee.rate_name("my_rate", "en") == "Sufficiency rate (my_rate)"


def test_code_text_pads_and_drops_a_float_tail():
    assert committee.code_text(1101) == "01101"
    assert committee.code_text(1101.0) == "01101"
    assert committee.code_text("1101.0") == "01101"
    assert committee.code_text(" 27100 ") == "27100"
    assert committee.code_text(None) == ""
    assert committee.code_text("X1") == "X1"


def test_table_row_density_from_population_and_area_when_no_density_field():
    row = committee.table_row(
        _get(
            {
                "muni_code": 31201,
                "muni_name": " 鳥取市 ",
                "pop_total": "1,000",
                "area_km2": 10.0,
                "rate_pct": "12.5%",
            }
        ),
        ["rate_pct"],
        has_density=False,
    )
    assert row["code"] == "31201" and row["name"] == "鳥取市" and row["pref"] == ""
    assert row["density"] == 100.0
    assert row["rates"] == {"rate_pct": 12.5}
    assert row["cls"] == committee.density_class(100.0)


def test_table_row_keeps_a_valid_stored_class_and_recomputes_an_invalid_one():
    cells = {"muni_code": "27100", "muni_name": "大阪市", "density": 12000.0}
    assert committee.table_row(_get({**cells, "density_class": 1.0}), [], True)["cls"] == 1
    assert committee.table_row(_get({**cells, "density_class": 9}), [], True)[
        "cls"
    ] == committee.density_class(12000.0)
    # no density and no area: no class
    assert committee.table_row(_get({"muni_code": "1", "pop_total": 5}), [], True)["cls"] is None
    # a zero area gives no density
    assert committee.table_row(_get({"pop_total": 5, "area_km2": 0}), [], False)["density"] is None


def test_municipalities_take_the_rate_of_the_field():
    rows = [committee.table_row(_get({"muni_code": 1, "density": 5.0, "a": 1, "b": 2}), ["a", "b"], True)]
    assert committee.municipalities(rows, "b")[0].rate_pct == 2.0
    assert committee.municipalities(rows, "a")[0].code == "00001"


def test_scatter_texts():
    t, note = committee.scatter_texts("rate_pct", "ja", "", 41, 2, True)
    assert t == "地域資源充足率と人口密度の関係"
    assert note == "市区町村数 41（充足率または地域分類のない 2 市区町村を除く）　●赤丸：指定した市区町村"
    t, note = committee.scatter_texts("rate_pct_bus", "en", "", 1, 0, False)
    assert (t, note) == ("Sufficiency rate and population density (bus)", "1 municipality")
    assert committee.scatter_texts("rate_pct_bus", "ja", "委員会", 3, 0, False)[0] == "委員会（bus）"
    assert committee.scatter_texts("rate_pct", "en", "Mine", 3, 0, False)[0] == "Mine"


def test_table_titles():
    ct, tn = committee.table_titles("rate_pct", "en", "")
    assert ct == "Distribution by density class and sufficiency rate band (number of municipalities)"
    assert tn == "Municipalities with the highest sufficiency rate per density class"
    ct, tn = committee.table_titles("rate_pct_bus", "ja", "")
    assert ct == "地域資源充足率を加味した地域分布（bus）"
    assert tn == "人口密度カテゴリ別 充足率（bus）の高い市区町村"
    assert committee.table_titles("rate_pct", "ja", "私の表") == ("私の表", "私の表")

"""core/maps.py: what a blank-area map says and where it looks (pure Python, no QGIS)."""

from kaigo_resource_plugin.core import maps


def test_utm_zone_of_japan_is_clamped_to_51_55():
    assert maps.utm_epsg(135.5, 34.7) == 6690  # Osaka, zone 53
    assert maps.utm_epsg(141.3, 43.0) == 6691  # Sapporo, zone 54
    assert maps.utm_epsg(100.0, 10.0) == 6688  # west of Japan: zone 51
    assert maps.utm_epsg(170.0, 40.0) == 6692  # east of Japan: zone 55


def test_nice_segment_is_1_2_or_5_times_a_power_of_ten():
    assert maps.nice_segment(730.0) == 500.0
    assert maps.nice_segment(250.0) == 200.0
    assert maps.nice_segment(1999.0) == 1000.0
    assert maps.nice_segment(0.0) == 100.0


def test_scale_bar_switches_to_kilometres_above_4_km():
    assert maps.scale_bar(4000.0) == (False, 500.0)
    assert maps.scale_bar(16000.0) == (True, 2.0)


def test_code_getter_order_muni_code_then_key_code_then_pref_city():
    get = maps.code_getter(["x", "muni_code"])
    assert get([None, 1101.0]) == "01101"
    assert get([None, " 27100 "]) == "27100"
    assert get([None, None]) is None
    get = maps.code_getter(["KEY_CODE"])
    assert get(["27102001001"]) == "27102"
    assert get([None]) is None
    get = maps.code_getter(["KEN", "CITY"])
    assert get([1, 101]) == "01101"
    assert get([1, None]) is None
    assert maps.code_getter(["name"]) is None


def test_place_names_take_the_first_non_empty_field():
    idx = {"muni_name": 0, "GST_NAME": 1, "CSS_NAME": 2, "PREF_NAME": 3}
    assert maps.place_names(["", " 大阪市 ", "北区", None], idx) == {
        "name": "大阪市",
        "ward": "北区",
        "pref": "",
    }


def test_choose_codes_by_code_and_by_name_in_the_order_given():
    groups = {
        "27102": {"name": "大阪市", "ward": "北区"},
        "27103": {"name": "大阪市", "ward": "都島区"},
        "31201": {"name": "鳥取市", "ward": ""},
    }
    assert maps.choose_codes([], groups) == (["27102", "27103", "31201"], [])
    assert maps.choose_codes(["鳥取市", "27103", "31201", "大阪市北区"], groups) == (
        ["31201", "27103", "27102"],
        [],
    )
    # a bare city name matches its first ward by code; unknown tokens are reported
    assert maps.choose_codes(["大阪市", "99999", "どこか"], groups) == (["27102"], ["99999", "どこか"])


def test_fit_extent_adds_a_margin_and_matches_the_aspect():
    xmin, ymin, xmax, ymax = maps.fit_extent(0.0, 0.0, 100.0, 100.0, 2.0, 500.0)
    assert (xmax - xmin) / (ymax - ymin) == 2.0
    assert (ymin, ymax) == (-4.0, 104.0)  # 4 % of the longer side on every side
    xmin, ymin, xmax, ymax = maps.fit_extent(0.0, 0.0, 1000.0, 10.0, 2.0, 500.0)
    assert (xmin, xmax) == (-40.0, 1040.0)
    assert abs((xmax - xmin) / (ymax - ymin) - 2.0) < 1e-12
    # one point: widened by max(radius, 500) first
    xmin, ymin, xmax, ymax = maps.fit_extent(5.0, 5.0, 5.0, 5.0, 1.0, 800.0)
    assert (xmin, xmax) == (5.0 - 800.0 - 64.0, 5.0 + 800.0 + 64.0)


def test_map_title_default_user_and_placeholders():
    assert maps.map_title("", "鳥取県鳥取市", "31201", False, 500.0, "ja") == (
        "鳥取県鳥取市　地域資源の位置と空白地域（半径500m以内に資源のない町丁・字）"
    )
    assert maps.map_title("", "Tottori", "31201", True, 750.0, "en").endswith("within 750 m)")
    assert maps.map_title("{muni} ({code})", "鳥取市", "31201", True, 500.0, "ja") == "鳥取市 (31201)"
    assert maps.map_title("空白地域", "鳥取市", "31201", True, 500.0, "ja") == "空白地域（鳥取市）"
    assert maps.map_title("Blank areas", "Tottori", "31201", True, 500.0, "en") == "Blank areas (Tottori)"
    assert maps.map_title("空白地域", "鳥取市", "31201", False, 500.0, "ja") == "空白地域"


def test_map_summary_counts_and_pins():
    counts = {"blank": 3, "covered": 1200, "no_population": 7}
    ja = maps.map_summary(counts, 500.0, 1, "ja")
    assert ja.startswith("町丁・字 1,210（空白 3・資源あり 1,200・人口なし 7）\n")
    assert "色分け" not in ja
    assert "（種類ごとに色分け）" in maps.map_summary(counts, 500.0, 2, "ja")
    en = maps.map_summary(counts, 500.0, 1, "en")
    assert en.startswith("1,210 chōme: 3 blank, 1,200 covered, 7 without population\n")
    assert en.endswith("Blue pins: resources.")
    assert maps.map_summary(counts, 500.0, 3, "en").endswith("one colour per type.")


def test_resource_legend_name():
    assert maps.resource_legend_name("コンビニ", 1234, "ja") == "コンビニ（1,234件）"
    assert maps.resource_legend_name("Shops", 2, "en") == "Shops (2)"

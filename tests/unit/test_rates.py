"""Municipality aggregation: at-home elderly, sufficiency rates, bands, density classes, tables."""

from __future__ import annotations

import math
import zipfile
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaigo_resource_plugin.core.errors import InputError
from kaigo_resource_plugin.core.rates import (
    ChomeArrays,
    aggregate_municipalities,
    check_share,
    check_thresholds,
    density_columns,
    heading,
    municipality_fields,
    normalize_muni_code,
    parse_flag,
    rate_pct,
    read_code_table,
    resource_types,
)

NAN = math.nan


def _chome(**kw):
    base = dict(
        keys=["A1", "A2", "A3", "B1", "B2"],
        muni=["01100", "01100", "01100", "02201", "02201"],
        elderly=np.array([100.0, 50.0, 30.0, 0.0, 0.0]),
        access={"": np.array([1, 0, 1, 0, 0], bool)},
    )
    base.update(kw)
    return ChomeArrays(**base)


def test_hand_computed_case_with_two_types():
    # municipality 01100: three chōme of 75+ 100, 50, 30; share 0.1 → at home 90, 45, 27 (Σ 162)
    #   conv: chōme 1 and 3 → 117 / 162 = 72.2…%; lib: chōme 2 → 45 / 162 = 27.7…%; any: 1,2,3 → 100 %
    # municipality 02201: 75+ 40 and 60 → at home 36, 54 (Σ 90); conv none → 0 %; lib chōme 2 → 60 %
    c = ChomeArrays(
        keys=["A1", "A2", "A3", "B1", "B2"],
        muni=["01100", "01100", "01100", "02201", "02201"],
        elderly=np.array([100.0, 50.0, 30.0, 40.0, 60.0]),
        access={
            "": np.array([1, 1, 1, 0, 1], bool),
            "conv": np.array([1, 0, 1, 0, 0], bool),
            "lib": np.array([0, 1, 0, 0, 1], bool),
        },
        care3=0.1,
        population=np.array([1000.0, 500.0, 300.0, 200.0, 400.0]),
        pop_75plus=np.array([100.0, 50.0, 30.0, 40.0, 60.0]),
        pref_name=["北海道", "北海道", "北海道", "青森県", "青森県"],
        muni_name=["札幌市", None, "札幌市", "弘前市", "弘前市"],
    )
    t = aggregate_municipalities(c, {"01100": 9.0, "02201": 3.0}, "table:x.csv", types=["conv", "lib"])
    col = t.columns
    assert col["muni_code"] == ["01100", "02201"]
    assert col["muni_name"] == ["札幌市", "弘前市"]
    assert col["pop_total"] == [1800, 600]
    assert col["pop_75plus"] == [180, 100]
    assert col["at_home_75plus"] == pytest.approx([162.0, 90.0])
    assert col["at_home_with_access"] == pytest.approx([162.0, 54.0])
    assert col["at_home_without_access"] == pytest.approx([0.0, 36.0])
    assert col["rate_pct"] == pytest.approx([100.0, 60.0])
    assert col["rate_band"] == ["80-100", "60-80"]
    assert col["at_home_with_access_conv"] == pytest.approx([117.0, 0.0])
    assert col["rate_pct_conv"] == pytest.approx([100 * 117 / 162, 0.0])
    assert col["rate_band_conv"] == ["60-80", "0-20"]
    assert col["rate_pct_lib"] == pytest.approx([100 * 45 / 162, 60.0])
    assert col["rate_band_lib"] == ["20-40", "60-80"]
    assert col["area_km2"] == [9.0, 3.0]
    assert col["area_source"] == ["table:x.csv", "table:x.csv"]
    assert col["density"] == pytest.approx([200.0, 200.0])
    assert col["density_class"] == [2, 2]
    assert col["class_label"] == ["一般都市（中間）", "一般都市（中間）"]
    assert col["n_chome"] == [3, 2]
    assert col["n_blank"] == [0, 1]
    names = t.names
    assert names[:15] == [
        "muni_code",
        "pref_name",
        "muni_name",
        "pop_total",
        "area_km2",
        "area_source",
        "density",
        "density_class",
        "class_label",
        "pop_75plus",
        "at_home_75plus",
        "at_home_with_access",
        "at_home_without_access",
        "rate_pct",
        "rate_band",
    ]
    assert "rate_pct_conv" in names and "rate_band_lib" in names
    assert len(t.rows()) == 2 and len(t.rows()[0]) == len(names)


def test_no_at_home_elderly_gives_null_rate_not_zero():
    t = aggregate_municipalities(_chome())
    assert t.columns["rate_pct"] == [pytest.approx(100 * 130 / 180), None]
    assert t.columns["rate_band"][1] is None
    assert t.notes.zero_elderly_munis == ["02201"]
    assert rate_pct(np.array([0.0]), np.array([0.0])) == [None]


def test_uniform_share_changes_counts_not_rates():
    a = aggregate_municipalities(_chome(care3=0.0))
    b = aggregate_municipalities(_chome(care3=0.3))
    assert b.columns["at_home_75plus"][0] == pytest.approx(0.7 * a.columns["at_home_75plus"][0])
    assert b.columns["rate_pct"][0] == pytest.approx(a.columns["rate_pct"][0], rel=1e-12)


def test_per_chome_share_changes_the_rate():
    # chōme 1 (access) share 0.5, chōme 2 (no access) 0, chōme 3 (access) 0: (50 + 30) / (50 + 50 + 30)
    t = aggregate_municipalities(_chome(care3=np.array([0.5, 0.0, 0.0, 0.0, 0.0])))
    assert t.columns["rate_pct"][0] == pytest.approx(100 * 80 / 130)


@pytest.mark.parametrize(
    ("with_access", "band"),
    [
        (0.0, "0-20"),
        (19.999, "0-20"),
        (20.0, "20-40"),
        (39.999, "20-40"),
        (40.0, "40-60"),
        (59.999, "40-60"),
        (60.0, "60-80"),
        (79.999, "60-80"),
        (80.0, "80-100"),
        (99.999, "80-100"),
        (100.0, "80-100"),
    ],
)
def test_band_edges(with_access, band):
    # one municipality of 100 at-home elderly, split into a chōme with access and one without
    c = ChomeArrays(
        keys=["k1", "k2"],
        muni=["13101", "13101"],
        elderly=np.array([with_access, 100.0 - with_access]),
        access={"": np.array([True, False])},
    )
    t = aggregate_municipalities(c)
    assert t.columns["rate_pct"][0] == pytest.approx(with_access, abs=1e-9)
    assert t.columns["rate_band"] == [band]


@pytest.mark.parametrize(
    ("pop", "area", "cls", "label"),
    [
        (199.0, 1.0, 1, "中山間地域"),
        (19999.0, 100.0, 1, "中山間地域"),  # 199.99
        (200.0, 1.0, 2, "一般都市（中間）"),
        (20000.0, 100.0, 2, "一般都市（中間）"),
        (1999.0, 1.0, 2, "一般都市（中間）"),
        (2000.0, 1.0, 3, "大都市"),
        (400.0, 0.2, 3, "大都市"),
    ],
)
def test_class_edges(pop, area, cls, label):
    dens, classes, labels = density_columns([pop], [area])
    assert dens == [pytest.approx(pop / area)]
    assert classes == [cls]
    assert labels == [label]


def test_custom_thresholds_and_missing_values():
    dens, classes, _ = density_columns([150.0, 150.0, None, 10.0], [1.0, 1.0, 1.0, None], (100.0, 150.0))
    assert classes == [3, 3, None, None]
    assert dens[2] is None and dens[3] is None


@pytest.mark.parametrize(("low", "high"), [(2000, 200), (200, 200), (0, 2000), (-1, 10), (NAN, 10)])
def test_thresholds_in_the_wrong_order(low, high):
    with pytest.raises(InputError) as err:
        check_thresholds(low, high)
    assert "THRESHOLD_LOW" in str(err.value)
    assert err.value.ja and err.value.en
    with pytest.raises(InputError):
        aggregate_municipalities(_chome(), thresholds=(low, high))


def test_share_must_be_a_fraction():
    assert check_share(0.109) == 0.109
    for bad in (-0.1, 1.5, 10.9, NAN):
        with pytest.raises(InputError):
            check_share(bad)


def test_multipart_chome_counted_once_and_water_dropped():
    # key K: e-Stat puts 40 on part E1 and 0 on E2; key J: a joined table repeats 25 on both parts;
    # key W is a water area (HCODE 8154) and is dropped; per-feature areas add up over the parts
    c = ChomeArrays(
        keys=["K", "K", "J", "J", "W"],
        muni=["31201"] * 5,
        elderly=np.array([40.0, 0.0, 25.0, 25.0, 0.0]),
        access={"": np.array([False, True, False, False, False])},
        population=np.array([400.0, 0.0, 250.0, 250.0, 0.0]),
        water=np.array([False, False, False, False, True]),
        area_m2=np.array([1e6, 5e5, 2e6, 1e5, 9e6]),
    )
    t = aggregate_municipalities(c, area_source="field:AREA")
    assert t.columns["at_home_75plus"] == [65.0]
    assert t.columns["at_home_with_access"] == [40.0]  # K has access through its part E2
    assert t.columns["pop_total"] == [650]
    assert t.columns["area_km2"] == [pytest.approx(3.6)]
    assert t.columns["area_source"] == ["field:AREA"]
    assert t.columns["n_chome"] == [2]
    assert t.notes.n_water == 1
    assert t.notes.n_multipart_keys == 2
    assert t.notes.n_conflicting_keys == 0


def test_conflicting_parts_are_reported():
    c = ChomeArrays(
        keys=["K", "K"], muni=["31201", "31201"], elderly=np.array([10.0, 7.0]), access={"": np.ones(2, bool)}
    )
    t = aggregate_municipalities(c)
    assert t.columns["at_home_75plus"] == [10.0]
    assert t.notes.n_conflicting_keys == 1


def test_null_elderly_counts_as_zero_and_is_counted():
    t = aggregate_municipalities(_chome(elderly=np.array([100.0, NAN, 30.0, 0.0, NAN])))
    assert t.columns["at_home_75plus"][0] == 130.0
    assert t.notes.n_null_elderly == 2


def test_any_type_derived_from_typed_fields():
    c = ChomeArrays(
        keys=["a", "b", "c"],
        muni=["13101"] * 3,
        elderly=np.array([10.0, 20.0, 30.0]),
        access={"x": np.array([1, 0, 0], bool), "y": np.array([0, 1, 0], bool)},
    )
    t = aggregate_municipalities(c)
    assert t.types == ["x", "y"]
    assert t.columns["rate_pct"] == [pytest.approx(50.0)]


def test_no_access_field_is_an_input_error():
    with pytest.raises(InputError, match="has_access"):
        aggregate_municipalities(_chome(access={}))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),  # chōme key
            st.sampled_from(["01100", "13101", "47201"]),
            st.floats(0, 1000, allow_nan=False),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
    ),
    st.floats(0, 0.9),
)
def test_matches_brute_force(rows, share):
    # make keys unique per municipality so that a key never spans two municipalities
    keys = [f"{m}-{k}" for k, m, *_ in rows]
    c = ChomeArrays(
        keys=keys,
        muni=[m for _k, m, *_ in rows],
        elderly=np.array([e for *_a, e, _x, _y in rows]),
        access={"": np.array([a for *_a, a, _y in rows]), "t": np.array([y for *_a, y in rows])},
        care3=share,
    )
    t = aggregate_municipalities(c)
    # brute force: per key the max weight and "any part has access"
    per_key = {}
    for key, (_k, _m, e, a, y) in zip(keys, rows):
        w, aa, yy = per_key.get(key, (0.0, False, False))
        per_key[key] = (max(w, e), aa or a, yy or y)
    tot = defaultdict(float)
    acc = defaultdict(float)
    acc_t = defaultdict(float)
    for key, (w, a, y) in per_key.items():
        m = key.split("-")[0]
        tot[m] += w * (1 - share)
        acc[m] += w * (1 - share) if a else 0.0
        acc_t[m] += w * (1 - share) if y else 0.0
    assert t.columns["muni_code"] == sorted(tot)
    for i, m in enumerate(t.columns["muni_code"]):
        assert t.columns["at_home_75plus"][i] == pytest.approx(tot[m], abs=1e-6)
        if tot[m] > 0:
            assert t.columns["rate_pct"][i] == pytest.approx(100 * acc[m] / tot[m], abs=1e-9)
            assert t.columns["rate_pct_t"][i] == pytest.approx(100 * acc_t[m] / tot[m], abs=1e-9)
            assert 0.0 <= t.columns["rate_pct"][i] <= 100.0 + 1e-9
            assert t.columns["rate_band"][i] is not None
        else:
            assert t.columns["rate_pct"][i] is None


# --- small helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [("13101", "13101"), (13101, "13101"), ("131016", "13101"), ("1100", "01100"), ("1100.0", "01100")],
)
def test_normalize_muni_code(value, code):
    assert normalize_muni_code(value) == code


def test_normalize_muni_code_rejects():
    assert normalize_muni_code("市区町村コード") is None
    assert normalize_muni_code(None) is None
    assert normalize_muni_code("1234567") is None


@pytest.mark.parametrize(
    ("value", "flag"),
    [(1, True), (0, False), ("1", True), ("0", False), (True, True), (None, False), ("true", True),
     ("blank", False), ("covered", True), (1.0, True), (NAN, False), ("", False)],
)  # fmt: skip
def test_parse_flag(value, flag):
    assert parse_flag(value) is flag


def test_resource_types():
    names = ["KEY_CODE", "has_access", "has_access_conv", "n_within_conv", "has_access_lib", "has_access_"]
    assert resource_types(names) == ["conv", "lib"]


def test_read_code_table_cp932_with_header(tmp_path):
    p = tmp_path / "care3.csv"
    p.write_bytes(
        "市区町村コード,市区町村名,割合\r\n311014,鳥取市,0.12\r\n31202,米子市,0.1\r\n".encode("cp932")
    )
    assert read_code_table(str(p), "CARE3_TABLE", "share") == {"31101": 0.12, "31202": 0.1}


def test_read_code_table_utf8_bom_and_bad_rows(tmp_path):
    p = tmp_path / "area.csv"
    p.write_text('code,area_km2\n1100,1121.26\n13101,"11.66"\n', encoding="utf-8-sig")
    assert read_code_table(str(p), "AREA_TABLE", "km²") == {"01100": 1121.26, "13101": 11.66}
    p.write_text("code,area_km2\n13101,\n", encoding="utf-8")
    with pytest.raises(InputError, match="13101"):
        read_code_table(str(p), "AREA_TABLE", "km²")
    p.write_text("code,v\n1234567,0.1\n", encoding="utf-8")  # 7 digits: not a code, not skipped silently
    with pytest.raises(InputError, match="1234567"):
        read_code_table(str(p), "AREA_TABLE", "km²")
    p.write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(InputError):
        read_code_table(str(p), "AREA_TABLE", "km²")
    with pytest.raises(InputError):
        read_code_table(str(tmp_path / "missing.csv"), "AREA_TABLE", "km²")


def test_fixture_tables_in_repo():
    from pathlib import Path

    data = Path(__file__).resolve().parent.parent / "data" / "rates"
    care = read_code_table(str(data / "care3_tottori_cp932.csv"), "CARE3_TABLE", "share")
    assert len(care) == 19 and all(0 < v < 1 for v in care.values())
    area = read_code_table(str(data / "area_tottori_km2.csv"), "AREA_TABLE", "km²")
    assert len(area) == 19 and area["31201"] == pytest.approx(765.01)


# --- tables --------------------------------------------------------------------------------------


def test_headings():
    assert heading("muni_code") == "市区町村コード"
    assert heading("rate_pct") == "充足率(%)"
    assert heading("rate_band") == "充足率カテゴリ"
    assert heading("class_label") == "地域分類"
    assert heading("rate_pct_conv") == "充足率(%)（conv）"
    assert heading("rate_pct_conv", "en") == "Sufficiency rate (%) (conv)"
    assert heading("area_km2", "en") == "Area (km²)"
    fields = [n for n, _k in municipality_fields(["conv"])]
    assert fields[-2:] == ["n_chome", "n_blank"]
    assert all(heading(n) != n for n in fields)


def test_csv_and_xlsx(tmp_path):
    t = aggregate_municipalities(_chome(pref_name=["北海道"] * 5, muni_name=["札幌市"] * 3 + ["弘前市"] * 2))
    csv_path = tmp_path / "m.csv"
    t.write_csv(str(csv_path))
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(",")[:3] == ["muni_code", "pref_name", "muni_name"]
    assert lines[1].startswith("01100,北海道,札幌市,")
    assert ",,," in lines[2]  # NULL rate, band, etc. are empty cells
    xlsx = tmp_path / "m.xlsx"
    t.write_xlsx(str(xlsx), "ja")
    with zipfile.ZipFile(xlsx) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
        book = zf.read("xl/workbook.xml").decode("utf-8")
    assert "市区町村コード" in sheet and "充足率カテゴリ" in sheet and "在宅高齢者数" in sheet
    assert "市区町村" in book
    t.write_xlsx(str(xlsx), "en")
    with zipfile.ZipFile(xlsx) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "Municipality code" in sheet and "市区町村コード" not in sheet
    # deterministic
    t.write_csv(str(tmp_path / "m2.csv"))
    assert (tmp_path / "m2.csv").read_bytes() == raw

"""core.municipalities: the bundled list, look-up in kanji, kana and codes, prefectures, designated cities."""

from __future__ import annotations

import csv

import pytest

from kaigo_resource_plugin.core import municipalities as M
from kaigo_resource_plugin.core.errors import InputError


@pytest.fixture(scope="module")
def reg():
    return M.registry()


def _rows():
    with open(M.DATA_FILE, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_bundled_list_is_complete_and_check_digits_hold(reg):
    rows = _rows()
    assert len(reg) == len(rows) == 1916
    # the 6th digit of every lgcode is the check digit of the first five: an independent check of our reader
    assert all(M.check_digit(r["lgcode"][:5]) == r["lgcode"][5] for r in rows)
    assert len({m.code for m in reg.items}) == len(reg)
    assert {m.pref_code for m in reg.items} == {f"{i:02d}" for i in range(1, 48)}


@pytest.mark.parametrize(
    "query",
    [
        "大東市",
        "だいとうし",
        "ダイトウシ",
        "ﾀﾞｲﾄｳｼ",
        "だいとう",
        "大東",
        "27218",
        "272183",
        "２７２１８",
        "大阪府大東市",
        "おおさかふだいとうし",
    ],
)
def test_one_town_in_kanji_kana_and_codes(reg, query):
    hits = reg.lookup(query)
    assert [(m.code, m.name, m.pref) for m in hits] == [("27218", "大東市", "大阪府")]


def test_wrong_check_digit_and_unknown_code_are_refused_bilingually(reg):
    with pytest.raises(InputError) as err:
        reg.lookup("272184")
    assert "検査数字" in err.value.ja and "check digit" in err.value.en
    with pytest.raises(InputError) as err:
        reg.lookup("99999")
    assert "99999" in err.value.ja and "not in the list" in err.value.en


def test_prefecture_means_all_its_municipalities(reg):
    osaka = reg.lookup("大阪府")
    rows = [r for r in _rows() if r["pref"] == "大阪府"]
    assert len(osaka) == len(rows) == 74  # 43 municipalities + the wards of 大阪市 (24) and 堺市 (7)
    assert reg.lookup("おおさかふ") == osaka == reg.lookup("27")
    assert len(reg.lookup("鳥取県")) == 19
    assert len(reg.lookup("北海道")) == len([r for r in _rows() if r["pref"] == "北海道"])


def test_designated_city_whole_or_by_ward(reg):
    (city,) = reg.lookup("大阪市")
    assert city.code == "27100" and city.is_designated_city and not city.is_ward
    assert len(city.ward_codes) == 24
    units = reg.download_units([city])
    assert [u.code for u in units] == list(city.ward_codes)
    assert all(u.is_ward and u.city_code == "27100" for u in units)
    for q in ("大阪市北区", "大阪市 北区", "おおさかしきたく", "27127"):
        (ward,) = reg.lookup(q)
        assert (ward.code, ward.city_code) == ("27127", "27100")
        assert reg.download_units([ward]) == [ward]
    # 北区 alone is 東京都北区 (a special ward is a municipality), not one of the designated cities' wards
    assert [m.code for m in reg.lookup("北区")] == ["13117"]
    # a prefecture gives the wards to download, not the city twice
    units = reg.download_units(reg.lookup("大阪府"))
    assert "27100" not in {u.code for u in units} and "27127" in {u.code for u in units}
    assert len(units) == 74 - 2


def test_same_name_in_two_prefectures_asks_for_the_prefecture(reg):
    with pytest.raises(InputError) as err:
        reg.lookup("府中市")
    assert "13206" in str(err.value) and "34208" in str(err.value) and "東京都府中市" in err.value.en
    assert [m.code for m in reg.lookup("東京都府中市")] == ["13206"]
    assert [m.code for m in reg.lookup("広島県府中市")] == ["34208"]
    with pytest.raises(InputError):
        reg.lookup("大阪")  # 大阪市 or 大阪府: ambiguous, said so


def test_unknown_name_suggests_close_ones(reg):
    with pytest.raises(InputError) as err:
        reg.lookup("だいとうしx")
    assert "だいとうしx" in err.value.ja


def test_resolve_several_without_duplicates(reg):
    got = reg.resolve("大東市、27218, 四條畷市\n交野市")
    assert [m.code for m in got] == ["27218", "27229", "27230"]
    assert [m.code for m in reg.resolve(["大東市", "しじょうなわてし"])] == ["27218", "27229"]
    with pytest.raises(InputError):
        reg.resolve(" , ")


def test_type_ahead_kanji_kana_and_code(reg):
    assert reg.suggest("だいと")[0].code == "27218"
    assert reg.suggest("ダイト")[0].code == "27218"
    assert reg.suggest("大東")[0].code == "27218"
    kana = reg.suggest("さっぽろ", limit=50)
    assert kana[0].code == "01100" and {m.code for m in kana} >= {"01101", "01110"}
    assert [m.code for m in reg.suggest("2721")] == sorted(
        m.code for m in reg.items if m.code.startswith("2721")
    )
    assert reg.suggest("") == []
    # contained names come after prefix names: 南大東村 contains だいとう, 大東市 starts with it
    codes = [m.code for m in reg.suggest("だいとう")]
    assert codes.index("27218") < codes.index("47357")


def test_normalize_folds_kana_width_and_ke():
    assert M.normalize("ダイトウシ") == M.normalize("だいとうし") == M.normalize("ﾀﾞｲﾄｳｼ")
    assert M.normalize("外ケ浜町") == M.normalize("外ヶ浜町")
    assert M.normalize("大阪市 北区") == M.normalize("大阪市北区")


def test_prefectures_near_an_extent(reg):
    daito = reg.by_code["27218"]
    box = (daito.lat - 0.02, daito.lng - 0.02, daito.lat + 0.02, daito.lng + 0.02)
    assert M.prefectures_near(reg, box, margin_deg=0) == ["27"]
    assert M.prefectures_near(reg, box) == ["27"]
    # 大東市 lies on the Nara border: 0.03° further east, 生駒市's town hall (奈良県) is in reach
    wider = (daito.lat - 0.03, daito.lng - 0.03, daito.lat + 0.03, daito.lng + 0.03)
    ikoma = reg.by_code["29209"]
    assert wider[3] + 0.05 >= ikoma.lng > box[3] + 0.05
    assert M.prefectures_near(reg, wider) == ["27", "29"]
    # far from every town hall: the nearest one's prefecture
    assert M.prefectures_near(reg, (daito.lat, daito.lng, daito.lat + 1e-4, daito.lng + 1e-4), 0) == ["27"]


def test_a_label_picked_from_the_type_ahead_list_resolves_to_its_code(reg):
    label = reg.suggest("だいとうし")[0].label()
    assert label == "大東市（だいとうし）大阪府 27218"
    assert M.query_from_label(label) == "27218"
    both = f"{label}、{reg.by_code['27229'].label()}"
    assert [m.code for m in reg.resolve(M.query_from_label(both))] == ["27218", "27229"]
    assert M.query_from_label("大東市") == "大東市"

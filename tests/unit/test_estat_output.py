"""core/estat.py: the chōme layer kaigo:importestat writes (kind, columns, the part standing for a key)."""

import pytest

from kaigo_resource_plugin.core import estat
from kaigo_resource_plugin.core.errors import InputError


def test_output_kind_polygons_or_points_never_both():
    assert estat.output_kind(["polygon", "polygon"]) == "polygon"
    assert estat.output_kind(["point", "table"]) == "point"
    assert estat.output_kind(["table"]) == "point"
    with pytest.raises(InputError):
        estat.output_kind(["polygon", "table"])


def test_input_kinds_of_geometry_types():
    assert [estat.INPUT_KINDS.get(t, "other") for t in (0, 1, 2, 4)] == ["point", "other", "polygon", "table"]


def _chome(**kw):
    base = dict(
        key="31201001001",
        muni_code="31201",
        pref_name="鳥取県",
        muni_name="鳥取市",
        chome_name="栄町",
        pop_total=120,
        pop_75plus=30,
        care3_share=0.109,
        at_home_75plus=26.73,
        age_level=3,
        join_status="matched",
        hcode=8101,
        x=134.2,
        y=35.5,
        parts=[0],
        area_m2=5000.0,
    )
    base.update(kw)
    return estat.ChomeResult(**base)


def test_schema_optional_columns_follow_the_inputs():
    schema = estat.ChomeSchema.of_inputs([["KEY_CODE", "HCODE"], ["KEY_CODE", "X_CODE"]])
    assert (schema.hcode, schema.xy, schema.area) == (True, False, False)
    names = [n for n, _k, _l in schema.columns()]
    assert names[-1] == "HCODE" and "X_CODE" not in names
    assert schema.values(_chome())[-1] == 8101
    full = estat.ChomeSchema.of_inputs([["KEY_CODE", "X_CODE", "Y_CODE", "AREA_M2"]])
    assert [n for n, _k, _l in full.columns()][-3:] == ["X_CODE", "Y_CODE", "area_m2"]
    assert full.values(_chome())[-3:] == [134.2, 35.5, 5000.0]
    assert len(full.values(_chome())) == len(full.columns())


def test_schema_columns_are_the_contract_fields():
    from kaigo_resource_plugin.core import contract

    names = [n for n, _k, _l in estat.CHOME_COLUMNS]
    for name in (contract.KEY_CODE, contract.MUNI_CODE, contract.POP_TOTAL, contract.AT_HOME_75PLUS):
        assert name in names


def test_point_part_main_part_first_then_the_first_with_a_geometry():
    recs = [
        estat.BoundaryRecord(0, "k"),
        estat.BoundaryRecord(1, "k", main_part=True),
        estat.BoundaryRecord(2, "k"),
    ]
    assert estat.point_part([0, 1, 2], recs, lambda i: True) == 1
    assert estat.point_part([0, 1, 2], recs, lambda i: i != 1) == 0  # the main part has no geometry
    assert estat.point_part([0, 2], recs, lambda i: i == 2) == 2
    assert estat.point_part([0, 1], recs, lambda i: False) is None


def test_table_points_text_names_the_datum_of_the_layout():
    assert "JGD2000" in estat.table_points_text("t", "EPSG:4612", "2015", "en")
    assert "2020 年のレイアウト" in estat.table_points_text("t", "EPSG:6668", "2020", "ja")

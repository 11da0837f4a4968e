"""core.plausibility: figures that cannot be right."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from kaigo_resource_plugin.core import plausibility as pl
from kaigo_resource_plugin.core.errors import InputError
from kaigo_resource_plugin.core.reproducible import stable_pdf_bytes


def test_japan_box_edges_and_outside():
    lon = np.array([122.0, 154.0, 135.5, 121.9, 2.35, np.nan])
    lat = np.array([20.0, 46.0, 34.7, 30.0, 48.85, 35.0])
    assert pl.in_japan(lon, lat).tolist() == [True, True, True, False, False, False]
    assert pl.outside_japan(lon, lat) == (2, 5, (121.9, 30.0))


@pytest.mark.parametrize(
    ("x", "y", "problem"),
    [
        ([135.6, 135.7], [34.7, 34.8], None),
        ([34.7, 34.8], [135.6, 135.7], "swapped"),
        ([-30000.0, -25000.0], [-150000.0, -149000.0], "metres"),
        ([2.35, 2.36], [48.85, 48.86], "outside"),
        ([0.0, 135.6], [0.0, 34.7], None),  # 0/0 = missing, not a point
    ],
)
def test_xy_code_problems(x, y, problem):
    assert pl.xy_code_problem(x, y) == problem


def test_lost_leading_zeros_are_restored_only_when_unambiguous():
    keys = ["1101001001", "11010010", "27218001001", "8101", "abc", "", "9101001001"]
    fixed, n = pl.restore_leading_zeros(keys)
    assert fixed == ["01101001001", "011010010", "27218001001", "8101", "abc", "", "09101001001"]
    assert n == 3
    # a known prefecture that disagrees: left alone
    fixed, n = pl.restore_leading_zeros(["1101001001"], prefs=["13"])
    assert (fixed, n) == (["1101001001"], 0)
    fixed, n = pl.restore_leading_zeros(["1101001001"], prefs=["1"])
    assert (fixed, n) == (["01101001001"], 1)


def test_key_share():
    assert pl.key_share(["27218001001", "272180010", "27218", "", "大字北条"]) == (0.75, 4, "大字北条")
    assert pl.key_share(["8101", "8154"])[0] == 0.0
    assert pl.key_share(["99218001001"])[0] == 0.0  # no prefecture 99


def test_bad_counts():
    assert pl.bad_counts([1, 2, np.nan]) == (0, 0, None)
    assert pl.bad_counts([1, -250, -3, np.inf]) == (2, 1, -250.0)


def test_distinct_names():
    names, renamed = pl.distinct_names(["shops", "shops", "libs", "shops", "shops_2"])
    assert names == ["shops", "shops_3", "libs", "shops_4", "shops_2"]
    assert renamed == [("shops", "shops_3"), ("shops", "shops_4")]
    assert len(set(names)) == len(names)


def test_truncation():
    assert pl.truncation("a,b,c\n1,2,3\n") is None
    assert pl.truncation("a,b,c\n1,2,3") == "no_newline"
    assert pl.truncation("a,b,c\n1,2") == "short"
    with pytest.raises(InputError) as err:
        pl.clean_table_text("a,b,c\r\n1,2,3\r\n4,5", "t.csv")
    assert "stops in the middle of line 3" in err.value.en


def test_stray_and_lone_carriage_returns():
    text, note = pl.clean_table_text("a,b\r\n1,\r2\r\n", "t.csv")
    assert (text, note) == ("a,b\n1,2\n", None)
    text, note = pl.clean_table_text("a,b\r1,2\r", "t.csv")
    assert (text, note) == ("a,b\n1,2\n", None)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"PK\x03\x04rest", "Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel workbook (.xls)"),
        (bytes(range(256)), "binary data"),
    ],
)
def test_files_that_are_not_text_tables(data, fragment):
    with pytest.raises(InputError) as err:
        pl.check_text_file(data, "t.csv", "AGES")
    assert fragment in err.value.en and "AGES" in err.value.ja


def test_utf16_text_is_not_binary():
    pl.check_text_file("KEY_CODE,HYOSYO\n".encode("utf-16"), "t.csv", "AGES")


@pytest.mark.parametrize(
    ("cell", "ok"), [("12", True), ("-", True), ("X", True), ("1,234", True), ("-12", False), ("abc", False)]
)
def test_count_cells(cell, ok):
    if ok:
        pl.check_count_text(cell, "T001082020", "t.csv", 5)
    else:
        with pytest.raises(InputError):
            pl.check_count_text(cell, "T001082020", "t.csv", 5)


def test_long_field_names():
    assert pl.long_field_names(["KEY_CODE", "has_access", "has_access_shops", "人口総数"]) == [
        "has_access_shops",
        "人口総数",
    ]
    assert not pl.finite(math.inf) and not pl.finite(math.nan) and pl.finite(0.109)


def test_pdf_dates_and_ids_are_fixed_without_moving_any_byte():
    a = b"%PDF-1.4\n/CreationDate (D:20261201095327Z)\n/ID [<0123ABCD> <4567EF01>]\nxref 0 12345\n%%EOF"
    b = a.replace(b"20261201095327", b"20251111111111").replace(b"0123ABCD", b"FFFFFFFF")
    sa, sb = stable_pdf_bytes(a), stable_pdf_bytes(b)
    assert sa == sb and len(sa) == len(a)
    assert b"/CreationDate (D:20000101000000Z)" in sa
    assert sa.index(b"xref") == a.index(b"xref")


def test_xmp_dates_of_qgis_340_are_fixed_without_moving_any_byte():
    # QGIS 3.40+ writes the export time into an XMP packet as well (attributes), other writers as elements
    a = (
        b'%PDF-1.4\n<rdf:Description xmp:CreateDate="2026-12-01T13:24:24Z" xmp:ModifyDate="2026-12-01T13:24:24Z"'
        b' xmp:MetadataDate="2026-12-01T13:24:24+09:00"/><xmp:CreateDate>2026-12-01T13:24:24.5Z</xmp:CreateDate>'
        b'<rdf:Description xmpMM:DocumentID="uuid:dfa9cfcf-a287-48bf-a97d-c8ccd29e7ab4" xmpMM:VersionID="1"/>'
        b"\nxref 0 12345\n%%EOF"
    )
    b = a.replace(b"2026-12-01T13:24:24", b"2027-01-31T23:59:58").replace(b"dfa9cfcf-a287", b"aeae7e2c-2812")
    sa, sb = stable_pdf_bytes(a), stable_pdf_bytes(b)
    assert a != b and sa == sb and len(sa) == len(a)
    assert b'xmp:CreateDate="2000-01-01T00:00:00Z"' in sa
    assert b'xmp:MetadataDate="2000-01-01T00:00:00+00:00"' in sa
    assert b"<xmp:CreateDate>2000-01-01T00:00:00.0Z</xmp:CreateDate>" in sa
    assert b"dfa9cfcf" not in sa and re.search(
        rb'DocumentID="uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"', sa
    )
    assert sa.index(b"xref") == a.index(b"xref")

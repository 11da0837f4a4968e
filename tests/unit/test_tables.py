"""CSV with BOM and the dependency-free XLSX writer, read back independently."""

from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree as ET

import pytest

from kaigo_resource_plugin.core.tables import write_csv, write_xlsx

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def test_csv_has_bom_crlf_and_full_precision(tmp_path):
    path = tmp_path / "t.csv"
    write_csv(
        str(path), ["muni_code", "muni_name", "rate_pct"], [["27218", "大東市", 1 / 3], ["x", None, None]]
    )
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert text.split("\r\n") == [
        "muni_code,muni_name,rate_pct",
        "27218,大東市,0.3333333333333333",
        "x,,",
        "",
    ]


def _sheet_cells(path, n=1):
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read(f"xl/worksheets/sheet{n}.xml"))
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
    names = [s.get("name") for s in wb.find("m:sheets", NS)]
    cells = {}
    for c in root.iter(f"{{{NS['m']}}}c"):
        if c.get("t") == "inlineStr":
            cells[c.get("r")] = c.find("m:is/m:t", NS).text
        else:
            cells[c.get("r")] = float(c.find("m:v", NS).text)
    return names, cells


def test_xlsx_round_trip_keeps_text_numbers_and_japanese(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx(
        str(path),
        [
            ("市町村", ["コード", "名前", "率"], [["27218", "大東市", 30.7], ["01100", "札幌<市>&", None]]),
            ("b", ["x"], [[1]]),
        ],
    )
    names, cells = _sheet_cells(path)
    assert names == ["市町村", "b"]
    assert cells == {
        "A1": "コード",
        "B1": "名前",
        "C1": "率",
        "A2": "27218",
        "B2": "大東市",
        "C2": 30.7,
        "A3": "01100",
        "B3": "札幌<市>&",
    }


def test_xlsx_is_byte_identical_on_rerun(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for p in (a, b):
        write_xlsx(str(p), [("s", ["a"], [[1.5], ["x"]])])
    assert a.read_bytes() == b.read_bytes()


def test_xlsx_sheet_names_are_made_valid_and_unique(tmp_path):
    path = tmp_path / "t.xlsx"
    write_xlsx(str(path), [("a/b", ["x"], []), ("a/b", ["x"], []), ("x" * 40, ["x"], [])])
    names, _ = _sheet_cells(path)
    assert names[0] == "a_b" and names[1] != names[0] and len(names[2]) == 31
    assert all(not re.search(r"[\[\]:*?/\\]", n) for n in names)


def test_failed_write_leaves_no_file(tmp_path):
    path = tmp_path / "t.xlsx"

    class Boom:
        def __str__(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_xlsx(str(path), [("s", ["a"], [[Boom()]])])
    assert list(tmp_path.iterdir()) == []


def _styles(path):
    """Per cell reference the number format code Excel applies (General when none)."""
    with zipfile.ZipFile(path) as zf:
        styles = ET.fromstring(zf.read("xl/styles.xml"))
        sheet = ET.fromstring(zf.read("xl/worksheets/sheet1.xml"))
    codes = {f.get("numFmtId"): f.get("formatCode") for f in styles.iter(f"{{{NS['m']}}}numFmt")}
    xfs = list(styles.find("m:cellXfs", NS))
    out = {}
    for c in sheet.iter(f"{{{NS['m']}}}c"):
        xf = xfs[int(c.get("s", "0"))]
        out[c.get("r")] = codes.get(xf.get("numFmtId"), "General")
    return out


def test_xlsx_number_formats_change_the_display_not_the_value(tmp_path):
    """Issue #15 item 6: rates one decimal, counts with thousands separators; the cell keeps full precision."""
    from kaigo_resource_plugin.core.tables import COUNT_FORMAT, RATE_FORMAT

    path = tmp_path / "f.xlsx"
    write_xlsx(
        str(path),
        [("s", ["code", "rate", "people"], [["27218", 30.69231, 14063.544], ["27219", 100.0, 193717]])],
        formats=[[None, RATE_FORMAT, COUNT_FORMAT]],
    )
    styles = _styles(path)
    assert styles["B2"] == "0.0" and styles["B3"] == "0.0"
    assert styles["C2"] == "#,##0" and styles["C3"] == "#,##0"
    assert styles["A2"] == "General" and styles["B1"] == "General"  # text and the header
    _names, cells = _sheet_cells(path)
    assert cells["B2"] == 30.69231 and cells["C2"] == 14063.544  # full value in the cell


def test_municipality_xlsx_formats_and_readable_area_source(tmp_path):
    from kaigo_resource_plugin.core.rates import MunicipalityTable, area_source_text, number_format

    assert number_format("rate_pct") == number_format("rate_pct_convenience") == "0.0"
    assert number_format("at_home_without_access_library") == number_format("pop_75plus") == "#,##0"
    assert number_format("muni_code") is None and number_format("density_class") is None
    assert "楕円体" in area_source_text("ellipsoid", "ja")
    assert area_source_text("ellipsoid", "en").startswith("computed on the ellipsoid")
    assert "AREA" in area_source_text("field:AREA", "ja")
    t = MunicipalityTable(
        fields=[
            ("muni_code", "string"),
            ("area_source", "string"),
            ("rate_pct", "double"),
            ("pop_75plus", "double"),
        ],
        columns={
            "muni_code": ["27218"],
            "area_source": ["ellipsoid"],
            "rate_pct": [30.7],
            "pop_75plus": [15784],
        },
    )
    path = tmp_path / "m.xlsx"
    t.write_xlsx(str(path), "ja")
    _names, cells = _sheet_cells(path)
    assert cells["B2"] == area_source_text("ellipsoid", "ja")
    styles = _styles(path)
    assert styles["C2"] == "0.0" and styles["D2"] == "#,##0"

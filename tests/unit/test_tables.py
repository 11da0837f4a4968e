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

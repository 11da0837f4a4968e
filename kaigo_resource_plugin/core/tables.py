"""Tables for people: CSV in UTF-8 with BOM (Excel opens it as is) and a dependency-free XLSX writer."""

from __future__ import annotations

import csv
import math
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

from .atomic import atomic_path

Row = Sequence[object]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(value)
    return str(value)


def write_csv(path: str, header: Row, rows: Sequence[Row]) -> None:
    """UTF-8 with BOM, CRLF line ends, full precision; NULL/NaN written as an empty cell."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow([_cell_text(h) for h in header])
            for row in rows:
                writer.writerow([_cell_text(v) for v in row])


def _col_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _xml_text(value: str) -> str:
    # XML 1.0 forbids most control characters; drop them rather than write a file Excel rejects.
    cleaned = "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 0x20)
    return escape(cleaned)


# Number formats a person reads in Excel; the cell keeps the full value.
RATE_FORMAT = "0.0"  # percentages: one decimal (SPEC §1.4)
COUNT_FORMAT = "#,##0"  # people and chōme: thousands separators, no decimals shown
DECIMAL_FORMAT = "#,##0.0"  # density
AREA_FORMAT = "#,##0.00"  # km²
_FIRST_CUSTOM_FORMAT = 164  # ids below are Excel's built-in formats


def _styles_xml(formats: Sequence[str]) -> str:
    """styles.xml: style 0 plain, 1 bold header, 2 + i the number format ``formats[i]``."""
    num_fmts = "".join(
        f'<numFmt numFmtId="{_FIRST_CUSTOM_FORMAT + i}" formatCode="{escape(code, {chr(34): "&quot;"})}"/>'
        for i, code in enumerate(formats)
    )
    xfs = "".join(
        f'<xf numFmtId="{_FIRST_CUSTOM_FORMAT + i}" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/>'
        for i in range(len(formats))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<numFmts count="{len(formats)}">{num_fmts}</numFmts>' if formats else "")
        + '<fonts count="2"><font><sz val="11"/><name val="Yu Gothic"/></font>'
        '<font><b/><sz val="11"/><name val="Yu Gothic"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{2 + len(formats)}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>' + xfs + "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _sheet_xml(
    header: Row,
    rows: Sequence[Row],
    widths: Sequence[float] | None,
    column_styles: Sequence[int | None] | None = None,
) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>',
    ]
    if widths:
        out.append("<cols>")
        for i, w in enumerate(widths):
            out.append(f'<col min="{i + 1}" max="{i + 1}" width="{w:.1f}" customWidth="1"/>')
        out.append("</cols>")
    out.append("<sheetData>")
    for r, row in enumerate([header, *rows], start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_col_name(c)}{r}"
            style = ' s="1"' if r == 1 else ""
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"{style}><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)):
                if r > 1 and column_styles and c < len(column_styles) and column_styles[c] is not None:
                    style = f' s="{column_styles[c]}"'
                cells.append(f'<c r="{ref}"{style}><v>{value!r}</v></c>')
            else:
                text = _xml_text(str(value))
                cells.append(
                    f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'
                )
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    out.append("</sheetData></worksheet>")
    return "".join(out)


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_CT = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)


def write_xlsx(
    path: str,
    sheets: Sequence[tuple[str, Row, Sequence[Row]]],
    widths: Sequence[Sequence[float] | None] | None = None,
    formats: Sequence[Sequence[str | None] | None] | None = None,
) -> None:
    """Write ``sheets`` = [(sheet name, header, rows), ...] as an Office Open XML workbook.

    Numbers stay numbers (full precision), text is stored inline, the header row is bold and frozen.
    ``formats``: per sheet, per column an Excel number format (e.g. RATE_FORMAT) or None (General); it
    changes what Excel shows, never the value in the cell.
    """
    if not sheets:
        raise ValueError("write_xlsx needs at least one sheet")
    used: set[str] = set()
    names = []
    for name, _h, _r in sheets:
        clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
        candidate, k = clean, 2
        while candidate in used:
            candidate = f"{clean[:28]}_{k}"
            k += 1
        used.add(candidate)
        names.append(candidate)
    workbook = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    ]
    rels = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    ]
    for i, name in enumerate(names, start=1):
        workbook.append(f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>')
        rels.append(
            f'<Relationship Id="rId{i}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
        )
    workbook.append("</sheets></workbook>")
    n = len(names)
    rels.append(
        f'<Relationship Id="rId{n + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    )
    codes: list[str] = []  # distinct number formats, in order of first use
    styles: list[list[int | None] | None] = []
    for k in range(len(sheets)):
        sheet_formats = formats[k] if formats and k < len(formats) else None
        if not sheet_formats:
            styles.append(None)
            continue
        column_styles: list[int | None] = []
        for code in sheet_formats:
            if code is None:
                column_styles.append(None)
                continue
            if code not in codes:
                codes.append(code)
            column_styles.append(2 + codes.index(code))
        styles.append(column_styles)
    content_types = _CONTENT_TYPES.format(sheets="".join(_SHEET_CT.format(n=i) for i in range(1, n + 1)))
    with atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            # fixed timestamps: the same table gives a byte-identical file
            def put(name: str, data: str) -> None:
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data.encode("utf-8"))

            put("[Content_Types].xml", content_types)
            put("_rels/.rels", _ROOT_RELS)
            put("xl/workbook.xml", "".join(workbook))
            put("xl/_rels/workbook.xml.rels", "".join(rels))
            put("xl/styles.xml", _styles_xml(codes))
            for i, (_name, header, rows) in enumerate(sheets, start=1):
                w = widths[i - 1] if widths and i - 1 < len(widths) else None
                put(f"xl/worksheets/sheet{i}.xml", _sheet_xml(header, rows, w, styles[i - 1]))

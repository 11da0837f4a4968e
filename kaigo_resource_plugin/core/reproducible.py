"""Outputs that are the same bytes on every rerun with the same inputs (PDFs like CSV/XLSX/GPKG)."""

from __future__ import annotations

import hashlib
import re

FIXED_PDF_DATE = b"D:20000101000000"
_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:([0-9]{4,14})([^)]*)\)")
# QGIS 3.40+ also writes an XMP packet with the time of the export (attribute or element form)
_XMP_DATE = re.compile(
    rb'((?:xmp:CreateDate|xmp:ModifyDate|xmp:MetadataDate)(?:="|>))([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+)([^"<]*)'
)
_XMP_UUID = re.compile(rb'((?:xmpMM:DocumentID|xmpMM:InstanceID)(?:="|>)uuid:)([0-9A-Fa-f-]{36})')
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")


def stable_pdf_bytes(data: bytes) -> bytes:
    """The PDF with its creation/modification dates (Info dictionary and XMP) fixed, and its /ID and XMP
    document uuid derived from the content.

    Every replacement keeps the length of what it replaces, so the cross-reference offsets stay valid.
    """

    def date(m: re.Match) -> bytes:
        digits = m.group(2)
        fixed = FIXED_PDF_DATE[2 : 2 + len(digits)]
        zone = re.sub(rb"[0-9]", b"0", m.group(3))
        return b"/" + m.group(1) + b" (D:" + fixed + zone + b")"

    def xmp_date(m: re.Match) -> bytes:
        fixed = iter(FIXED_PDF_DATE[2:] + b"0" * 16)
        value = bytes(next(fixed) if 48 <= c <= 57 else c for c in m.group(2))
        return m.group(1) + value + re.sub(rb"[0-9]", b"0", m.group(3))

    data = _DATE.sub(date, data)
    data = _XMP_DATE.sub(xmp_date, data)
    if _XMP_UUID.search(data):  # a random uuid per export: one derived from the content instead
        h = hashlib.sha256(_XMP_UUID.sub(rb"\1", data)).hexdigest().encode()
        uuid = h[:8] + b"-" + h[8:12] + b"-" + h[12:16] + b"-" + h[16:20] + b"-" + h[20:32]
        data = _XMP_UUID.sub(lambda m: m.group(1) + uuid, data)
    ids = _ID.search(data)
    if ids:
        blank = data[: ids.start()] + data[ids.end() :]
        digest = hashlib.sha256(blank).hexdigest().upper().encode()
        n1, n2 = len(ids.group(1)), len(ids.group(2))
        new = b"/ID [<" + (digest * 4)[:n1] + b"> <" + (digest * 4)[:n2] + b">]"
        old = data[ids.start() : ids.end()]
        if len(new) == len(old):
            data = data[: ids.start()] + new + data[ids.end() :]
    return data


def stabilise_pdf(path: str) -> None:
    """Rewrite the PDF at ``path`` in place (see ``stable_pdf_bytes``); nothing happens if it is stable."""
    with open(path, "rb") as fh:
        data = fh.read()
    if not data.startswith(b"%PDF"):
        return
    new = stable_pdf_bytes(data)
    if new != data:
        with open(path, "wb") as fh:
            fh.write(new)

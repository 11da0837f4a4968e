"""Outputs that are the same bytes on every rerun with the same inputs (PDFs like CSV/XLSX/GPKG)."""

from __future__ import annotations

import hashlib
import re

FIXED_PDF_DATE = b"D:20000101000000"
_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:([0-9]{4,14})([^)]*)\)")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")


def stable_pdf_bytes(data: bytes) -> bytes:
    """The PDF with its creation/modification dates fixed and its /ID derived from the content.

    Every replacement keeps the length of what it replaces, so the cross-reference offsets stay valid.
    """

    def date(m: re.Match) -> bytes:
        digits = m.group(2)
        fixed = FIXED_PDF_DATE[2 : 2 + len(digits)]
        zone = re.sub(rb"[0-9]", b"0", m.group(3))
        return b"/" + m.group(1) + b" (D:" + fixed + zone + b")"

    data = _DATE.sub(date, data)
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

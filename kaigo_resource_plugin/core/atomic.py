"""Write files so that an error or a cancel never leaves a half-written file at the target path."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator


@contextlib.contextmanager
def atomic_path(target: str, suffix: str | None = None) -> Iterator[str]:
    """Yield a temporary path beside ``target``; move it onto ``target`` only if the block succeeds."""
    folder = os.path.dirname(os.path.abspath(target)) or "."
    base = os.path.basename(target)
    if suffix is None:
        suffix = os.path.splitext(base)[1]
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=f".part{suffix}", dir=folder)
    os.close(fd)
    os.unlink(tmp)  # writers that refuse existing files (GDAL) get a free name
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

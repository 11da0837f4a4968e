"""Output helpers of the algorithms: removing a half-written output after a cancel, pausing the garbage
collector around a write loop of many small objects."""

from __future__ import annotations

import contextlib
import gc
import os


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for a block that creates hundreds of thousands of small
    objects (rows, features): its repeated full scans would otherwise take a good part of the time.
    Reference counting still frees everything; the collector resumes (if it was on) afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def remove_partial_output(dest_id: str) -> None:
    """After a cancel during writing: delete the half-written file when the whole file was ours.

    A destination like ``existing.gpkg|layername=x`` adds a layer to a file that holds other data: it is
    left alone (QGIS cannot take back a half-written layer there either).
    """
    if not isinstance(dest_id, str) or "|" in dest_id or not os.path.isfile(dest_id):
        return
    for path in (dest_id, dest_id + "-wal", dest_id + "-shm", dest_id + "-journal"):
        if os.path.exists(path):
            try:
                os.remove(path)
            except OSError:
                pass

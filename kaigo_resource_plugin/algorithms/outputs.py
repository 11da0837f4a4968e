"""Output helpers of the algorithms: removing a half-written output after a cancel, pausing the garbage
collector around a write loop of many small objects."""

from __future__ import annotations

import contextlib
import gc
import os
import threading

_PAUSE_LOCK = threading.Lock()
_pauses = {"count": 0, "resume": False}


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector for a block.

    Used around a write loop that creates hundreds of thousands of small objects (rows, features), whose
    repeated full scans would otherwise take a good part of the time, and around every run of ours in a
    background thread (``base.KaigoAlgorithm.processAlgorithm``). Reference counting still frees
    everything. The pauses nest and may overlap between threads: the collector resumes (if it was on) when
    the last one ends."""
    with _PAUSE_LOCK:
        if _pauses["count"] == 0:
            _pauses["resume"] = gc.isenabled()
            gc.disable()
        _pauses["count"] += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _pauses["count"] -= 1
            if _pauses["count"] == 0 and _pauses["resume"]:
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

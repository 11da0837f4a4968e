"""Paths of the repository and its bundled real data (import in tests).

Every file a test reads lives in the repository: `sample_data/` (real e-Stat / OSM files, see its
DATA_SOURCES.md) and `tests/data/` (small hand-made tables). Nothing beside the checkout is needed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

"""Shared test helpers: where the repository, its sample data and the project's shared data lie."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _shared_data() -> Path:
    env = os.environ.get("KAIGO_SHARED_DATA")
    if env:
        return Path(env)
    return ROOT.parent / "shared" / "data"


SHARED = _shared_data()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real e-Stat / OSM data beside the checkout (CI lays shared/ next to the clone)."""
    if not SHARED.is_dir():
        pytest.fail(f"shared data not found at {SHARED}; set KAIGO_SHARED_DATA")
    return SHARED


@pytest.fixture(scope="session")
def sample_data() -> Path:
    return SAMPLE

"""Shared test fixtures: the repository, its sample data and the project's shared data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kaigo_paths import ROOT, SAMPLE, SHARED  # noqa: E402

__all__ = ["ROOT", "SAMPLE", "SHARED"]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real e-Stat / OSM data beside the checkout (CI lays shared/ next to the clone)."""
    if not SHARED.is_dir():
        pytest.fail(f"shared data not found at {SHARED}; set KAIGO_SHARED_DATA")
    return SHARED


@pytest.fixture(scope="session")
def sample_data() -> Path:
    return SAMPLE

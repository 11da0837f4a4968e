"""Shared test fixtures: the repository and its bundled real data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kaigo_paths import ROOT, SAMPLE  # noqa: E402

__all__ = ["ROOT", "SAMPLE"]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real e-Stat / OSM files, bundled in the repository's sample_data/ (the same folder names as the
    project's shared data set they were copied from). Kept as a name for older tests: use sample_data."""
    return SAMPLE


@pytest.fixture(scope="session")
def sample_data() -> Path:
    return SAMPLE

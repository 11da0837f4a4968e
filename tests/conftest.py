"""Shared test fixtures: the repository and its bundled real data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kaigo_paths import ROOT, SAMPLE  # noqa: E402

__all__ = ["ROOT", "SAMPLE"]

try:  # the oracles' pyproj finds PROJ's data through the `proj` program, which Debian 13's QGIS does not pull in
    import pyproj.datadir

    try:
        pyproj.datadir.get_data_dir()
    except pyproj.exceptions.DataDirError:
        if (Path("/usr/share/proj") / "proj.db").exists():
            pyproj.datadir.set_data_dir("/usr/share/proj")
except ImportError:  # pragma: no cover - the tests that need pyproj skip without it
    pass

try:  # property tests measure correctness, not speed: CI machines are shared and the matrix runs suites side by side
    from hypothesis import HealthCheck, settings

    settings.register_profile("kaigo", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("kaigo")
except ImportError:  # pragma: no cover - hypothesis is a test tool of the venv
    pass


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real e-Stat / OSM files, bundled in the repository's sample_data/ (the same folder names as the
    project's shared data set they were copied from). Kept as a name for older tests: use sample_data."""
    return SAMPLE


@pytest.fixture(scope="session")
def sample_data() -> Path:
    return SAMPLE


# The `slow` marker (declared in pyproject.toml): every test that starts qgis_process in a subprocess
# (its name says qgis_process, or its whole module does: the bad-input suite, the end-to-end runs).
# `make test-fast` leaves them out for the inner loop; `make test` runs everything.
SLOW_MODULES = {"test_bad_inputs", "test_full_analysis"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in SLOW_MODULES or "qgis_process" in item.name:
            item.add_marker(pytest.mark.slow)

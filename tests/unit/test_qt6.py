"""Qt6 / QGIS 4 readiness, checked against PyQt6 itself (a throwaway venv from PyPI, without QGIS).

- tests/tools/qt6_names.py: every Qt module, class and enum member the plugin and the tests name
  exists in PyQt6 (``Qt.AlignmentFlag.AlignLeft`` yes, ``Qt.AlignLeft`` no).
- QGIS's own migration script (pyqt5_to_pyqt6.py of qgis/QGIS, as packaged on PyPI by QGIS developers
  under the name ``qgis-pyqt5to6``), run on a copy of the plugin and the tests, changes nothing. Without
  QGIS in the venv it applies its Qt rules (unscoped Qt enums from PyQt6 introspection, PyQt5 imports,
  QVariant() → NULL, exec_ → exec, qApp, deprecated renamed enums, QDateTime constructors); the QGIS
  enums are checked under QGIS by tests/qgis/test_qt6_readiness.py on each version of the matrix.

The venv is cached outside the repository: $KAIGO_QT6_VENV, else $XDG_CACHE_HOME (or ~/.cache)/
kaigo_resource_plugin/qt6-venv; its first creation downloads PyQt6 (about 100 MB, a minute or two).
Without PyPI the tests are skipped with the reason, except under CI (CI set), where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kaigo_paths import ROOT

REQUIREMENTS = [
    "PyQt6==6.11.0",
    "PyQt6-Qt6==6.11.2",
    "PyQt6-QScintilla==2.14.1",  # the migration script imports PyQt6.Qsci
    "tokenize-rt==6.2.0",
    "astpretty==3.0.0",
]
MIGRATION = (
    "qgis-pyqt5to6==0.0.0.dev0"  # declares Python >= 3.12 but runs on 3.9+: installed without that check
)
STAMP = " ".join([*REQUIREMENTS, MIGRATION])


def _venv_dir() -> Path:
    if os.environ.get("KAIGO_QT6_VENV"):
        return Path(os.environ["KAIGO_QT6_VENV"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "kaigo_resource_plugin" / "qt6-venv"


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI has PyPI: this must work there)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def qt6_python() -> Path:
    venv = _venv_dir()
    py = venv / "bin" / "python"
    stamp = venv / ".kaigo-qt6"
    if py.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == STAMP:
        return py
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    # a plain venv: no system site packages, so neither QGIS nor PyQt5 can be imported there
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    if not (venv / "bin" / "python").exists():
        _unavailable("could not create a virtual environment")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    steps = [
        [str(py), "-m", "ensurepip", "--default-pip"],
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *REQUIREMENTS],
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps"]
        + ["--ignore-requires-python", MIGRATION],
    ]
    for cmd in steps:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1200)
        if proc.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
            _unavailable(f"PyQt6 from PyPI could not be installed ({' / '.join(tail)})")
    stamp.write_text(STAMP, encoding="utf-8")
    return py


def _run(py: Path, *args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([str(py), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def test_venv_has_pyqt6_and_no_qgis(qt6_python):
    proc = _run(qt6_python, "-c", "import PyQt6.QtCore as c; print(c.PYQT_VERSION_STR); import qgis")
    assert proc.stdout.startswith("6."), proc.stdout + proc.stderr
    assert "No module named 'qgis'" in proc.stderr


def test_every_qt_name_exists_in_pyqt6(qt6_python):
    tool = ROOT / "tests" / "tools" / "qt6_names.py"
    proc = _run(
        qt6_python, str(tool), str(ROOT / "kaigo_resource_plugin"), str(ROOT / "tests"), str(ROOT / "scripts")
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 problem(s)" in proc.stdout and "checked" in proc.stdout


def test_the_name_check_finds_qt5_only_names(qt6_python, tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from qgis.PyQt.QtCore import Qt\n"
        "from qgis.PyQt.QtWidgets import QAction, QDialog\n"
        "from PyQt5.QtGui import QColor\n"
        "a = Qt.AlignLeft\n"
        "b = Qt.AlignmentFlag.AlignLeft\n"
        "c = QDialog.exec_\n",
        encoding="utf-8",
    )
    proc = _run(qt6_python, str(ROOT / "tests" / "tools" / "qt6_names.py"), str(bad))
    assert proc.returncode == 1
    lines = [ln.split(": ", 1)[1] for ln in proc.stdout.splitlines() if ln.startswith(str(bad))]
    assert lines == [
        "PyQt6.QtWidgets has no QAction",
        "import Qt through qgis.PyQt, not PyQt5.QtGui",
        "Qt.AlignLeft does not exist in PyQt6 (scoped: Qt.AlignmentFlag.AlignLeft)",
        "QDialog.exec_ does not exist in PyQt6",
    ], proc.stdout


def _copy(tmp_path: Path) -> Path:
    dest = tmp_path / "copy"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("kaigo_resource_plugin", "tests", "scripts"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def test_qgis_migration_script_changes_nothing(qt6_python, tmp_path):
    copy = _copy(tmp_path)
    before = _tree(copy)
    proc = _run(qt6_python, "-m", "pyqt5to6.pyqt5to6", str(copy))
    after = _tree(copy)
    changed = sorted(k for k in before if before[k] != after.get(k))
    assert (
        changed == []
    ), f"the migration script rewrote {changed}\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    warnings = [ln for ln in proc.stderr.splitlines() if "WARNING" in ln or "ERROR" in ln]
    assert warnings == [], "\n".join(warnings)


def test_qgis_migration_script_does_rewrite_qt5_code(qt6_python, tmp_path):
    """The script really runs here: on Qt5-only code it changes the file and says so."""
    src = tmp_path / "old" / "x.py"
    src.parent.mkdir()
    src.write_text(
        "from qgis.PyQt.QtCore import Qt\nfrom qgis.PyQt.QtWidgets import QSizePolicy\n"
        "a = Qt.AlignLeft\nb = QSizePolicy.Expanding\ndef f(d):\n    d.exec_()\n",
        encoding="utf-8",
    )
    proc = _run(qt6_python, "-m", "pyqt5to6.pyqt5to6", str(src.parent))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = src.read_text(encoding="utf-8")
    assert "Qt.AlignmentFlag.AlignLeft" in text and "QSizePolicy.Policy.Expanding" in text
    assert "d.exec()" in text

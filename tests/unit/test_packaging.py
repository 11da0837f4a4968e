"""`make package` builds the zip without installing anything (issue #15 item 11)."""

from __future__ import annotations

import subprocess

from kaigo_paths import ROOT


def test_make_package_installs_no_test_tools():
    proc = subprocess.run(
        ["make", "-n", "--no-print-directory", "package", "VENV=/nonexistent-venv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    commands = proc.stdout
    assert "scripts/package.py" in commands
    for word in ("pip", "setup.sh", "pytest", "ruff", "mypy", "/nonexistent-venv"):
        assert word not in commands, (word, commands)

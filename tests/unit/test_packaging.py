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


def _package_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("package_script", ROOT / "scripts" / "package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_packaging_names_a_placeholder_email_address(tmp_path):
    """Issue #15 item 11: no address is known, so none is invented; packaging says so loudly instead."""
    package = _package_module()
    cases = {
        "kaigo-resource-plugin@example.org": True,
        "someone@mail.example.com": True,
        "dev@plugin.invalid": True,
        "": True,
        "not-an-address": True,
        "maintainer@city.kanagawa.jp": False,
    }
    for email, flagged in cases.items():
        meta = tmp_path / "metadata.txt"
        meta.write_text(f"[general]\nname=x\nversion=0.1.0\nemail={email}\n", encoding="utf-8")
        assert bool(package.metadata_problems(meta)) is flagged, email


def test_package_keeps_stdout_for_the_zip_path_and_warns_on_stderr(tmp_path):
    package = _package_module()
    proc = subprocess.run(
        ["/usr/bin/env", "python3", str(ROOT / "scripts" / "package.py"), "--output", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith(".zip") and len(proc.stdout.strip().splitlines()) == 1
    problems = package.metadata_problems()
    assert ("WARNING" in proc.stderr) is bool(problems)
    for problem in problems:
        assert problem in proc.stderr

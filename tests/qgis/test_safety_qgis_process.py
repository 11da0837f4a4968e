"""SPEC §8 through qgis_process, as scripts and the command line run it: the same cases as
test_safety_processing.py (safety_cases.CASES), one qgis_process per case."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from kaigo_paths import ROOT
from safety_cases import CASES, Ok, Refuse
from safety_data import bad, snapshot  # noqa: F401 - the session fixture

QP = str(ROOT / "scripts" / "qgis_process.sh")
QP_CASES = [c for c in CASES if c.qgis_process]


def arguments(params: dict) -> list[str]:
    args = []
    for name, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if isinstance(v, bool):
                v = "true" if v else "false"
            args.append(f"{name}={v}")
    return args


def run_qgis_process(alg: str, params: dict) -> tuple[int, str, str]:
    proc = subprocess.run(
        [QP, "--json", "run", alg, "--", *arguments(params)], capture_output=True, text=True, timeout=600
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("case", QP_CASES, ids=[c.id for c in QP_CASES])
def test_case_through_qgis_process(bad, tmp_path, case):  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    keep = case.setup(bad, out) if case.setup else None
    params = case.params(bad, out)
    before_inputs = snapshot(Path(bad["dir"]))
    before_out = snapshot(out)
    try:
        code, stdout, stderr = run_qgis_process(case.alg, params)
    finally:
        if keep is not None:
            keep.close()
    text = stdout + stderr
    assert "Traceback" not in text and "予期しないエラー" not in text, text[-3000:]
    if isinstance(case.expect, Refuse):
        assert code != 0, f"{case.id} must be refused\n{text[-3000:]}"
        assert case.expect.ja in text, text[-3000:]
        assert case.expect.en in text, text[-3000:]
        assert snapshot(out) == before_out, "something was written or changed in the output folder"
    else:
        assert isinstance(case.expect, Ok)
        assert code == 0, text[-3000:]
        result = json.loads(stdout)["results"]
        case.expect.check(result, text, bad, out)
    assert snapshot(Path(bad["dir"])) == before_inputs, "an input was changed"

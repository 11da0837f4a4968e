"""SPEC §8 through processing.run (the path of the toolbox, batch mode, models and the dock).

Each case of safety_cases.CASES: refused with a sentence in Japanese and one in English, nothing written,
every input untouched; or the right figures.
"""

from __future__ import annotations

import pytest
from safety_cases import CASES, Ok, Refuse
from safety_data import bad, snapshot  # noqa: F401 - the session fixture

JA_SENTENCE = "。"


class Feedback:
    """A QgsProcessingFeedback that keeps every line (and can cancel once progress passes a point)."""

    def __new__(cls, cancel_at=None):
        from qgis.core import QgsProcessingFeedback

        class _F(QgsProcessingFeedback):
            def __init__(self):
                super().__init__()
                self.lines = []
                self.cancel_at = cancel_at

            def pushInfo(self, text):  # noqa: N802
                self.lines.append(text)
                super().pushInfo(text)

            def pushWarning(self, text):  # noqa: N802
                self.lines.append(text)
                super().pushWarning(text)

            def reportError(self, text, fatal=False):  # noqa: N802
                self.lines.append(text)
                super().reportError(text, fatal)

            def setProgress(self, value):  # noqa: N802
                super().setProgress(value)
                if self.cancel_at is not None and value >= self.cancel_at:
                    self.cancel()

        return _F()


def run_case(case, files, out):
    import processing
    from qgis.core import QgsProcessingException

    keep = case.setup(files, out) if case.setup else None
    params = case.params(files, out)
    before_inputs = snapshot(__import__("pathlib").Path(files["dir"]))
    before_out = snapshot(out)
    feedback = Feedback()
    try:
        try:
            result = processing.run(case.alg, params, feedback=feedback)
            error = None
        except QgsProcessingException as err:
            result, error = None, str(err)
    finally:
        if keep is not None:
            keep.close()
    return result, error, "\n".join(feedback.lines), before_inputs, before_out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_through_processing_run(bad, tmp_path, case):  # noqa: F811
    from pathlib import Path

    out = tmp_path / "out"
    out.mkdir()
    result, error, log, before_inputs, before_out = run_case(case, bad, out)
    if isinstance(case.expect, Refuse):
        assert error is not None, f"{case.id} must be refused; it returned {result}"
        assert "Traceback" not in error and "予期しないエラー" not in error, error
        assert case.expect.ja in error, error
        assert case.expect.en in error, error
        assert snapshot(out) == before_out, "something was written or changed in the output folder"
    else:
        assert isinstance(case.expect, Ok)
        assert error is None, error
        case.expect.check(result, log, bad, out)
        assert not [p for p in out.rglob(".kaigo-staging-*")], "a staging folder was left behind"
    assert snapshot(Path(bad["dir"])) == before_inputs, "an input was changed"


def test_there_are_at_least_100_cases_over_every_algorithm():
    assert len(CASES) >= 100, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES)
    algs = {c.alg for c in CASES}
    assert len(algs) == 9, algs  # the eight of SPEC §4 and networkaccess

"""core/rates.py: the checks and the log line of kaigo:densityclasses."""

import numpy as np
import pytest

from kaigo_resource_plugin.core import rates
from kaigo_resource_plugin.core.errors import InputError


def test_check_areas_refuses_zero_negative_and_missing_and_names_the_first_row():
    rates.check_areas(np.array([1.0, 0.5]), None)
    with pytest.raises(InputError) as err:
        rates.check_areas(np.array([1.0, 0.0, np.nan, -2.0]), "AREA")
    assert "3 rows (e.g. row 2)" in str(err.value.en) and "field AREA" in str(err.value.en)
    assert "AREA_FIELD「AREA」" in str(err.value.ja)
    with pytest.raises(InputError) as err:
        rates.check_areas(np.array([np.nan]), None)
    assert "(polygons)" in str(err.value.en)


def test_class_counts_text_both_languages():
    counts = {1: 3, 2: 0, 3: 12}
    assert rates.class_counts_text(counts, [1000.0, 4000.0], "ellipsoid", "en") == (
        "Area: ellipsoid; thresholds 1000 / 4000 people/km²; class 1: 3, 2: 0, 3: 12"
    )
    assert rates.class_counts_text(counts, [1000.0, 4000.0], "field:AREA", "ja") == (
        "面積：field:AREA　しきい値 1000 / 4000 人/km²　分類 1：3、2：0、3：12"
    )

"""Laws run outside pytest: called once on given data, or searched with Hypothesis."""

import numpy as np
import pytest
from hypothesis import settings

from properties import LawViolation, load_target
from properties.controls import normalization as ctl
from properties.laws.normalization import zscore_standardises_each_feature as law


def test_a_law_called_on_data_passes_for_a_correct_target():
    assert law(load_target("reference"), x=np.array([[1.0, 2.0], [3.0, 5.0], [4.0, 4.0]])) is None


def test_a_law_called_on_data_raises_lawviolation_for_a_wrong_target():
    with pytest.raises(LawViolation, match="zscore feature 0"):
        law(ctl.divide_by_variance.target(), x=np.array([[1.0], [5.0], [9.0]]))


def test_law_check_searches_and_finds_the_bug():
    with pytest.raises(LawViolation):
        law.check(ctl.divide_by_variance.target(), settings=settings(max_examples=200, derandomize=True, database=None))


def test_law_metadata_is_available_to_tools():
    assert law.needs == ("zscore",)
    assert ctl.divide_by_variance in law.controls
    assert "population variance 1" in law.doc

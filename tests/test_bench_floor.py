"""The floor of ``benchmarks/floor.py`` takes the reference's step: it is fast by skipping checks and
allocations, not by computing something else. Three steps from the same warm state, against the
reference's ``step_`` (expected values from the reference, an independent implementation)."""

import numpy as np
import pytest

from benchmarks.floor import floor_step
from benchmarks.optimizers import OPTIMIZERS, _start
from benchmarks._data import reference_name


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_floor_takes_the_reference_step(name, dtype):
    opt = OPTIMIZERS[name][0](reference_name)
    p, g = _start(1000, dtype)
    state = opt.step_(p, g, opt.init(p))
    p_floor = p.copy()
    step = floor_step(name, p_floor, g, state)
    start = p.copy()
    for _ in range(3):
        state = opt.step_(p, g, state)
        step()
    assert p_floor.dtype == p.dtype
    # both moved the params alike, to a few roundings of the params ...
    atol = 16 * np.finfo(p.dtype).eps * np.abs(p).max()
    np.testing.assert_allclose(p_floor, p, rtol=0, atol=atol)
    # ... and the steps are far larger than that (so the comparison compares steps, not the start)
    assert np.abs(p - start).max() > 100 * atol


def test_the_floor_has_no_step_for_an_unknown_optimiser():
    with pytest.raises(NotImplementedError, match="no floor for optimiser 'lion'"):
        floor_step("lion", np.zeros(2), np.zeros(2), None)

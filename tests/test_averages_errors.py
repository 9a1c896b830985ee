"""Bad input to the moving averages raises a clear error naming function, argument and value."""

import numpy as np
import pytest

import reference as R


@pytest.mark.parametrize("alpha,msg", [(0.0, r"be in \(0, 1\]; got 0.0"), (-0.1, r"be in \(0, 1\]; got -0.1"),
                                       (1.5, r"be in \(0, 1\]; got 1.5"), (np.nan, r"be finite; got nan"),
                                       (np.inf, r"be finite; got inf")])
@pytest.mark.parametrize("func", ["ema", "ema_bias_corrected"])
def test_alpha_outside_0_1_is_a_valueerror(func, alpha, msg):
    with pytest.raises(ValueError, match=rf"^{func}: alpha must {msg}$"):
        getattr(R, func)([1.0, 2.0], alpha)


def test_alpha_message_names_value_and_interval():
    with pytest.raises(ValueError) as info:
        R.ema([1.0, 2.0], 0.0)
    assert str(info.value) == "ema: alpha must be in (0, 1]; got 0.0"


@pytest.mark.parametrize("alpha", ["0.5", True, None])
def test_alpha_not_a_number_is_a_typeerror(alpha):
    with pytest.raises(TypeError, match=r"^ema: alpha must be a real number"):
        R.ema([1.0, 2.0], alpha)


@pytest.mark.parametrize("n,exc,msg", [
    (0, ValueError, r"^sma: n must be an integer >= 1; got 0$"),
    (-3, ValueError, r"^sma: n must be an integer >= 1; got -3$"),
    (2.0, TypeError, r"^sma: n must be an integer >= 1; got 2.0$"),
])
def test_window_below_one_or_not_an_integer(n, exc, msg):
    with pytest.raises(exc, match=msg):
        R.sma([1.0, 2.0, 3.0], n)


def test_window_longer_than_the_series():
    with pytest.raises(ValueError, match=r"^sma: n must be at most the number of time steps 3 \(len\(values\)\); got 4$"):
        R.sma([1.0, 2.0, 3.0], 4)


@pytest.mark.parametrize("func,args", [("ema", (0.5,)), ("ema_bias_corrected", (0.5,)), ("sma", (1,)), ("running_mean", ())])
@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_values(func, args, bad):
    with pytest.raises(ValueError, match=rf"^{func}: values must be finite; got 1 NaN/inf value\(s\)"):
        getattr(R, func)([1.0, bad, 3.0], *args)


@pytest.mark.parametrize("func,args", [("ema", (0.5,)), ("sma", (1,)), ("running_mean", ())])
def test_empty_or_3d_values(func, args):
    with pytest.raises(ValueError, match=rf"^{func}: values must have at least 1 element"):
        getattr(R, func)([], *args)
    with pytest.raises(ValueError, match=rf"^{func}: values must be 1-d or 2-d; got 3-d"):
        getattr(R, func)(np.ones((2, 2, 2)), *args)


def test_v0_shape_and_finiteness():
    with pytest.raises(ValueError, match=r"^ema: v0 must be a scalar or have shape \(2,\) \(one per series\); got shape \(3,\)$"):
        R.ema(np.ones((4, 2)), 0.5, v0=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"^ema: v0 must be finite"):
        R.ema(np.ones((4, 2)), 0.5, v0=np.nan)


def test_inputs_are_not_modified():
    v = np.array([[1.0, 2.0], [3.0, 5.0], [4.0, 0.0]])
    before = v.copy()
    R.ema(v, 0.3, v0=v[0]), R.ema_bias_corrected(v, 0.3), R.sma(v, 2), R.running_mean(v)
    assert np.array_equal(v, before)

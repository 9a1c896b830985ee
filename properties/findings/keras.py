"""Findings of Keras 3 (``--target keras``; properties/targets/keras.py, backend ``KERAS_BACKEND``,
default jax). Each has a reproduction that must still fail.

Some findings depend on the backend (``keras.backend.backend()``): the torch backend computes
``tanh`` in float64 (K1 then shows in the normalisation layers only) and has its own truncated
normal sampler (K7).
"""

import keras
import numpy as np

from properties._findings import Reproduction
from properties._law import LawViolation
from properties.findings import Finding, violates
from properties.findings._names import (EDGE, OVERFLOW, LR, SCHED_LR, DECAY, NONNEG, NONFINITE, SHAPE, SCHEDULE_LAWS,
                                        F16, F16_ACC, GAIN, NO_FAN, NON_INT, BIG_GAIN)


def _constant_channel_is_not_nan(t):
    y, _ = t.batchnorm_forward(np.zeros((2, 1)), np.ones(1), np.zeros(1), eps=0.0)
    if not np.all(np.isfinite(y)):
        raise LawViolation(f"BatchNormalization(epsilon=0) of the constant channel [0, 0] gave {y.ravel()!r}; "
                           f"the eps -> 0 limit is beta = 0")


def _small_std(x, **_):
    return bool(np.any(np.std(np.asarray(x, dtype=np.float64), axis=0) < 2e-7))


def _small_scaled_std(x, a, **_):
    with np.errstate(all="ignore"):
        return _small_std(np.ldexp(np.asarray(x, dtype=np.float64), a))


def _small_std_per_column_scale(x, a, **_):
    from properties.laws.normalization import _pow2_columns
    with np.errstate(all="ignore"):
        return _small_std(_pow2_columns(np.asarray(x, dtype=np.float64), a))


def _squares_overflow_per_column_scale(x, a, **_):
    """|x - mean| of a column above 2**500: its square (Normalization.adapt's variance) overflows."""
    from properties.laws.normalization import _pow2_columns
    X = _pow2_columns(np.asarray(x, dtype=np.float64), a)
    with np.errstate(all="ignore"):
        d = np.abs(X - X.mean(axis=0)).max(axis=0)
    return bool(np.any(~np.isfinite(d) | (d > 2.0**500)))


def _small_std_before_or_after(x, a, b, **_):
    with np.errstate(all="ignore"):
        return _small_std(x) or _small_std(a * np.asarray(x, dtype=np.float64) + b)


def _small_std_rounded(x, dtype, **_):
    with np.errstate(all="ignore"):
        return _small_std(np.asarray(x).astype(dtype))


BACKEND = keras.backend.backend()

_K1 = ("float64 is computed in float32: keras.backend.result_type maps float64 to float32 on every backend "
       "but TensorFlow (keras/src/backend/common/dtypes.py, BIT64_TO_BIT32_DTYPE), and ops that take their "
       "dtype from it (the BatchNormalization arithmetic, Normalization's statistics, and on the jax backend tanh) "
       "round float64 inputs to float32, even with keras.config.set_floatx('float64'). Upstream "
       "keras-team/keras#23223 (fixed by #23225 after 3.15.1). ")
_K1_BN = ("batchnorm_training_output_has_mean_beta_and_variance_gamma2_s2_over_s2_plus_eps",
          "batchnorm_output_is_invariant_to_positive_affine_maps_of_each_channel",
          "batchnorm_inference_is_a_per_channel_affine_map_of_each_sample",
          "batchnorm_running_update_follows_the_momentum_recursion",
          "zscore_is_stable_under_large_offsets",
          "batchnorm_inference_fits_where_x_minus_the_mean_overflows",
          "batchnorm_cache_holds_the_batch_statistics_at_every_magnitude")

if BACKEND == "torch":
    K1 = Finding(
        "K1", severity="correctness",
        reason=_K1 + "Backend torch: keras.ops.tanh keeps float64, but layers.Normalization standardises "
                     "[32768.36523438, 0] to [0.99999994, -0.99999994] (float32) instead of [1, -1]",
        laws=(*_K1_BN, "zscore_standardises_each_feature", "apply_zscore_holds_at_extreme_magnitudes",
              "apply_zscore_holds_across_the_float64_range"),
        reproduce=violates("zscore_standardises_each_feature", x=np.array([[32768.36523438], [0.0]])),
    )
else:
    K1 = Finding(
        "K1", severity="correctness",
        reason=_K1 + "keras.ops.tanh(float64 [1.0]) = 0.7615941762924194 (float32) against 0.7615941559557649",
        laws=("activations_match_their_closed_forms", *_K1_BN),
        reproduce=violates("activations_match_their_closed_forms", x=np.array([1.0])),
    )

def _constant_channel_variance_is_not_negative(t):
    x = np.full((7, 1), 87.24998474121094, dtype=np.float32)
    _, cache = t.batchnorm_forward(x, np.ones(1, np.float32), np.zeros(1, np.float32), eps=1e-3)
    var = np.asarray(cache.var, dtype=np.float64)
    if np.any(var < 0):
        raise LawViolation(f"BatchNormalization's batch variance of the constant channel 87.24998474121094 (x7) is "
                           f"{var!r}; a variance is never negative")


FINDINGS = [
    K1,
    Finding(
        "K11", severity="correctness",
        reason="Adadelta accepts epsilon=0 and then divides 0 by 0 where E[g^2] is 0 (a coordinate whose gradients "
               "have all been 0, or with rho = 0 the current one is): NaN updates, as torch (T7) and optax (O8); with "
               "eps = 0 AdaDelta never moves and the eps -> 0 limit of sqrt(eps / eps) * 0 is 0",
        laws=(f"{EDGE}[adadelta]",),
        reproduce=violates(EDGE, name="adadelta", grads=np.array([[0.0, 1.0]]), lr=1.0, inside=False, beta=0.9),
    ),
    *([Finding(
        "K12", severity="correctness",
        reason="Adam on the jax backend updates its moments as m += (1 - b1)(g - m) and v += (1 - b2)(g^2 - v) "
               "(keras/src/optimizers/adam.py), whose rounding is relative to the OLD moment, not the new one: "
               "at b1 = 0 or b2 = 0 (the moment is then the current gradient) a gradient that shrinks is "
               "absorbed: b1 = b2 = 0, eps = 0, gradients 129 then 1e-6 give v_2 = 129^2 + (1e-12 - 129^2) = 0 "
               "and an update of -inf (1 then 1e-6: -0.00100001 for -0.001). The torch backend (its own Adam kernel) passes the law",
        laws={"adam_follows_algorithm_1": lambda b1, b2, **_: min(b1, b2) == 0.0},
        reproduce=violates("adam_follows_algorithm_1", grads=np.array([[129.0], [1e-6]]), lr=1e-3, b1=0.0, b2=0.0,
                           eps=0.0, eps_root=0.0, eps_form="sqrt_vhat"),
    )] if BACKEND != "torch" else []),
    Finding(
        "K2", severity="correctness",
        reason="Adagrad, RMSprop and Adam accept epsilon=0 and then divide 0 by 0 for a coordinate whose gradients "
               "have all been 0 (no guard; the eps -> 0 limit is an update of 0), as torch does (T1)",
        laws=(f"{EDGE}[adagrad]", f"{EDGE}[rmsprop]", f"{EDGE}[adam]"),
        reproduce=violates(EDGE, name="adam", grads=np.array([[0.0, 1.0]]), lr=0.1, inside=False, beta=0.999),
    ),
    Finding(
        "K3", severity="correctness",
        reason="BatchNormalization(epsilon=0) in training gives NaN for a constant channel (0 / sqrt(0)); the limit "
               "eps -> 0 is beta",
        laws=("batchnorm_of_a_constant_channel_at_eps_0_is_beta",),
        reproduce=Reproduction("batchnorm_forward(zeros((2, 1)), [1.], [0.], eps=0.0)", _constant_channel_is_not_nan,
                               LawViolation),
    ),
    Finding(
        "K4", severity="correctness",
        reason="BatchNormalization in training accepts a batch with one value per channel and returns beta (its "
               "batch variance is 0); torch refuses it ('Expected more than 1 value per channel when training')",
        laws=("training_on_a_batch_of_one_is_rejected",),
        reproduce=violates("training_on_a_batch_of_one_is_rejected", x=np.array([[1.0]]), as_3d=False),
    ),
    Finding(
        "K5", severity="correctness",
        reason="layers.Normalization divides by max(sqrt(var), 1e-7) (keras/src/layers/preprocessing/"
               "normalization.py), so a feature whose standard deviation is below 1e-7 is not standardised to "
               "variance 1: x = [0, 1e-160] gives outputs of about 5e-154",
        laws={"zscore_standardises_each_feature": _small_std,
              "apply_zscore_holds_at_extreme_magnitudes": _small_scaled_std,
              "apply_zscore_holds_across_the_float64_range": _small_std_per_column_scale,
              "apply_zscore_maps_new_data_on_a_constant_feature_by_its_offset_at_eps_0": None,
              "zscore_affine_equivariance": _small_std_before_or_after,
              "zscore_of_low_precision_input_is_the_true_zscore_rounded": _small_std_rounded},
        reproduce=violates("zscore_standardises_each_feature", x=np.array([[0.0], [1e-160]])),
    ),
    Finding(
        "K10", severity="correctness",
        reason="layers.Normalization.adapt squares unscaled data (np.var): for a feature whose deviations exceed "
               "~1.3e154 the variance overflows to inf and every standardised value is 0: adapt on [0, 2**600] "
               "then [[0]] gives -0 instead of -1",
        laws={"apply_zscore_holds_across_the_float64_range": _squares_overflow_per_column_scale},
        reproduce=violates("apply_zscore_holds_across_the_float64_range", x=np.array([[0.0], [1.0]]),
                           y=np.array([[0.0]]), a=[600] * 3, b=[600] * 3, eps=0.0),
    ),
    Finding(
        "K6", severity="accuracy",
        reason="Adam's step size lr sqrt(1 - b2^t) / (1 - b1^t) is computed with 1 - beta**t, which cancels for "
               "beta near 1 (as torch's T2): b1 = 0, b2 = 0.999, constant gradient 1, step 2 is 7.2e-18 from -lr",
        laws={"adam_constant_gradient_bias_correction_is_exact": lambda b1, b2, **_: max(b1, b2) >= 0.9},
        reproduce=violates("adam_constant_gradient_bias_correction_is_exact", g=np.array([1.0]), lr=1e-3,
                           b1=0.0, b2=0.999),
    ),
    Finding(
        "K8", severity="correctness",
        reason="layers.Normalization.adapt(numpy array) computes np.mean / np.var in the array's dtype "
               "(keras/src/layers/preprocessing/normalization.py, adapt), and numpy sums float16 in float16: the "
               "statistics of float16 input carry float16 rounding (11 bits) and its sum of squares overflows at "
               "65504: adapt on float16 [362, 0] gives variance inf and outputs [0, -0] instead of [1, -1]. float32 "
               "input is within the law's float32 tolerance",
        laws={"zscore_of_low_precision_input_is_the_true_zscore_rounded": lambda dtype, **_: dtype == "float16"},
        reproduce=violates("zscore_of_low_precision_input_is_the_true_zscore_rounded", x=np.array([[362.0], [0.0]]),
                           dtype="float16"),
    ),
    *([Finding(
        "K9", severity="correctness",
        reason="BatchNormalization's batch variance on the torch backend is the one-pass E[x^2] - E[x]^2 "
               "(keras/src/backend/torch/nn.py, moments: 'faster but less numerically stable'), computed in float32 "
               "(K1): a float32 channel shifted by 1e4 loses the variance to cancellation, and a constant or "
               "near-constant channel gets a negative variance (then NaN outputs when it is below -epsilon: 341 "
               "of 2,000 random constant float32 channels in [-1e3, 1e3], tests/differential/test_keras.py). The jax "
               "backend uses the two-pass jnp.var and passes both laws",
        laws=("batchnorm_float32_is_invariant_to_a_large_channel_shift", "batchnorm_batch_variance_is_never_negative"),
        reproduce=Reproduction("batchnorm_forward(float32 [[87.24998474121094]] * 7, eps=1e-3): batch variance < 0",
                               _constant_channel_variance_is_not_negative, LawViolation),
    )] if BACKEND == "torch" else []),
    *([Finding(
        "K7", severity="correctness",
        reason="truncated normal draws beyond 2 sigma0 on the torch backend: keras/src/backend/torch/random.py "
               "truncated_normal draws 4 normal values per output and keeps the first inside (-2, 2), but when all "
               "4 are outside it keeps the first of them (argmax of an all-False mask is 0), so a fraction "
               "P(|Z| > 2)^4 = 0.0455^4 = 4.3e-6 of the draws is an untruncated normal value (35 of 1e7 draws "
               "with seed 1, max |w| = 3.74 sigma0). Every initialiser with truncated=True is affected; with "
               "22,528 draws an example catches it with probability 0.09, so the law's verdict would depend on "
               "the seed: the finding covers the whole law (and truncated_normal_never_draws_beyond_two_sigma0, whose "
               "2^17 draws under dev/ci catch it with probability 0.43 an example, 1e7 under thorough with certainty)",
        laws={"truncated_normal_stays_within_two_sigma0": lambda **_: True,
              "truncated_normal_never_draws_beyond_two_sigma0": lambda **_: True},
        reproduce=violates("truncated_normal_stays_within_two_sigma0",
                           case=("he_normal", (1024, 1), {"layout": "torch", "mode": "fan_in", "nonlinearity": "relu",
                                                          "negative_slope": 0.0, "truncated": True}),
                           seed=29),
    )] if BACKEND == "torch" else []),
    Finding(
        "K19", severity="contract",
        reason="keras.layers.Normalization(axis=-1) standardises along the last axis of any array of one or more "
               "dimensions: a 1-d x is adapted as one feature (Normalization.adapt), a 3-d x per last-axis feature, "
               "and neither raises; adapting a 0-d x raises ValueError ('All `axis` values must be in the range "
               "[-ndim, ndim)'), so the law stays active there for zscore and fit_zscore; an adapted layer applied to "
               "a 0-d x broadcasts it (apply_zscore refuses no ndim)",
        laws={"normalisers_refuse_data_that_is_not_2_d[zscore]": lambda x, **_: np.ndim(x) >= 1,
              "normalisers_refuse_data_that_is_not_2_d[fit_zscore]": lambda x, **_: np.ndim(x) >= 1,
              "normalisers_refuse_data_that_is_not_2_d[apply_zscore]": None},
        reproduce=violates("normalisers_refuse_data_that_is_not_2_d", case="zscore", x=np.zeros((2, 2, 2))),
    ),
    Finding(
        "K20", severity="contract",
        reason="keras.layers.Normalization checks no value: adapt() of data holding a NaN or an infinity gives a "
               "non-finite mean and variance, and every output of the feature is NaN; nothing raises",
        laws=tuple(f"normalisers_refuse_nan_and_inf_data[{c}]" for c in ("zscore", "fit_zscore", "apply_zscore")),
        reproduce=violates("normalisers_refuse_nan_and_inf_data", case="zscore", x=np.array([[1.0], [np.inf]])),
    ),
    Finding(
        "K21", severity="contract",
        reason="the Normalization layer works on float tensors, and the keras target converts x with numpy "
               "(properties.targets.float_array: np.array(x).astype(float64)) before Keras sees it, as Keras's own "
               "convert_to_tensor would cast: numerals in strings are parsed ('1.5' -> 1.5) and a complex array loses "
               "its imaginary part (numpy's ComplexWarning); nothing raises TypeError",
        laws=tuple(f"normalisers_refuse_data_that_is_not_real_numbers[{c}]" for c in ("zscore", "fit_zscore", "apply_zscore")),
        reproduce=violates("normalisers_refuse_data_that_is_not_real_numbers", case="zscore",
                           x=np.array([["1.5"], ["2.5"]])),
    ),
    Finding(
        "K22", severity="contract",
        reason="an adapted Normalization layer computes (x - mean) / sqrt(var) by broadcasting without checking the "
               "number of features: data with one feature are normalised with every feature's statistics (a wider "
               "output, no error), data with more features than fitted raise the backend's broadcasting error "
               "inside Normalization.call (jax: TypeError 'sub got incompatible shapes for broadcasting'), not "
               "ValueError",
        laws=("applying_statistics_to_another_number_of_features_is_refused[apply_zscore]",),
        reproduce=violates("applying_statistics_to_another_number_of_features_is_refused", case="apply_zscore",
                           x=np.array([[1.0, 2.0], [3.0, 5.0]]), other=1),
    ),
    Finding(
        "K23", severity="contract",
        reason="keras.layers.BatchNormalization checks no epsilon: a negative or NaN epsilon is accepted in training "
               "and inference (keras/src/layers/normalization/batch_normalization.py stores float(epsilon) and passes it "
               "to ops.batch_normalization, which adds it to the variance), giving NaN outputs once var + epsilon < 0; "
               "nothing raises",
        laws=("batchnorm_eps_below_zero_is_refused[batchnorm_forward]",
              "batchnorm_eps_below_zero_is_refused[batchnorm_inference]"),
        reproduce=violates("batchnorm_eps_below_zero_is_refused", case="batchnorm_inference",
                           x=np.array([[1.0], [3.0]]), eps=-1.0),
    ),
    Finding(
        "K24", severity="contract",
        reason="keras.layers.BatchNormalization checks no momentum: 1.5, -0.5, -5e-324 and NaN are accepted and the "
               "moving statistics updated with them (moving * momentum + batch * (1 - momentum))",
        laws=("batchnorm_running_momentum_outside_zero_one_is_refused[batchnorm_running_update]",
              "batchnorm_running_momentum_outside_zero_one_is_refused[batchnorm_running_stats]"),
        reproduce=violates("batchnorm_running_momentum_outside_zero_one_is_refused", case="batchnorm_running_update",
                           x=np.array([[1.0], [3.0]]), momentum=1.5, weights="old", unbiased=False, init="zeros_ones"),
    ),
    Finding(
        "K25", severity="contract",
        reason="keras.layers.BatchNormalization checks no value: a NaN or an infinity in the batch makes its channel's "
               "mean and variance, its outputs and from then on the moving statistics NaN or inf; nothing raises",
        laws=tuple(f"batchnorm_refuses_nan_and_inf_in_a_batch[{c}]" for c in
                   ("batchnorm_forward", "batchnorm_inference", "batchnorm_running_update", "batchnorm_running_stats")),
        reproduce=violates("batchnorm_refuses_nan_and_inf_in_a_batch", case="batchnorm_forward",
                           x=np.array([[1.0], [np.nan]]), unbiased=False, init="zeros_ones"),
    ),
    Finding(
        "K26", severity="contract",
        reason="keras.layers.BatchNormalization folds a batch of one value per channel into its moving statistics "
               "(the batch variance 0, biased), as it trains on one (finding K4); nothing raises",
        laws=("batchnorm_running_statistics_refuse_a_batch_of_one[batchnorm_running_update]",
              "batchnorm_running_statistics_refuse_a_batch_of_one[batchnorm_running_stats]"),
        reproduce=violates("batchnorm_running_statistics_refuse_a_batch_of_one", case="batchnorm_running_update",
                           x=np.array([[2.0]]), as_3d=False, unbiased=False, init="zeros_ones"),
    ),
    Finding(
        "K27", severity="contract",
        reason="keras.layers.BatchNormalization checks no moving variance: a negative moving_variance is used in "
               "inference (var + epsilon under the square root, NaN below -epsilon; -5e-324 passes unnoticed) and kept by the moving "
               "average in training; nothing raises",
        laws=("batchnorm_refuses_negative_running_variances[batchnorm_inference]",
              "batchnorm_refuses_negative_running_variances[batchnorm_running_update]"),
        reproduce=violates("batchnorm_refuses_negative_running_variances", case="batchnorm_inference",
                           batch=(np.array([[1.0], [3.0]]), np.array([-1.0])), unbiased=False),
    ),
    Finding(
        "K28", severity="contract",
        reason="the Normalization layer (dtype float64 here) returns float16 input's z-scores in its compute dtype, and "
               "the keras target casts them back to the input's dtype (as the interface's dtype rule asks) with numpy's "
               "astype, which overflows to inf without a check: apply_zscore of float16 [[32752]] with statistics of "
               "[[0], [0.25]] gives inf for the z-score 262015; Keras has no float16 range check to call instead",
        laws=("normalised_values_beyond_the_output_dtype_are_refused[apply_zscore]",),
        reproduce=violates("normalised_values_beyond_the_output_dtype_are_refused", case="apply_zscore",
                           data=(np.array([[0.0], [0.25]]), np.array([[32752.0]], dtype=np.float16), (0.0, 1.0))),
    ),
    Finding(
        "K29", severity="contract",
        reason="keras.layers.BatchNormalization folds a batch whose variance exceeds the float64 maximum into its "
               "moving statistics without a check: the batch [[-1e308], [1e308]] leaves the moving mean and variance "
               "NaN on the jax and the torch backend (the moments are computed in float32, finding K1, where 1e308 is inf); "
               "nothing raises",
        laws=(f"{OVERFLOW}[batchnorm_running_update]", f"{OVERFLOW}[batchnorm_running_stats]"),
        reproduce=violates(OVERFLOW, case="batchnorm_running_update", s=1e308, c=1, unbiased=False, init="zeros_ones"),
    ),
]


FINDINGS += [
    Finding(
        "K13", severity="contract",
        reason="Keras's optimizers do not check learning_rate, Adadelta's rho or epsilon (SGD(learning_rate=-0.5) "
               "ascends, Adadelta(rho=1.5) diverges, NaN and inf are accepted), and SGD checks momentum with "
               "`momentum < 0 or momentum > 1` (keras/src/optimizers/sgd.py), which lets 1 (a buffer that never "
               "forgets) and NaN through; negative momenta and momenta above 1 raise ValueError as documented",
        laws={f"{LR}[sgd]": None, f"{LR}[adadelta]": None, f"{SCHED_LR}[adadelta]": None,
              f"{DECAY}[adadelta.rho]": None, f"{NONNEG}[adadelta.eps]": None,
              f"{DECAY}[sgd.momentum]": lambda value, **_: value == 1.0 or value != value},
        reproduce=violates(LR, name="sgd", lr=-0.5),
    ),
    Finding(
        "K14", severity="contract",
        reason="Keras's optimizers apply NaN and infinite gradients (and read NaN parameters) without a check: "
               "apply_gradients with a NaN gradient writes NaN into the variable and the optimizer's slots",
        laws=NONFINITE,
        reproduce=violates(NONFINITE[0], name="sgd", bad=float("nan"), where=0),
    ),
    Finding(
        "K15", severity="contract",
        reason="Keras refuses a gradient whose shape does not broadcast against its variable with the backend's "
               "TypeError (jax: 'sub got incompatible shapes for broadcasting') or RuntimeError (torch), not "
               "ValueError, and broadcasts one that does",
        laws=(SHAPE,),
        reproduce=violates(SHAPE, name="sgd", shapes=((3,), (4,))),
    ),
    Finding(
        "K16", severity="contract",
        reason="Keras's learning-rate schedules check only decay_steps <= 0 (ExponentialDecay, InverseTimeDecay): "
               "any decay_rate, initial_learning_rate and step is computed with (ExponentialDecay(0.1, 1, 1.5) "
               "grows, a negative step extrapolates backwards), and a fractional or boolean decay_steps (2.5, "
               "True) is accepted; a constant learning rate is a float, which Keras takes as it is",
        laws={"schedules_refuse_a_decay_rate_outside_their_domain": None,
              "schedules_refuse_an_initial_learning_rate_outside_zero_to_inf": None,
              "schedules_refuse_a_step_that_is_not_a_count": None,
              "schedules_refuse_a_period_that_is_not_a_positive_integer":
                  lambda size, **_: not (isinstance(size, int) and not isinstance(size, bool))},
        reproduce=violates("schedules_refuse_a_decay_rate_outside_their_domain", name="exponential_decay", rate=1.5),
    ),
]


FINDINGS += [
    Finding(
        "K17", severity="correctness",
        reason="Keras's Adagrad, RMSprop and Adam keep their slots in the variable's dtype and compute in it, so for "
               "float16 variables g^2 underflows to 0 below |g| of about 2^-12 (Adagrad), 2^-10.8 (RMSprop, rho "
               "= 0.9) and 2^-7.5 (Adam), and the first step divides by 0: Adam(0.01, epsilon=0) with a float16 "
               "grad 6.1e-05 steps -inf (the true step is -0.01). Keras's mixed precision keeps float32 variables "
               "for this reason; a float16 variable is what the laws pass",
        laws={f"{F16}[adagrad]": lambda g, **_: bool(np.any(np.abs(np.asarray(g, dtype=np.float64)) < 2.0**-12)), f"{F16}[rmsprop]": lambda g, **_: bool(np.any(np.abs(np.asarray(g, dtype=np.float64)) < 2.0**-10)),
               f"{F16}[adam]": lambda g, **_: bool(np.any(np.abs(np.asarray(g, dtype=np.float64)) < 2.0**-7))},
        reproduce=violates(F16, name="adam", g=np.array([6.104e-05], dtype=np.float16)),
    ),
    Finding(
        "K18", severity="accuracy",
        reason="Keras's Adagrad, RMSprop, Adadelta and Adam compute in float16 for float16 variables, with the "
               "hyper-parameters rounded to float16, so the first step misses its closed form rounded to float16 "
               "by many units (Adadelta(1.0, rho=0.9, epsilon=1e-6) with grad 6.1e-05 steps -5.92e-05 for -6.10e-05)",
        laws=tuple(f"{F16_ACC}[{n}]" for n in ("adagrad", "rmsprop", "adadelta", "adam")),
        reproduce=violates(F16_ACC, name="adadelta", g=np.array([6.104e-05], dtype=np.float16)),
    ),
]

# --- contract findings (argument domains the interface documents) -----------------------------------
_WEIGHT_INITS = ("lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
                 "variance_scaling")


def _scale_accepted(name, value, **_):
    """Keras's VarianceScaling refuses scale <= 0 only; the adapter passes scale = gain^2 for a gain."""
    scale = value if name == "variance_scaling" else value * value
    return not scale <= 0.0


FINDINGS += [
    Finding(
        "K30", severity="contract",
        reason="keras.initializers.VarianceScaling refuses scale <= 0 with ValueError "
               "(keras/src/initializers/random_initializers.py L262) but not NaN or inf, which give NaN / inf "
               "weights; Keras has no gain, so the adapter passes scale = gain^2 and a negative gain is taken as its "
               "square (gain 0 and gains whose square underflows to 0 are refused)",
        laws={GAIN: _scale_accepted},
        reproduce=violates(GAIN, name="variance_scaling", value=float("nan"), shape=(4, 7), seed=0),
    ),
    Finding(
        "K31", severity="contract",
        reason="keras.initializers.VarianceScaling divides scale by max(1, fan) (random_initializers.py L299-L303), "
               "so a weight shape with a zero dimension (fan 0) is accepted and an empty array returned; a negative "
               "dimension fails in the backend's sampler (jax: an MLIR 'invalid tensor dimension size' error; torch: RuntimeError), not "
               "with ValueError. (1-d shapes, for which compute_fans uses shape[0] for both fans, are refused by the "
               "adapter, whose torch-layout transpose needs 2 dimensions.)",
        laws={NO_FAN: lambda shape, **_: len(shape) >= 2},
        reproduce=violates(NO_FAN, name="glorot_uniform", shape=(0, 3), layout="torch", seed=0),
    ),
    Finding(
        "K32", severity="contract",
        reason="Keras's random initialisers accept a bool dimension (True is an int to the backend's shape check: "
               "VarianceScaling()((3, True)) has shape (3, 1)), and so do Zeros and Constant on the jax backend "
               "(the torch backend's torch.zeros refuses a bool with TypeError); float, string and None dimensions "
               "raise TypeError",
        laws={f"{NON_INT}[{n}]": (lambda shape, **_: any(isinstance(d, bool) for d in shape))
              for n in (*_WEIGHT_INITS, *(("zeros_init", "constant_init") if BACKEND != "torch" else ()))},
        reproduce=violates(NON_INT, name="lecun_normal", shape=(True, 3), seed=0),
    ),
]

FINDINGS += [
    Finding(
        "K33", severity="contract",
        reason="keras.initializers.VarianceScaling checks only scale > 0, not that the weights fit float64: the "
               "adapter's scale = gain**2 = inf (gain 1.7e308) is accepted and the weights are +-inf (normal) or NaN "
               "(uniform: random.uniform(minval=-inf, maxval=inf), random_initializers.py L314-L317)",
        laws=tuple(f"{BIG_GAIN}[{n}]" for n in ("lecun_normal", "lecun_uniform", "glorot_uniform")),
        reproduce=violates(BIG_GAIN, name="lecun_normal", gain=1.7e308, truncated=False, seed=0),
    ),
]

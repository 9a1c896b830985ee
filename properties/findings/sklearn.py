"""Findings of scikit-learn 1.9 (see properties/targets/sklearn.py CONVENTIONS and
docs/techniques/targets_sklearn.md). Each has a reproduction that must still fail."""

import numpy as np

from properties.findings import Finding, violates


def _tiny_range(a) -> bool:
    """A feature whose range is positive but below MinMaxScaler's absolute 10 eps threshold
    (with slack: 1e-14)."""
    a = np.asarray(a, dtype=np.float64)
    r = a.max(axis=0) - a.min(axis=0)
    return bool(np.any((r > 0) & (r < 1e-14)))


def _tiny_low_precision_range(x, dtype, **_) -> bool:
    """The same absolute test in the input's dtype (10 finfo(dtype).eps), on the law's rounded
    input, with slack (20 eps)."""
    from properties.laws.normalization import _low_precision

    a = _low_precision(dtype, x).astype(np.float64)
    r = a.max(axis=0) - a.min(axis=0)
    return bool(np.any((r > 0) & (r < 20 * np.finfo(dtype).eps)))


def _squares_leave_the_normal_range(a) -> bool:
    """Squaring the centred data (StandardScaler's variance) overflows, or its squares fall
    below 1e-290 and lose digits (subnormal sums): |x - mean| above 2**500 or below 1e-145."""
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):
        d = np.abs(a - a.mean(axis=0)).max(axis=0)
    return bool(np.any(~np.isfinite(d) | (d > 2.0**500) | ((d > 0) & (d < 1e-145))))


def _scaled_columns(x, exps):
    from properties.laws.normalization import _pow2_columns
    return _pow2_columns(np.asarray(x, dtype=np.float64), exps)


def _range_overflows(a) -> bool:
    """A feature whose max - min does not fit float64."""
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(over="ignore"):
        return bool(np.any(~np.isfinite(a.max(axis=0) - a.min(axis=0))))


def _offset_beyond_1e9_relative(x, offset, **_) -> bool:
    """Rounding the mean of x + offset to one float64 (ulp(offset)) exceeds 1e-9 of sigma."""
    sd = np.asarray(x, dtype=np.float64).std(axis=0)
    return bool(np.any(np.spacing(abs(offset)) > 1e-9 * sd * 0.5) | np.any(sd == 0))


_NORM = ("zscore", "fit_zscore", "apply_zscore", "minmax", "fit_minmax", "apply_minmax", "center")
_RANGE = "minmax_feature_ranges_that_are_not_finite_and_increasing_are_refused"

FINDINGS = [
    Finding(
        "S1", severity="correctness",
        reason="MinMaxScaler treats a feature whose range is below 10*finfo(float64).eps (an absolute threshold, "
               "_data.py L527-545) as constant and divides by 1, so the maximum of data with a range in (0, 2.2e-15) "
               "does not map to feature_range[1]: MinMaxScaler().fit_transform([[2.0**-600], [0.0]]) gives "
               "[[2.4e-181], [0.0]]; in float16 the threshold is 10 * 9.8e-4, so a range of 0.0078 is 'constant'",
        laws={"minmax_maps_extremes_onto_feature_range": lambda x, **_: _tiny_range(x),
              "minmax_of_low_precision_input_is_the_true_minmax_rounded": _tiny_low_precision_range,
              "new_data_is_transformed_with_training_statistics": lambda train, **_: _tiny_range(train),
              "normalisation_is_idempotent": lambda x, **_: _tiny_range(x),
              "normalisation_is_stable_across_magnitudes": lambda x, k, **_: _tiny_range(np.ldexp(x, k)),
              "apply_minmax_holds_across_the_float64_range": lambda x, a, **_: _tiny_range(_scaled_columns(x, a))},
        reproduce=violates("minmax_maps_extremes_onto_feature_range", x=np.array([[2.0**-600], [0.0]]),
                           feature_range=(0.0, 1.0)),
    ),
    Finding(
        "S2", severity="accuracy",
        reason="StandardScaler rounds the mean to one float64 and subtracts it, so with an offset of 1e9 the z-scores "
               "lose ~ulp(1e9)/sigma (backward stable: the correctness law "
               "zscore_of_offset_data_is_within_its_conditioning passes); x=[[0],[2**-10],[1]]: "
               "|fit_transform(x+1e9) - fit_transform(x)| = 8.4e-8 > 1e-9",
        laws={"zscore_is_stable_under_large_offsets": _offset_beyond_1e9_relative},
        reproduce=violates("zscore_is_stable_under_large_offsets", x=np.array([[0.0], [2.0**-10], [1.0]]),
                           offset=1e9),
    ),
    Finding(
        "S3", severity="correctness",
        reason="StandardScaler squares unscaled data: for |x| ~ 2**600 the variance overflows to inf (for 2**-600 it "
               "underflows to 0), _is_constant_feature then calls the feature constant and scale_ = 1, so the output is "
               "x - mean (+-6.2e180) instead of +-1",
        laws={"normalisation_is_stable_across_magnitudes":
              lambda x, k, **_: _squares_leave_the_normal_range(np.ldexp(x, k))},
        reproduce=violates("normalisation_is_stable_across_magnitudes", x=np.array([[0.0, 1.0], [3.0, -2.0]]), k=600),
    ),
    Finding(
        "S4", severity="correctness",
        reason="the same squaring short of underflow: for a feature of magnitude ~1e-160 the variance is subnormal "
               "(var_ = 2.5e-321, ~1 significant digit), so scale_ = sqrt(var_) is off by 5.6e-6 relative: "
               "StandardScaler().fit_transform([[0.0], [1e-160]]) gives +-1.0000055664551362",
        laws={"zscore_standardises_each_feature": lambda x, **_: _squares_leave_the_normal_range(x),
              "normalisation_is_idempotent": lambda x, **_: _squares_leave_the_normal_range(x),
              "new_data_is_transformed_with_training_statistics":
                  lambda train, **_: _squares_leave_the_normal_range(train),
              "applying_fitted_statistics_to_training_data_reproduces_fit_transform":
                  lambda x, **_: _squares_leave_the_normal_range(x),
              "apply_zscore_holds_across_the_float64_range":
                  lambda x, a, **_: _squares_leave_the_normal_range(_scaled_columns(x, a))},
        reproduce=violates("zscore_standardises_each_feature", x=np.array([[0.0], [1e-160]])),
    ),
    Finding(
        "S6", severity="correctness",
        reason="MinMaxScaler computes data_range = data_max - data_min in natural units: for data at +-1.5 * 2**1023 "
               "the range overflows to inf, scale_ = (hi - lo) / inf = 0 and every value maps to lo: "
               "MinMaxScaler().fit([[-1.5 * 2**1023], [1.5 * 2**1023], [0.5 * 2**1023]]).transform([[2**1021]]) "
               "gives 0 instead of 0.583",
        laws={"apply_minmax_holds_across_the_float64_range": lambda x, a, **_: _range_overflows(_scaled_columns(x, a))},
        reproduce=violates("apply_minmax_holds_across_the_float64_range", x=np.array([[-1.5], [1.5], [0.5]]),
                           y=np.array([[0.25], [-1.0]]), a=[1023] * 3, b=[1023] * 3, feature_range=(0.0, 1.0)),
    ),
    Finding(
        "S5", severity="correctness",
        reason="MinMaxScaler computes in the input's dtype (FLOAT_DTYPES keeps float16; scale_ and min_ are rounded "
               "to it and transform does X *= scale_; X += min_ in it), so float16 input gets float16 arithmetic, "
               "a few units of float16 off: fit_transform(float16 [[53872], [-132]]) gives 1.001953125 for the "
               "maximum, which must map to 1 (law: the true value rounded, computed in at least float32)",
        laws={"minmax_of_low_precision_input_is_the_true_minmax_rounded": lambda dtype, **_: dtype == "float16"},
        reproduce=violates("minmax_of_low_precision_input_is_the_true_minmax_rounded", x=np.array([[53872.0], [-132.0]]),
                           dtype="float16", feature_range=(0.0, 1.0)),
    ),
    Finding(
        "S7", severity="correctness",
        reason="StandardScaler.transform computes in the input's dtype (sklearn/preprocessing/_data.py: "
               "X -= mean_.astype(X.dtype); X /= scale_.astype(X.dtype)), so float16 input is centred and divided "
               "in float16 although mean_ and var_ are float64: float16 [[1], [2] x5] gives 0.4482 for 0.4472 "
               "(a float16 unit of the intermediate, not of the result), and [[-58352], [16504] x7] gives -inf: "
               "x - mean = -65504 overflows float16 although the z-score is -2.65 (law: the true z-score rounded, "
               "computed in at least float32, as the float32 case passes)",
        laws={"zscore_of_low_precision_input_is_the_true_zscore_rounded": lambda dtype, **_: dtype == "float16"},
        reproduce=violates("zscore_of_low_precision_input_is_the_true_zscore_rounded",
                           x=np.array([[-58352.0]] + [[16504.0]] * 7), dtype="float16"),
    ),
    Finding(
        "S8", severity="contract",
        reason="StandardScaler and MinMaxScaler accept NaN by design: they validate with ensure_all_finite='allow-nan' "
               "(sklearn/preprocessing/_data.py) and treat NaN as a missing value, 'disregarded in fit, and maintained "
               "in transform' (their docstrings); an infinity raises ValueError ('Input X contains infinity'), so the "
               "law holds for inf and stays active there",
        laws={f"normalisers_refuse_nan_and_inf_data[{c}]": (lambda x, **_: bool(np.isnan(x).any())) for c in _NORM},
        reproduce=violates("normalisers_refuse_nan_and_inf_data", case="zscore", x=np.array([[1.0], [np.nan], [3.0]])),
    ),
    Finding(
        "S9", severity="contract",
        reason="the scalers validate with check_array(dtype=(float64, float32, float16)) (not dtype='numeric', whose "
               "'not compatible with arrays of bytes/strings' ValueError would apply), so an array of numeral strings "
               "is converted with astype: StandardScaler().fit_transform([['1.5'], ['2.5']]) = [[-1.], [1.]]; a "
               "complex array raises ValueError ('Complex data not supported', sklearn/utils/validation.py), not "
               "TypeError. No non-real data raise TypeError",
        laws=tuple(f"normalisers_refuse_data_that_is_not_real_numbers[{c}]" for c in _NORM),
        reproduce=violates("normalisers_refuse_data_that_is_not_real_numbers", case="zscore",
                           x=np.array([["1.5"], ["2.5"]])),
    ),
    Finding(
        "S10", severity="contract",
        reason="MinMaxScaler checks feature_range only with 'if feature_range[0] >= feature_range[1]: raise "
               "ValueError' (sklearn/preprocessing/_data.py, MinMaxScaler.partial_fit), which a NaN end passes and an "
               "infinite end satisfies: feature_range=(0, nan) or (0, inf) is accepted and the output is NaN; lo == hi "
               "and lo > hi raise ValueError, so the law holds for finite ranges and stays active there",
        laws={f"{_RANGE}[fit_minmax]": lambda feature_range, **_: not all(np.isfinite(feature_range)),
              f"{_RANGE}[minmax]": lambda feature_range, **_: not all(np.isfinite(feature_range))},
        reproduce=violates(_RANGE, case="minmax", x=np.array([[1.0], [3.0]]), feature_range=(0.0, np.nan)),
    ),
    Finding(
        "S11", severity="contract",
        reason="StandardScaler.transform and MinMaxScaler.transform compute in the input's dtype (X -= mean_; X /= "
               "scale_; X *= scale_; X += min_ after casting the statistics to X.dtype, findings S6/S7) and check no "
               "range: float16 data whose normalised value exceeds 65504 come out as inf (or NaN: minmax of float16 "
               "[[0], [1]] to feature_range (0, 65520) gives [nan, nan], its scale_ being inf in float16); nothing raises",
        laws=tuple(f"normalised_values_beyond_the_output_dtype_are_refused[{c}]" for c in ("minmax", "apply_zscore", "apply_minmax")),
        reproduce=violates("normalised_values_beyond_the_output_dtype_are_refused", case="apply_zscore",
                           data=(np.array([[0.0], [0.25]]), np.array([[32752.0]], dtype=np.float16), (0.0, 1.0))),
    ),
]

"""Names of the laws that several targets' findings refer to (one spelling for every findings
file: a renamed law is renamed here)."""

EDGE = "adaptive_step_of_a_coordinate_whose_gradients_were_all_zero_is_zero_at_eps_0"
SCALE = "averages_scale_with_each_series_up_to_the_float64_limits"
OVERFLOW = "batchnorm_running_statistics_refuse_a_batch_whose_variance_overflows"

# contract tier: the optimisers and schedules
LR = "optimizers_refuse_a_learning_rate_outside_zero_to_inf"
SCHED_LR = "optimizers_refuse_a_schedule_value_outside_zero_to_inf"
DECAY = "optimizers_refuse_a_decay_rate_outside_zero_one"
NONNEG = "optimizers_refuse_a_negative_or_non_finite_eps_or_decay"
NONFINITE = ("optimizers_refuse_non_finite_gradients_before_anything_changes",
             "optimizers_refuse_non_finite_params_where_the_update_reads_them")
SHAPE = "optimizers_refuse_gradients_of_another_shape"
SCHEDULE_LAWS = ("schedules_refuse_a_decay_rate_outside_their_domain",
                 "schedules_refuse_an_initial_learning_rate_outside_zero_to_inf",
                 "schedules_refuse_a_step_that_is_not_a_count", "schedules_refuse_a_period_that_is_not_a_positive_integer")

# float16 optimiser steps (correctness and accuracy tiers)
F16 = "adaptive_first_step_of_float16_params_is_finite_and_within_a_factor_two"
F16_ACC = "adaptive_first_step_of_float16_params_is_its_closed_form_rounded"

# contract tier: the initialisers
GAIN = "initialisers_refuse_a_gain_that_is_not_positive_and_finite"
NO_FAN = "initialisers_refuse_a_weight_shape_without_a_fan"
NON_INT = "initialisers_refuse_a_shape_of_non_integers"
BIG_GAIN = "initialisers_refuse_a_gain_whose_weights_do_not_fit_float64"

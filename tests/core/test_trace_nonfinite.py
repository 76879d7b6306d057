"""Trace.nonfinite_steps: the steps holding NaN or ±inf, exactly, whatever the arrays' sums do."""
import numpy as np
from helpers import lstm, random_scenario

from lstmviz.core import compute


def _trace():
    return compute(random_scenario([lstm(2, 3)], T=5, K=1, seed=4))


def test_finite_values_whose_sum_overflows_are_not_called_non_finite():
    trace = _trace()
    trace.arrays["l0/c"][:] = 1e308  # every entry finite, their sum +inf
    assert trace.nonfinite_steps("forward") == []
    assert trace.nonfinite_steps() == []


def test_each_non_finite_entry_names_its_step_in_its_part():
    trace = _trace()
    trace.arrays["l0/h"][3, 1] = np.nan
    trace.arrays["l0/delta_c"][1, 0] = -np.inf
    assert trace.nonfinite_steps("forward") == [4]
    assert trace.nonfinite_steps("backward") == [2]
    assert trace.nonfinite_steps() == [2, 4]

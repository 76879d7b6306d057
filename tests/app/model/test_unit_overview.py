"""The unit overview's model: which units stay on over a time range, the row orders, the names."""
import numpy as np
import pytest

from lstmviz.app.model.unit_overview import (
    Brush,
    colour_levels,
    describe_cell,
    layer_variables,
    parse_range,
    row_order,
    unit_values,
    variable_label,
)
from lstmviz.core import compute
from tests.helpers import lstm, random_scenario, rnn


def crafted_trace():
    """H = 8, T = 30, one input that is 1 at t = 10…20 and 0 elsewhere. f ≈ 0 and i ≈ 1 everywhere, so
    c[t] ≈ c̃[t] = tanh(W_c̃·x[t]): units 2 and 5 (W_c̃ = 10) hold c ≈ 1 during t = 10…20 only, unit 6
    (W_c̃ = −10) holds c ≈ −1 then, unit 3 (W_c̃ = 0.05) only c ≈ 0.05; the others stay at 0."""
    scenario = random_scenario([lstm(1, 8)], K=1, T=30, random_state=False)
    layer = scenario.model.layers[0]
    for array in layer.params.values():
        array[...] = 0.0
    layer.params["b_f"][:] = -10.0
    layer.params["b_i"][:] = 10.0
    layer.params["W_g"][[2, 5, 6, 3], 0] = (10.0, 10.0, -10.0, 0.05)
    scenario.data.x[:] = 0.0
    scenario.data.x[9:20] = 1.0  # rows 9…19 are steps 10…20
    return compute(scenario)


def test_exactly_the_units_whose_c_stays_above_the_threshold_over_the_range_are_selected():
    c = unit_values(crafted_trace(), 0, "c")
    assert list(np.flatnonzero(Brush(10, 20, 0.5).selects(c))) == [2, 5]
    assert not Brush(9, 20, 0.5).selects(c).any()   # at t = 9 nothing is on yet
    assert not Brush(10, 21, 0.5).selects(c).any()  # at t = 21 the cell has forgotten (f ≈ 0)
    assert list(np.flatnonzero(Brush(10, 20, 0.5, absolute=True).selects(c))) == [2, 5, 6]
    assert list(np.flatnonzero(Brush(12, 14, -0.5, above=False).selects(c))) == [6]
    assert list(np.flatnonzero(Brush(1, 30, 0.01, above=False, absolute=True).selects(c))) == [0, 1, 4, 7]


def test_the_brush_score_is_the_worst_margin_and_puts_the_selected_units_first():
    c = unit_values(crafted_trace(), 0, "c")
    brush = Brush(10, 20, 0.5)
    margins = brush.margins(c)
    assert margins[2] == pytest.approx(np.tanh(10.0) - 0.5, abs=1e-4)  # c ≈ i·c̃ with i = σ(10)
    assert margins[6] == pytest.approx(-1.0 - 0.5, abs=1e-3)
    assert list(row_order(c, "score", brush)[:2]) == [2, 5]


def test_a_random_brush_matches_an_independent_numpy_expression():
    trace = compute(random_scenario([lstm(3, 40), lstm(40, 64)], T=120, seed=7, scale=1.5))
    rng = np.random.default_rng(3)
    for var in ("c", "h", "delta_c", "eps_h", "f"):
        v = trace[f"l1/{var}"]
        for _ in range(20):
            a, b = sorted(rng.integers(1, 121, 2))
            theta = float(rng.normal(0, 0.3)) if var != "f" else float(rng.uniform(0.2, 0.8))
            above, absolute = bool(rng.integers(2)), bool(rng.integers(2))
            s = abs(v[a - 1:b]) if absolute else v[a - 1:b]
            expected = [j for j in range(64) if all((s[:, j] > theta) if above else (s[:, j] < theta))]
            got = Brush(int(a), int(b), theta, above, absolute).selects(unit_values(trace, 1, var))
            assert list(np.flatnonzero(got)) == expected


def test_rows_sort_by_mean_peak_and_variance_largest_first():
    values = np.array([[0.0, 1.0, -3.0, 0.5],
                       [0.0, 1.0, 2.0, 0.7],
                       [0.0, 1.0, 0.0, 0.6]])  # (T = 3, H = 4)
    assert list(row_order(values, "unit")) == [0, 1, 2, 3]
    assert list(row_order(values, "mean")) == [1, 3, 0, 2]      # 1, 0.6, 0, −1/3
    assert list(row_order(values, "peak")) == [2, 1, 3, 0]      # 3, 1, 0.7, 0
    assert list(row_order(values, "variance")) == [2, 3, 0, 1]  # 114/27, 0.02/3, then 0, 0 in unit order
    with pytest.raises(ValueError, match="Units ▸ sort: the brush score needs a brush"):
        row_order(values, "score")


def test_a_non_finite_value_neither_selects_its_unit_nor_sorts_it_first():
    values = np.array([[1.0, np.nan, 2.0], [1.0, 5.0, 2.0]])
    assert list(Brush(1, 2, 0.5).selects(values)) == [True, False, True]
    assert list(row_order(values, "peak")) == [2, 0, 1]


def test_time_ranges_are_read_and_checked_against_the_sequence():
    assert parse_range("t = 10…20", 30) == (10, 20)
    assert parse_range("10..20", 30) == (10, 20)
    assert parse_range(" 4-9 ", 30) == (4, 9)
    assert parse_range("7", 30) == (7, 7)
    with pytest.raises(ValueError, match=r"^Units ▸ time range: t = 10…40 is not within t = 1…30"):
        parse_range("10…40", 30)
    with pytest.raises(ValueError, match="is not a range like t = 10…20"):
        parse_range("ten to twenty", 30)
    with pytest.raises(ValueError, match="first ≤ last"):
        parse_range("20…10", 30)


def test_names_are_the_courses_and_only_the_layers_own_quantities_are_offered():
    trace = compute(random_scenario([lstm(2, 3, forget_gate=False), rnn(3, 2)], T=4))
    lstm_vars = layer_variables(trace, 0)
    assert lstm_vars[:6] == ("h", "c", "i", "f", "o", "g") and "a_f" not in lstm_vars and "a" not in lstm_vars
    assert {"delta_c", "delta_a_g", "eps_h"} <= set(lstm_vars)
    assert layer_variables(trace, 1) == ("h", "a", "delta_h", "delta_a", "eps_h")
    names = [variable_label(v) for v in ("g", "delta_c", "delta_a_g", "eps_h", "a")]
    assert names == ["c̃", "δc", "δa_c̃", "εh", "c"]
    with pytest.raises(ValueError, match=r"Units ▸ variable: layer 1 has no c̃ \(l1/g\)"):
        unit_values(trace, 1, "g")
    assert describe_cell("c", 17, 340, 0.8312) == "unit 17, t = 340: c = 0.831"
    assert Brush(10, 20, 0.5, absolute=True).describe("c") == "units whose |c| stays above 0.500 over t = 10…20"


def test_gates_use_a_zero_to_one_scale_and_signed_values_a_symmetric_one():
    values = np.array([[0.2, -3.0], [np.inf, 1.0]])
    assert colour_levels(values, "f") == (0.0, 1.0)
    assert colour_levels(values, "delta_c") == pytest.approx((-2.96, 2.96))  # |V| 0.2, 1, 3: 98 % of 1 → 3
    hundred = np.append(-np.arange(1.0, 101.0), [np.nan, -np.inf]).reshape(-1, 2)
    assert colour_levels(hundred, "c") == pytest.approx((-99.01, 99.01))  # the outliers 100 and ∞ saturate
    assert colour_levels(np.zeros((2, 2)), "h") == (-1.0, 1.0)

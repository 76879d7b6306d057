"""Analyses: the u^m law, the step Jacobian against finite differences, truncation, the presets."""
import numpy as np
import pytest
from helpers import lstm, random_scenario

from lstmviz.core import analysis, compute, gradcheck
from lstmviz.core.analysis import (
    analyse,
    jacobian_spectrum,
    lag_profile,
    step_jacobians,
    tables,
    truncation_table,
)
from lstmviz.core.forward import forward
from lstmviz.io import list_presets, load_scenario


@pytest.mark.parametrize("preset,u", [("calculator-rnn-0.5", 0.5), ("calculator-rnn-1", 1.0),
                                      ("calculator-rnn-1.7", 1.7), ("memorizer", 0.9)])
def test_one_node_rnn_follows_u_to_the_m_exactly(preset, u):
    trace = compute(load_scenario(preset))
    lp = lag_profile(trace)
    m = np.arange(trace.steps)
    np.testing.assert_allclose(lp.dh, u ** m, rtol=1e-14)
    assert lp.dc is None
    np.testing.assert_allclose(jacobian_spectrum(trace), u, rtol=1e-15)


def test_the_calculator_cell_carries_error_as_a_product_of_forget_gates():
    trace = compute(load_scenario("calculator-lstm"))
    f = trace["l0/f"][:, 0]
    lp = lag_profile(trace)
    expected = [np.prod(f[len(f) - m:]) for m in range(len(f))]  # f[T]·f[T−1]⋯f[T−m+1]
    np.testing.assert_array_equal(lp.dc, expected)
    assert expected == [1, 1, 1, 1, 0, 0, 0, 0]  # the reset at t = 5 (f[5] = 0) cuts the carousel


def test_step_jacobian_matches_finite_differences():
    s = random_scenario([lstm(2, 3, peepholes=True)], T=4, seed=43)
    trace = compute(s)
    M = step_jacobians(trace, 0)
    layer = s.model.layers[0]
    H = 3
    for t in range(1, 4):  # M[t] = ∂(h[t], c[t]) / ∂(h[t−1], c[t−1]), one step replayed from a nudged state
        state = np.concatenate([trace["l0/h"][t - 1], trace["l0/c"][t - 1]])
        num = np.zeros((2 * H, 2 * H))
        for j in range(2 * H):
            outs = []
            for sign in (1, -1):
                nudged = state.copy()
                nudged[j] += sign * 1e-6
                layer.h0, layer.c0 = nudged[:H], nudged[H:]
                fw = forward(s.model, s.data.x[t:t + 1], s.data.y[t:t + 1], s.data.mask[t:t + 1])
                outs.append(np.concatenate([fw.layers[0].H[0], fw.layers[0].C[0]]))
            num[:, j] = (outs[0] - outs[1]) / 2e-6
        np.testing.assert_allclose(M[t], num, rtol=1e-6, atol=1e-9)


def test_long_lag_truncation_differs_and_tbptt_cannot_see_the_first_input():
    rows = {r.param: r for r in truncation_table(load_scenario("long-lag"), k=5)}
    full = compute(load_scenario("long-lag"), "full")
    tb = compute(load_scenario("long-lag"), "tbptt:5")
    assert full["grad/l0/W_i"][:, 0].any() and not tb["grad/l0/W_i"][:, 0].any()  # x[1] is out of every chunk
    assert rows["l0/W_i"].angle["cec"] > 1 and rows["l0/W_i"].angle["tbptt:5"] > 1
    assert rows["head/W_y"].relative["cec"] == 1.0 and rows["head/W_y"].angle["tbptt:5"] == 0.0


def test_report_cells_are_the_printed_numbers():
    printed = tables(analyse(load_scenario("calculator-rnn-0.5")))
    assert "cost_lag" not in printed  # only with a weight
    assert printed["lag"][0] == ["m = T − t", "‖∂h[T]/∂h[t]‖", "‖δh[t]‖"]
    assert [r[1] for r in printed["lag"][1:4]] == ["1", "0.5", "0.25"]
    assert printed["spectrum"][1] == ["1", "0.5"]


@pytest.mark.parametrize("preset", [p.key for p in list_presets()])
def test_every_preset_loads_traces_and_passes_gradcheck(preset):
    scenario = load_scenario(preset)
    trace = compute(scenario)
    assert trace.nonfinite_steps() == []
    result = gradcheck(scenario)
    assert result.passed, result.worst
    assert load_scenario(preset).description  # every preset tells its story


def test_affordable_lags_spends_the_budget_and_gives_at_least_what_is_wanted(monkeypatch):
    """calculator-rnn-0.5: T = 8 steps of one unit, 1·(1 + 1) = 2 multiply-adds a step and lag."""
    trace = compute(load_scenario("calculator-rnn-0.5"))
    assert analysis.affordable_lags(trace) == 8
    monkeypatch.setattr(analysis, "COST_LAG_WORK", 48)  # 8 steps × 3 lags × 2
    assert analysis.affordable_lags(trace) == 3
    assert analysis.affordable_lags(trace, wanted=5) == 5 and analysis.affordable_lags(trace, wanted=20) == 8
    monkeypatch.setattr(analysis, "COST_LAG_WORK", 1)
    assert analysis.affordable_lags(trace) == 1

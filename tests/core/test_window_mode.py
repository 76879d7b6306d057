"""window:K — each cost E[t] sends its gradient back through steps t−K+1 … t only (seed 003)."""
import dataclasses

import numpy as np
import pytest
from helpers import lstm, random_scenario, rnn

from lstmviz.core import compute, gradcheck
from lstmviz.core.analysis import cost_lag, pick_weight
from lstmviz.core.forward import forward
from lstmviz.core.model import LSTMLayer, Model, RNNLayer
from lstmviz.core.modes import GradientMode, parse_mode
from lstmviz.core.params import param_array, param_blocks
from lstmviz.io import load_scenario


def models():
    return {
        "lstm": random_scenario([lstm(2, 3)], T=7, seed=11),
        "peephole": random_scenario([lstm(2, 2, peepholes=True)], T=7, seed=12),
        "no-forget": random_scenario([lstm(1, 2, forget_gate=False, peepholes=True)], T=6, seed=13),
        "stacked": random_scenario([lstm(2, 2), rnn(2, 2)], T=6, seed=14),
        "rnn": random_scenario([rnn(2, 3)], T=7, seed=15),
        "taps": random_scenario([RNNLayer(input_size=2, hidden_size=2, params={}, taps=(2, 4))], T=8, seed=16),
        "lstm-over-taps": random_scenario([RNNLayer(input_size=2, hidden_size=2, params={}, taps=(3,)), lstm(2, 2)],
                                          T=7, seed=17),
    }


def frozen_cost(scenario, t: int, k: int, states) -> float:
    """E[t] (0-based t) replayed over steps max(0, t−k+1) … t from ``states`` (the base point's state
    entering the window, fixed however the weights move)."""
    s = max(0, t - k + 1)
    layers = []
    for layer, (h, c) in zip(scenario.model.layers, states[s], strict=True):
        if c is not None:
            fixed = {"h0": h[-1], "c0": c}
        else:  # an RNN's taps read the earlier states too: h[s−D+1] … h[s−1]
            fixed = {"h0": h[-1], "h_past": h[:-1]}
        layers.append(dataclasses.replace(layer, **fixed))
    model = Model(scenario.model.input_size, layers, scenario.model.head)
    d = scenario.data
    return float(forward(model, d.x[s:t + 1], d.y[s:t + 1], d.mask[s:t + 1]).head.loss_t[-1])


def brute_force_window_gradient(scenario, k: int) -> dict[str, np.ndarray]:
    """Σ_t of central differences of each cost's frozen-window replay, entry by entry."""
    d = scenario.data
    fw = forward(scenario.model, d.x, d.y, d.mask)
    states = []  # the state entering step s, every layer: h[s−D+1] … h[s] (h before step 1 is h0), c[s]
    for s in range(d.steps):
        states.append([])
        for layer, lf in zip(scenario.model.layers, fw.layers, strict=True):
            D = max(getattr(layer, "taps", ()), default=1)
            h = np.vstack([np.tile(layer.h0, (D, 1)), lf.H])[s:s + D]
            states[-1].append((h, lf.c_prev[s].copy() if isinstance(layer, LSTMLayer) else None))
    out = {}
    for block in param_blocks(scenario.model):
        arr = param_array(scenario.model, block).reshape(-1)
        grad = np.zeros(block.size)
        for e in range(block.size):
            theta, step = arr[e], 1e-6
            total = 0.0
            for t in range(d.steps):
                arr[e] = theta + step
                plus = frozen_cost(scenario, t, k, states)
                arr[e] = theta - step
                minus = frozen_cost(scenario, t, k, states)
                arr[e] = theta
                total += (plus - minus) / (2 * step)
            grad[e] = total
        out[block.key] = grad.reshape(block.shape)
    return out


@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("name", ["lstm", "peephole", "no-forget", "stacked", "rnn", "taps", "lstm-over-taps"])
def test_window_matches_brute_force_per_cost_truncation(name, k):
    scenario = models()[name]
    trace = compute(scenario, f"window:{k}")
    expected = brute_force_window_gradient(scenario, k)
    full = compute(scenario)
    differs = False
    for key, value in expected.items():
        np.testing.assert_allclose(trace[f"grad/{key}"], value, rtol=1e-6, atol=1e-8, err_msg=key)
        differs |= not np.allclose(full[f"grad/{key}"], value, rtol=1e-6, atol=1e-8)
    assert differs  # the window really cuts something here


@pytest.mark.parametrize("k", [2, 4])
@pytest.mark.parametrize("name", ["lstm", "peephole", "stacked", "rnn", "taps", "lstm-over-taps"])
def test_gradcheck_passes_under_window(name, k):
    report = gradcheck(models()[name], f"window:{k}")
    assert report.passed, report.worst
    assert not report.kinks


@pytest.mark.parametrize("name", ["lstm", "peephole", "no-forget", "stacked", "rnn", "taps"])
def test_window_bridges_tbptt_1_and_full(name):
    scenario = models()[name]
    T = scenario.data.steps
    pairs = [("window:1", "tbptt:1"), (f"window:{T}", "full"), (f"window:{T + 3}", "full")]
    for window, other in pairs:
        a, b = compute(scenario, window), compute(scenario, other)
        for key in a:
            if key.startswith("grad/"):
                np.testing.assert_allclose(a[key], b[key], rtol=0, atol=1e-12, err_msg=f"{window} {key}")


def test_window_lies_strictly_between_on_the_seed_example():
    """Seed 003 on the one-node linear RNN (u = 0.5): window:3 keeps 3 lags of every cost, tbptt:3 cuts
    every cost at the chunk boundary before it."""
    scenario = load_scenario("calculator-rnn-0.5")
    assert float(scenario.model.layers[0].params["U"][0, 0]) == 0.5
    grad = {m: float(compute(scenario, m)["grad/l0/U"][0, 0]) for m in ("window:3", "tbptt:3", "full")}
    assert grad["window:3"] == pytest.approx(-17.29846, abs=5e-6)
    assert grad["tbptt:3"] == pytest.approx(-12.18335, abs=5e-6)
    assert grad["full"] == pytest.approx(-18.06897, abs=5e-6)


def test_window_slices_the_hand_computed_lag_terms_of_the_seed_example():
    """By hand, with h[t] = Σ_{s≤t} u^(t−s) x[s]: dE[t]/du(t−j) = r[t]·u^j·h[t−j−1] (r = ŷ − y at scored
    t); window:3 keeps j = 0, 1, 2."""
    scenario = load_scenario("calculator-rnn-0.5")
    x = scenario.data.x[:, 0]
    u = 0.5
    h = np.zeros(len(x) + 1)  # h[0] = h0 = 0, h[t] for t = 1 … T
    for t in range(1, len(x) + 1):
        h[t] = x[t - 1] + u * h[t - 1]
    r = {4: h[4] - 4.0, 8: h[8] - 3.0}
    window = sum(r[t] * u ** j * h[t - j - 1] for t in r for j in range(3))
    assert float(compute(scenario, "window:3")["grad/l0/U"][0, 0]) == pytest.approx(window, rel=1e-12)


@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("name", ["lstm", "peephole", "stacked", "rnn", "taps", "lstm-over-taps"])
def test_rtrl_equals_bptt_under_window(name, k):
    scenario = models()[name]
    bptt, rtrl = compute(scenario, f"window:{k}"), compute(scenario, f"window:{k}", "rtrl")
    for key in bptt:
        if key.startswith("grad/"):
            np.testing.assert_allclose(rtrl[key], bptt[key], rtol=1e-10, atol=1e-12, err_msg=key)


def test_cost_lag_sums_to_the_full_and_window_gradients():
    scenario = models()["peephole"]
    trace = compute(scenario)
    T = scenario.data.steps
    for param, index in [("l0/U_f", (1, 0)), ("l0/W_i", (0, 1)), ("l0/p_o", (1,)), ("l0/b_g", (0,))]:
        c = cost_lag(trace, param, index)
        assert c.matrix.shape == (T, T)
        assert c.total == pytest.approx(float(trace[f"grad/{param}"][index]), rel=1e-10, abs=1e-12)
        for k in (1, 2, 4):
            window = compute(scenario, f"window:{k}")[f"grad/{param}"][index]
            assert c.window(k).sum() == pytest.approx(float(window), rel=1e-10, abs=1e-12)
        for t in range(T):  # no copy of θ from before step 1
            assert np.all(c.matrix[t, t + 1:] == 0.0)


def test_cost_lag_rows_are_each_costs_own_derivative():
    """Row t−1 of the matrix sums to dE[t]/dθ, checked by central differences of E[t] alone."""
    scenario = models()["stacked"]
    d = scenario.data
    for param, index in [("l0/U_o", (0, 1)), ("l1/U", (1, 0)), ("l1/W", (0, 0))]:
        c = cost_lag(compute(scenario), param, index)
        arr = param_array(scenario.model, next(b for b in param_blocks(scenario.model) if b.key == param))
        theta, step = arr[index], 1e-6
        arr[index] = theta + step
        plus = forward(scenario.model, d.x, d.y, d.mask).head.loss_t
        arr[index] = theta - step
        minus = forward(scenario.model, d.x, d.y, d.mask).head.loss_t
        arr[index] = theta
        np.testing.assert_allclose(c.per_cost, (plus - minus) / (2 * step), rtol=1e-6, atol=1e-8)


def test_cost_lag_of_a_head_weight_is_all_at_lag_zero():
    scenario = models()["lstm"]
    trace = compute(scenario)
    c = cost_lag(trace, "head/W_y", (1, 2))
    assert np.any(c.matrix[:, 0] != 0) and np.all(c.matrix[:, 1:] == 0)
    assert c.total == pytest.approx(float(trace["grad/head/W_y"][1, 2]), rel=1e-12)


def test_pick_weight_names_and_refuses():
    trace = compute(models()["lstm"])
    assert pick_weight(trace, "l0/U_f[2, 1]") == ("l0/U_f", (2, 1))
    param, index = pick_weight(trace, "auto")
    assert param.startswith("l0/U_")
    biggest = max(np.abs(trace[f"grad/l0/U_{g}"]).max() for g in "ifog")
    assert abs(trace[f"grad/{param}"][index]) == biggest
    for bad in ("nonsense", "l0/U_f[3, 0]", "l0/U_f[0]", "l9/U[0,0]"):
        with pytest.raises(ValueError):
            pick_weight(trace, bad)


def test_parse_mode_window():
    assert parse_mode("window:3") == GradientMode("window", 3)
    assert str(parse_mode(" Window:12 ")) == "window:12"
    for bad in ("window:0", "window:x", "window:", "window:-2", "window:1.5"):
        with pytest.raises(ValueError, match="window needs a window length") as err:
            parse_mode(bad)
        assert "\n" not in str(err.value)

"""window:K's starting shares (dA_start, dH_start, dC_start): the part of a step's δ that belongs to the cost
whose window starts there, E[s+K−1], and so stops at the edge into s."""
import dataclasses

import numpy as np
import pytest
from helpers import lstm, random_scenario, rnn

from lstmviz.core import Data, Scenario, compute
from lstmviz.core.backward import cell_carry, lstm_local
from lstmviz.core.model import LSTMLayer, Model, RNNLayer
from lstmviz.io import load_scenario


def scenarios():
    return {
        "calculator-lstm": load_scenario("calculator-lstm"),
        "peephole-lstm": load_scenario("peephole-lstm"),
        "stacked-lstm": load_scenario("stacked-lstm"),
        "calculator-rnn-0.5": load_scenario("calculator-rnn-0.5"),
        "rnn-under-lstm": random_scenario([rnn(2, 3), lstm(3, 2, peepholes=True)], T=7, seed=21),
        "no-forget": random_scenario([lstm(1, 2, forget_gate=False, peepholes=True)], T=6, seed=22),
    }


def taps_scenario():
    return random_scenario([RNNLayer(input_size=2, hidden_size=2, params={}, taps=(2,))], T=7, seed=23)


def window_trace(scenario, k):
    tr = compute(scenario, f"window:{k}")
    assert all(lb.dH_start is not None for lb in tr.backward.layers)
    return tr


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("name", list(scenarios()))
def test_delta_is_what_crosses_each_edge_minus_the_starting_share(name, k):
    """δh[s] = ext[s] + Uᵀ(δa[s+1] − δa_start[s+1]) and, for an LSTM,
    δc[s] = δh[s]·∂h/∂c[s] + (δc[s+1] − δc_start[s+1])·∂c[s+1]/∂c[s]."""
    scenario = scenarios()[name]
    tr = window_trace(scenario, k)
    bw, fw = tr.backward, tr.forward
    for n, (layer, lf, lb) in enumerate(zip(scenario.model.layers, fw.layers, bw.layers, strict=True)):
        ext = bw.layers[n + 1].dX if n + 1 < len(bw.layers) else lb.eps_h
        U = lf.U if isinstance(layer, LSTMLayer) else layer.params["U"]
        later = np.vstack([lb.dA[1:] - lb.dA_start[1:], np.zeros((1, lb.dA.shape[1]))])
        np.testing.assert_allclose(lb.dH, ext + later @ U, rtol=1e-12, atol=1e-14, err_msg=f"{name} δh l{n}")
        if isinstance(layer, LSTMLayer):
            loc = lstm_local(layer, lf)
            carry = cell_carry(layer, lf, loc)
            rest = np.vstack([(lb.dC[1:] - lb.dC_start[1:]) * carry[1:], np.zeros((1, lb.dC.shape[1]))])
            np.testing.assert_allclose(lb.dC, lb.dH * loc.Kc + rest, rtol=1e-12, atol=1e-14, err_msg=f"{name} δc")


def test_the_shares_are_not_trivial():
    """On calculator-rnn-0.5 under window:3 some costs do start with a share, never larger than the step's δ."""
    scenario = load_scenario("calculator-rnn-0.5")
    lb = window_trace(scenario, 3).backward.layers[0]
    assert np.count_nonzero(lb.dA_start) > 0
    assert np.all(np.abs(lb.dA_start) <= np.abs(lb.dA) + 1e-15)


def single_cost_window(scenario, t: int, k: int):
    """Cost E[t] (0-based) alone over its window s = t−k+1 … t, replayed from the state entering s (held
    constant), and differentiated by full BPTT: its δ at step s is E[t]'s share there."""
    s = t - k + 1
    fw = compute(scenario, "full").forward
    layers = []
    for layer, lf in zip(scenario.model.layers, fw.layers, strict=True):
        if isinstance(layer, LSTMLayer):
            layers.append(dataclasses.replace(layer, h0=lf.h_prev[s].copy(), c0=lf.c_prev[s].copy()))
        else:  # the taps read the earlier states too: h[s−D+1] … h[s−1] (h before step 1 is h0)
            D = max(layer.delays)
            past = np.vstack([np.tile(layer.h0, (D, 1)), lf.H])[s:s + D]
            layers.append(dataclasses.replace(layer, h0=past[-1].copy(), h_past=past[:-1].copy()))
    d = scenario.data
    mask = np.zeros(k)
    mask[-1] = d.mask[t]
    sub = Scenario(name="one cost", model=Model(scenario.model.input_size, layers, scenario.model.head),
                   data=Data(x=d.x[s:t + 1], y=d.y[s:t + 1], mask=mask))
    return compute(sub, "full").backward


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("name", ["peephole-lstm", "rnn-under-lstm", "no-forget", "calculator-rnn-0.5", "taps"])
def test_starting_shares_are_the_single_cost_delta(name, k):
    scenario = taps_scenario() if name == "taps" else scenarios()[name]
    T = scenario.data.steps
    tr = window_trace(scenario, k)
    for s in range(T):
        t = s + k - 1
        for n, lb in enumerate(tr.backward.layers):
            if t >= T:  # no such cost: nothing starts here
                assert not lb.dA_start[s].any() and not lb.dH_start[s].any()
                continue
            one = single_cost_window(scenario, t, k).layers[n]
            np.testing.assert_allclose(lb.dA_start[s], one.dA[0], rtol=1e-10, atol=1e-13, err_msg=f"{name} s={s}")
            np.testing.assert_allclose(lb.dH_start[s], one.dH[0], rtol=1e-10, atol=1e-13)
            if isinstance(scenario.model.layers[n], LSTMLayer):
                np.testing.assert_allclose(lb.dC_start[s], one.dC[0], rtol=1e-10, atol=1e-13)


def test_other_modes_keep_no_shares():
    for mode in ("full", "cec", "tbptt:3", "window:1", "window:99"):
        tr = compute(load_scenario("calculator-lstm"), mode)
        assert tr.backward.layers[0].dA_start is None and tr.backward.layers[0].dC_start is None



@pytest.mark.parametrize("k", [2, 3])
def test_taps_lose_the_shares_of_the_costs_whose_windows_start_in_between(k):
    """δh[s] = ext[s] + Uᵀ(δa[s+1] − δa_start[s+1]) + Σ_d U_dᵀ(δa[s+d] − dA_tap_stop[s, d]), and the stopped
    share of a tap d is that of the costs E[s+K] … E[s+d+K−1] (0-based), single-cost BPTT by single-cost BPTT
    (a tap d ≥ K stops all of δa[s+d])."""
    scenario = random_scenario([RNNLayer(input_size=2, hidden_size=2, params={}, taps=(2, 3))], T=7, seed=24)
    layer, T = scenario.model.layers[0], scenario.data.steps
    lb = window_trace(scenario, k).backward.layers[0]
    rec = np.vstack([lb.dA[1:] - lb.dA_start[1:], np.zeros((1, 2))]) @ layer.params["U"]
    for j, d in enumerate(layer.taps):
        later = np.vstack([lb.dA[d:], np.zeros((d, 2))])
        rec += (later - lb.dA_tap_stop[:, j]) @ layer.params[f"U_{d}"]
        for s in range(T - d):
            stopped = np.zeros(2)
            for cost in range(s + k, min(s + d + k, T)):
                first = cost - k + 1
                if first <= s + d <= cost:
                    stopped += single_cost_window(scenario, cost, k).layers[0].dA[s + d - first]
            np.testing.assert_allclose(lb.dA_tap_stop[s, j], stopped, rtol=1e-10, atol=1e-13, err_msg=f"s={s} d={d}")
    np.testing.assert_allclose(lb.dH, lb.eps_h + rec, rtol=1e-12, atol=1e-14)

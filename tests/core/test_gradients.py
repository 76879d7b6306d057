"""Every activation, variant, gradient mode and algorithm against finite differences."""
import itertools

import numpy as np
import pytest
from helpers import lstm, random_scenario, rnn

from lstmviz.core import compute, gradcheck
from lstmviz.core.activations import CANDIDATE_ACTIVATIONS, RNN_ACTIVATIONS
from lstmviz.core.forward import forward
from lstmviz.core.model import Model

MODES = ["full", "cec", "tbptt:2", "tbptt:4"]


def assert_gradcheck(scenario, gradient="full", algorithm="bptt"):
    report = gradcheck(scenario, gradient, algorithm)
    assert not report.kinks, [e.label for e in report.kinks]
    worst = report.worst
    assert report.passed, f"{worst.label}: analytic {worst.analytic}, numeric {worst.numeric}"
    # the check must have compared real, non-zero gradients
    assert max(abs(e.analytic) for e in report.entries) > 1e-3


LSTM_VARIANTS = [
    dict(gate_activation="sigmoid", candidate_activation="tanh", cell_output_activation="tanh"),
    dict(gate_activation="sigmoid", candidate_activation="linear", cell_output_activation="linear"),
    dict(gate_activation="sigmoid", candidate_activation="sigmoid", cell_output_activation="tanh", peepholes=True),
    dict(gate_activation="sigmoid", candidate_activation="tanh", cell_output_activation="tanh", forget_gate=False),
    dict(gate_activation="sigmoid", candidate_activation="tanh", cell_output_activation="linear", peepholes=True,
         forget_gate=False),
    dict(gate_activation="crelu", candidate_activation="crelu", cell_output_activation="tanh"),
    dict(gate_activation="crelu", candidate_activation="relu", cell_output_activation="linear", peepholes=True),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("variant", LSTM_VARIANTS, ids=lambda v: "-".join(f"{k[:4]}={v[k]}" for k in v))
def test_lstm_variants_match_finite_differences(variant, mode):
    s = random_scenario([lstm(2, 3, **variant)], T=6, seed=3)
    if variant["gate_activation"] == "crelu":  # move the gates into CReLU's linear range
        for name in ("b_i", "b_f", "b_o"):
            if name in s.model.layers[0].params:
                s.model.layers[0].params[name] += 0.5
        if variant["candidate_activation"] in ("crelu", "relu"):
            s.model.layers[0].params["b_g"] += 0.5
    assert_gradcheck(s, mode)


@pytest.mark.parametrize("activation", CANDIDATE_ACTIVATIONS)
def test_every_candidate_activation(activation):
    s = random_scenario([lstm(2, 2, candidate_activation=activation)], seed=5)
    s.model.layers[0].params["b_g"] += 0.4
    assert_gradcheck(s)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("activation", RNN_ACTIVATIONS)
def test_rnn_activations(activation, mode):
    s = random_scenario([rnn(2, 3, activation)], seed=7)
    if activation in ("relu", "crelu"):
        s.model.layers[0].params["b"] += 0.4
    assert_gradcheck(s, mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("head_type,loss", [("identity", "mse"), ("linear", "mse"), ("linear", "softmax_xent"),
                                            ("identity", "softmax_xent")])
def test_heads_and_losses_on_stacked_layers(head_type, loss, mode):
    layers = [lstm(2, 3, peepholes=True), rnn(3, 2, "tanh"), lstm(2, 3)]
    s = random_scenario(layers, head_type=head_type, loss=loss, K=3, seed=11, mask=[1, 0, 1, 0.5, 1, 1])
    assert_gradcheck(s, mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stack", ["lstm-lstm", "lstm-rnn", "rnn-lstm"])
def test_rtrl_equals_bptt(stack, mode):
    kinds = stack.split("-")
    make = {"lstm": lambda d, h: lstm(d, h, peepholes=True), "rnn": lambda d, h: rnn(d, h, "tanh")}
    s = random_scenario([make[kinds[0]](2, 3), make[kinds[1]](3, 2)], T=7, seed=13)
    bptt, rtrl = compute(s, mode, "bptt"), compute(s, mode, "rtrl")
    keys = [k for k in bptt.keys() if k.startswith("grad/")]
    assert keys == [k for k in rtrl.keys() if k.startswith("grad/")]
    for k in keys:
        np.testing.assert_allclose(rtrl[k], bptt[k], rtol=1e-10, atol=1e-12, err_msg=k)
    assert max(np.abs(bptt[k]).max() for k in keys) > 1e-2


def test_rtrl_passes_gradcheck_under_cec():
    assert_gradcheck(random_scenario([lstm(2, 2, peepholes=True)], seed=17), "cec", "rtrl")


def test_modes_really_differ_and_tbptt_covering_the_sequence_is_full():
    s = random_scenario([lstm(2, 3)], T=8, seed=19)
    full, cec, t1 = compute(s, "full"), compute(s, "cec"), compute(s, "tbptt:1")
    assert not np.allclose(full["grad/l0/U_i"], cec["grad/l0/U_i"])
    assert not np.allclose(full["grad/l0/W_g"], t1["grad/l0/W_g"])
    long = compute(s, "tbptt:8")
    for k in full.keys():
        np.testing.assert_array_equal(long[k], full[k], err_msg=k)
    # forward values never depend on the gradient mode
    for k in ("l0/h", "l0/c", "loss"):
        np.testing.assert_array_equal(cec[k], full[k])


def test_dx_matches_finite_differences_on_the_input():
    s = random_scenario([lstm(2, 3, peepholes=True), lstm(3, 2)], T=5, seed=23)
    tr = compute(s)
    x = s.data.x
    num = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + 1e-6
        up = forward(s.model, x, s.data.y, s.data.mask).head.loss
        x[idx] = old - 1e-6
        down = forward(s.model, x, s.data.y, s.data.mask).head.loss
        x[idx] = old
        num[idx] = (up - down) / 2e-6
    np.testing.assert_allclose(tr["dx"], num, rtol=1e-6, atol=1e-9)


def test_delta_h_is_the_total_derivative_with_respect_to_h():
    """δh[t] = ε_h[t] + the derivative of the loss of the later steps, replayed from a nudged h[t]."""
    s = random_scenario([lstm(2, 3, peepholes=True)], T=5, seed=29)
    tr = compute(s)
    layer = s.model.layers[0]

    def later_loss(t, h):
        """Loss of steps t+1.. when the run restarts from (h, c[t])."""
        saved = layer.h0, layer.c0
        layer.h0, layer.c0 = h, tr["l0/c"][t]
        try:
            return forward(s.model, s.data.x[t + 1:], s.data.y[t + 1:], s.data.mask[t + 1:]).head.loss
        finally:
            layer.h0, layer.c0 = saved

    for t in range(4):
        for j in range(3):
            e = np.eye(3)[j] * 1e-6
            num = (later_loss(t, tr["l0/h"][t] + e) - later_loss(t, tr["l0/h"][t] - e)) / 2e-6
            assert tr["l0/delta_h"][t, j] == pytest.approx(tr["l0/eps_h"][t, j] + num, rel=1e-6, abs=1e-9)


def test_eps_of_a_lower_layer_holds_every_other_step_constant():
    """ε_h of layer 0 at step t: only layer 1's step t is recomputed, from its stored states."""
    s = random_scenario([lstm(2, 3), lstm(3, 2)], T=4, seed=31)
    tr = compute(s)
    top = s.model.layers[1]
    for t in range(4):
        def step_loss(h_below, t=t):
            h0, c0 = top.h0, top.c0
            if t > 0:
                top.h0, top.c0 = tr["l1/h"][t - 1], tr["l1/c"][t - 1]
            try:
                sub = Model(3, [top], s.model.head)
                return forward(sub, h_below[None], s.data.y[t:t + 1], s.data.mask[t:t + 1]).head.loss
            finally:
                top.h0, top.c0 = h0, c0
        for j in range(3):
            e = np.eye(3)[j] * 1e-6
            num = (step_loss(tr["l0/h"][t] + e) - step_loss(tr["l0/h"][t] - e)) / 2e-6
            assert tr["l0/eps_h"][t, j] == pytest.approx(num, rel=1e-6, abs=1e-10)
    assert np.abs(tr["l0/eps_h"]).max() > 1e-3


def test_step_contributions_sum_to_every_gradient():
    s = random_scenario([lstm(2, 3, peepholes=True), rnn(3, 2)], T=5, seed=37)
    tr = compute(s)
    for key in [k for k in tr.keys() if k.startswith("grad/")]:
        param = key[len("grad/"):]
        parts = tr.contributions(param)
        assert parts.shape == (5,) + tr[key].shape
        np.testing.assert_allclose(parts.sum(axis=0), tr[key], rtol=1e-12, atol=1e-14, err_msg=key)
        for index in np.ndindex(*tr[key].shape):  # one entry alone: the same terms
            np.testing.assert_array_equal(tr.contribution_at(param, index), parts[(slice(None),) + index])


def test_every_combination_of_lstm_switches_traces_finitely():
    for gate, cand, out, fg, peep in itertools.product(("sigmoid", "crelu"), CANDIDATE_ACTIVATIONS,
                                                        ("tanh", "linear"), (True, False), (True, False)):
        s = random_scenario([lstm(2, 2, gate_activation=gate, candidate_activation=cand, cell_output_activation=out,
                                  forget_gate=fg, peepholes=peep)], T=4, seed=41)
        tr = compute(s)
        assert tr.nonfinite_steps() == []
        assert ("l0/a_f" in tr) == fg
        if not fg:
            np.testing.assert_array_equal(tr["l0/f"], 1.0)


def test_per_step_arrays_never_include_states_or_gradients_even_when_their_length_is_T():
    s = random_scenario([lstm(3, 3)], T=3, K=3, seed=47)  # H = D = K = T: every length coincides
    tr = compute(s)
    keys = set(tr.step_arrays())
    assert "l0/h" in keys and "dx" in keys and "loss_t" in keys
    assert not any(k.startswith("grad/") or k.endswith(("/h0", "/c0")) or k == "loss" for k in keys)
    s.model.layers[0].h0[:] = np.nan  # a non-finite initial state is not a non-finite step
    with np.errstate(all="ignore"):
        tr = compute(s)
    assert tr.nonfinite_steps("forward")[0] == 1  # it spreads into h[1], which is a step
    assert all(v.shape[0] == 3 for v in tr.step_arrays().values())

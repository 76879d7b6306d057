"""Real-time RTRL: one entry's sensitivities against BPTT and finite differences; Gers' real-time learning."""
import copy

import numpy as np
import pytest
from helpers import lstm, random_scenario, rnn

from lstmviz.core import RTRLTooLarge, compute
from lstmviz.core.forward import forward
from lstmviz.core.model import LSTMLayer
from lstmviz.core.params import param_array, param_blocks
from lstmviz.core.realtime import realtime_epoch, realtime_train, sensitivities
from lstmviz.core.train import train
from lstmviz.io import load_scenario

PRESETS = ["peephole-lstm", "stacked-lstm", "calculator-rnn-1.7", "long-lag", "memorizer", "calculator-lstm"]


def entries(model):
    """Every layer parameter entry (key, index)."""
    for b in param_blocks(model, include_head=False):
        for index in np.ndindex(*b.shape):
            yield b.key, index


@pytest.mark.parametrize("mode", ["full", "cec"])
@pytest.mark.parametrize("preset", PRESETS)
def test_the_running_gradient_ends_at_the_bptt_gradient_of_every_entry(preset, mode):
    s = load_scenario(preset)
    trace = compute(s, mode)
    got, want = [], []
    for key, index in entries(s.model):
        history = sensitivities(s.model, trace.forward, key, index, mode)
        assert history.G.shape == (trace.steps,)
        got.append(history.G[-1])
        want.append(trace[f"grad/{key}"][index])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert np.max(np.abs(want)) > 1e-3 or preset == "calculator-lstm"  # real gradients were compared


@pytest.mark.parametrize("preset,key,index", [
    ("peephole-lstm", "l1/p_f", (1,)), ("peephole-lstm", "l0/U_i", (0, 1)), ("stacked-lstm", "l0/W_g", (2, 0)),
    ("stacked-lstm", "l1/b_o", (1,)), ("calculator-rnn-1.7", "l0/U", (0, 0)), ("long-lag", "l0/b_f", (0,))])
def test_the_sensitivities_are_finite_differences_of_the_states(preset, key, index):
    """Under full, S_h[t] = ∂h[t]/∂θ and S_c[t] = ∂c[t]/∂θ of every layer at every step."""
    s = load_scenario(preset)
    fw = forward(s.model, s.data.x, s.data.y, s.data.mask)
    history = sensitivities(s.model, fw, key, index, "full")
    eps = 1e-6
    runs = []
    for sign in (1, -1):
        moved = copy.deepcopy(s)
        block = next(b for b in param_blocks(moved.model) if b.key == key)
        param_array(moved.model, block)[index] += sign * eps
        runs.append(forward(moved.model, moved.data.x, moved.data.y, moved.data.mask))
    for n, layer in enumerate(s.model.layers):
        dh = (runs[0].layers[n].H - runs[1].layers[n].H) / (2 * eps)
        np.testing.assert_allclose(history.S_h[n], dh, rtol=1e-6, atol=1e-8)
        if isinstance(layer, LSTMLayer):
            dc = (runs[0].layers[n].C - runs[1].layers[n].C) / (2 * eps)
            np.testing.assert_allclose(history.S_c[n], dc, rtol=1e-6, atol=1e-8)
        else:
            assert history.S_c[n] is None
    top = np.abs(history.S_h[-1])
    assert top.max() > 1e-3 and top[-1].max() > top[0].max()  # the sensitivity grew over time


def test_gers_truncation_drops_the_paths_through_h():
    """On the RNN calculator, cec keeps nothing in time: S_h[t] = ∂h[t]/∂u with h[t−1] held, i.e. h[t−1]."""
    s = load_scenario("calculator-rnn-0.5")
    trace = compute(s)
    exact = sensitivities(s.model, trace.forward, "l0/U", (0, 0), "full")
    gers = sensitivities(s.model, trace.forward, "l0/U", (0, 0), "cec")
    h = trace["l0/h"][:, 0]
    np.testing.assert_array_equal(gers.S_h[0][:, 0], np.concatenate([[0.0], h[:-1]]))
    np.testing.assert_allclose(exact.S_h[0][:4, 0], [0.0, 1.0, 3.0, 3.75])  # h[t−1] + u·S[t−1] by hand


@pytest.mark.parametrize("mode", ["full", "cec"])
@pytest.mark.parametrize("scenario", [
    lambda: load_scenario("peephole-lstm"), lambda: load_scenario("stacked-lstm"),
    lambda: load_scenario("calculator-rnn-1.7"), lambda: random_scenario([rnn(2, 3), lstm(3, 2)], T=7, seed=4),
    lambda: random_scenario([lstm(2, 3, peepholes=True)], head_type="linear", loss="softmax_xent", K=3, seed=5)])
def test_real_time_learning_with_the_update_off_accumulates_the_bptt_gradient(scenario, mode):
    s = scenario()
    trace = compute(s, mode)
    before = {b.key: param_array(s.model, b).copy() for b in param_blocks(s.model)}
    run = realtime_epoch(s, mode, learning_rate=0.5, update=False)
    assert run.stopped is None
    np.testing.assert_allclose(run.losses, trace["loss_t"], rtol=1e-12, atol=1e-15)
    assert set(run.grads) == {k[len("grad/"):] for k in trace if k.startswith("grad/")}
    for key, value in run.grads.items():
        np.testing.assert_allclose(value, trace[f"grad/{key}"], rtol=1e-9, atol=1e-12, err_msg=key)
        assert np.array_equal(param_array(s.model, next(b for b in param_blocks(s.model) if b.key == key)),
                              before[key])


def test_the_first_real_time_update_is_a_descent_on_that_steps_cost():
    """The RNN calculator c[t] = w·x[t] + u·h[t−1] + b on x = 1, 2, 1, 0, scored at step 4 (target 4):
    h = 1, 2.5, 2.25, 1.125, so E[4] = ½·2.875²; by hand ∂h[4]/∂(w, u, b) = (1.125, 3.75, 1.875), and the
    update at step 4 is θ − 0.003·(h[4] − 4)·∂h[4]/∂θ — nothing moves at steps 1–3 (E = 0 there)."""
    s = load_scenario("calculator-rnn-0.5")
    for name in ("x", "y", "mask"):
        setattr(s.data, name, getattr(s.data, name)[:4])
    run = realtime_epoch(s, "full", learning_rate=0.003)
    np.testing.assert_allclose(run.losses, [0.0, 0.0, 0.0, 0.5 * 2.875 ** 2], rtol=1e-15)
    p = s.model.layers[0].params
    np.testing.assert_allclose([p["W"][0, 0], p["U"][0, 0], p["b"][0]],
                               [1.0 + 0.003 * 2.875 * 1.125, 0.5 + 0.003 * 2.875 * 3.75, 0.003 * 2.875 * 1.875],
                               rtol=1e-14)


def test_the_state_and_the_sensitivities_carry_on_under_the_changed_weight():
    """Training u alone on the whole calculator sequence: after the update at step 4 the steps 5–8 run
    from h[4] and S[4] of the old u, under the new u (no replay from the start)."""
    s = load_scenario("calculator-rnn-0.5")  # W and b frozen
    eta = 0.003
    run = realtime_epoch(s, "full", learning_rate=eta, frozen=s.training.frozen)
    h, S, u = 1.125, 3.75, 0.5 + eta * 2.875 * 3.75
    for x in (1.0, 1.0, 1.0, 0.0):
        h, S = x + u * h, h + u * S
    np.testing.assert_allclose(run.losses[7], 0.5 * (h - 3.0) ** 2, rtol=1e-14)
    np.testing.assert_allclose(s.model.layers[0].params["U"][0, 0], u - eta * (h - 3.0) * S, rtol=1e-14)
    assert s.model.layers[0].params["W"][0, 0] == 1.0 and s.model.layers[0].params["b"][0] == 0.0


def test_the_loss_falls_over_real_time_epochs():
    s = load_scenario("stacked-lstm")
    start = compute(s).loss
    run = realtime_train(s, 20, "full", s.training.learning_rate)
    assert run.stopped is None and len(run.losses) == 20
    assert run.losses[-1] < 0.3 * run.losses[0] and compute(s).loss < 0.3 * start


def test_a_diverging_real_time_run_stops_with_finite_weights():
    s = load_scenario("calculator-rnn-1.7")
    run = realtime_train(s, 50, "full", 1e308, frozen=s.training.frozen)
    assert run.stopped.startswith("stopped at epoch 1, step 4: the update would make l0/U[0, 0] non-finite")
    assert run.losses == [] and s.model.layers[0].params["U"][0, 0] == 1.7


def test_refusals():
    s = load_scenario("peephole-lstm")
    fw = compute(s).forward
    with pytest.raises(ValueError, match="runs under full or cec"):
        sensitivities(s.model, fw, "l0/W_i", (0, 0), "tbptt:2")
    with pytest.raises(ValueError, match="head has no sensitivities"):
        sensitivities(s.model, fw, "head/W_y", (0, 0))
    with pytest.raises(ValueError, match=r"l0/W_i\[5, 0\] is outside its shape"):
        sensitivities(s.model, fw, "l0/W_i", (5, 0))
    big = random_scenario([lstm(1, 64)], T=3)
    with pytest.raises(RTRLTooLarge, match="rtrl is for small models"):
        realtime_epoch(big)
    with pytest.raises(RTRLTooLarge, match="rtrl is for small models"):
        sensitivities(big.model, compute(big).forward, "l0/b_i", (0,))


def test_training_with_updates_at_every_step_is_real_time_learning():
    a = load_scenario("stacked-lstm")
    b = copy.deepcopy(a)
    run = train(a, 3, "cec", 0.2, updates="step")
    reference = [realtime_epoch(b, "cec", 0.2).loss for _ in range(3)]
    assert run.losses == reference and run.stopped is None
    for la, lb in zip(a.model.layers, b.model.layers, strict=True):
        assert all(np.array_equal(la.params[k], lb.params[k]) for k in la.params)

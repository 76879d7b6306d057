"""The presets that teach one lesson each do what their stories say, with numbers worked out by hand; and every
story counts time as the app does (t = 1 … T)."""
import re

import numpy as np
import pytest

from lstmviz.core import compute
from lstmviz.core.train import train
from lstmviz.io import list_presets, load_scenario

X = [1, 2, 1, 0, 1, 1, 1, 0]
GATE_KEYS = ("l0/W_f", "l0/U_f", "l0/b_f")


def column(trace, key):
    return trace[key][:, 0]


# -- cec-1997: the constant error carousel ----------------------------------------------------------
def test_cec_1997_carries_delta_c_back_unchanged():
    s = load_scenario("cec-1997")
    layer = s.model.layers[0]
    assert not layer.forget_gate
    tr = compute(s)
    T = tr.steps
    assert T == 16
    np.testing.assert_array_equal(column(tr, "l0/f"), 1.0)            # ∂c[t]/∂c[t−1] = 1 at every step
    np.testing.assert_array_equal(column(tr, "l0/delta_h")[:-1], 0.0)  # nothing scored before t = 16
    dc = column(tr, "l0/delta_c")
    np.testing.assert_array_equal(dc, dc[-1])                          # δc[1] = … = δc[16], exactly
    # δc[16] = εh[16]·o[16]·(1 − tanh²(c[16])), o = σ(1), c[16] = c[1] = σ(2)·tanh(1), εh = h − 1
    o, c = 1 / (1 + np.exp(-1.0)), np.tanh(1.0) / (1 + np.exp(-2.0))
    h = o * np.tanh(c)
    assert dc[0] == pytest.approx((h - 1) * o * (1 - np.tanh(c) ** 2), rel=1e-13)
    # dE/dw_c̃ = δc[1]·i[1]·(1 − tanh²(1))·x[1]: the error of t = 16 arrives whole at t = 1
    i1 = 1 / (1 + np.exp(-2.0))
    assert tr["grad/l0/W_g"][0, 0] == pytest.approx(dc[0] * i1 * (1 - np.tanh(1.0) ** 2), rel=1e-13)


def test_the_memorizer_rnn_loses_what_the_carousel_keeps():
    """The same task through the memorizer's RNN: δ[1] = δ[16]·u^15 (u = 0.9) where the LSTM keeps δc[1] = δc[16]."""
    tr = compute(load_scenario("memorizer"))
    d = column(tr, "l0/delta_a")
    assert d[0] == pytest.approx(d[-1] * 0.9 ** 15, rel=1e-13)
    assert abs(d[0] / d[-1]) < 0.21


def test_cec_1997_learns_the_long_lag():
    s = load_scenario("cec-1997")
    run = train(s, 30, learning_rate=s.training.learning_rate, frozen=tuple(s.training.frozen))
    assert run.stopped is None and run.losses[-1] < run.losses[0] / 10
    np.testing.assert_array_equal(column(compute(s), "l0/delta_h")[:-1], 0.0)  # the u's stayed frozen at 0


# -- crelu-dying-gate and its sigmoid counterpart (002, slides 28–29) ---------------------------------
def test_crelu_gate_on_kinks_and_flat_tops_gets_exactly_zero_gradient():
    s = load_scenario("crelu-dying-gate")
    tr = compute(s)
    a_f = column(tr, "l0/a_f")
    np.testing.assert_array_equal(a_f, 5.0 * np.array(X))                    # 0 (kink) or ≥ 5 (flat)
    np.testing.assert_array_equal(column(tr, "l0/f"), [1, 1, 1, 0, 1, 1, 1, 0])
    assert tr.loss == 12.5                                                   # h[4] = h[8] = 0: ½(4² + 3²)
    assert column(tr, "l0/delta_f")[[3, 7]].tolist() == [-16.0, -9.0]        # the gate is blamed …
    np.testing.assert_array_equal(column(tr, "l0/delta_a_f"), 0.0)           # … but σ̇ = 0 passes none of it
    for key in GATE_KEYS:
        assert tr[f"grad/{key}"].ravel().tolist() == [0.0]
    assert set(s.training.frozen) | set(GATE_KEYS) == {f"l0/{k}" for k in s.model.layers[0].params}


def test_crelu_dying_gate_training_makes_no_progress():
    s = load_scenario("crelu-dying-gate")
    before = {k: s.model.layers[0].params[k.split("/")[1]].copy() for k in GATE_KEYS}
    run = train(s, 20, learning_rate=s.training.learning_rate, frozen=tuple(s.training.frozen))
    assert run.stopped is None and run.losses == [12.5] * 20
    for key, value in before.items():
        np.testing.assert_array_equal(s.model.layers[0].params[key.split("/")[1]], value)


def test_sigmoid_gate_from_the_same_start_learns():
    s = load_scenario("crelu-dying-gate-sigmoid")
    dead = load_scenario("crelu-dying-gate").model.layers[0].params
    for key in GATE_KEYS:
        name = key.split("/")[1]
        np.testing.assert_array_equal(s.model.layers[0].params[name], dead[name])  # the same start
    tr = compute(s)
    np.testing.assert_array_equal(column(tr, "l0/i"), 1.0)     # σ(40) is 1 in float64
    f = column(tr, "l0/f")
    np.testing.assert_allclose(f, 1 / (1 + np.exp(-5.0 * np.array(X))), rtol=1e-15)
    assert (f * (1 - f) > 0).all()                             # σ̇ > 0 everywhere: flat nowhere
    assert all(tr[f"grad/{key}"].ravel()[0] != 0 for key in GATE_KEYS)
    E0 = tr.loss
    run = train(s, 50, learning_rate=s.training.learning_rate, frozen=tuple(s.training.frozen))
    assert run.stopped is None and run.losses[0] == E0
    assert np.all(np.diff(run.losses) < 0) and compute(s).loss < 0.65 * E0


# -- calculator-score-positive (002, slide 35) ---------------------------------------------------------
def test_score_positive_mask_is_x_above_zero_and_e_is_20():
    s = load_scenario("calculator-score-positive")
    np.testing.assert_array_equal(s.data.mask, np.asarray(s.data.x)[:, 0] > 0)
    tr = compute(s)
    np.testing.assert_array_equal(column(tr, "l0/h"), [1, 3, 4, 0, 1, 2, 3, 0])
    assert tr.loss == 0.5 * (1 + 9 + 16 + 1 + 4 + 9) == 20.0
    np.testing.assert_array_equal(tr["loss_t"], [0.5, 4.5, 8, 0, 0.5, 2, 4.5, 0])


def test_the_lstm_calculator_scores_zero_on_the_silent_steps():
    lstm = load_scenario("calculator-lstm")
    lstm.data.mask[:] = load_scenario("calculator-score-positive").data.mask
    assert compute(lstm).loss == 0.0


# -- stories count time from 1 -----------------------------------------------------------------------
INDEX = re.compile(r"(x|y|ŷ|h|c|f|i|o|δ|ε)\[(\d+)\]")


@pytest.mark.parametrize("preset", [p for p in list_presets()], ids=lambda p: p.key)
def test_stories_count_steps_from_1_to_T(preset):
    T = len(load_scenario(preset.key).data.x)
    for var, k in INDEX.findall(preset.description):
        lowest = 0 if var in ("h", "c") else 1          # h[0], c[0] are the initial state
        assert lowest <= int(k) <= T, (preset.key, f"{var}[{k}]", T)


def test_memorizer_story_names_its_real_steps():
    p = next(p for p in list_presets() if p.key == "memorizer")
    s = load_scenario("memorizer")
    assert len(s.data.x) == 16 and s.data.x[0, 0] == 1 and not s.data.x[1:].any()
    assert s.data.mask.tolist() == [0.0] * 15 + [1.0]
    assert "x[1]" in p.description and "ŷ[16]" in p.description and "x[0]" not in p.description

"""The course's hand-computed examples, pinned with numbers worked out by hand (not by the engine)."""
import numpy as np
import pytest
from helpers import random_scenario, rnn

from lstmviz.core import Data, Head, Model, RNNLayer, Scenario, compute, on_kink
from lstmviz.core.train import train
from lstmviz.io import load_scenario

X = [1, 2, 1, 0, 1, 1, 1, 0]


def column(trace, key):
    return trace[key][:, 0]


def test_calculator_lstm_prints_4_then_3_with_zero_error():
    tr = compute(load_scenario("calculator-lstm"))
    np.testing.assert_array_equal(column(tr, "l0/h"), [0, 0, 0, 4, 0, 0, 0, 3])
    np.testing.assert_array_equal(column(tr, "l0/c"), [1, 3, 4, 4, 1, 2, 3, 3])
    np.testing.assert_array_equal(column(tr, "l0/i"), [1] * 8)
    np.testing.assert_array_equal(column(tr, "l0/f"), [1, 1, 1, 1, 0, 1, 1, 1])
    np.testing.assert_array_equal(column(tr, "l0/o"), [0, 0, 0, 1, 0, 0, 0, 1])
    np.testing.assert_array_equal(column(tr, "l0/g"), X)
    assert tr.loss == 0.0
    np.testing.assert_array_equal(tr["loss_t"], 0.0)


def test_calculator_lstm_gates_sit_on_crelu_kinks():
    tr = compute(load_scenario("calculator-lstm"))
    assert on_kink("crelu", tr["l0/a_i"]).all()                       # a_i = 1
    np.testing.assert_array_equal(on_kink("crelu", tr["l0/a_o"])[:, 0], [1, 0, 1, 1, 1, 1, 1, 1])  # 1 − x
    np.testing.assert_array_equal(on_kink("crelu", tr["l0/a_f"])[:, 0], [1, 1, 1, 1, 0, 1, 1, 1])  # 1 − h[t−1]
    assert not on_kink("sigmoid", tr["l0/a_i"]).any()


def detuned_calculator():
    s = load_scenario("calculator-lstm")
    s.model.layers[0].params["b_i"][:] = 0.9
    return s


def test_detuned_input_gate_by_hand():
    """b_i = 0.9: i = 0.9, the tallies shrink by 10 %, E = ½(0.4² + 0.3²), dE/db_i = 25(b_i − 1)."""
    tr = compute(detuned_calculator())
    np.testing.assert_allclose(column(tr, "l0/c"), [0.9, 2.7, 3.6, 3.6, 0.9, 1.8, 2.7, 2.7], rtol=1e-15)
    np.testing.assert_allclose(column(tr, "l0/h"), [0, 0, 0, 3.6, 0, 0, 0, 2.7], rtol=1e-15)
    assert tr.loss == pytest.approx(0.125, rel=1e-14)
    np.testing.assert_allclose(column(tr, "l0/eps_h"), [0, 0, 0, -0.4, 0, 0, 0, -0.3], atol=1e-15)
    np.testing.assert_allclose(column(tr, "l0/delta_c"), [-0.4] * 4 + [-0.3] * 4, rtol=1e-14)
    assert tr["grad/l0/b_i"][0] == pytest.approx(-2.5, rel=1e-14)


def test_seed_delta_c_recursion():
    """δc[t] = δh[t]·o[t] + δc[t+1]·f[t+1] (linear cell output, no peepholes)."""
    for s in (detuned_calculator(), load_scenario("calculator-forget-gate")):
        tr = compute(s)
        dh, dc, o, f = (column(tr, f"l0/{k}") for k in ("delta_h", "delta_c", "o", "f"))
        expected = dh * o + np.append(dc[1:] * f[1:], 0.0)
        np.testing.assert_allclose(dc, expected, rtol=1e-14, atol=1e-15)
        assert np.abs(dc).max() > 0.1


def test_seed_delta_h_recursion_through_the_gates():
    """δh[t] = εh[t] + Σ_gates δ*[t+1]·σ̇(a_*[t+1])·u_* + δc[t+1]·i[t+1]·σ̇(a_g[t+1])·u_g, σ̇ = CReLU'."""
    s = detuned_calculator()
    p = s.model.layers[0].params
    p["U_i"][:] = 0.05
    p["U_o"][:] = 0.1
    p["U_g"][:] = -0.2  # nonzero recurrent weights so every term of the sum is exercised
    tr = compute(s)
    col = lambda k: column(tr, f"l0/{k}")  # noqa: E731
    dcrelu = lambda a: ((a > 0) & (a < 1)).astype(float)  # noqa: E731
    nxt = lambda v: np.append(v[1:], 0.0)  # noqa: E731
    expected = (col("eps_h")
                + nxt(col("delta_i") * dcrelu(col("a_i"))) * p["U_i"][0, 0]
                + nxt(col("delta_o") * dcrelu(col("a_o"))) * p["U_o"][0, 0]
                + nxt(col("delta_f") * dcrelu(col("a_f"))) * p["U_f"][0, 0]
                + nxt(col("delta_c") * col("i")) * p["U_g"][0, 0])  # linear candidate: σ̇ = 1
    np.testing.assert_allclose(col("delta_h"), expected, rtol=1e-13, atol=1e-15)
    # the gate deltas of the slides: δo = δh·c, δi = δc·g, δf = δc·c[t−1]
    np.testing.assert_allclose(col("delta_o"), col("delta_h") * col("c"), rtol=1e-14)
    np.testing.assert_allclose(col("delta_i"), col("delta_c") * col("g"), rtol=1e-14)
    np.testing.assert_allclose(col("delta_f"), col("delta_c") * np.append(0.0, col("c")[:-1]), rtol=1e-14)


def test_forget_gate_calculator_forgets_one_step_too_early():
    tr = compute(load_scenario("calculator-forget-gate"))
    np.testing.assert_array_equal(column(tr, "l0/h"), [1, 3, 4, 0, 1, 2, 3, 0])
    assert tr.loss == 12.5  # ½(4² + 3²)


@pytest.mark.parametrize("u,h,loss", [
    (0.5, [1, 2.5, 2.25, 1.125, 1.5625, 1.78125, 1.890625, 0.9453125], 0.5 * (2.875 ** 2 + 2.0546875 ** 2)),
    (1, [1, 3, 4, 4, 5, 6, 7, 7], 8.0),
    (1.7, [1, 3.7, 7.29, 12.393, 22.0681, 38.51577, 66.476809, 113.0105753], 0.5 * (8.393 ** 2 + 110.0105753 ** 2)),
])
def test_one_node_rnn_presets(u, h, loss):
    """c[t] = x[t] + u·h[t−1], h = c; ε[t] = (h[t] − y[t]) where y > 0; δ[t] = ε[t] + u·δ[t+1]."""
    tr = compute(load_scenario(f"calculator-rnn-{u}"))
    np.testing.assert_allclose(column(tr, "l0/h"), h, rtol=1e-13)
    assert tr.loss == pytest.approx(loss, rel=1e-13)
    y = np.array([0, 0, 0, 4, 0, 0, 0, 3.0])
    eps = np.where(y > 0, np.array(h) - y, 0.0)
    np.testing.assert_allclose(column(tr, "l0/eps_h"), eps, rtol=1e-13)
    delta = np.zeros(8)
    for t in reversed(range(8)):
        delta[t] = eps[t] + (u * delta[t + 1] if t < 7 else 0.0)
    np.testing.assert_allclose(column(tr, "l0/delta_a"), delta, rtol=1e-13)
    # weight gradient: dE/du = Σ_t δ[t]·h[t−1]
    assert tr["grad/l0/U"][0, 0] == pytest.approx(np.dot(delta[1:], h[:-1]), rel=1e-13)


def test_u_equal_1_carries_the_error_back_undiminished():
    tr = compute(load_scenario("calculator-rnn-1"))
    np.testing.assert_array_equal(column(tr, "l0/delta_a"), [4] * 8)
    assert tr["grad/l0/U"][0, 0] == 120.0


@pytest.mark.parametrize("u", [0.5, 0.9, 1.0, 1.3])
@pytest.mark.parametrize("m", [1, 5, 12])
def test_memorizer_gradient_follows_u_to_the_m(u, m):
    """ŷ[n] = w·x[n] + u·ŷ[n−1], x nonzero only at n = 0, E = ½(ŷ[m] − x0)²: dE/dw = x0·(ŷ[m] − x0)·u^m."""
    w, x0 = 0.7, 2.0
    x = np.zeros((m + 1, 1))
    x[0] = x0
    mask = np.zeros(m + 1)
    mask[m] = 1
    layer = RNNLayer(1, 1, {"W": np.array([[w]]), "U": np.array([[u]]), "b": np.zeros(1)}, activation="linear")
    s = Scenario("memorizer", Model(1, [layer], Head("identity", "mse", 1)), Data(x, np.full((m + 1, 1), x0), mask))
    tr = compute(s)
    y_m = w * x0 * u ** m
    assert tr["y_hat"][m, 0] == pytest.approx(y_m, rel=1e-13)
    assert tr["grad/l0/W"][0, 0] == pytest.approx(x0 * (y_m - x0) * u ** m, rel=1e-12)
    np.testing.assert_allclose(column(tr, "l0/delta_a"), (y_m - x0) * u ** np.arange(m, -1, -1), rtol=1e-12)


def test_exploding_rnn_overflows_into_a_trace_not_a_crash():
    s = random_scenario([rnn(1, 1, "linear")], head_type="identity", T=2000)
    s.model.layers[0].params.update(W=np.array([[1.0]]), U=np.array([[1.7]]), b=np.zeros(1))
    tr = compute(s)
    bad = tr.nonfinite_steps("forward")
    # h ~ 1.7^t: the squared error passes 1e308 near t = 670, h itself near t = 1340
    assert 600 < bad[0] < 750 and bad == list(range(bad[0], 2001))
    assert np.isinf(tr["loss_t"][bad[0] - 1]) and np.isfinite(tr["loss_t"][:bad[0] - 1]).all()
    assert np.isfinite(tr["l0/h"][:1300]).all() and not np.isfinite(tr["l0/h"][-1]).all()
    assert 1 in tr.nonfinite_steps("backward")  # δ[1] ~ 1.7^1999 overflowed too
    assert tr.nonfinite_steps() == sorted(set(bad) | set(tr.nonfinite_steps("backward")))


# -- the numbers docs/analyses.md lists, each worked out by hand -------------------------------------------
@pytest.mark.parametrize("u,loss,grad", [
    (0.5, 204593 / 32768, -148021 / 8192),           # E = ½(2.875² + 2.0546875²), dE/du = −18.0689697265625
    (1, 8.0, 120.0),                                 # E = ½(0² + 4²), δ = 4 at every step
    (1.7, 6086.384563418485, 43501.79677286862),     # the same recursions in exact fractions, u = 17/10
])
def test_one_node_rnn_loss_and_du_are_the_hand_values(u, loss, grad):
    tr = compute(load_scenario(f"calculator-rnn-{u}"))
    assert tr.loss == pytest.approx(loss, rel=1e-13)
    assert tr["grad/l0/U"][0, 0] == pytest.approx(grad, rel=1e-13)


def test_slide_20_gradient_descent_step_on_u():
    """Phase 5: u ← u − η·dE/du = 0.5 − 0.003·(−18.0689697265625) = 0.5542069091796875."""
    s = load_scenario("calculator-rnn-0.5")
    train(s, 1, learning_rate=s.training.learning_rate, frozen=tuple(s.training.frozen))
    assert s.model.layers[0].params["U"][0, 0] == pytest.approx(0.5542069091796875, rel=1e-15)
    assert s.model.layers[0].params["W"][0, 0] == 1.0   # frozen, as the slides train u alone


def test_memorizer_preset_gradient_is_x1_times_error_times_u_to_the_15():
    """ŷ[16] = w·u^15·x[1] = 0.8·0.9^15, dE/dw = x[1]·(ŷ[16] − x[1])·u^15 (slides 9–11 with m = 15)."""
    tr = compute(load_scenario("memorizer"))
    u15 = 0.9 ** 15
    assert tr["y_hat"][15, 0] == pytest.approx(0.8 * u15, rel=1e-14)
    assert tr["grad/l0/W"][0, 0] == pytest.approx((0.8 * u15 - 1) * u15, rel=1e-13)
    assert tr["grad/l0/W"][0, 0] == pytest.approx(-0.17197820547447604, rel=1e-13)


def test_seed_003_tbptt_3_on_the_rnn_calculator():
    """Chunks 1–3, 4–6, 7–8: only δ[4] = −2.875 and δ[8] = −2.0546875, δ[7] = 0.5·δ[8] survive the cuts, so
    dE/du = δ[4]·h[3] + δ[7]·h[6] + δ[8]·h[7] = −2.875·2.25 − 1.02734375·1.78125 − 2.0546875·1.890625."""
    tr = compute(load_scenario("calculator-rnn-0.5"), "tbptt:3")
    expected = -2.875 * 2.25 - 1.02734375 * 1.78125 - 2.0546875 * 1.890625
    np.testing.assert_allclose(column(tr, "l0/delta_a"), [0, 0, 0, -2.875, 0, 0, -1.02734375, -2.0546875], atol=0)
    assert tr["grad/l0/U"][0, 0] == pytest.approx(expected, rel=1e-14)
    assert expected == pytest.approx(-12.18335, abs=5e-6)

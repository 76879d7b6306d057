"""The multi-tap RNN (seed 002, slide 6): c[t] = W x[t] + U h[t−1] + Σ_d U_d h[t−d] + b."""
import json

import numpy as np
import pytest
from helpers import lstm, random_scenario

from lstmviz.core import compute, gradcheck
from lstmviz.core.analysis import lag_profile
from lstmviz.core.keys import Key
from lstmviz.core.model import RNNLayer
from lstmviz.core.modes import parse_mode
from lstmviz.core.params import param_blocks
from lstmviz.core.rtrl import RTRLTooLarge
from lstmviz.core.train import chunk_updates, train
from lstmviz.io import ScenarioError, list_presets, load_scenario
from lstmviz.io.scenario import loads_scenario
from lstmviz.io.scenario_writer import dumps_scenario

MODES = ["full", "cec", "tbptt:2", "tbptt:3", "window:3"]


def taps_rnn(d: int, h: int, taps=(2, 3), activation="tanh") -> RNNLayer:
    return RNNLayer(input_size=d, hidden_size=h, params={}, activation=activation, taps=taps)


def scenarios():
    return {
        "taps": random_scenario([taps_rnn(2, 3)], T=8, seed=31),
        "taps-far": random_scenario([taps_rnn(2, 2, (5,), "sigmoid")], T=7, seed=32),
        "lstm-over-taps": random_scenario([taps_rnn(2, 2, (2,)), lstm(2, 2)], T=7, seed=33),
        "taps-over-lstm": random_scenario([lstm(2, 2), taps_rnn(2, 2, (2, 4))], T=7, seed=34),
    }


@pytest.mark.parametrize("mode", MODES[:4])
@pytest.mark.parametrize("name", list(scenarios()))
def test_taps_match_finite_differences(name, mode):
    report = gradcheck(scenarios()[name], mode)
    assert report.passed, report.worst
    assert not report.kinks
    taps = [e for e in report.entries if (Key.parse(e.label.split("[")[0]).delay or 0) > 1]
    assert taps and max(abs(e.analytic) for e in taps) > 1e-4  # the taps' own gradients were compared


@pytest.mark.parametrize("mode", MODES + ["window:2", "window:9"])
def test_a_tap_longer_than_the_sequence_reads_only_h0(mode):
    """A delay beyond T (found by the fuzz suite: window:K crashed on it): every step's tap reads h0,
    so dE/dU_d = Σ_t δa[t]·h0ᵀ, and finite differences agree in every mode."""
    scenario = random_scenario([taps_rnn(2, 3, taps=(2, 9, 20))], T=6, seed=36)
    layer = scenario.model.layers[0]
    layer.h0 = np.array([0.3, -0.2, 0.5])
    trace = compute(scenario, mode)
    for d in (9, 20):
        np.testing.assert_allclose(trace[f"grad/l0/U_{d}"], trace["l0/delta_a"].T @ np.tile(layer.h0, (6, 1)),
                                   rtol=1e-12, atol=1e-15)
    report = gradcheck(scenario, mode)
    assert report.passed, report.worst


@pytest.mark.parametrize("mode", MODES)
def test_zero_taps_are_the_plain_rnn(mode):
    tapped = random_scenario([taps_rnn(2, 3)], T=8, seed=35)
    plain = random_scenario([RNNLayer(input_size=2, hidden_size=3, params={})], T=8, seed=35)
    for name in ("W", "U", "b"):
        tapped.model.layers[0].params[name] = plain.model.layers[0].params[name].copy()
    tapped.model.layers[0].h0 = plain.model.layers[0].h0.copy()
    tapped.data, tapped.model.head = plain.data, plain.model.head
    for d in (2, 3):
        tapped.model.layers[0].params[f"U_{d}"][...] = 0.0
    for algorithm in ("bptt", "rtrl"):
        a, b = compute(tapped, mode, algorithm), compute(plain, mode, algorithm)
        for key in b:
            np.testing.assert_allclose(a[key], b[key], rtol=1e-12, atol=1e-14, err_msg=f"{algorithm} {key}")
        assert np.abs(a["grad/l0/U_2"]).max() > 1e-3  # a zero tap still has a gradient


def slide_6(u: float, u2: float, x: np.ndarray, y: np.ndarray, mask: np.ndarray, k: int | None = None):
    """The one-node linear two-tap RNN worked by hand: h[t] = x[t] + u h[t−1] + u2 h[t−2] (h before step 1
    is 0), ε[t] = mask·(h[t] − y[t]), δ[t] = ε[t] + u δ[t+1] + u2 δ[t+2] (under tbptt:k only within a
    chunk), dE/du = Σ δ[t] h[t−1], dE/du2 = Σ δ[t] h[t−2]."""
    T = len(x)
    h = np.zeros(T + 2)  # h[0], h[1] = the states before step 1; h[t + 2] = h[t] of step t = 0 … T−1
    for t in range(T):
        h[t + 2] = x[t] + u * h[t + 1] + u2 * h[t]
    eps = mask * (h[2:] - y)
    delta = np.zeros(T + 2)
    same = (lambda a, b: True) if k is None else (lambda a, b: a // k == b // k)
    for t in reversed(range(T)):
        delta[t] = eps[t] + sum(w * delta[t + d] for d, w in ((1, u), (2, u2)) if t + d < T and same(t, t + d))
    return h[2:], sum(delta[t] * h[t + 1] for t in range(T)), sum(delta[t] * h[t] for t in range(T))


@pytest.mark.parametrize("mode,k", [("full", None), ("tbptt:2", 2), ("tbptt:3", 3)])
def test_the_preset_against_slide_6_by_hand(mode, k):
    s = load_scenario("calculator-rnn-taps")
    p = s.model.layers[0].params
    u, u2 = float(p["U"][0, 0]), float(p["U_2"][0, 0])
    assert (u, u2) == (0.5, 0.25) and s.model.layers[0].taps == (2,)
    h, du, du2 = slide_6(u, u2, s.data.x[:, 0], s.data.y[:, 0], s.data.mask, k)
    trace = compute(s, mode)
    np.testing.assert_allclose(trace["l0/h"][:, 0], h, rtol=1e-15)
    assert float(trace["grad/l0/U"][0, 0]) == pytest.approx(du, rel=1e-13)
    assert float(trace["grad/l0/U_2"][0, 0]) == pytest.approx(du2, rel=1e-13)
    assert list(h[:4]) == [1.0, 2.5, 2.5, 1.875]


def test_the_lag_profile_follows_both_taps():
    """∂h[T]/∂h[T−m] of the linear two-tap node: g[m] = u·g[m−1] + u2·g[m−2], g[0] = 1."""
    g = [1.0, 0.5]
    for _ in range(6):
        g.append(0.5 * g[-1] + 0.25 * g[-2])
    np.testing.assert_allclose(lag_profile(compute(load_scenario("calculator-rnn-taps"))).dh, g, rtol=1e-14)


def test_chunks_carry_the_taps_history():
    """Chunk by chunk (no update in between), the states are those of the whole sequence: a tap reaching
    into the previous chunk reads its real state, not h0."""
    s = scenarios()["taps-over-lstm"]
    whole = compute(s)
    parts = [trace for _, trace in chunk_updates(s, parse_mode("tbptt:3"))]
    assert len(parts) == 3
    for key in ("l0/h", "l0/c", "l1/h"):
        np.testing.assert_allclose(np.concatenate([t[key] for t in parts]), whole[key], rtol=1e-14, atol=1e-15)


def test_keys_and_blocks_name_the_taps():
    key = Key.parse("grad/l0/U_3")
    assert (key.kind, key.gate, key.delay, key.layer) == ("U", "", 3, 0)
    assert Key.parse("l0/U").delay == 1 and Key.parse("l0/U_f").delay == 1 and Key.parse("l0/W_i").delay is None
    assert Key.parse("l0/U_f").gate == "f"
    s = scenarios()["taps"]
    assert [b.key for b in param_blocks(s.model)] == ["l0/W", "l0/U", "l0/b", "l0/U_2", "l0/U_3", "head/W_y",
                                                      "head/b_y"]
    assert compute(s)["grad/l0/U_3"].shape == (3, 3)


def test_format_round_trip_and_old_files_unchanged():
    preset = next(p for p in list_presets() if p.key == "calculator-rnn-taps")
    text = preset.path.read_text(encoding="utf-8")
    assert dumps_scenario(load_scenario("calculator-rnn-taps")) == text
    assert '"taps"' not in dumps_scenario(load_scenario("calculator-rnn-0.5"))
    s = scenarios()["taps"]
    again = loads_scenario(dumps_scenario(s), "again.json")
    assert again.model.layers[0].taps == (2, 3)
    np.testing.assert_array_equal(compute(again)["grad/l0/U_3"], compute(s)["grad/l0/U_3"])


BAD_TAPS = [
    ([1], "model.layers[0].taps[0] is 1, expected 2 to 1000"),
    ([2, 1001], "model.layers[0].taps[1] is 1001, expected 2 to 1000"),
    (list(range(2, 19)), "model.layers[0].taps has 17 taps, at most 16"),
    ([3, 2], "model.layers[0].taps[1] is 2, expected the delays in increasing order, each once"),
    ([2, 2], "model.layers[0].taps[1] is 2, expected the delays in increasing order"),
    ("2", "model.layers[0].taps must be a list of delays such as [2, 3], got a string"),
    ([2.5], "model.layers[0].taps[0] must be an integer, got a number"),
]


@pytest.mark.parametrize("taps,message", BAD_TAPS)
def test_bad_taps_are_refused_in_one_line(taps, message):
    doc = json.loads(next(p for p in list_presets() if p.key == "calculator-rnn-taps").path.read_text())
    doc["model"]["layers"][0]["taps"] = taps
    with pytest.raises(ScenarioError) as err:
        loads_scenario(json.dumps(doc), "t.json")
    assert str(err.value).startswith(f"t.json: {message}"), str(err.value)
    assert "\n" not in str(err.value)


def test_a_tap_matrix_must_match_the_taps():
    doc = json.loads(next(p for p in list_presets() if p.key == "calculator-rnn-taps").path.read_text())
    doc["model"]["layers"][0]["taps"] = [2, 3]
    with pytest.raises(ScenarioError, match=r"model.layers\[0\].params.U_3 is missing"):
        loads_scenario(json.dumps(doc), "t.json")
    del doc["model"]["layers"][0]["taps"]
    with pytest.raises(ScenarioError, match=r"model.layers\[0\].params.U_2 is not a known field"):
        loads_scenario(json.dumps(doc), "t.json")


def test_real_time_learning_refuses_taps_in_one_line():
    s = load_scenario("calculator-rnn-taps")
    u2 = s.model.layers[0].params["U_2"].copy()
    with pytest.raises(RTRLTooLarge, match="real-time RTRL does not follow a multi-tap RNN layer") as err:
        train(s, 1, "full", 0.003, frozen=s.training.frozen, updates="step")
    assert "\n" not in str(err.value) and np.array_equal(s.model.layers[0].params["U_2"], u2)
    _, du, du2 = slide_6(0.5, 0.25, s.data.x[:, 0], s.data.y[:, 0], s.data.mask)
    rtrl = compute(s, "full", "rtrl")  # RTRL over the whole sequence does follow the taps
    assert (rtrl["grad/l0/U"][0, 0], rtrl["grad/l0/U_2"][0, 0]) == (pytest.approx(du, rel=1e-13),
                                                                   pytest.approx(du2, rel=1e-13))

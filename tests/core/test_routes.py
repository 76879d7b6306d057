"""Two highways: a gradient split by route (cell highway or through a gate) and by lag."""
import numpy as np
import pytest
from helpers import lstm, random_scenario, rnn

from lstmviz.core import compute
from lstmviz.core.analysis import cost_lag
from lstmviz.core.params import param_blocks
from lstmviz.core.routes import ROUTES, delta_c_routes, model_routes, weight_routes
from lstmviz.io import load_scenario
from lstmviz.io.presets import resolve_scenario

PRESETS = ("calculator-lstm", "peephole-lstm", "stacked-lstm", "long-lag", "calculator-rnn-0.5")
MODES = ("full", "cec", "tbptt:3", "window:3")
VIA = [ROUTES.index(r) for r in ("i", "f", "o", "g", "h")]


def preset(name):
    return load_scenario(resolve_scenario(name))


def entries(scenario, per_block=4):
    """A few entries of every parameter (the first ``per_block`` of each, head included)."""
    for b in param_blocks(scenario.model):
        for flat in range(min(b.size, per_block)):
            yield b.key, tuple(int(i) for i in np.unravel_index(flat, b.shape))


def close(a, b, rel=1e-12):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300) + 1e-300


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", PRESETS)
def test_route_parts_sum_to_the_engines_gradient(name, mode):
    trace = compute(preset(name), mode)
    for param, index in entries(trace.scenario):
        grad = trace[f"grad/{param}"][index]
        every_lag = weight_routes(trace, param, index)
        three_lags = weight_routes(trace, param, index, lags=3)  # older costs summed in `beyond`
        assert close(every_lag.total, grad), (param, index, every_lag.total, grad)
        assert close(three_lags.total, grad), (param, index, three_lags.total, grad)
        assert not every_lag.beyond.any()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("scenario", [random_scenario([lstm(2, 2), rnn(2, 2)], T=7, seed=4),
                                      random_scenario([rnn(2, 2), lstm(2, 2, peepholes=True)], T=7, seed=5),
                                      random_scenario([lstm(1, 2, forget_gate=False, peepholes=True)], T=6, seed=6)],
                         ids=["lstm-under-rnn", "rnn-under-peephole-lstm", "no-forget-gate"])
def test_mixed_stacks_and_the_carousel_sum_too(scenario, mode):
    trace = compute(scenario, mode)
    for param, index in entries(scenario, per_block=2):
        assert close(weight_routes(trace, param, index, lags=2).total, trace[f"grad/{param}"][index], 1e-11)


@pytest.mark.parametrize("name", PRESETS)
def test_cec_leaves_only_the_highway(name):
    trace = compute(preset(name), "cec")
    for param, index in entries(trace.scenario):
        split = weight_routes(trace, param, index)
        assert not split.parts[VIA].any() and not split.beyond[VIA].any()


@pytest.mark.parametrize("name", ("peephole-lstm", "stacked-lstm", "long-lag"))
def test_under_full_the_highway_and_now_are_exactly_the_cec_gradient(name):
    """cec keeps exactly the paths whose every step back in time is c[r] → c[r−1] through f."""
    scenario = preset(name)
    full, cec = compute(scenario), compute(scenario, "cec")
    for param, index in entries(scenario):
        split = weight_routes(full, param, index)
        assert split.by_route[:2].sum() == pytest.approx(cec[f"grad/{param}"][index], rel=1e-12, abs=1e-17)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ("stacked-lstm", "calculator-rnn-0.5"))
def test_lag_zero_is_the_same_step_contribution(name, mode):
    """tbptt:1 cuts every edge in time, so its gradient is the same-step paths alone: lag 0, all `now`."""
    scenario = preset(name)
    trace, same_step = compute(scenario, mode), compute(scenario, "tbptt:1")
    for param, index in entries(scenario):
        split = weight_routes(trace, param, index)
        assert split.parts[0, 0] == pytest.approx(same_step[f"grad/{param}"][index], rel=1e-12, abs=1e-17)
        assert not split.parts[1:, 0].any() and not split.parts[0, 1:].any()


@pytest.mark.parametrize("name", ("peephole-lstm", "long-lag", "calculator-rnn-1"))
def test_each_lag_sums_to_the_cost_lag_columns(name):
    scenario = preset(name)
    full, window = compute(scenario), compute(scenario, "window:3")
    for param, index in entries(scenario, per_block=2):
        columns = cost_lag(full, param, index).matrix.sum(axis=0)
        np.testing.assert_allclose(weight_routes(full, param, index).by_lag, columns, rtol=1e-11, atol=1e-16)
        windowed = weight_routes(window, param, index).by_lag
        np.testing.assert_allclose(windowed[:3], columns[:3], rtol=1e-11, atol=1e-16)
        assert not windowed[3:].any()


def assert_off_the_highway_only_via_i(scenario) -> None:
    """Every route but the highway, same step and via i is empty; via i is all that cec drops (full − cec)."""
    full, cec = compute(scenario), compute(scenario, "cec")
    for param, index in entries(scenario):
        split = weight_routes(full, param, index).by_route
        assert not split[[ROUTES.index(r) for r in "fogh"]].any()
        expected = full[f"grad/{param}"][index] - cec[f"grad/{param}"][index]
        assert split[ROUTES.index("i")] == pytest.approx(expected, rel=1e-10, abs=1e-16)


def test_a_gate_route_is_where_the_error_left_the_highway():
    """With U_f = U_o = U_c̃ = 0 and no peepholes, the only way off the highway is h[r−1] → a_i[r]:
    every path that is not on the highway goes via i, and via i is what cec drops."""
    scenario = random_scenario([lstm(2, 2)], T=6, seed=21)
    for g in "fog":
        scenario.model.layers[0].params[f"U_{g}"][:] = 0.0
    assert_off_the_highway_only_via_i(scenario)


def test_peepholes_leave_the_highway_into_their_gate():
    """With U = 0 the error leaves the highway only through the peepholes; with p_f = 0 only through p_i."""
    scenario = random_scenario([lstm(2, 2, peepholes=True)], T=6, seed=22)
    layer = scenario.model.layers[0]
    for g in "ifog":
        layer.params[f"U_{g}"][:] = 0.0
    layer.params["p_f"][:] = 0.0
    assert_off_the_highway_only_via_i(scenario)


def test_an_rnn_has_only_now_and_via_h():
    trace = compute(preset("calculator-rnn-0.5"))
    split = weight_routes(trace, "l0/U", (0, 0))
    assert model_routes(trace.scenario.model) == ("now", "h")
    assert not split.parts[[ROUTES.index(r) for r in ("highway", "i", "f", "o", "g")]].any()
    assert split.row("h")[1:].any()


def test_long_lag_reaches_back_on_the_highway():
    """The first input x[1] = (1, 0) is the only nonzero value of the input's first feature and only E[20]
    is scored, so every path of W_c̃[j, 0] runs from E[20] to step 1: lag 19. Its highway part is the
    product of the course's δc recursion along f, computed here by hand from the forward values:
    ε_h[20]·o[20]·tanh′(c[20]) · f[20]⋯f[2] · i[1]·tanh′(a_c̃[1]) · x[1]."""
    trace = compute(preset("long-lag"))
    f, o, i, g, c = (trace[f"l0/{k}"] for k in ("f", "o", "i", "g", "c"))
    for j in range(2):
        split = weight_routes(trace, "l0/W_g", (j, 0))
        assert not split.parts[:, :19].any()
        by_hand = (trace["l0/eps_h"][19, j] * o[19, j] * (1 - np.tanh(c[19, j]) ** 2) * np.prod(f[1:, j])
                   * i[0, j] * (1 - g[0, j] ** 2) * 1.0)
        assert split.row("highway")[19] == pytest.approx(by_hand, rel=1e-12)
        # the highway alone reaches further than any single gate: each gate route must leave it once,
        # through U_k and a gate's slope, and the rest of its way it rides the same products of f.
        highway = abs(split.row("highway")[19])
        assert all(abs(split.row(r)[19]) < highway for r in "ifog")
    # tbptt:5 cannot see x[1] at all; under cec the highway is all that is left, and it is the same.
    assert weight_routes(compute(trace.scenario, "tbptt:5"), "l0/W_g", (0, 0)).total == 0.0
    cec = weight_routes(compute(trace.scenario, "cec"), "l0/W_g", (0, 0))
    assert cec.total == pytest.approx(weight_routes(trace, "l0/W_g", (0, 0)).row("highway")[19], rel=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ("calculator-lstm", "peephole-lstm", "stacked-lstm", "long-lag"))
def test_delta_c_parts_sum_to_the_engines_delta_c(name, mode):
    trace = compute(preset(name), mode)
    T = trace.steps
    for n, layer in enumerate(trace.scenario.model.layers):
        for t in (1, T // 2, T):
            for unit in range(layer.hidden_size):
                split = delta_c_routes(trace, n, t, unit)
                assert close(split.total, trace[f"l{n}/delta_c"][t - 1, unit]), (n, t, unit)
                assert close(delta_c_routes(trace, n, t, unit, lags=2).total, split.total)
                if mode == "cec":
                    assert not split.parts[VIA].any()


def test_delta_c_highway_under_full_is_cecs_delta_c():
    scenario = preset("peephole-lstm")
    full, cec = compute(scenario), compute(scenario, "cec")
    for n in range(2):
        for t in (1, 4, 8):
            split = delta_c_routes(full, n, t, 1)
            assert split.by_route[:2].sum() == pytest.approx(cec[f"l{n}/delta_c"][t - 1, 1], rel=1e-12, abs=1e-17)


def test_bad_entries_are_one_line_errors():
    trace = compute(preset("calculator-rnn-0.5"))
    with pytest.raises(ValueError, match=r"routes: l0/U_f\[0, 0\] is not an entry"):
        weight_routes(trace, "l0/U_f", (0, 0))
    with pytest.raises(ValueError, match="layer 0 is not an LSTM layer"):
        delta_c_routes(trace, 0, 1, 0)
    with pytest.raises(ValueError, match="step 9 or unit 0 is outside"):
        delta_c_routes(compute(preset("calculator-lstm")), 0, 9, 0)


def tapped(seed: int, T: int = 7):
    """An LSTM over a tanh RNN with taps on h[t−2] and h[t−3]."""
    scenario = random_scenario([rnn(2, 2), lstm(2, 2)], T=T, seed=seed)
    layer = scenario.model.layers[0]
    layer.taps = (2, 3)
    rng = np.random.default_rng(seed)
    for d in layer.taps:
        layer.params[f"U_{d}"] = rng.normal(0, 0.5, (2, 2))
    return scenario


@pytest.mark.parametrize("mode", MODES + ("tbptt:2", "window:2", "window:5"))
@pytest.mark.parametrize("scenario", [preset("calculator-rnn-taps"), tapped(8)], ids=["preset", "stacked"])
def test_rnn_taps_skip_steps_and_still_sum(scenario, mode):
    """A tap U_d carries error d steps back at once: its lag grows by d, its route is via h."""
    trace = compute(scenario, mode)
    for param, index in entries(scenario, per_block=2):
        grad = trace[f"grad/{param}"][index]
        for lags in (None, 2):
            split = weight_routes(trace, param, index, lags=lags)
            assert close(split.total, grad, 1e-11), (param, index, lags, split.total, grad)
            if mode == "cec":
                assert not split.parts[VIA].any()


def test_a_tap_alone_lands_at_its_delay():
    """With U = 0 and one tap on h[t−3], the only paths in time jump 3 steps: lags 0, 3, 6 … only."""
    scenario = random_scenario([rnn(2, 2)], T=9, seed=9)
    layer = scenario.model.layers[0]
    layer.params["U"][:] = 0.0
    layer.taps = (3,)
    layer.params["U_3"] = np.array([[0.7, -0.4], [0.3, 0.6]])
    trace = compute(scenario)
    split = weight_routes(trace, "l0/W", (1, 0))
    assert split.total == pytest.approx(trace["grad/l0/W"][1, 0], rel=1e-12)
    assert split.by_lag[[0, 3, 6]].all() and not np.delete(split.by_lag, [0, 3, 6]).any()

"""Derivation checks against the engine and every kind of breakpoint."""
import json

import numpy as np
import pytest

from lstmviz.core import compute
from lstmviz.core.model import Watch
from lstmviz.io import ScenarioError, list_presets, load_scenario
from lstmviz.io.scenario import loads_scenario
from lstmviz.io.scenario_writer import dumps_scenario
from lstmviz.watch.breakpoints import Breakpoint, first_hit
from lstmviz.watch.check import check, split_terms, target_expression


def detuned():
    s = load_scenario("calculator-lstm")
    s.model.layers[0].params["b_i"][:] = 0.9
    return s


DELTA_C = {  # the course's δc recursion, written for each preset's kind of cell output and peepholes
    "linear": "delta_h[t]*o[t] + delta_c[t+1]*f[t+1]",
    "tanh": "delta_h[t]*o[t]*dtanh(c[t]) + delta_c[t+1]*f[t+1]",
    "peephole": "delta_h[t]*o[t]*dtanh(c[t]) + delta_c[t+1]*f[t+1] + delta_a_o[t]*p_o"
                " + delta_a_i[t+1]*p_i + delta_a_f[t+1]*p_f",
}


LSTM_PRESETS = [p.key for p in list_presets() if load_scenario(p.key).model.layers[-1].type == "lstm"]


@pytest.mark.parametrize("preset", LSTM_PRESETS)
def test_the_course_delta_c_recursion_agrees_on_every_lstm_preset(preset):
    """Under full BPTT; a truncated mode drops terms of it on purpose (tested below)."""
    s = load_scenario(preset)
    top = s.model.layers[-1]
    kind = "peephole" if top.peepholes else top.cell_output_activation
    result = check(DELTA_C[kind], "delta_c", compute(s))
    assert result.agree, (preset, result.message)


def test_a_truncated_mode_is_what_the_recursion_loses():
    s = load_scenario("peephole-lstm")
    cut = check(DELTA_C["peephole"], "delta_c", compute(s, "cec"))
    assert not cut.agree  # cec cuts the c[t−1] → i, f peepholes
    without = DELTA_C["peephole"].replace(" + delta_a_i[t+1]*p_i + delta_a_f[t+1]*p_f", "")
    assert check(without, "delta_c", compute(s, "cec")).agree
    assert len(LSTM_PRESETS) >= 7


def test_dropping_f_is_caught_at_the_right_step_with_the_terms():
    result = check("delta_h[t]*o[t] + delta_c[t+1]", "delta_c", compute(detuned()))
    # δc runs backwards: t = 8…5 agree (f = 1 there), at t = 4 f[5] = 0 but the formula adds δc[5] = −0.3
    assert not result.agree and result.order == "backward" and (result.t, result.unit) == (4, 0)
    assert result.user == pytest.approx(-0.7) and result.engine == pytest.approx(-0.4)
    assert [(term.text, round(term.value, 12)) for term in result.user_terms] == [("delta_h[t]*o[t]", -0.4),
                                                                                 ("delta_c[t+1]", -0.3)]


def test_forgetting_the_gates_dependence_on_h_is_gers_truncation():
    s = load_scenario("derivation-check")
    full = check("eps_h[t]", "delta_h", compute(s, "full"))
    cec = check("eps_h[t]", "delta_h", compute(s, "cec"))
    assert not full.agree and full.t == s.data.steps - 1  # the last step has no t+1: it agrees there
    assert cec.agree


def test_the_vectorised_dJ_dz_split_agrees():
    formula = ("eps_h[t] + delta_a_i[t+1] @ U_i + delta_a_f[t+1] @ U_f + delta_a_o[t+1] @ U_o"
               " + delta_a_g[t+1] @ U_g")
    for preset in ("char-lstm", "derivation-check"):
        assert check(formula, "delta_h", compute(load_scenario(preset))).agree


def test_targets_and_terms():
    assert target_expression("delta_c") == "delta_c[t]"
    assert target_expression("l0/delta_h") == "l0.delta_h[t]"
    assert target_expression("grad W_f") == "grad_W_f"
    assert split_terms("a[t] - b[t]*2 + c[t]") == ["a[t]", "-(b[t]*2)", "c[t]"]
    s = load_scenario("calculator-rnn-0.5")
    assert check("sum(delta_a[t]*h[t-1] for t)", "grad U", compute(s)).agree  # dE/du = Σ δ[t]·h[t−1]


def test_every_preset_ships_watches_that_check_out():
    for preset in ("calculator-lstm", "char-lstm", "derivation-check"):
        s = load_scenario(preset)
        assert s.watches
        results = [check(w.expression, w.equals, compute(s)) for w in s.watches if w.equals]
        expected = [True, False, True] if preset == "derivation-check" else [True] * len(results)
        assert [r.agree for r in results] == expected


def test_watches_are_saved_with_the_scenario_and_old_files_still_read():
    s = load_scenario("derivation-check")
    again = loads_scenario(dumps_scenario(s), "d.json")
    assert again.watches == s.watches
    doc = json.loads(dumps_scenario(load_scenario("calculator-rnn-1")))
    assert "watches" not in doc  # a file without watches stays as it was
    doc["watches"] = [{"expression": "__import__('os')"}]
    with pytest.raises(ScenarioError, match=r"^w.json: watches\[0\].expression is refused: column 1: __import__"):
        loads_scenario(json.dumps(doc), "w.json")


def hit(kind, scenario, phase, t, **kw):
    return first_hit([Breakpoint(kind, **kw)], compute(scenario), phase, t)


def test_breakpoint_kinds():
    calc = load_scenario("calculator-lstm")
    sat = hit("saturation", calc, 1, 1)
    assert sat is not None and (sat.layer, sat.var) == (0, "a_i")  # i = CReLU(1): on a kink
    assert hit("delta_below", calc, 3, 8, threshold=1e-9) is not None  # E = 0: δ vanishes
    assert hit("delta_below", detuned(), 3, 8, threshold=1e-9) is None
    rnn = load_scenario("calculator-rnn-1.7")
    above = hit("delta_above", rnn, 3, 2, threshold=1000)
    assert above is not None and above.t == 2 and hit("delta_above", rnn, 3, 8, threshold=1000) is None
    watch = hit("watch", calc, 1, 4, expression="h[t] > 3")
    assert watch is not None and "h[t] > 3 holds at t = 4" in watch.text
    assert hit("watch", calc, 1, 3, expression="h[t] > 3") is None
    rnn.data.x = np.full((1500, 1), 1.0)
    rnn.data.y = np.zeros((1500, 1))
    rnn.data.mask = np.zeros(1500)
    tr = compute(rnn)
    first_bad = tr.nonfinite_steps("forward")[0]
    assert first_hit([Breakpoint("nonfinite")], tr, 1, first_bad - 1) is None
    nf = first_hit([Breakpoint("nonfinite")], tr, 1, first_bad)
    assert nf is not None and nf.t == first_bad


def test_disabled_breakpoints_never_hold():
    assert first_hit([Breakpoint("saturation", enabled=False)], compute(load_scenario("calculator-lstm")), 1, 1) is None


def test_watch_dataclass_defaults():
    assert Watch("h[t]").tolerance == 1e-9 and Watch("h[t]").equals is None

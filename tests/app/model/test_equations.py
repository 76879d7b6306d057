"""The inspector's explanations: course notation, hand-checked numbers, and δ = Σ terms for every node."""
import itertools

import numpy as np
import pytest
from helpers import lstm, random_scenario, rnn

from lstmviz.app.model.equations import explain, explain_weight, weights_of
from lstmviz.app.model.equations.brief import node_brief
from lstmviz.app.model.phases import Playhead
from lstmviz.app.model.quantities import HEAD_VARS, NodeRef, Quantities, layer_vars
from lstmviz.app.numbers import fmt
from lstmviz.core import RNNLayer, compute
from lstmviz.core.params import param_blocks
from lstmviz.core.phases import Phase
from lstmviz.io import load_scenario

MODES = ("full", "cec", "tbptt:3")


def detuned_calculator():
    s = load_scenario("calculator-lstm")
    s.model.layers[0].params["b_i"][:] = 0.9
    return s


def stack():
    return random_scenario([lstm(2, 3, peepholes=True), lstm(3, 2)], head_type="linear", seed=1)


SCENARIOS = {
    "calculator-detuned": detuned_calculator,
    "calculator-rnn-1.7": lambda: load_scenario("calculator-rnn-1.7"),
    "lstm-stack-linear-head": stack,
    "rnn-lstm-softmax": lambda: random_scenario([rnn(2, 3), lstm(3, 2, peepholes=True)], loss="softmax_xent", K=3,
                                                seed=2, mask=[1, 0, 1, 1, 0.5, 1]),
    "no-forget-gate": lambda: random_scenario([lstm(2, 2, forget_gate=False, peepholes=True)], seed=3),
    "tanh-sigmoid-1x1": lambda: random_scenario([lstm(1, 1, peepholes=True)], head_type="identity", seed=4),
    "rnn-taps": lambda: load_scenario("calculator-rnn-taps"),
    "tanh-taps-stack": lambda: random_scenario([RNNLayer(2, 3, {}, activation="tanh", taps=(2, 3)),
                                                RNNLayer(3, 2, {}, activation="tanh", taps=(2,))], seed=5, T=7),
}


def all_nodes(trace):
    for t in range(1, trace.steps + 1):
        for var in ("x",) + HEAD_VARS:
            yield NodeRef(None, var, t)
        for n, layer in enumerate(trace.scenario.model.layers):
            for var in layer_vars(layer):
                for u in range(layer.hidden_size):
                    yield NodeRef(n, var, t, u)


def is_valid(node, trace):
    if not 1 <= node.t <= trace.steps:
        return False
    if node.layer is None:
        return node.var in ("x",) + HEAD_VARS and node.unit == 0
    layer = trace.scenario.model.layers[node.layer]
    return node.var in layer_vars(layer) and 0 <= node.unit < layer.hidden_size


# -- the course's pocket calculator -----------------------------------------------------------------
def test_calculator_cell_and_output_equations():
    tr = compute(load_scenario("calculator-lstm"))
    ex = explain(tr, NodeRef(0, "c", 4))
    assert ex.title == "c[4], layer 0"
    assert ex.equation == "c[4] = f[4]·c[3] + i[4]·c̃[4]"
    assert ex.substituted == "c[4] = 1.00·4.00 + 1.00·0 = 4.00"
    assert explain(tr, NodeRef(0, "h", 4)).substituted.endswith("= 4.00")
    assert explain(tr, NodeRef(0, "c", 1)).equation == "c[1] = f[1]·c[0] + i[1]·c̃[1]"


def test_calculator_kinks_are_reported():
    tr = compute(load_scenario("calculator-lstm"))
    ex = explain(tr, NodeRef(0, "a_i", 4))
    assert ex.equation == "a_i[4] = w_i·x[4] + u_i·h[3] + b_i"
    assert any("kink" in note for note in ex.notes)
    assert ex.delta_terms[0].note and ex.delta == 0.0
    assert explain(tr, NodeRef(0, "i", 4)).equation == "i[4] = CReLU(a_i[4])"
    assert explain(tr, NodeRef(0, "g", 4)).equation == "c̃[4] = a_c̃[4]"


def test_calculator_delta_h_in_course_notation():
    tr = compute(load_scenario("calculator-lstm"))
    ex = explain(tr, NodeRef(0, "h", 3))
    assert ex.delta_equation.startswith("δh[3] = εh[3] + δi[4]·σ̇(a_i[4])·u_i")
    # the slides' order i, o, f, then the candidate through δc (002, slide 52): i[t+1]·δc[t+1]·σ̇·u_c
    assert ex.delta_equation == ("δh[3] = εh[3] + δi[4]·σ̇(a_i[4])·u_i + δo[4]·σ̇(a_o[4])·u_o"
                                 " + δf[4]·σ̇(a_f[4])·u_f + δc[4]·i[4]·σ̇(a_c̃[4])·u_c̃")
    assert explain(tr, NodeRef(0, "h", 8)).delta_equation == "δh[8] = εh[8]"


def test_detuned_calculator_by_hand():
    """b_i = 0.9: c = 0.9, 2.7, 3.6, 3.6, 0.9, 1.8, 2.7, 2.7; δc = −0.4 (t ≤ 4), −0.3; dE/db_i = −2.5."""
    tr = compute(detuned_calculator())
    c = [explain(tr, NodeRef(0, "c", t)) for t in range(1, 9)]
    np.testing.assert_allclose([e.value for e in c], [0.9, 2.7, 3.6, 3.6, 0.9, 1.8, 2.7, 2.7], rtol=1e-14)
    np.testing.assert_allclose([e.delta for e in c], [-0.4] * 4 + [-0.3] * 4, rtol=1e-14)
    terms = c[3].delta_terms
    assert c[3].delta_equation == "δc[4] = δh[4]·o[4] + δc[5]·f[5]"
    assert [term.text for term in terms] == ["δh[4]·o[4]", "δc[5]·f[5]"]
    assert terms[0].value == pytest.approx(-0.4, rel=1e-14) and terms[0].numbers == "−0.400·1.00"
    assert terms[1].value == 0.0 and terms[1].numbers == "−0.300·0"  # f[5] = 0
    assert terms[0].target == NodeRef(0, "h", 4) and terms[1].target == NodeRef(0, "c", 5)

    wx = explain_weight(tr, "l0/b_i", (0,))
    assert wx.label == "b_i" and wx.equation == "dE/db_i = Σ_t δa_i[t]"
    assert wx.grad == pytest.approx(-2.5, rel=1e-14)
    assert wx.per_step.sum() == pytest.approx(-2.5, rel=1e-14)
    assert [term.target for term in wx.terms] == [NodeRef(0, "a_i", t) for t in range(1, 9)]
    assert explain_weight(tr, "l0/W_i", (0, 0)).equation == "dE/dw_i = Σ_t δa_i[t]·x[t]"
    assert explain_weight(tr, "l0/U_g", (0, 0)).label == "u_c̃"


def test_cut_terms_are_marked():
    tr = compute(detuned_calculator(), "cec")
    terms = explain(tr, NodeRef(0, "h", 3)).delta_terms
    assert all(term.value == 0.0 and "cec" in term.note for term in terms[1:])
    tr = compute(detuned_calculator(), "tbptt:3")
    cell = explain(tr, NodeRef(0, "c", 3)).delta_terms[-1]
    assert cell.text == "δc[4]·f[4]" and cell.value == 0.0 and "tbptt" in cell.note


# -- δ = Σ terms, everywhere ------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", SCENARIOS)
def test_delta_terms_add_up_for_every_node(name, mode):
    tr = compute(SCENARIOS[name](), mode)
    q = Quantities(tr)
    for node in all_nodes(tr):
        ex = explain(tr, node)
        np.testing.assert_allclose(ex.value, q.value(node), rtol=0, atol=0, err_msg=str(node))
        assert ex.equation and ex.substituted, node
        for term in ex.delta_terms:
            assert term.target is None or is_valid(term.target, tr), (node, term)
        if ex.delta is None:
            assert node.var == "y" and not ex.delta_terms
            continue
        total = sum(term.value for term in ex.delta_terms)
        np.testing.assert_allclose(total, ex.delta, rtol=1e-10, atol=1e-12, err_msg=f"{name} {mode} {node}")
        np.testing.assert_allclose(ex.delta, q.delta(node), rtol=0, atol=0)
        assert ex.delta_equation.count(" + ") == len(ex.delta_terms) - 1, ex.delta_equation
        # ε of h, and the slides' ε[t] = ∂E/∂c[t] of an RNN's excitation c (trace key a)
        assert (ex.eps is not None) == (node.layer is not None and node.var in ("h", "a"))



WINDOW_SCENARIOS = {
    "calculator-rnn-0.5": lambda: load_scenario("calculator-rnn-0.5"),
    "calculator-lstm": lambda: load_scenario("calculator-lstm"),
    "peephole-lstm": lambda: load_scenario("peephole-lstm"),
} | SCENARIOS


@pytest.mark.parametrize("mode", ("window:2", "window:3"))
@pytest.mark.parametrize("name", WINDOW_SCENARIOS)
def test_window_terms_add_up_for_every_node(name, mode):
    """Under window:K each term from step t+1 is followed by the share of E[t+K] (whose window starts at t+1)
    taken out again, so the listed terms add up to the δ shown, number by number as printed."""
    tr = compute(WINDOW_SCENARIOS[name](), mode)
    k, withdrawn = int(mode.split(":")[1]), 0
    for node in all_nodes(tr):
        ex = explain(tr, node)
        if ex.delta is None:
            continue
        total = sum(term.value for term in ex.delta_terms)
        np.testing.assert_allclose(total, ex.delta, rtol=1e-10, atol=1e-12, err_msg=f"{name} {mode} {node}")
        if np.ndim(total) == 0:
            assert fmt(total + 0.0) == fmt(ex.delta + 0.0), (node, total, ex.delta)
        shares = [term for term in ex.delta_terms if term.text.startswith("− ")]
        assert all(f" of E[{node.t + k}" in term.text and term.note for term in shares), shares
        assert ex.delta_equation.count(" − ") >= len(shares)
        withdrawn += len(shares)
    assert withdrawn > 0


def test_window_share_by_hand():
    """calculator-rnn-0.5 under window:3: δ[2] carries only E[4]'s share (E[2], E[3] are not scored),
    ε[4]·u² = −2.875·0.25 = −0.71875, and E[4]'s window starts at step 2, so nothing reaches h[1]."""
    tr = compute(load_scenario("calculator-rnn-0.5"), "window:3")
    ex = explain(tr, NodeRef(0, "h", 1))
    assert ex.delta_equation == "δh[1] = εh[1] + u·δc[2] − u·δc[2] of E[4]"
    assert [term.value for term in ex.delta_terms] == [0.0, 0.5 * -0.71875, -0.5 * -0.71875]
    assert ex.delta == 0.0
    assert ex.delta_terms[2].numbers == "−0.500·(−0.719)"
    assert "E[4] looks back over steps 2 … 4" in ex.delta_terms[2].note
    ex = explain(tr, NodeRef(0, "h", 6))   # E[9] does not exist: nothing to take out
    assert ex.delta_equation == "δh[6] = εh[6] + u·δc[7]"
    # the band: δc[6] = ε[8]·u² = −2.0546875·0.25 is all E[8]'s, whose window starts at step 6
    assert tr["l0/delta_a"][5, 0] == -2.0546875 * 0.25
    brief = node_brief(tr, Playhead.at(Phase.BPTT, 8, 8), NodeRef(0, "a", 5, 0))
    assert brief.equation == "δc[5] = εc[5] + u·δc[6] − u·δc[6] of E[8]"
    assert brief.numbers == "= 0 + 0.500·(−0.514) − 0.500·(−0.514) = 0"


def test_delta_of_pre_activations_is_the_engines():
    tr = compute(stack())
    lb, H = tr.backward.layers[0], 3
    for u in range(H):
        np.testing.assert_array_equal([explain(tr, NodeRef(0, "a_o", t, u)).delta for t in range(1, 7)],
                                      lb.dA[:, 2 * H + u])


def test_stack_uses_matrix_form_and_layer_superscripts():
    tr = compute(stack())
    ex = explain(tr, NodeRef(1, "a_f", 2, 1))
    assert ex.equation == "a_f[2] = (W_f·h⁽⁰⁾[2] + U_f·h[1] + b_f)[1]"
    ex = explain(tr, NodeRef(0, "a_i", 2, 0))
    assert ex.equation == "a_i[2] = (W_i·x[2] + U_i·h[1] + b_i)[0] + p_i[0]·c[1]"
    ex = explain(tr, NodeRef(0, "h", 2, 1))
    assert ex.delta_equation.startswith("δh[2] = (W_i⁽¹⁾ᵀ·δa_i⁽¹⁾[2])[1] + ")
    assert "(U_oᵀ·δa_o[3])[1]" in ex.delta_equation
    x = explain(tr, NodeRef(None, "x", 2))
    assert x.value.shape == (2,) and x.delta_terms[0].value.shape == (2,)


# -- weights ----------------------------------------------------------------------------------------
def test_per_step_terms_add_up_for_every_parameter_entry():
    for mode, scenario in itertools.product(MODES, (stack, SCENARIOS["tanh-taps-stack"])):
        tr = compute(scenario(), mode)
        for block in param_blocks(tr.scenario.model):
            for index in np.ndindex(*block.shape):
                wx = explain_weight(tr, block.key, index)
                assert wx.grad == tr[f"grad/{block.key}"][index]
                np.testing.assert_allclose(wx.per_step.sum(), wx.grad, rtol=1e-12, atol=1e-15)
                np.testing.assert_array_equal([term.value for term in wx.terms], wx.per_step)
                assert all(is_valid(term.target, tr) for term in wx.terms)


def test_weight_labels_and_equations_in_matrix_form():
    tr = compute(stack())
    wx = explain_weight(tr, "l1/W_g", (1, 2))
    assert wx.label == "W_c̃[1, 2]"
    assert wx.equation == "dE/dW_c̃[1, 2] = Σ_t δa_c̃[t][1]·h⁽⁰⁾[t][2]"
    assert explain_weight(tr, "l0/p_f", (2,)).equation == "dE/dp_f[2] = Σ_t δa_f[t][2]·c[t−1][2]"
    # 001 names the output layer v = W_v·h + b_v (the file's key stays head/W_y)
    assert explain_weight(tr, "head/W_y", (1, 0)).equation == "dE/dW_v[1, 0] = Σ_t δv[t][1]·h⁽¹⁾[t][0]"


def test_weights_of():
    tr = compute(stack())
    ws = weights_of(tr, NodeRef(0, "a_i", 3, 2))
    assert ws == [("l0/W_i", (2, 0)), ("l0/W_i", (2, 1)), ("l0/U_i", (2, 0)), ("l0/U_i", (2, 1)), ("l0/U_i", (2, 2)),
                  ("l0/b_i", (2,)), ("l0/p_i", (2,))]
    assert ("l1/p_o", (0,)) not in weights_of(tr, NodeRef(1, "a_o", 1))
    assert weights_of(tr, NodeRef(0, "c", 3)) == []
    assert len(weights_of(tr, NodeRef(None, "y_hat", 1))) == 2 * 2 + 2
    calc = compute(load_scenario("calculator-rnn-1.7"))
    assert weights_of(calc, NodeRef(0, "a", 2)) == [("l0/W", (0, 0)), ("l0/U", (0, 0)), ("l0/b", (0,))]
    assert weights_of(calc, NodeRef(None, "y_hat", 2)) == []
    taps = compute(load_scenario("calculator-rnn-taps"))
    assert weights_of(taps, NodeRef(0, "a", 2))[-2:] == [("l0/U_2", (0, 0)), ("l0/b", (0,))]


# -- numbers ----------------------------------------------------------------------------------------

"""The inspector speaks the course's notation: the slides' RNN (c, ε, δ on the excitation), the five δ's in
slide 52's order, one derivative notation (σ̇), the candidate named c̃. Expected numbers are worked out by hand
from the presets' inputs (002, slides 17–22), not read from the engine."""
import re

import pytest

from lstmviz.app.model.equations import explain, explain_weight
from lstmviz.app.model.equations.brief import node_brief
from lstmviz.app.model.phases import Playhead
from lstmviz.app.model.quantities import HEAD_VARS, NodeRef, layer_vars, parse_node
from lstmviz.app.style import delta_label, symbol
from lstmviz.core import compute
from lstmviz.core.phases import Phase
from lstmviz.io import list_presets, load_scenario

# calculator-rnn-0.5: x = 1,2,1,0,1,1,1,0, u = 0.5, h = c: the running sum leaks by half at every step
H = [1, 2.5, 2.25, 1.125, 1.5625, 1.78125, 1.890625, 0.9453125]
# ε[t] = h[t] − y[t] where y[t] > 0 (steps 4 and 8), else 0
EPS = [0, 0, 0, 1.125 - 4, 0, 0, 0, 0.9453125 - 3]
# δ[t] = ε[t] + u·δ[t+1], from δ[8] = ε[8] = −2.0546875 down
DELTA = [-0.37542724609375, -0.7508544921875, -1.501708984375, -3.00341796875,
         -0.2568359375, -0.513671875, -1.02734375, -2.0546875]
# dE/du = Σ_t δ[t]·h[t−1] = −0.7508544921875·1 − 1.501708984375·2.5 − 3.00341796875·2.25 − 0.2568359375·1.125
#         − 0.513671875·1.5625 − 1.02734375·1.78125 − 2.0546875·1.890625
DE_DU = -18.0689697265625


@pytest.fixture(scope="module")
def rnn_trace():
    return compute(load_scenario("calculator-rnn-0.5"))


def test_the_hand_numbers_agree_with_each_other():
    """The expected numbers above obey the slides' three rules (a check on the test's own arithmetic)."""
    for t in range(8):
        assert DELTA[t] == EPS[t] + (0.5 * DELTA[t + 1] if t < 7 else 0)
    assert sum(DELTA[t] * H[t - 1] for t in range(1, 8)) == DE_DU


def test_rnn_excitation_in_the_slides_form(rnn_trace):
    ex = explain(rnn_trace, NodeRef(0, "a", 4))
    assert ex.title == "c[4], layer 0"
    assert ex.equation == "c[4] = x[4] + u·h[3]"
    assert ex.substituted == "c[4] = 0 + 0.500·2.25 = 1.12"
    assert ex.value == H[3]
    assert ex.eps == EPS[3] == -2.875          # ε[4] = ∂E/∂c[4] = h[4] − y[4]
    assert ex.delta == DELTA[3]
    assert ex.delta_equation == "δc[4] = εc[4] + u·δc[5]"
    assert [t.value for t in ex.delta_terms] == [EPS[3], 0.5 * DELTA[4]]
    assert [t.numbers for t in ex.delta_terms] == ["−2.88", "0.500·(−0.257)"]
    assert any("ε[t] = ∂E/∂c[t]" in note for note in ex.notes)


@pytest.mark.parametrize("t", range(1, 9))
def test_rnn_eps_and_delta_at_every_step(rnn_trace, t):
    ex = explain(rnn_trace, NodeRef(0, "a", t))
    assert ex.eps == pytest.approx(EPS[t - 1], abs=1e-15)
    assert ex.delta == pytest.approx(DELTA[t - 1], rel=1e-15)
    assert ex.delta_equation == (f"δc[{t}] = εc[{t}]" + (f" + u·δc[{t + 1}]" if t < 8 else ""))


def test_rnn_activation_node(rnn_trace):
    ex = explain(rnn_trace, NodeRef(0, "h", 4))
    assert ex.equation == "h[4] = c[4]"
    assert ex.eps == -2.875
    assert ex.delta_equation == "δh[4] = εh[4] + u·δc[5]"
    assert ex.delta == DELTA[3]


def test_rnn_weight_gradient_is_the_slides_sum(rnn_trace):
    wx = explain_weight(rnn_trace, "l0/U", (0, 0))
    assert wx.label == "u"
    assert wx.equation == "dE/du = Σ_t δc[t]·h[t−1]"
    assert wx.grad == pytest.approx(DE_DU, rel=1e-15)
    assert wx.terms[2].text == "δc[3]·h[2]" and wx.terms[2].numbers == "−1.50·2.50"
    assert [term.value for term in wx.terms][1:] == pytest.approx([DELTA[t] * H[t - 1] for t in range(1, 8)])


def test_rnn_excitation_parses_as_c(rnn_trace):
    assert parse_node("c[4]", rnn_trace) == NodeRef(0, "a", 4, 0)


def test_lstm_delta_h_lists_i_o_f_then_the_candidate():
    tr = compute(load_scenario("calculator-lstm"))
    ex = explain(tr, NodeRef(0, "h", 3))
    firsts = [re.match(r"δ(\w)", term.text) for term in ex.delta_terms[1:]]
    assert [m.group(1) for m in firsts] == ["i", "o", "f", "c"]
    assert ex.delta_terms[-1].text == "δc[4]·i[4]·σ̇(a_c̃[4])·u_c̃"   # slide 52: i[t+1]·δc[t+1]·σ̇_h(…)·u_c


def test_candidate_delta_is_a_marked_extra():
    tr = compute(load_scenario("calculator-lstm"))
    ex = explain(tr, NodeRef(0, "g", 4))
    assert ex.delta_equation == "δc̃[4] = δc[4]·i[4]"
    assert any("extra" in note and "slide 45" in note for note in ex.notes)
    assert explain(tr, NodeRef(0, "a_g", 4)).delta_equation == "δa_c̃[4] = δc[4]·i[4]·σ̇(a_c̃[4])"


def test_forget_gate_calculator_cell_reads_like_the_slide():
    tr = compute(load_scenario("calculator-forget-gate"))
    ex = explain(tr, NodeRef(0, "c", 3))
    assert ex.equation == "c[3] = x[3] + f[3]·h[2]"
    assert ex.substituted == "c[3] = 1.00 + 1.00·3.00 = 4.00"     # f[3] = CReLU(1) = 1, h[2] = 1 + 2
    ex = explain(tr, NodeRef(0, "c", 4))
    assert ex.substituted == "c[4] = 0 + 0·4.00 = 0"              # f[4] = CReLU(0) wipes the tally
    assert explain(tr, NodeRef(0, "h", 3)).equation == "h[3] = c[3]"   # slide 33: h[t] = c[t]
    for preset in ("crelu-dying-gate", "crelu-dying-gate-sigmoid"):   # σ(40) is exactly 1: i = o = 1 there too
        assert explain(compute(load_scenario(preset)), NodeRef(0, "c", 3)).equation == "c[3] = x[3] + f[3]·h[2]"
    detuned = load_scenario("calculator-forget-gate")
    detuned.model.layers[0].params["b_i"][:] = 0.9                    # i ≠ 1: an LSTM again
    assert explain(compute(detuned), NodeRef(0, "c", 3)).equation == "c[3] = f[3]·c[2] + i[3]·c̃[3]"
    # the ordinary LSTM keeps the LSTM's cell equation
    lstm = compute(load_scenario("calculator-lstm"))
    assert explain(lstm, NodeRef(0, "c", 4)).equation == "c[4] = f[4]·c[3] + i[4]·c̃[4]"


def test_head_deltas_named_as_the_course_does():
    assert delta_label("y_hat", identity_head=True) == "εŷ"
    assert delta_label("y_hat") == "δv"
    tr = compute(load_scenario("calculator-rnn-0.5"))
    assert explain(tr, NodeRef(None, "y_hat", 4)).delta_equation == "εŷ[4] = m[4]·(ŷ[4] − y[4])"
    tr = compute(load_scenario("char-lstm"))
    ex = explain(tr, NodeRef(None, "y_hat", 2))
    assert ex.delta_equation.startswith("δv[2] = ")
    assert ex.equation == "ŷ[2] = softmax(W_v·h[2] + b_v)"      # 001: v = W_v·h + b_v, ŷ = softmax(v)


def test_candidate_parameters_are_named_c_tilde():
    assert [symbol(k) for k in ("W_g", "U_g", "b_g", "W_y", "b_y")] == ["W_c̃", "U_c̃", "b_c̃", "W_v", "b_v"]
    tr = compute(load_scenario("calculator-lstm"))
    assert explain_weight(tr, "l0/U_g", (0, 0)).label == "u_c̃"


FORBIDDEN = re.compile(r"tanh′|′|'\(|\b[WUb]_g\b|\ba_g\b|δg\b|\bg\[")


def texts(ex):
    yield from (ex.title, ex.equation, ex.substituted, ex.delta_equation, *ex.notes)
    for term in ex.delta_terms:
        yield from (term.text, term.note)


@pytest.mark.parametrize("preset", [p.key for p in list_presets()])
def test_no_primes_and_no_engine_letters_in_any_explanation(preset):
    """One derivative notation (σ̇), the candidate always c̃: every node at the first, a middle and the last step,
    and every weight entry's gradient equation."""
    tr = compute(load_scenario(preset))
    T = tr.steps
    nodes = [NodeRef(None, var, t) for var in ("x",) + HEAD_VARS for t in (1, T)]
    for n, layer in enumerate(tr.scenario.model.layers):
        nodes += [NodeRef(n, var, t) for var in layer_vars(layer) for t in (1, (T + 1) // 2, T)]
    for node in nodes:
        for text in texts(explain(tr, node)):
            assert not FORBIDDEN.search(text), (preset, node, text)
    for n, layer in enumerate(tr.scenario.model.layers):
        for name, shape in layer.param_shapes().items():
            wx = explain_weight(tr, f"l{n}/{name}", (0,) * len(shape))
            for text in (wx.label, wx.equation, *(term.text for term in wx.terms)):
                assert not FORBIDDEN.search(text), (preset, name, text)


def test_phase_2_computes_the_rnn_excitations_eps(rnn_trace):
    """The band in phase 2 (synchronous backprop) states the slides' ε[t] = ∂E/∂c[t] on c."""
    b = node_brief(rnn_trace, Playhead.at(Phase.SYNC, 8, 8), NodeRef(0, "a", 4))
    assert (b.kind, b.name, b.value) == ("eps", "εc[4]", -2.875)
    assert b.equation == "εc[4] = ∂E[4]/∂c[4] = m[4]·(ŷ[4] − y[4])"
    assert b.numbers == "= 1.00·(1.12 − 4.00) = −2.88"


def test_multi_tap_rnn_in_the_slides_form():
    """Slide 6 with a second tap: c[t] = x[t] + u·h[t−1] + u_2·h[t−2], δ[t] = ε[t] + u·δ[t+1] + u_2·δ[t+2].
    By hand (u = 0.5, u_2 = 0.25): h = 1, 2 + 0.5 = 2.5, 1 + 1.25 + 0.25 = 2.5, 0 + 1.25 + 0.625 = 1.875."""
    tr = compute(load_scenario("calculator-rnn-taps"))
    ex = explain(tr, NodeRef(0, "a", 4))
    assert ex.equation == "c[4] = x[4] + u·h[3] + u_2·h[2]"
    assert ex.substituted == "c[4] = 0 + 0.500·2.50 + 0.250·2.50 = 1.88"
    assert ex.value == 1.875 and ex.eps == 1.875 - 4
    assert ex.delta_equation == "δc[4] = εc[4] + u·δc[5] + u_2·δc[6]"
    assert explain(tr, NodeRef(0, "a", 1)).equation == "c[1] = x[1] + u·h[0] + u_2·h[−1]"
    wx = explain_weight(tr, "l0/U_2", (0, 0))
    assert (wx.label, wx.equation) == ("u_2", "dE/du_2 = Σ_t δc[t]·h[t−2]")
    assert [term.text for term in wx.terms[:3]] == ["δc[1]·h[−1]", "δc[2]·h[0]", "δc[3]·h[1]"]
    assert wx.terms[3].value == pytest.approx(explain(tr, NodeRef(0, "a", 4)).delta * 2.5, rel=1e-15)


def test_the_window_shows_the_slides_rnn_after_a_click(open_window, qtbot):
    """Select c[4] of the RNN calculator with everything computed: the inspector writes it as slides 20–21 do."""
    w = open_window("calculator-rnn-0.5")
    w.session.playback.set_playhead(Playhead.at(Phase.GRAD, 8, 8))
    w.session.view.select(NodeRef(0, "a", 4, 0))
    qtbot.waitUntil(lambda: "c[4] = x[4] + u·h[3]" in w.inspector.toPlainText())
    text = w.inspector.toPlainText()
    assert "c[4] = 0 + 0.500·2.25 = 1.12" in text
    assert "εc[4] = −2.88" in text
    assert "δc[4] = εc[4] + u·δc[5]" in text

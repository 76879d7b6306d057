"""The slides' names where the window lists weights, and the RNN excitation's ε on the graph in phase 2."""
from lstmviz.app.model.phases import Playhead
from lstmviz.app.model.quantities import NodeRef
from lstmviz.app.numbers import fmt
from lstmviz.core.phases import Phase


def test_weights_into_a_node_have_the_slides_names(open_window):
    w = open_window("calculator-rnn-0.5")
    w.session.view.select(NodeRef(0, "a", 4, 0))
    assert "Weights into c[4]\nw, u, b" in w.inspector.toPlainText()
    w = open_window("calculator-lstm")
    w.session.view.select(NodeRef(0, "a_g", 2, 0))
    assert "Weights into a_c̃[2]\nw_c̃, u_c̃, b_c̃" in w.inspector.toPlainText()
    w = open_window("stacked-lstm")
    w.session.view.select(NodeRef(0, "a_i", 2, 1))
    assert "Weights into a_i[2]\nW_i[1, 0], U_i[1, 0], U_i[1, 1], U_i[1, 2], b_i[1]" in w.inspector.toPlainText()


def test_phase_2_shows_the_excitations_eps_on_an_rnn(open_window):
    """calculator-rnn-0.5: ε[t] = ∂E/∂c[t] = h[t] − y[t] where y[t] > 0 (step 4: 1.125 − 4), else 0; h = c."""
    w = open_window("calculator-rnn-0.5")
    w.session.view.set_view("backward")
    w.session.playback.set_playhead(Playhead.at(Phase.SYNC, 4, 8))
    c = [w.graph.nodes[(0, "a", t)] for t in range(1, 9)]
    assert [n.text for n in c[:4]] == [fmt(e, short=True) for e in (0.0, 0.0, 0.0, -2.875)]
    assert all(n.eps_alone for n in c[:4]) and all(n.future for n in c[4:])
    w.session.playback.set_playhead(Playhead.at(Phase.BPTT, 8, 8))  # then δ, with ε under it
    assert c[3].text == fmt(-3.00341796875, short=True) and c[3].mark == f"ε {fmt(-2.875, short=True)}"

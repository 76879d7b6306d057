"""What window:K is said to mean: the inspector's cut notes (seed 003)."""
from lstmviz.app.model.equations import explain
from lstmviz.app.model.equations.notation import cut_note
from lstmviz.app.model.quantities import NodeRef
from lstmviz.core import compute
from lstmviz.core.modes import parse_mode
from lstmviz.io import load_scenario


def test_window_k_cuts_no_term_for_every_cost_but_window_1_cuts_them_all():
    assert cut_note(parse_mode("window:3"), 4, "recurrent") == "" and cut_note(parse_mode("window:3"), 4, "cell") == ""
    assert cut_note(parse_mode("window:1"), 4, "cell") == "cut by window:1 (each cost E[t] keeps its own step only)"
    ex = explain(compute(load_scenario("calculator-rnn-0.5"), "window:1"), NodeRef(0, "a", 3, 0))
    carried = [term for term in ex.delta_terms if "[4]" in term.text]
    assert carried and all(term.value == 0.0 and "window:1" in term.note for term in carried)
    assert ex.delta == 0.0  # E[3] is not scored: with window:1 nothing reaches c[3]


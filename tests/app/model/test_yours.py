"""Check my arrays in the application model (no window): YoursCheck re-checks against the document's own
trace when read after an edit, marks the graph's nodes, and puts "yours → engine" beside each input of the
first disagreement's equation. The arrays come from the student LSTM of tests/yours_lstm.py."""
import numpy as np
import pytest
from helpers import lstm, random_scenario
from yours_lstm import StudentLSTM

import lstmviz.app.model.yours as yours_module
from lstmviz.app.model import NodeRef, Session
from lstmviz.app.model.yours import FIRST, node_keys
from lstmviz.app.model.yours_rows import AGREES, DIFFERS, NOT_SAVED, node_check, weight_check
from lstmviz.app.style import course_name

T, H = 6, 2


@pytest.fixture
def at_rest():
    return random_scenario([lstm(2, H)], T=T, K=1, seed=3, random_state=False)


def _session_with(scenario, tmp_path, arrays, mapping=None):
    path = tmp_path / "yours.npz"
    np.savez(path, **arrays)
    session = Session(scenario)
    session.yours.load(path, mapping)
    return session


def test_a_transposed_u_marks_a_i_at_step_2_and_every_input_it_saved_agrees(at_rest, tmp_path):
    student = StudentLSTM(at_rest, mistake="transposed_U")
    s = _session_with(at_rest, tmp_path, student.arrays())
    first = s.yours.report.first
    assert (first.key, first.step) == ("l0/a_i", 2)
    unit = first.unit
    marks = s.yours.marked(unit)
    assert marks[(0, "a_i", 2)] == FIRST
    masks = s.yours.report.masks  # U·h0 = 0 either way round: step 1's values agree (its δ's read Uᵀ and differ)
    assert not any(masks[f"l0/{v}"][0].any() for v in ("a_i", "a_f", "a_o", "a_g", "c", "h"))
    assert marks[(0, "c", 1)] == 1 and masks["l0/delta_c"][0, unit]
    check = node_check(s.yours.report, s.document.trace, NodeRef(0, "a_i", 2, unit))
    value = check.own[0]
    assert (value.name, value.status) == ("a_i[2]", DIFFERS)
    assert value.yours == student.a["i"][1, unit] and value.engine == s.document.trace["l0/a_i"][1, unit]
    inputs = {r.name: r for r in check.value_inputs}
    assert inputs["x[2]"].status == AGREES and inputs["h[1]"].status == AGREES
    assert inputs["h[1]"].detail == f"all {H}"
    assert check.hint.startswith("Every input you saved agrees, so the mistake is in how your code computes a_i[2]")


def test_the_report_is_rechecked_on_the_documents_trace_only_when_read_after_an_edit(at_rest, tmp_path, monkeypatch):
    s = _session_with(at_rest, tmp_path, StudentLSTM(at_rest).arrays())
    assert s.yours.report.ok
    calls = []
    real = yours_module.check_arrays
    monkeypatch.setattr(yours_module, "check_arrays",
                        lambda *a, **k: calls.append(k["trace"]) or real(*a, **k))
    s.document.set_entry("l0/b_f", (1,), 2.0)
    s.document.set_entry("l0/b_f", (1,), 2.5)
    assert calls == []  # nothing checked until someone reads the report
    report = s.yours.report
    assert calls == [s.document.trace]  # the document's trace: no second engine run
    assert (report.first.key, report.first.step, report.first.unit) == ("l0/a_f", 1, 1)
    assert s.yours.marked(1)[(0, "a_f", 1)] == FIRST and (0, "a_f", 1) not in s.yours.marked(0)
    s.history.undo()
    s.history.undo()
    assert s.yours.report.ok and s.yours.marked(0) == {}


def test_a_gradient_has_its_weight_row_and_the_delta_it_sums(at_rest, tmp_path):
    student = StudentLSTM(at_rest, mistake="db_sign")
    s = _session_with(at_rest, tmp_path, student.arrays("pytorch"), "pytorch")
    check = weight_check(s.yours.report, s.document.trace, "l0/b_o", (1,))
    (own,) = check.own
    assert own.status == DIFFERS and own.yours == pytest.approx(-student.da["o"][:, 1].sum())
    assert own.engine == pytest.approx(student.da["o"][:, 1].sum())
    (delta,) = check.delta_inputs
    assert delta.status == NOT_SAVED  # the pytorch layout holds no δa
    assert check.hint == "Your dE/db_o[1] is the engine's with the sign flipped: check the sign of the whole sum."
    with_deltas = _session_with(at_rest, tmp_path, student.arrays()).yours.report
    check = weight_check(with_deltas, s.document.trace, "l0/b_o", (1,))
    assert check.delta_inputs[0].status == "agrees"
    assert check.slip.startswith("Your dE/db_o[1] is the engine's with the sign flipped")


def test_a_delta_without_one_of_its_terms_names_the_term(at_rest, tmp_path):
    """δc[t] = δh[t]·o[t]·σ̇(c[t]) + δc[t+1]·f[t+1]: the student's δc[T−1] lacks exactly the second term."""
    student = StudentLSTM(at_rest, mistake="forgets_f")
    s = _session_with(at_rest, tmp_path, student.arrays())
    first = s.yours.report.first
    assert (first.key, first.step) == ("l0/delta_c", T - 1)
    check = node_check(s.yours.report, s.document.trace, NodeRef(0, "c", T - 1, first.unit))
    trace = s.document.trace
    term = trace["l0/delta_c"][T - 1, first.unit] * trace["l0/f"][T - 1, first.unit]  # δc[T]·f[T], 0-based T−1
    assert check.own[-1].yours == pytest.approx(check.own[-1].engine - term)
    assert check.hint.startswith(f"Your δc[{T - 1}] is the engine's without the term δc[{T}]·f[{T}] = ")
    assert check.hint.endswith("your code leaves it out.")


def test_an_unrelated_error_is_not_called_a_dropped_term(at_rest, tmp_path):
    student = StudentLSTM(at_rest)
    arrays = student.arrays()
    arrays["l0/delta_c"] = arrays["l0/delta_c"].copy()
    arrays["l0/delta_c"][2, 0] += 0.123
    s = _session_with(at_rest, tmp_path, arrays)
    check = node_check(s.yours.report, s.document.trace, NodeRef(0, "c", 3, 0))
    assert check.slip == ""
    assert check.hint.startswith("Every input you saved agrees, so the mistake is in how your code computes δc[3]")


def test_opening_another_document_forgets_their_arrays(at_rest, tmp_path):
    s = _session_with(at_rest, tmp_path, StudentLSTM(at_rest).arrays())
    seen = []
    s.yours.changed.connect(lambda: seen.append(s.yours.on))
    s.open("calculator-lstm")
    assert seen == [False] and s.yours.report is None and s.yours.marked(0) == {}


@pytest.mark.parametrize(("layer", "var", "keys"), [
    (0, "h", {"value": "l0/h", "eps": "l0/eps_h", "delta": "l0/delta_h"}),
    (1, "g", {"value": "l1/g", "delta": "l1/delta_g"}),
    (None, "x", {"value": "x", "delta": "dx"}),
    (None, "loss", {"value": "loss_t"}),
    (None, "y", {}),
])
def test_the_trace_keys_of_a_graph_node(layer, var, keys):
    assert node_keys(layer, var) == keys


@pytest.mark.parametrize(("key", "name"), [("l0/delta_c", "δc"), ("l0/g", "c̃"), ("l1/eps_h", "εh"),
                                           ("grad/l0/W_g", "dE/dW_c̃"), ("grad/head/W_y", "dE/dW_v"),
                                           ("dx", "δx"), ("loss_t", "E[t]"), ("l0/delta_a_g", "δa_c̃")])
def test_course_names_live_in_style(key, name):
    assert course_name(key) == name


def test_an_edit_the_layout_cannot_describe_is_an_error_until_undone(at_rest, tmp_path):
    s = _session_with(at_rest, tmp_path, StudentLSTM(at_rest).arrays("karpathy"), "karpathy")
    s.document.set_layer_option(0, "forget_gate", False)
    assert s.yours.report is None and s.yours.marked(0) == {}
    assert s.yours.error.startswith("yours.npz: the karpathy layout: model.layers[0] is not a standard LSTM")
    s.history.undo()
    assert s.yours.report.ok and s.yours.error == ""

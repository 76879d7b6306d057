"""The application model without a window: one retrace path, undoable commands, events, consistency."""
import numpy as np
import pytest

from lstmviz.app.model import BEFORE_EDIT, NodeRef, Playhead, Session
from lstmviz.app.model.watches import WatchResults
from lstmviz.core.model import Watch
from lstmviz.core.phases import Phase
from lstmviz.io import load_scenario
from lstmviz.watch import evaluate


def recorder(*signals):
    """Names of the events emitted, in order."""
    seen = []
    for name, signal in signals:
        signal.connect(lambda *_, n=name: seen.append(n))
    return seen


def assert_watches_fresh(session):
    """Every watch value the document holds equals a fresh evaluation on its current trace."""
    doc = session.document
    fresh = WatchResults(doc.scenario.watches, doc.trace)
    assert len(doc.watches) == len(doc.scenario.watches) > 0
    for n in range(len(fresh)):
        np.testing.assert_array_equal(doc.watches.series(n, 0), fresh.series(n, 0))
        direct = evaluate(doc.scenario.watches[n].expression, doc.trace).per_step(doc.trace.steps)[:, 0]
        np.testing.assert_array_equal(doc.watches.series(n, 0), direct)


def test_a_layer_variant_switch_and_its_undo_re_evaluate_the_watches():
    s = Session(load_scenario("calculator-lstm"))
    s.document.set_watches([Watch("i[t]*g[t] + f[t]*c[t-1]", "c"), Watch("o[t]*c[t]")], "two watches")
    before = s.document.watches.series(1, 0).copy()
    s.document.set_layer_option(0, "gate_activation", "sigmoid")
    assert_watches_fresh(s)
    assert not np.allclose(s.document.watches.series(1, 0), before)  # sigmoid gates: other numbers
    assert s.document.watches[0].check.agree  # the cell equation holds for any gate
    s.history.undo()
    assert_watches_fresh(s)
    np.testing.assert_array_equal(s.document.watches.series(1, 0), before)
    s.history.redo()
    assert_watches_fresh(s)


def test_every_retrace_announces_structure_before_numbers():
    s = Session(load_scenario("calculator-lstm"))
    doc = s.document
    seen = recorder(("structure", doc.structure_changed), ("trace", doc.trace_changed),
                    ("watches", doc.watches_changed))
    doc.set_entry("l0/b_i", (0,), 0.9)
    assert seen == ["trace", "watches"]
    seen.clear()
    doc.set_layer_option(0, "peepholes", True)
    assert seen == ["structure", "trace", "watches"]


def test_changing_the_learning_rate_is_one_undo_entry_and_marks_the_document_unsaved():
    s = Session(load_scenario("char-lstm"))
    doc = s.document
    assert not doc.dirty
    changed = recorder(("training", doc.training_changed))
    doc.set_training("learning rate 0.5 → 0.05", learning_rate=0.05)
    assert doc.scenario.training.learning_rate == 0.05 and doc.dirty
    assert s.history.count() == 1 and s.history.text(0) == "learning rate 0.5 → 0.05" and changed == ["training"]
    doc.set_training("the same", learning_rate=0.05)  # no change, no entry
    assert s.history.count() == 1
    s.history.undo()
    assert doc.scenario.training.learning_rate == 0.5 and not doc.dirty


def test_phase_5_applies_exactly_the_previewed_update_with_clipping():
    s = Session(load_scenario("char-lstm"))
    doc, playback = s.document, s.playback
    grads = {k[5:]: doc.trace[k] for k in doc.trace if k.startswith("grad/")}
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads.values()))
    assert norm > doc.scenario.training.clip_norm  # the preset's clipping is active here
    preview = doc.descent_update()
    scale = doc.scenario.training.clip_norm / norm
    w = doc.scenario.model.layers[0].params["W_i"].copy()
    np.testing.assert_allclose(preview["l0/W_i"], w - 0.5 * scale * grads["l0/W_i"], rtol=1e-12)
    playback.set_playhead(Playhead(Phase.DESCENT, 0, doc.trace.steps))
    playback.step_forward()  # past phase 5: the update is applied
    for key, value in preview.items():
        layer = doc.scenario.model.head if key.startswith("head") else doc.scenario.model.layers[0]
        np.testing.assert_array_equal(layer.params[key.split("/")[1]], value)
    assert playback.epoch == 2 and playback.playhead == Playhead.start(doc.trace.steps)


def test_the_first_edit_pins_before_my_edit_and_undo_is_bit_for_bit():
    s = Session(load_scenario("calculator-lstm"))
    doc = s.document
    before = {k: np.array(v, copy=True) for k, v in doc.trace.items()}
    doc.set_entry("l0/b_i", (0,), 0.9)
    assert [p.name for p in s.comparison.snapshots] == [BEFORE_EDIT] and s.comparison.compare is not None
    assert doc.trace.loss == pytest.approx(0.125)
    s.history.undo()
    for k, v in before.items():
        np.testing.assert_array_equal(doc.trace[k], v, err_msg=k)
    assert s.comparison.compare.at(NodeRef(0, "c", 4, 0), "value") == 4.0


def test_a_selection_whose_node_goes_away_is_dropped():
    s = Session(load_scenario("calculator-lstm"))
    s.view.select(NodeRef(0, "a_f", 3, 0))
    s.view.select_weight("l0/U_f", (0, 0))
    s.view.select(NodeRef(0, "f", 3, 0))
    s.document.set_layer_option(0, "forget_gate", False)
    assert s.view.selection is None
    s.history.undo()
    s.view.select_weight("l0/W_f", (0, 0))
    s.document.set_layer_option(0, "forget_gate", False)
    assert s.view.selected_weight is None


def test_a_slider_drag_coalesces_and_becomes_one_command():
    pending = []
    s = Session(load_scenario("calculator-rnn-0.5"), call_soon=pending.append)
    doc = s.document
    doc.begin_drag("l0/U")
    for value in (0.7, 0.9, 1.7):
        doc.drag_to("l0/U", (0, 0), value)
    assert len(pending) == 1  # three moves before the loop turns: one retrace
    pending.pop()()
    assert doc.trace["l0/h"][1, 0] == pytest.approx(2 + 1.7)
    doc.end_drag("l0/U", (0, 0))
    assert s.history.count() == 1 and s.history.text(0) == "U[0, 0] 0.500 → 1.70 (drag)"
    s.history.undo()
    assert doc.scenario.model.layers[0].params["U"][0, 0] == 0.5 and doc.trace["l0/h"][1, 0] == 2.5


def test_opening_resets_every_part_before_anyone_hears_of_it():
    s = Session(load_scenario("calculator-lstm"))
    s.document.set_entry("l0/b_i", (0,), 0.9)
    s.view.select(NodeRef(0, "c", 4, 0))
    s.playback.go_start()
    states = []
    s.document.structure_changed.connect(lambda: states.append(
        (s.playback.playhead, s.view.selection, len(s.comparison.snapshots), s.history.count())))
    s.open("memorizer")
    T = s.document.trace.steps
    assert states == [(Playhead.complete(T), None, 0, 0)]
    assert not s.document.dirty and s.playback.epoch_losses == [s.document.trace.loss]


def test_a_breakpoint_hit_selects_its_node_and_clears_when_an_edit_removes_its_cause():
    from lstmviz.watch.breakpoints import Breakpoint
    s = Session(load_scenario("calculator-lstm"))
    playback = s.playback
    playback.set_breakpoints([Breakpoint("watch", expression="c[t] > 3.5")])
    playback.go_start()
    messages = recorder(("hit", playback.breakpoint_hit))
    while not playback.step_forward():
        pass
    assert playback.hit.t == 3 and s.view.selection == NodeRef(0, "h", 3, 0) and messages == ["hit"]
    s.document.set_entry("data/x", (1, 0), 0.0)  # c[3] is 2 now: the cause is gone
    assert playback.hit is None

"""Editing weights and data live, undo, pinned snapshots and diffs, training (issue: edit and compare)."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QPushButton

from lstmviz.app.model.quantities import NodeRef
from lstmviz.app.numbers import fmt
from lstmviz.watch import evaluate


def choose(editor, key, index):
    editor.window().docks["weights"].raise_()  # as a user would: the Weights tab in front
    editor.show_entry(key, index)
    assert editor.key == key and editor.index == index


def type_value(qtbot, editor, text):
    editor.value_box.setFocus()
    editor.value_box.selectAll()
    qtbot.keyClicks(editor.value_box, text)
    qtbot.keyClick(editor.value_box, Qt.Key.Key_Return)


def snapshot_arrays(trace):
    return {k: np.array(v, copy=True) for k, v in trace.items()}


def test_typing_b_i_0_9_moves_everything_and_undo_restores_bit_for_bit(qtbot, open_window):
    w = open_window()
    s = w.session
    before = snapshot_arrays(s.document.trace)
    choose(w.weights, "l0/b_i", (0,))
    type_value(qtbot, w.weights, "0.9")
    assert s.document.scenario.model.layers[0].params["b_i"][0] == 0.9
    assert s.document.trace["l0/c"][:, 0].tolist() == pytest.approx([0.9, 2.7, 3.6, 3.6, 0.9, 1.8, 2.7, 2.7])
    assert s.document.trace.loss == pytest.approx(0.125)
    assert s.history.text(0) == "b_i[0] 1.00 → 0.900"
    assert w.history_view.model().rowCount() == 2 and w.windowTitle().startswith("*")
    assert w.status_labels["loss"].text() == "E = 0.125"
    # the automatic pin and the diff against it
    c = s.comparison
    assert [p.name for p in c.snapshots] == ["before my edit"] and c.compare is c.snapshots[0]
    w.docks["compare"].raise_()
    summary = w.compare.summary.toPlainText()
    assert "appeared" in summary and "b_i[0] (layer 0): 0 → −2.50" in summary and "W_c̃[0, 0] (layer 0)" in summary
    w.compare.show_diff.setChecked(True)
    assert w.graph.nodes[(0, "c", 4)].text == "−0.400" and w.graph.nodes[(0, "c", 5)].text == "−0.100"
    w.session.view.select(NodeRef(0, "c", 4, 0))
    assert "value in “before my edit”: 4.00 → now 3.60" in w.inspector.toPlainText()
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    after = snapshot_arrays(s.document.trace)
    assert after.keys() == before.keys()
    for k in before:
        np.testing.assert_array_equal(after[k], before[k], err_msg=k)  # bit for bit
    assert not w.windowTitle().startswith("*")
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert s.document.trace.loss == pytest.approx(0.125)


@pytest.mark.parametrize("text,message", [("abc", "“abc” is not a number"), ("nan", "nan is not a finite number"),
                                          ("inf", "inf is not a finite number")])
def test_invalid_values_are_refused_in_place(qtbot, open_window, text, message):
    w = open_window()
    choose(w.weights, "l0/b_i", (0,))
    type_value(qtbot, w.weights, text)
    assert message in w.weights.message.text()
    assert w.session.history.count() == 0 and w.session.document.scenario.model.layers[0].params["b_i"][0] == 1.0


def test_arrow_keys_and_wheel_step_a_value(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    choose(w.weights, "l0/U", (0, 0))
    w.weights.step_box.setValue(0.25)
    w.weights.value_box.setFocus()
    qtbot.keyClick(w.weights.value_box, Qt.Key.Key_Up)
    qtbot.keyClick(w.weights.value_box, Qt.Key.Key_Up)
    assert w.session.document.scenario.model.layers[0].params["U"][0, 0] == 1.0
    assert w.session.document.trace["l0/h"][:, 0].tolist() == [1, 3, 4, 4, 5, 6, 7, 7]  # the u = 1 calculator
    assert w.session.history.count() == 2


def test_a_slider_drag_is_live_and_one_undo_entry(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    ed, s = w.weights, w.session
    choose(ed, "l0/U", (0, 0))
    ed.slider.setSliderDown(True)
    ed._on_drag_start()
    for position in (100, 300, 600):  # +0.2, +0.6, +1.2
        ed.slider.setSliderPosition(position)
        qtbot.wait(5)  # the coalesced recompute runs
    assert s.document.trace["l0/h"][1, 0] == pytest.approx(2 + 1.7)  # live: u = 1.7 already drives the trace
    ed.slider.setSliderDown(False)
    assert s.history.count() == 1 and s.history.text(0) == "U[0, 0] 0.500 → 1.70 (drag)"
    s.history.undo()
    assert s.document.scenario.model.layers[0].params["U"][0, 0] == 0.5 and s.document.trace["l0/h"][1, 0] == 2.5


def test_scale_a_row_and_zero_a_matrix(qtbot, open_window):
    w = open_window("peephole-lstm")
    ed, p = w.weights, w.session.document.scenario.model.layers[0].params
    choose(ed, "l0/U_f", (1, 0))
    old = p["U_f"].copy()
    ed.scope_box.setCurrentIndex(1)  # its row
    ed.factor_box.setValue(2.0)
    scale = next(b for b in ed.findChildren(QPushButton) if b.text() == "Scale")
    qtbot.mouseClick(scale, Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(p["U_f"][1], 2 * old[1])
    np.testing.assert_array_equal(p["U_f"][0], old[0])
    ed.scope_box.setCurrentIndex(3)  # whole matrix
    ed._scale(0.0)
    assert not p["U_f"].any()
    assert [w.session.history.text(i) for i in range(2)] == ["U_f (row) × 2", "U_f (matrix) zeroed"]


def test_clicking_a_cell_of_the_heat_map_selects_it(qtbot, open_window):
    w = open_window("peephole-lstm")
    w.docks["weights"].raise_()
    ed = w.weights
    choose(ed, "l0/W_i", (0, 0))
    ed.show_array("l1/U_o")
    qtbot.waitUntil(lambda: ed.plot.isVisible())
    centre = ed.plot.getPlotItem().vb.mapViewToScene(QPointF(0.5, 1.5))
    qtbot.mouseClick(ed.plot.viewport(), Qt.MouseButton.LeftButton, pos=ed.plot.mapFromScene(centre))
    assert ed.index == (1, 0) and ed.entry_label.text() == "U_o[1, 0]"


def test_a_new_calculator_sequence_can_be_typed(qtbot, open_window):
    w = open_window()
    choose(w.weights, "data/x", (3, 0))
    assert w.weights.entry_label.text() == "x[4, 0]"  # steps counted from 1
    type_value(qtbot, w.weights, "2")
    # x = 1,2,1,2,…: no printout at t = 4 any more, the tally runs on
    assert w.session.document.trace["l0/h"][:, 0].tolist()[:4] == [0, 0, 0, 0]
    choose(w.weights, "data/mask", (0,))
    type_value(qtbot, w.weights, "-1")
    assert "a mask weight must be ≥ 0" in w.weights.message.text()


def test_variant_switches_are_undoable(qtbot, open_window):
    w = open_window()
    s = w.session
    choose(w.weights, "l0/b_f", (0,))
    w.weights.option_widgets["gate_activation"].setCurrentText("sigmoid")
    assert s.document.scenario.model.layers[0].gate_activation == "sigmoid" and s.document.trace.loss > 0.1
    w.weights.option_widgets["peepholes"].setChecked(True)
    assert "grad/l0/p_o" in s.document.trace.keys() and any(e.edge.kind == "peephole" for e in w.graph.edges)
    w.weights.option_widgets["forget_gate"].setChecked(False)
    assert (0, "f", 1) not in w.graph.nodes and "l0/a_f" not in s.document.trace.keys()
    for _ in range(3):
        s.history.undo()
    assert s.document.scenario.model.layers[0].gate_activation == "crelu" and s.document.trace.loss == 0.0
    assert (0, "f", 1) in w.graph.nodes and w.weights.option_widgets["gate_activation"].currentText() == "crelu"


def test_diff_between_gradient_modes(open_window):
    w = open_window("peephole-lstm")
    s = w.session
    s.comparison.pin("full BPTT")
    w.view_bar.mode_combo.setCurrentIndex(1)  # cec
    w.docks["compare"].raise_()
    text = w.compare.summary.toPlainText()
    assert "full BPTT (full) → now (cec)" in text and "δ values changed:" in text
    assert "Gradients that changed sign" in text or "Gradients that vanished" in text
    w.compare.show_diff.setChecked(True)
    w.named_actions["backward"].trigger()
    q, old = s.document.quantities, s.comparison.compare.quantities
    expected = q.series(1, "h", 0, "delta")[0] - old.series(1, "h", 0, "delta")[0]
    text = w.graph.nodes[(1, "h", 1)].text
    assert text.startswith("+" if expected > 0 else "−") and float(text.replace("−", "-")) == pytest.approx(
        expected, rel=5e-3)  # three significant digits of now − then


def test_training_in_the_background_lowers_the_loss_in_one_undo_entry(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    s, panel = w.session, w.train_panel
    loss0, u0 = s.document.trace.loss, s.document.scenario.model.layers[0].params["U"].copy()
    panel.epochs_box.setValue(40)
    with qtbot.waitSignal(panel.runner.done, timeout=20000):
        panel.train_button.click()
    assert s.playback.epoch == 41 and len(s.playback.epoch_losses) == 41
    # u alone descends to the best leaky sum, u ≈ 0.8375, E ≈ 0.821 (6.24 at u = 0.5)
    assert s.document.scenario.model.layers[0].params["U"][0, 0] == pytest.approx(0.8375, abs=1e-3)
    assert s.document.trace.loss == pytest.approx(0.821, abs=1e-3) and loss0 > 6
    assert s.document.scenario.model.layers[0].params["W"][0, 0] == 1.0  # W and b are frozen by the preset
    assert s.history.count() == 1 and s.history.text(0).startswith("train 40 epochs")
    assert w.plots.epoch_curve.item.getData()[1].tolist() == s.playback.epoch_losses
    s.history.undo()
    np.testing.assert_array_equal(s.document.scenario.model.layers[0].params["U"], u0)
    assert s.playback.epoch == 1 and s.document.trace.loss == loss0


def test_sigmoid_forget_gate_calculator_trains(qtbot, open_window):
    w = open_window()
    s = w.session
    s.document.set_layer_option(0, "gate_activation", "sigmoid")
    w.train_panel.lr_box.setValue(0.02)
    loss0 = s.document.trace.loss
    w.train_panel.epochs_box.setValue(30)
    with qtbot.waitSignal(w.train_panel.runner.done, timeout=20000):
        w.train_panel.train_button.click()
    assert s.document.trace.loss < loss0


def test_what_went_wrong_forget_gate_design_shows_where_delta_goes(open_window):
    w = open_window("calculator-forget-gate")
    w.named_actions["backward"].trigger()
    d = w.session.document.trace["l0/delta_c"][:, 0]
    # the tally is wiped at t = 4 and t = 8: ε = h − y = −4 and −3, and f[t] = x[t] carries δ back
    assert d[3] == -4 and d[7] == -3 and d[2] == 0.0  # f[4] = CReLU(0) = 0 stops δ at the reset
    assert w.graph.nodes[(0, "c", 4)].text == "−4.00"


def test_overflow_is_shown_not_a_crash(qtbot, open_window):
    w = open_window("calculator-rnn-1.7")
    choose(w.weights, "data/x", (0, 0))
    type_value(qtbot, w.weights, "1e307")
    assert w.session.document.trace.nonfinite_steps("forward")
    assert "overflowed" in w.statusBar().currentMessage()
    assert w.graph.nodes[(0, "h", 8)].fills[0].name() == "#000000"


def test_stop_ends_a_long_run_early_and_keeps_what_it_learned(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    panel = w.train_panel
    panel.epochs_box.setValue(1_000_000)
    panel.runner.progress.connect(lambda n: panel.stop_button.click())  # stop at the first report
    with qtbot.waitSignal(panel.runner.done, timeout=20000):
        panel.train_button.click()
        assert not panel.train_button.isEnabled() and panel.stop_button.isEnabled()
    s = w.session
    assert 2 <= s.playback.epoch <= 100_000 and s.history.count() == 1  # reports come every 0.1 s
    assert len(s.playback.epoch_losses) == s.playback.epoch and panel.train_button.isEnabled()


def test_clicking_an_edge_opens_its_weight_in_the_editor(qtbot, open_window):
    w = open_window("calculator-rnn-1")
    edge = next(e for e in w.graph.edges if e.edge.kind == "recurrent" and e.t == 3)
    w.graph.edge_clicked(edge)
    assert (w.weights.key, w.weights.index) == ("l0/U", (0, 0))
    w.docks["weights"].raise_()
    qtbot.waitUntil(w.weights.isVisible)
    assert w.weights.entry_label.text() == "U[0, 0]" and w.weights.value_box.text() == "1"


def test_snapshots_are_named_and_compared(qtbot, open_window):
    w = open_window()
    s = w.session
    s.comparison.pin()
    s.comparison.pin()
    c = s.comparison
    assert [p.name for p in c.snapshots] == ["pin 1", "pin 2"] and c.compare is c.snapshots[1]
    w.compare.list.item(0).setText("hand design")
    assert s.comparison.snapshots[0].name == "hand design"
    w.compare.list.setCurrentRow(0)
    assert s.comparison.compare.name == "hand design"
    w.compare.remove_button.click()
    assert [p.name for p in s.comparison.snapshots] == ["pin 2"]


def test_analyses_panel_shows_what_lstmviz_analyze_prints(qtbot, open_window, capsys):
    from lstmviz.cli import main
    w = open_window("memorizer")
    w.docks["analyses"].raise_()
    qtbot.waitUntil(w.analysis.isVisible)
    table = w.analysis.lag_table
    panel = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert main(["analyze", "memorizer"]) == 0
    printed = [line.split() for line in capsys.readouterr().out.splitlines()]
    for row in panel:
        assert row in printed  # the same numbers, cell for cell
    assert panel[2][1] == "0.81"  # u² with u = 0.9
    xs, ys = w.analysis.lag_plot.getPlotItem().listDataItems()[0].getData()
    np.testing.assert_allclose(10 ** ys if w.analysis.lag_plot.getPlotItem().ctrl.logYCheck.isChecked() else ys,
                               0.9 ** xs, rtol=1e-12)
    w.analysis.gradcheck_button.click()
    assert "PASS" in w.analysis.gradcheck_text.toPlainText()
    # an edit refreshes the visible panel, a moment later (edits stay instant for large models)
    w.session.document.set_entry("l0/U", (0, 0), 1.1)
    qtbot.waitUntil(lambda: [table.item(2, c).text() for c in range(2)] == ["2", "1.21"], timeout=3000)


def test_the_learning_rate_box_makes_one_undo_entry_and_closing_asks(qtbot, open_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    w = open_window("char-lstm")
    w.docks["train"].raise_()
    box = w.train_panel.lr_box
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "0.05")  # no entry per keystroke: the value counts when it is complete
    qtbot.keyClick(box, Qt.Key.Key_Return)
    s = w.session
    assert s.document.scenario.training.learning_rate == 0.05
    assert s.history.count() == 1 and s.history.text(0) == "learning rate 0.5 → 0.05"
    assert w.windowTitle().startswith("*") and w.history_view.model().rowCount() == 2
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel)
    assert not w.close() and asked  # unsaved: closing asks, and Cancel keeps the window
    w.named_actions["undo"].trigger()
    assert box.value() == 0.5 and not w.windowTitle().startswith("*")


def test_the_phase_5_preview_is_the_update_that_is_applied(qtbot, open_window):
    w = open_window("char-lstm")
    s = w.session
    s.view.select_weight("l0/W_i", (3, 2))
    s.playback.set_playhead(s.playback.playhead.next_phase())  # phase 5
    text = w.inspector.toPlainText()
    preview = float(s.document.descent_update()["l0/W_i"][3, 2])
    assert "clipped to ‖g‖ = 5" in text and text.rstrip().endswith(f"= {fmt(preview)}")
    qtbot.keyClick(w, Qt.Key.Key_Right)  # the update
    assert s.document.scenario.model.layers[0].params["W_i"][3, 2] == preview
    assert f"W_i[3, 2]\n{fmt(preview)}" in w.inspector.toPlainText()


def test_phase_5_says_when_train_updates_more_often_than_once_per_sequence(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    s = w.session
    s.view.select_weight("l0/U", (0, 0))
    s.playback.set_playhead(s.playback.playhead.next_phase())  # phase 5
    assert "Train is set" not in w.inspector.toPlainText()
    s.document.set_training("update at every step", updates="step")
    text = w.inspector.toPlainText()
    assert "Train is set to update the weights at every step (real-time RTRL)" in text
    preview = float(s.document.descent_update()["l0/U"][0, 0])
    assert f"= {fmt(preview)}" in text  # the update phase 5 makes is still shown, with its numbers


def test_watch_lanes_follow_a_variant_switch_and_its_undo(qtbot, open_window):
    w = open_window()  # the calculator's watch w1
    s = w.session
    expression = s.document.scenario.watches[0].expression
    choose(w.weights, "l0/b_f", (0,))
    w.weights.option_widgets["gate_activation"].setCurrentText("sigmoid")
    for _ in range(2):
        fresh = evaluate(expression, s.document.trace).per_step(s.document.trace.steps)[:, 0]
        shown = [w.graph.nodes[(None, "watch:0", t)].text for t in range(1, len(fresh) + 1)]
        assert shown == [fmt(v, short=True) for v in fresh]
        s.history.undo()

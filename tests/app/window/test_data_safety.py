"""The window never loses work and never half-switches: refused files, refused watches, diverging
training, saves of numbers that are not finite, long jumps, values a file may hold."""
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from lstmviz.io import list_presets, save_scenario

CALCULATOR = json.loads(next(p for p in list_presets() if p.key == "calculator-lstm").path.read_text())


def test_opening_a_file_whose_watch_fails_keeps_everything_as_it_was(qtbot, open_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    w = open_window("calculator-rnn-0.5")
    s = w.session
    s.document.set_entry("l0/U", (0, 0), 0.7)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dict(CALCULATOR, watches=[{"expression": "h[t][1/0]"}])))
    assert not w.files.open(str(bad))
    assert w.error_box.text().startswith(f"{bad}: watches[0].expression does not evaluate: column 6: an index")
    w.error_box.close()
    assert s.document.name == "One-node linear RNN, u = 0.5" and s.history.count() == 1
    assert w.graph.nodes[(0, "h", 1)].text == "1.00" and w.windowTitle().startswith("*One-node")
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo acts on the document shown
    assert s.document.scenario.model.layers[0].params["U"][0, 0] == 0.5


def test_a_watch_typed_that_does_not_evaluate_is_refused_in_place(qtbot, open_window):
    w = open_window()
    w.docks["watches"].raise_()
    panel = w.watches
    before = list(w.session.document.scenario.watches)
    for expression in ("h[t][1/0]", "h[t][0/0]", "h[t] + " + "9" * 400):
        panel.expression_box.setText(expression)
        assert not panel.add_watch()
        assert panel.message.text().startswith("refused: ") and w.session.document.scenario.watches == before
    assert panel.table.rowCount() == len(before) and panel.table.item(0, 1).text() == before[0].expression
    panel.expression_box.setText("c[t] - c[t-1]")
    assert panel.add_watch() and panel.table.rowCount() == len(before) + 1
    w.session.document.set_entry("l0/b_i", (0,), 0.9)  # later edits work
    assert w.graph.nodes[(None, "watch:1", 1)].text == "0.900"


def test_diverging_training_keeps_the_last_finite_weights_and_says_why(qtbot, open_window, tmp_path):
    w = open_window("calculator-rnn-1.7")
    s, panel = w.session, w.train_panel
    panel.lr_box.setValue(100.0)
    panel.epochs_box.setValue(50)
    with qtbot.waitSignal(w.trainer.done, timeout=20000):
        panel.train_button.click()
    params = s.document.scenario.model.layers[0].params
    assert all(np.isfinite(v).all() for v in params.values()) and np.isfinite(s.document.trace.loss)
    assert panel.message.text().startswith("Training stopped at epoch ") and "finite" in panel.message.text()
    assert all(np.isfinite(s.playback.losses))
    target = tmp_path / "after.json"
    assert w.files.save_to(target) and json.loads(target.read_text())["name"] == "One-node linear RNN, u = 1.7"


def test_a_document_with_a_non_finite_number_is_not_saved(qtbot, open_window, tmp_path):
    w = open_window()
    target = tmp_path / "s.json"
    save_scenario(w.session.document.scenario, target)
    before = target.read_text()
    w.session.document.scenario.model.layers[0].params["W_o"][0, 0] = np.inf  # however it got there
    assert not w.files.save_to(target)
    assert w.error_box.text() == f"{target}: model.layers[0].params.W_o[0][0] is inf: only finite numbers are saved"
    w.error_box.close()
    assert target.read_text() == before


def test_plots_take_losses_that_are_not_finite(qtbot, open_window):
    w = open_window()
    w.session.playback.show_training_losses([1.0, float("inf"), float("nan"), 2.0])
    assert w.plots.epoch_curve.item.getData()[1].tolist() == [1.0, 2.0]  # drawn: the finite ones


def test_page_down_over_a_long_sequence_moves_the_playhead_once(qtbot, open_window, tmp_path):
    doc = dict(CALCULATOR)
    doc["data"] = {"x": [[1]] * 1337, "y": [[0]] * 1337}
    path = tmp_path / "long.json"
    path.write_text(json.dumps(doc))
    w = open_window(str(path))
    s = w.session
    moves = []
    s.playback.playhead_changed.connect(lambda: moves.append(s.playback.playhead))
    s.playback.go_start()
    qtbot.keyClick(w, Qt.Key.Key_PageDown)
    assert [(p.phase, p.k) for p in moves] == [(1, 0), (2, 0)]


def test_the_train_panel_and_the_view_bar_show_what_the_file_holds(qtbot, open_window, tmp_path):
    doc = dict(CALCULATOR, training={"learning_rate": 1e6, "clip_norm": 1e-7, "gradient": "tbptt:250000"})
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    w = open_window(str(path))
    panel = w.train_panel
    assert panel.lr_box.text() == "1000000.0" and panel.clip_box.text() == "1e-07"
    assert w.view_bar.k_spin.value() == 250000 and str(w.session.document.mode) == "tbptt:250000"
    panel.clip_check.setChecked(False)
    training = w.session.document.scenario.training
    assert training.learning_rate == 1e6 and training.clip_norm is None
    w.session.history.undo()
    assert w.session.document.scenario.training.clip_norm == 1e-7 and panel.clip_check.isChecked()


def test_the_memory_budget_setting_refuses_an_open_and_keeps_the_document(qtbot, open_window, settings):
    w = open_window()
    settings.setValue("memory_budget", 2**20)
    assert not w.files.open("memorizer")
    assert "more than the memory budget of 1.0 MiB" in w.error_box.text()
    w.error_box.close()
    assert w.session.document.name == "Pocket calculator (hand-designed LSTM)"


@pytest.mark.parametrize("expression", ["h[t] < W_i"])
def test_a_stacked_model_watch_with_mismatched_shapes_is_shown_as_an_error_not_a_crash(qtbot, open_window, expression):
    w = open_window("stacked-lstm")
    w.docks["watches"].raise_()
    w.watches.expression_box.setText(expression)
    assert not w.watches.add_watch() and "cannot be evaluated here" in w.watches.message.text()

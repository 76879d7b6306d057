"""The debugger window, driven as a user would: clicks, keys, menus; asserting on what is shown."""
import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from lstmviz.app.model.quantities import NodeRef
from lstmviz.cli import main
from lstmviz.io import list_presets


def node_texts(window, layer, var):
    T = window.session.document.trace.steps
    return [window.graph.nodes[(layer, var, t)].text for t in range(1, T + 1)]


def click_node(qtbot, window, layer, var, t):
    item = window.graph.nodes[(layer, var, t)]
    window.graph.centerOn(item)
    pos = window.graph.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(window.graph.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_default_preset_shows_eight_steps_with_h_printing_4_and_3(open_window):
    w = open_window()
    assert node_texts(w, 0, "h") == ["0", "0", "0", "4.00", "0", "0", "0", "3.00"]
    assert node_texts(w, 0, "c") == ["1.00", "3.00", "4.00", "4.00", "1.00", "2.00", "3.00", "3.00"]
    assert w.windowTitle() == "Pocket calculator (hand-designed LSTM) — lstmviz"
    assert w.status_labels["loss"].text() == "E = 0"
    assert w.graph.nodes[(0, "a_i", 1)].kink  # the hand-designed gates sit on CReLU kinks
    assert not w.view_bar.unit_spin.isVisible()  # one unit: no unit selector


def test_clicking_c4_explains_4_with_the_equation_and_numbers(qtbot, open_window):
    w = open_window()
    click_node(qtbot, w, 0, "c", 4)
    assert w.session.view.selection == NodeRef(0, "c", 4, 0)
    text = w.inspector.toPlainText()
    assert "c[4] = f[4]·c[3] + i[4]·c̃[4]" in text
    assert "c[4] = 1.00·4.00 + 1.00·0 = 4.00" in text
    assert w.graph.nodes[(0, "c", 4)].selected
    assert w.plots.value_curve.item.getData()[1].tolist() == [1, 3, 4, 4, 1, 2, 3, 3]


def test_delta_terms_are_links_to_their_nodes(qtbot, open_window):
    w = open_window()
    p = w.session.document.scenario.model.layers[0].params
    w.session.document.set_arrays({"l0/b_i": np.array([0.9])}, "b_i 1.00 → 0.90")
    w.session.view.select(NodeRef(0, "c", 4, 0))
    text = w.inspector.toPlainText()
    assert "δc[4] = δh[4]·o[4] + δc[5]·f[5]" in text and "−0.400" in text
    html = w.inspector.toHtml()
    assert "node:0/c/5/0" in html  # δc[5]·f[5] jumps to c[5]
    w.inspector.anchorClicked.emit(__import__("PySide6.QtCore", fromlist=["QUrl"]).QUrl("node:0/c/5/0"))
    assert w.session.view.selection == NodeRef(0, "c", 5, 0)
    assert p["b_i"][0] == 0.9


def test_stepping_through_the_five_phases_from_the_keyboard(qtbot, open_window):
    w = open_window()
    s = w.session
    w.graph.setFocus()
    qtbot.keyClick(w, Qt.Key.Key_Home)
    assert s.playback.playhead.phase == 1 and s.playback.playhead.k == 0
    assert w.graph.nodes[(0, "h", 1)].future and "Phase 1/5" in w.status_labels["phase"].text()
    for _ in range(4):
        qtbot.keyClick(w.graph, Qt.Key.Key_Right)
    assert [w.graph.nodes[(0, "h", t)].future for t in (4, 5)] == [False, True]
    assert "t = 4" in w.status_labels["phase"].text()
    qtbot.keyClick(w, Qt.Key.Key_PageDown)        # phase 2: synchronous backprop
    assert s.playback.playhead.phase == 2 and "Synchronous backprop" in w.status_labels["phase"].text()
    qtbot.keyClick(w, Qt.Key.Key_PageDown)        # phase 3: BPTT, δ from the last step backwards
    w.named_actions["backward"].trigger()
    qtbot.keyClick(w, Qt.Key.Key_Right)
    assert [w.graph.nodes[(0, "c", t)].future for t in (7, 8)] == [True, False]
    qtbot.keyClick(w, Qt.Key.Key_PageDown)        # phase 4: weight gradient
    qtbot.keyClick(w, Qt.Key.Key_PageDown)        # phase 5: gradient descent
    assert "Phase 5/5 · Gradient descent" in w.status_labels["phase"].text()
    before = {k: v.copy() for k, v in s.document.scenario.model.layers[0].params.items()}
    qtbot.keyClick(w, Qt.Key.Key_Right)           # the weights move, a new epoch begins
    assert s.playback.epoch == 2 and s.playback.playhead.phase == 1 and w.windowTitle().startswith("*")
    for k, v in before.items():  # E = 0 and kinks: the calculator's gradient is exactly zero
        np.testing.assert_array_equal(s.document.scenario.model.layers[0].params[k], v)
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert s.playback.epoch == 1 and s.playback.playhead.phase == 5
    qtbot.keyClick(w, Qt.Key.Key_End)
    assert s.playback.playhead.phase == 4 and s.playback.playhead.k == 8


def test_gradient_descent_moves_the_weights_and_lowers_the_loss(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    s = w.session
    u0, loss0 = s.document.scenario.model.layers[0].params["U"][0, 0], s.document.trace.loss
    grad = s.document.trace["grad/l0/U"][0, 0]
    s.playback.set_playhead(s.playback.playhead.next_phase())
    qtbot.keyClick(w, Qt.Key.Key_Right)
    params = s.document.scenario.model.layers[0].params
    assert params["U"][0, 0] == u0 - 0.003 * grad  # W and b are frozen by the preset
    assert s.document.scenario.model.layers[0].params["W"][0, 0] == 1.0
    assert s.document.trace.loss < loss0 and s.playback.epoch_losses == [loss0, s.document.trace.loss]
    assert w.plots.epoch_curve.item.getData()[1].tolist() == [loss0, s.document.trace.loss]


def test_backward_view_shows_delta_and_gradient_flow(open_window):
    w = open_window()
    w.session.document.set_arrays({"l0/b_i": np.array([0.9])}, "b_i 1.00 → 0.90")
    w.named_actions["backward"].trigger()
    assert w.session.view.view == "backward"
    assert node_texts(w, 0, "c") == ["−0.400"] * 4 + ["−0.300"] * 4
    assert w.graph.nodes[(0, "h", 4)].mark == "ε −0.400"
    carry = {e.t: e.pen().widthF() for e in w.graph.edges if e.edge.kind == "cell" and e.edge.lag == 1}
    widest = max(w.graph.edges, key=lambda e: e.pen().widthF())
    # the largest flow: δf[4] = δc[4]·c[3] = −0.40·3.60 into f[4] → c[4]; widths are proportional to |flow|
    assert (widest.edge.src, widest.edge.dst, widest.t) == ((0, "f"), (0, "c"), 4)
    # δc[8]·f[8] against the widest; widths are rounded to 0.1 px
    assert (carry[8] - 0.8) / (widest.pen().widthF() - 0.8) == pytest.approx(0.3 / 1.44, rel=0.05)
    assert carry[5] == pytest.approx(0.8)  # f[5] = 0: no gradient flows from c[5] back to c[4]


def test_switching_the_gradient_mode_recomputes_and_is_undoable(qtbot, open_window):
    w = open_window("peephole-lstm")
    s = w.session
    full = s.document.trace["grad/l0/U_i"].copy()
    w.view_bar.mode_combo.setCurrentIndex(1)
    assert str(s.document.mode) == "cec" and w.status_labels["mode"].text() == "gradient: cec"
    assert not np.allclose(s.document.trace["grad/l0/U_i"], full)
    cut = [e for e in w.graph.edges if e.edge.kind == "recurrent"][0]
    assert cut.pen().style() == Qt.PenStyle.DashLine
    w.view_bar.mode_combo.setCurrentIndex(2)
    assert str(s.document.mode) == "tbptt:4" and w.view_bar.k_spin.isVisible()
    w.view_bar.k_spin.setValue(3)
    assert str(s.document.mode) == "tbptt:3"
    s.history.undo()
    s.history.undo()
    assert str(s.document.mode) == "cec" and w.view_bar.mode_combo.currentIndex() == 1


def test_unit_selector_redraws_another_unit(open_window):
    w = open_window("peephole-lstm")
    assert w.view_bar.unit_spin.isVisible() and w.view_bar.unit_spin.maximum() == 1
    h0 = node_texts(w, 1, "h")
    w.view_bar.unit_spin.setValue(1)
    assert w.session.view.unit == 1
    shown = [float(t.replace("−", "-")) for t in node_texts(w, 1, "h")]
    assert shown == pytest.approx(w.session.document.trace["l1/h"][:, 1], rel=5e-3) and node_texts(w, 1, "h") != h0


def test_opening_a_bad_file_shows_the_error_and_keeps_the_scenario(qtbot, open_window, tmp_path):
    w = open_window()
    bad = tmp_path / "bad.json"
    doc = json.loads(list_presets()[0].path.read_text())
    doc["model"]["layers"][0]["gate_activation"] = "tanh"
    bad.write_text(json.dumps(doc))
    assert not w.files.open(str(bad))
    assert w.error_box.text() == f'{bad}: model.layers[0].gate_activation is "tanh", expected one of sigmoid, crelu'
    w.error_box.close()
    assert w.session.document.scenario.name == "Pocket calculator (hand-designed LSTM)"
    assert node_texts(w, 0, "h")[3] == "4.00"


def test_presets_menu_and_recent_files(qtbot, open_window, tmp_path):
    w = open_window()
    presets = next(a.menu() for a in w.menuBar().actions()[0].menu().actions() if a.text() == "&Presets")
    titles = [a.text() for a in presets.actions()]
    assert titles[0] == "Pocket calculator (hand-designed LSTM)"
    assert "Two-layer peephole LSTM (echo two steps back)" in titles
    assert "CReLU" in presets.actions()[0].toolTip()
    next(a for a in presets.actions() if a.text().startswith("One-node linear RNN, u = 1.7")).trigger()
    assert w.session.document.scenario.name == "One-node linear RNN, u = 1.7"
    assert node_texts(w, 0, "h")[7] == "113"
    path = tmp_path / "mine.json"
    assert w.files.save_to(path) and path.exists()
    assert w.files.recent_files() == [str(path.resolve())]
    assert w.menus["File/Open &Recent"].actions()[0].text() == str(path.resolve())


def test_layout_persists(qtbot, open_window, settings):
    w = open_window()
    w.docks["plots"].hide()
    w.close()
    w2 = open_window()
    assert not w2.docks["plots"].isVisible()


def test_screenshot_of_the_default_preset(qapp, tmp_path):
    out = tmp_path / "shot.png"
    assert main(["gui", "--screenshot", str(out), "--size", "1280x800", "--select", "c[4]"]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    colours = {image.pixelColor(x, y).name() for x in range(0, 1280, 16) for y in range(0, 800, 16)}
    assert len(colours) > 30  # a real picture, not a blank window


def test_screenshot_options_are_validated(qapp, tmp_path, capsys):
    out = tmp_path / "s.png"
    for argv, message in ((["--select", "z[1]"], "has no variable z"), (["--phase", "7"], "unknown phase '7'"),
                          (["--step", "99"], "--step must be 0 to 8")):
        assert main(["gui", "--screenshot", str(out), *argv]) == 2
        assert message in capsys.readouterr().err
    assert not out.exists()


def test_clicking_an_edge_shows_its_weight_gradient_accumulating(qtbot, open_window):
    w = open_window()
    w.session.document.set_arrays({"l0/b_i": np.array([0.9])}, "b_i 1.00 → 0.90")
    edge = next(e for e in w.graph.edges if e.edge.kind == "input" and e.edge.dst == (0, "a_i") and e.t == 2)
    w.graph.centerOn(edge)
    points = [w.graph.mapFromScene(edge.path().pointAtPercent(k / 50)) for k in range(50)]
    pos = next(p for p in points if w.graph.itemAt(p) is edge)  # a point where no other edge lies on top
    qtbot.mouseClick(w.graph.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert w.session.view.selected_weight == ("l0/W_i", (0, 0))
    text = w.inspector.toPlainText()
    assert "dE/dw_i = Σ_t δa_i[t]·x[t]" in text
    # δa_i[t] = δc[t]·c̃[t] = δc[t]·x[t]: Σ_t δc[t]·x[t]² = −0.4·(1+4+1) − 0.3·(1+1+1)
    assert "= −3.30 (complete)" in text
    w.session.playback.set_playhead(w.session.playback.playhead.__class__(4, 2, 8))  # phase 4, two steps accumulated
    text = w.inspector.toPlainText()
    assert "= −2.00 (after 2 of 8 steps)" in text  # −0.4·1 − 0.4·4


def test_clicking_a_point_in_a_plot_selects_that_step(qtbot, open_window):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    curve = w.plots.value_curve.item
    curve.sigPointsClicked.emit(curve, [curve.scatter.points()[6]], None)
    assert w.session.view.selection == NodeRef(0, "c", 7, 0)
    assert w.plots.cursors[0].value() == 7
    assert w.graph.nodes[(0, "c", 7)].selected and not w.graph.nodes[(0, "c", 4)].selected


def test_all_units_heat_strip(open_window):
    w = open_window("peephole-lstm")
    assert not w.plots.heat_plot.isVisible()
    w.named_actions["heat"].trigger()
    assert w.plots.heat_plot.isVisible()
    w.session.view.select(NodeRef(1, "c", 3, 0))
    image = w.plots.heat.image
    np.testing.assert_array_equal(image, w.session.document.trace["l1/c"])  # (T, H): every unit of the lane


def test_play_runs_the_phases_and_stops_before_the_weights_move(qtbot, open_window):
    w = open_window()
    w.player.timer.setInterval(1)
    qtbot.keyClick(w, Qt.Key.Key_Space)  # from "everything computed", play restarts the epoch
    assert w.player.timer.isActive()
    qtbot.waitUntil(lambda: not w.player.timer.isActive(), timeout=5000)
    ph = w.session.playback.playhead
    assert (ph.phase, ph.k) == (4, 8) and w.session.playback.epoch == 1


def test_keyboard_keeps_stepping_after_clicking_the_inspector(qtbot, open_window):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    qtbot.mouseClick(w.inspector.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClick(w.inspector, Qt.Key.Key_Home)
    assert w.session.playback.playhead.k == 0 and w.session.playback.playhead.phase == 1
    qtbot.keyClick(w.inspector, Qt.Key.Key_Right)
    assert w.session.playback.playhead.k == 1


def test_unsaved_changes_prompt_before_opening_another_scenario(qtbot, open_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    w = open_window()
    w.session.document.set_arrays({"l0/b_i": np.array([0.9])}, "b_i 1.00 → 0.90")
    assert w.windowTitle().startswith("*")
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel)
    assert not w.files.open("calculator-rnn-1")
    assert asked and w.session.document.scenario.model.layers[0].params["b_i"][0] == 0.9
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert w.files.open("calculator-rnn-1") and w.session.document.scenario.name == "One-node linear RNN, u = 1"
    assert not w.windowTitle().startswith("*")


def test_a_preset_opens_with_its_story(open_window):
    w = open_window()
    assert w.files.open("long-lag")
    text = w.inspector.toPlainText()
    assert text.startswith("Long lag (full vs cec vs tbptt)") and "19 steps earlier" in text


def test_every_action_of_the_table_runs(qtbot, open_window, monkeypatch):
    """Each menu item and shortcut does its job without an error (file dialogs answered with Cancel)."""
    from PySide6.QtWidgets import QFileDialog, QInputDialog
    for name in ("getOpenFileName", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("3G", True))
    w = open_window("peephole-lstm")
    skipped = {"quit", "present", "tour"} | {n for n in w.named_actions if n.startswith(("preset_", "dock_"))}
    for name, action in w.named_actions.items():
        if name not in skipped and action.isEnabled():
            action.trigger()
    assert w.session.view.view == "backward" and w.session.view.unit == 0  # F3 after F2; U then Shift+U
    assert [p.name for p in w.session.comparison.snapshots] == ["pin 1"] and w.session.comparison.show_diff
    assert w.graph.theme_name == "dark" and w.graph.colour_map == "cividis"  # the last choice of each group wins
    assert w.named_actions["theme_dark"].isChecked() and not w.named_actions["theme_light"].isChecked()
    assert w.memory_budget() == 3 * 2**30

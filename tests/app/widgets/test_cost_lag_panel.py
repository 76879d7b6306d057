"""window:K in the window and the cost × lag view (seed 003: dC(t)/dW = Σ_u dC(t)/dW(t−u))."""
import copy

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from lstmviz.app.model.quantities import NodeRef
from lstmviz.app.widgets.view_bar import window_reach
from lstmviz.core import analysis, compute
from lstmviz.core.analysis import cost_lag
from lstmviz.core.modes import parse_mode

SEED_003_WINDOW_3 = -17.29846  # dE/du of calculator-rnn-0.5 with each cost reaching back 3 steps (seed 003)
SEED_003_TBPTT_3 = -12.18335
FULL = -18.06897               # the same with every lag


def only_cost(scenario, t: int):
    """The scenario with only E[t] scored: its gradient is dC(t)/dW, by a path that never splits costs."""
    s = copy.deepcopy(scenario)
    keep = np.zeros_like(s.data.mask)
    keep[t - 1] = s.data.mask[t - 1]
    s.data.mask[:] = keep
    return s


def test_window_3_in_the_view_bar_gives_seed_003s_gradient_and_undo_restores_full(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    s = w.session
    w.view_bar.mode_combo.setCurrentIndex(w.view_bar.mode_combo.findText("window:K"))
    assert w.view_bar.k_spin.isVisible() and w.view_bar.k_spin.prefix() == "K = "
    w.view_bar.k_spin.setValue(3)
    assert str(s.document.mode) == "window:3"
    assert s.document.trace["grad/l0/U"][0, 0] == pytest.approx(SEED_003_WINDOW_3, abs=5e-6)
    assert w.status_labels["mode"].text() == "gradient: window:3"
    s.view.select_weight("l0/U", (0, 0))
    assert "dE/du = −17.3 (complete)" in w.inspector.toPlainText()
    s.view.select(NodeRef(0, "h", 5, 0))  # the status bar says which costs reach δ[5]
    assert w.view_bar.reach.isVisible() and w.view_bar.reach.text() == "t = 5: δ carries E[5…7]"
    w.view_bar.mode_combo.setCurrentIndex(w.view_bar.mode_combo.findText("tbptt:K"))
    assert str(s.document.mode) == "tbptt:3" and not w.view_bar.reach.isVisible()
    assert s.document.trace["grad/l0/U"][0, 0] == pytest.approx(SEED_003_TBPTT_3, abs=5e-6)
    s.history.undo()
    s.history.undo()
    s.history.undo()
    assert str(s.document.mode) == "full" and not w.view_bar.k_spin.isVisible()
    assert w.view_bar.mode_combo.currentText() == "full BPTT"
    assert s.document.trace["grad/l0/U"][0, 0] == pytest.approx(FULL, abs=5e-6)


def test_the_truncation_tab_has_a_window_k_column(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    w.docks["analyses"].raise_()
    w.analysis.setCurrentIndex(2)
    w.analysis.k_box.setValue(3)
    qtbot.waitUntil(lambda: not w.analysis._stale)
    table = w.analysis.truncation_table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert w.analysis.k_box.prefix() == "K = " and "‖window:3‖" in headers
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "l0/U")
    assert table.item(row, headers.index("‖window:3‖")).text() == "17.2985"  # |−17.29846|
    assert table.item(row, headers.index("‖tbptt:3‖")).text() == "12.1833"


def show_panel(qtbot, w):
    w.docks["cost_lag"].raise_()
    qtbot.waitUntil(lambda: w.cost_lag.result is not None and not w.cost_lag._stale)
    return w.cost_lag


def test_the_cost_lag_panel_adds_up_to_each_cost_and_to_the_gradient(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    w.session.document.set_mode("window:3")
    panel = show_panel(qtbot, w)
    c = panel.result
    assert (c.param, c.index) == ("l0/U", (0, 0)) and c.matrix.shape == (8, 8)
    scenario = w.session.document.scenario
    for t in range(1, 9):  # each row sums to dC(t)/du; its columns u < 3 to C(t)'s window:3 gradient
        alone = only_cost(scenario, t)
        assert c.per_cost[t - 1] == pytest.approx(compute(alone)["grad/l0/U"][0, 0], abs=1e-12)
        assert c.window(3)[t - 1] == pytest.approx(compute(alone, "window:3")["grad/l0/U"][0, 0], abs=1e-12)
    assert c.total == pytest.approx(compute(scenario)["grad/l0/U"][0, 0], abs=1e-12)
    assert panel.k == 3 and not panel.k_spin.isEnabled()  # K from the document's mode
    assert panel.k_lines[0].value() == 2.5  # between u = 2 and u = 3
    text = panel.summary.text()
    assert "Σ all = <b>−18.06897</b>" in text and "window:3 keeps u &lt; 3: <b>−17.29846</b>" in text


def test_changing_k_moves_the_marker_and_the_window_sums(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    panel = show_panel(qtbot, w)
    assert panel.k_spin.isEnabled()  # full BPTT: K is the panel's own
    panel.k_spin.setValue(5)
    assert panel.k_lines[0].value() == 4.5 and panel.k_lines[1].value() == 4.5
    window_5 = compute(w.session.document.scenario, "window:5")["grad/l0/U"][0, 0]
    assert f"window:5 keeps u &lt; 5: <b>{window_5:.7g}".replace("-", "−") in panel.summary.text()
    assert panel.describe("rows", 8, -1).startswith("dC(8)/du = −7.29: the cost at t = 8 through every copy of u")
    assert panel.describe("heat", 8, 2) == ("dC(8)/du(6) = −0.803: the cost at t = 8 through the u used at step 6 "
                                            "(lag u = 2, inside window:5)")
    assert "outside window:5: cut" in panel.describe("heat", 8, 6)
    assert "no such copy of u" in panel.describe("heat", 4, 5)


def test_selecting_a_weight_shows_it_and_a_row_click_selects_its_cost(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    panel = show_panel(qtbot, w)
    w.session.view.select_weight("l0/W", (0, 0))
    qtbot.waitUntil(lambda: panel.result.param == "l0/W")
    assert panel.weight_edit.text() == "l0/W[0,0]"
    assert panel.result.total == pytest.approx(w.session.document.trace["grad/l0/W"][0, 0], abs=1e-12)
    panel.weight_edit.setText("l0/V[0,0]")
    panel.weight_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: panel.info.text().startswith("Cost × lag ▸ weight:"))
    assert panel.result.param == "l0/W"  # the last good one stays
    vb = panel.heat_plot.getViewBox()
    centre = vb.mapViewToScene(vb.mapToView(vb.rect().center()))
    cell = panel.cell_at(centre)
    assert cell is not None and cell[0] == "heat"
    panel.select_cost(cell[1])
    assert w.session.view.selection == NodeRef(None, "loss", cell[1])


def test_log_colours_keep_zero_in_the_middle(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    panel = show_panel(qtbot, w)
    lo, hi = panel.colorbar.levels()
    assert lo == -hi and hi == pytest.approx(6.46875)  # the largest |term|: dC(4)/du(4)
    qtbot.mouseClick(panel.log_box, Qt.MouseButton.LeftButton)
    lo, hi = panel.colorbar.levels()
    assert lo == -hi and hi == pytest.approx(np.log10(1 + 1e4))


def test_the_reach_of_a_step_under_window_k():
    short, full = window_reach(parse_mode("window:3"), 5, 8)
    assert short == "t = 5: δ carries E[5…7]"
    assert "E[5] itself reaches back to step 3" in full and "t′−2 … t′" in full
    assert window_reach(parse_mode("window:3"), 8, 8)[0] == "t = 8: δ carries E[8]"
    assert window_reach(parse_mode("tbptt:3"), 5, 8) == ("", "")


def test_hovering_a_cell_says_what_it_is_and_the_selected_step_is_marked(qtbot, open_window):
    w = open_window("calculator-rnn-0.5")
    panel = show_panel(qtbot, w)
    vb = panel.heat_plot.getViewBox()
    scene = vb.mapViewToScene(QPointF(2, 8))  # the cell t = 8, u = 2
    viewport = panel.canvas.viewport()
    at = QPointF(panel.canvas.mapFromScene(scene))

    def mouse(kind, button, buttons):
        QApplication.sendEvent(viewport, QMouseEvent(kind, at, viewport.mapToGlobal(at), button, buttons,
                                                     Qt.KeyboardModifier.NoModifier))
    mouse(QEvent.Type.MouseMove, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    qtbot.waitUntil(lambda: panel.info.text().startswith("dC(8)/du(6) = −0.803"))
    mouse(QEvent.Type.MouseButtonPress, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton)
    mouse(QEvent.Type.MouseButtonRelease, Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton)
    qtbot.waitUntil(lambda: w.session.view.selection == NodeRef(None, "loss", 8))  # the clicked row's cost
    assert panel.selected_row.rect().center().y() == 8
    w.session.view.select(NodeRef(0, "a", 5, 0))
    assert panel.selected_row.isVisible() and panel.selected_row.rect().center().y() == 5


def test_a_big_model_gets_fewer_lags_and_the_panel_says_so(qtbot, open_window, monkeypatch):
    monkeypatch.setattr(analysis, "COST_LAG_WORK", 48)  # 8 steps × 3 lags × 2 multiply-adds
    w = open_window("calculator-rnn-0.5")
    panel = show_panel(qtbot, w)
    assert panel.result.matrix.shape == (8, 3) and panel.k_spin.maximum() == 3
    assert "(lags u &lt; 3 of 8: capped for this model's size)" in panel.summary.text()
    every_lag = cost_lag(w.session.document.trace, "l0/U", (0, 0)).matrix
    np.testing.assert_array_equal(panel.result.matrix, every_lag[:, :3])

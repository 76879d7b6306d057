"""The Watches panel: watches as lanes, checks that re-run on edits, breakpoints that stop playback."""
import numpy as np
from PySide6.QtCore import Qt

from lstmviz.app.model.quantities import NodeRef


def add(w, expression, equals=""):
    w.docks["watches"].raise_()  # the Watches tab in front, as a user would have it
    w.watches.expression_box.setText(expression)
    w.watches.equals_box.setText(equals)
    return w.watches.add_watch()


def test_a_watch_is_a_lane_in_the_graph_and_a_curve_in_the_plots(open_window):
    w = open_window("calculator-rnn-1")
    assert add(w, "h[t] - h[t-1]")
    assert [n.text for n in (w.graph.nodes[(None, "watch:0", t)] for t in range(1, 9))] == \
        ["1.00", "2.00", "1.00", "0", "1.00", "1.00", "1.00", "0"]  # = x[t] when u = 1
    w.session.view.select(NodeRef(None, "watch:0", 3, 0))
    assert "w1[3]" in w.inspector.toPlainText() and "h[t] - h[t-1]" in w.inspector.toPlainText()
    assert w.plots.value_curve.item.getData()[1].tolist() == [1, 2, 1, 0, 1, 1, 1, 0]
    assert w.session.history.text(0) == "watch w1: h[t] - h[t-1]"
    w.session.history.undo()
    assert (None, "watch:0", 1) not in w.graph.nodes


def test_a_hostile_watch_is_refused_and_nothing_changes(open_window):
    w = open_window("calculator-rnn-1")
    assert not add(w, "__import__('os').system('true')")
    assert "refused: column 1: attribute access is not allowed" in w.watches.message.text()
    assert w.session.document.scenario.watches == [] and w.session.history.count() == 0


def test_checks_show_the_first_failing_step_and_re_run_on_every_edit(open_window):
    w = open_window()
    w.session.document.set_entry("l0/b_i", (0,), 0.9)
    assert add(w, "delta_h[t]*o[t] + delta_c[t+1]", "delta_c")  # the f[t+1] factor forgotten
    table = w.watches.table
    assert table.item(0, 3).text() == "✓ agrees"  # the preset's own watch
    assert table.item(1, 3).text() == "✗ first differs at t = 4, unit 0"
    w.watches.table.setCurrentCell(1, 1)
    details = w.watches.details.toPlainText()
    assert "delta_c[t+1]" in details and "−0.300" in details and "δc[4] = δh[4]·o[4] + δc[5]·f[5]" in details
    w.session.document.set_entry("l0/U_f", (0, 0), 0.0)  # f ≡ 1 now: the forgotten factor no longer matters
    assert table.item(1, 3).text() == "✓ agrees"


def test_a_breakpoint_stops_playback_selects_the_hit_and_f8_continues(qtbot, open_window):
    w = open_window()
    w.docks["watches"].raise_()
    w.watches.bp_saturation.setChecked(True)
    w.player.timer.setInterval(1)
    qtbot.keyClick(w, Qt.Key.Key_Space)  # play from the start: t = 1 of phase 1 computes i = CReLU(1), a kink
    qtbot.waitUntil(lambda: not w.player.timer.isActive(), timeout=5000)
    assert (w.session.playback.playhead.phase, w.session.playback.playhead.k) == (1, 1)
    assert w.session.view.selection == NodeRef(0, "a_i", 1, 0)
    assert "breakpoint: gate i saturates at t = 1" in w.statusBar().currentMessage()
    w.watches.bp_saturation.setChecked(False)
    w.watches.bp_watch_choice.setCurrentIndex(0)
    assert add(w, "h[t] > 3")
    w.watches.bp_watch_choice.setCurrentIndex(1)
    w.watches.bp_watch.setChecked(True)
    qtbot.keyClick(w, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: not w.player.timer.isActive(), timeout=5000)
    assert (w.session.playback.playhead.phase, w.session.playback.playhead.k) == (1, 4)  # h[4] = 4 > 3
    assert "h[t] > 3 holds at t = 4" in w.statusBar().currentMessage()


def test_page_down_stops_at_a_breakpoint_inside_the_phase(qtbot, open_window):
    w = open_window("calculator-rnn-1.7")
    w.docks["watches"].raise_()
    w.watches.bp_above.setChecked(True)
    w.watches.bp_above_value.setValue(1000)
    w.session.playback.set_playhead(w.session.playback.playhead.__class__(3, 0, 8))
    qtbot.keyClick(w, Qt.Key.Key_PageDown)
    ph = w.session.playback.playhead
    # δ runs from t = 8 down: ‖δh[4]‖ = 927, ‖δh[3]‖ = 1576 is the first above 1000
    assert ph.phase == 3 and ph.current_t == 3 and np.linalg.norm(w.session.document.trace["l0/delta_h"][2]) > 1000

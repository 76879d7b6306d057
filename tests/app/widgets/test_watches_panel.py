"""The Watches panel names the norms its vanishing / exploding breakpoints test."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QScrollArea


def test_the_delta_breakpoints_name_both_norms(qtbot, open_window):
    w = open_window("calculator-rnn-1.7", size=(1366, 768))
    w.docks["watches"].raise_()
    panel = w.watches
    qtbot.waitUntil(panel.isVisible)
    assert panel.bp_below.text() == "‖δh‖ or ‖δc‖ below" and panel.bp_above.text() == "‖δh‖ or ‖δc‖ above"
    for box in (panel.bp_below, panel.bp_above):
        assert "‖δh[t]‖ or ‖δc[t]‖ of any layer" in box.toolTip() and "Euclidean norm" in box.toolTip()
    assert all("‖δ‖" not in b.text() for b in panel.findChildren(QCheckBox))
    panel.bp_below.setChecked(True)
    panel.bp_above.setChecked(True)
    panel.bp_above_value.setValue(1000)
    below, above = w.session.playback.breakpoints
    assert (below.kind, above.kind) == ("delta_below", "delta_above")
    assert below.describe().startswith("‖δh‖ or ‖δc‖ < ") and above.describe() == "‖δh‖ or ‖δc‖ > 1000 (exploding)"
    panel.bp_below.setChecked(False)
    w.session.playback.set_playhead(w.session.playback.playhead.__class__(3, 0, 8))
    qtbot.keyClick(w, Qt.Key.Key_PageDown)
    assert "‖δh[3]‖ = 1.58e+03 in layer 0" in w.statusBar().currentMessage()  # the norm that held, by name


def test_the_breakpoint_labels_fit_a_small_window(qtbot, open_window):
    w = open_window("peephole-lstm", size=(1366, 768))
    w.docks["watches"].raise_()
    panel = w.watches
    qtbot.waitUntil(panel.isVisible)
    area = w.docks["watches"].findChild(QScrollArea)
    qtbot.waitUntil(lambda: not area.horizontalScrollBar().isVisible())
    for box in (panel.bp_below, panel.bp_above):
        assert box.width() >= box.sizeHint().width(), box.text()

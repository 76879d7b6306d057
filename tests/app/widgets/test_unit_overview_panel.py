"""The Units panel: a units × time heat map of one layer, sorted rows, the threshold brush, and a click on
a row that makes the graph draw that unit."""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from lstmviz.app.numbers import fmt
from lstmviz.core import compute
from lstmviz.io import save_scenario
from tests.helpers import lstm, random_scenario

H, T = 12, 30


@pytest.fixture
def window(open_window, tmp_path):
    path = tmp_path / "units.json"
    save_scenario(random_scenario([lstm(2, H), lstm(H, H)], T=T, seed=5, scale=1.2), path)
    return open_window(str(path))


def shown(w):
    w.docks["units"].raise_()
    w.units.refresh_if_stale()
    return w.units


def mouse(panel, row, t, kind, button=Qt.MouseButton.NoButton, buttons=Qt.MouseButton.NoButton):
    """A real mouse event over the cell (row, t) of the map."""
    viewport = panel.canvas.viewport()
    at = QPointF(panel.canvas.mapFromScene(panel.heat_plot.getViewBox().mapViewToScene(QPointF(t, row))))
    QApplication.sendEvent(viewport, QMouseEvent(kind, at, viewport.mapToGlobal(at), button, buttons,
                                                 Qt.KeyboardModifier.NoModifier))


def click(panel, row, t):
    left = Qt.MouseButton.LeftButton
    mouse(panel, row, t, QEvent.Type.MouseButtonPress, left, left)
    mouse(panel, row, t, QEvent.Type.MouseButtonRelease, left)


def test_the_map_is_the_layers_trace_sorted_by_mean_with_unit_numbers_on_the_rows(window):
    panel = shown(window)
    c = compute(window.session.document.scenario)["l1/c"]
    assert panel.layer_combo.currentText() == "layer 1" and panel.var_combo.currentText() == "c"
    np.testing.assert_array_equal(panel.image.image, c)  # x = t, y = unit, in unit order
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findData("mean"))
    by_mean = sorted(range(H), key=lambda j: -c[:, j].mean())
    assert list(panel.order) == by_mean
    np.testing.assert_array_equal(panel.image.image, c[:, by_mean])
    assert panel.axis.tickStrings([0.0, 1.0], 1, 1) == [str(by_mean[0]), str(by_mean[1])]
    top = np.sort(np.abs(c).ravel())[int(0.99 * (c.size - 1))]  # about the 99th percentile of |c|
    assert panel.colorbar.levels()[1] == pytest.approx(top, rel=0.05) and sum(panel.colorbar.levels()) == 0
    panel.var_combo.setCurrentIndex(panel.var_combo.findData("f"))
    assert panel.colorbar.levels() == (0.0, 1.0)  # a gate: the sequential scale over [0, 1]


def test_the_typed_brush_keeps_the_units_that_stay_above_and_lists_them(window):
    panel = shown(window)
    c = compute(window.session.document.scenario)["l1/c"]
    panel.range_edit.setText("t = 3…9")
    panel.threshold_edit.setText("0.1")
    panel.abs_box.setChecked(True)
    panel.threshold_edit.editingFinished.emit()
    expected = [j for j in range(H) if all(abs(c[t - 1, j]) > 0.1 for t in range(3, 10))]
    assert 0 < len(expected) < H  # the scenario has something to find
    assert sorted(np.flatnonzero(panel.kept)) == expected
    listed = [panel.kept_list.item(k).text() for k in range(panel.kept_list.count())]
    assert sorted(listed) == sorted(f"unit {j}" for j in expected)
    assert panel.count_label.text().startswith(f"<b>{len(expected)}</b> of {H} units whose |c| stays above 0.100 "
                                               "over t = 3…9")
    assert panel.region.getRegion() == (2.5, 9.5)
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findData("score"))
    assert sorted(panel.order[:len(expected)]) == expected  # the kept units come first
    marked = np.flatnonzero(panel.marks.image[0])  # the strip beside the rows: dark where a unit is kept
    assert list(marked) == list(range(len(expected)))


def test_dragging_the_band_sets_the_range(window):
    panel = shown(window)
    panel.region.setRegion((10.2, 14.7))  # what a drag leaves: the steps it covers
    assert panel.range_edit.text() == "t = 11…14" and (panel.brush.first, panel.brush.last) == (11, 14)


def test_a_bad_range_is_refused_in_one_line_naming_the_panel(window):
    panel = shown(window)
    panel.range_edit.setText("t = 20…99")
    panel.range_edit.editingFinished.emit()
    assert panel.info.text() == f"Units ▸ time range: t = 20…99 is not within t = 1…{T} (first ≤ last)"
    assert panel.brush is None and not panel.kept.any()


def test_clicking_a_row_draws_that_unit_in_the_graph(qtbot, window):
    panel = shown(window)
    panel.sort_combo.setCurrentIndex(panel.sort_combo.findData("peak"))
    row = 4
    unit = int(panel.order[row])
    assert unit != row and window.session.view.unit != unit
    mouse(panel, row, 7, QEvent.Type.MouseMove)
    c = window.session.document.trace["l1/c"]
    qtbot.waitUntil(lambda: panel.info.text() == f"unit {unit}, t = 7: c = {fmt(float(c[6, unit]))}")
    before = window.session.view.unit
    assert fmt(float(c[T - 1, unit]), short=True) != fmt(float(c[T - 1, before]), short=True)  # the graph can tell
    click(panel, row, 7)
    qtbot.waitUntil(lambda: window.session.view.unit == unit)
    assert window.view_bar.unit_spin.value() == unit and window.view_bar.unit_spin.value() == unit
    window.session.playback.go_end()  # the graph follows to the last step, every value computed
    qtbot.waitUntil(lambda: window.graph.nodes[(1, "c", T)].text == fmt(float(c[T - 1, unit]), short=True))
    assert panel.chosen_row.isVisible() and panel.chosen_row.rect().center().y() == row


def test_choosing_a_listed_unit_draws_it(qtbot, window):
    panel = shown(window)
    panel.range_edit.setText("1…30")
    panel.threshold_edit.setText("-10")
    panel.threshold_edit.editingFinished.emit()  # every unit stays above −10
    assert panel.kept_list.count() == H
    item = panel.kept_list.item(9)
    panel.kept_list.scrollToItem(item)
    rect = panel.kept_list.visualItemRect(item)
    qtbot.mouseClick(panel.kept_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.session.view.unit == item.data(Qt.ItemDataRole.UserRole) == 9


def test_an_edit_recomputes_the_map_when_shown_and_waits_behind_another_tab(qtbot, window):
    panel = shown(window)
    doc = window.session.document
    doc.set_entry("l1/b_i", (0,), 3.0)
    qtbot.waitUntil(lambda: not panel._stale)
    np.testing.assert_array_equal(panel.image.image, doc.trace["l1/c"])
    window.docks["plots"].raise_()
    doc.set_entry("l1/b_i", (0,), -3.0)
    qtbot.wait(400)
    assert panel._stale and not np.array_equal(panel.image.image, doc.trace["l1/c"])
    window.docks["units"].raise_()
    qtbot.waitUntil(lambda: np.array_equal(panel.image.image, doc.trace["l1/c"]))

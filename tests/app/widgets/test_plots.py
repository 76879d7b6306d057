"""The plots under the graph: the engine's numbers after an edit, no work while hidden behind another tab,
markers only on short curves, axes that hold still, still items blitted on screen but drawn as text in an SVG."""
import dataclasses
import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from lstmviz.app.model.quantities import NodeRef
from lstmviz.app.widgets.plots import MAX_MARKERS, SteadyPlot
from lstmviz.core.model import Data
from lstmviz.io import load_scenario
from lstmviz.io.scenario_writer import save_scenario


def curve_y(curve) -> list[float]:
    return curve.item.getData()[1].tolist()


def test_after_an_edit_the_curves_are_the_engines_trace(open_window):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    assert w.session.document.set_entry("l0/b_g", (0,), 0.5) is None
    trace = w.session.document.trace
    assert curve_y(w.plots.value_curve) == trace["l0/c"][:, 0].tolist()
    assert curve_y(w.plots.delta_curve) == trace["l0/delta_c"][:, 0].tolist()
    assert w.plots.loss_values.tolist() == trace["loss_t"].tolist()


def test_a_plots_panel_behind_another_tab_is_not_refreshed_until_its_tab_comes_up(open_window, qtbot):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    before = curve_y(w.plots.value_curve)
    w.docks["history"].raise_()
    qtbot.waitUntil(lambda: not w.plots.visibleRegion().contains(w.plots.rect().center()))
    w.session.document.set_entry("l0/b_g", (0,), 0.5)
    fresh = w.session.document.trace["l0/c"][:, 0].tolist()
    assert fresh != before
    assert curve_y(w.plots.value_curve) == before  # hidden: no work
    w.docks["plots"].raise_()
    qtbot.waitUntil(lambda: curve_y(w.plots.value_curve) == fresh)  # caught up when shown


def long_calculator(path, steps: int):
    s = load_scenario("calculator-lstm")
    d, reps = s.data, steps // s.data.steps
    data = Data(x=np.tile(d.x, (reps, 1)), y=np.tile(d.y, (reps,) + (1,) * (d.y.ndim - 1)), mask=np.tile(d.mask, reps))
    save_scenario(dataclasses.replace(s, data=data), path)
    return str(path)


def test_markers_only_while_a_curve_has_few_points(open_window, tmp_path):
    short = open_window()
    assert short.plots.value_curve.item.scatter.isVisible()
    steps = (MAX_MARKERS // 8 + 1) * 8  # just above the limit
    w = open_window(long_calculator(tmp_path / "long.json", steps))
    w.session.document.set_entry("l0/b_g", (0,), 0.5)  # the dashed curves of "before my edit" too
    QApplication.processEvents()
    assert len(w.plots.value_pinned.item.getData()[0]) == steps
    item = w.plots.value_curve.item
    assert len(item.getData()[0]) == steps > MAX_MARKERS
    assert not item.scatter.isVisible()
    assert item.opts["pen"].widthF() == 1 and w.plots.value_pinned.item.opts["pen"].widthF() == 1  # thin lines
    assert w.plots.value_pinned.item.opts["pen"].style() == Qt.PenStyle.DashLine  # still dashed
    w.session.playback.go_start()
    for _ in range(MAX_MARKERS):
        w.session.playback.step_forward()  # phase 1: as many values as steps taken
    assert len(item.getData()[0]) == MAX_MARKERS and item.scatter.isVisible()
    assert item.opts["pen"].widthF() == 2


def test_the_axes_stay_put_while_edits_go_back_and_forth(qapp):
    plot = SteadyPlot(pg.PlotItem())
    ranges = []
    plot.plot.setYRange = lambda lo, hi, padding: ranges.append((lo, hi))
    a, b, zero = np.array([0.0, 1.0]), np.array([0.5, 1.6]), np.zeros(2)
    for series in (a, b, a, b, zero, a):
        plot.fit(2, [series])
    assert len(ranges) == 2  # once for a, once grown over a and b; then never again (all zero: nothing)
    lo, hi = ranges[-1]
    assert lo < 0.0 and hi > 1.6
    plot.fit(2, [np.array([0.1, 0.3])])  # (with the zero line) a span under 0.4 of the axis: it shrinks
    assert len(ranges) == 3 and -0.1 < ranges[-1][0] < 0 and 0.3 < ranges[-1][1] < 0.4


def test_the_plots_exported_from_behind_another_tab_are_up_to_date(open_window, qtbot, tmp_path):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    w.docks["history"].raise_()
    qtbot.waitUntil(lambda: w.plots.viewport().visibleRegion().isEmpty())
    w.session.document.set_entry("l0/b_g", (0,), 0.5)
    assert w.files.export_to("plots", tmp_path / "plots.png")
    assert curve_y(w.plots.value_curve) == w.session.document.trace["l0/c"][:, 0].tolist()


def test_the_markers_sit_on_the_engines_numbers_after_an_edit_its_undo_and_redo(open_window):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    scatter = w.plots.value_curve.item.scatter
    doc = w.session.document
    for change in (lambda: doc.set_entry("l0/b_i", (0,), 0.9), w.session.history.undo, w.session.history.redo):
        change()
        c = doc.trace["l0/c"][:, 0]
        xs, ys = scatter.getData()
        assert xs.tolist() == list(range(1, 9)) and ys.tolist() == c.tolist()
        assert scatter.dataBounds(1) == (c.min(), c.max())  # what its bounding rect, and so its repaint, covers
        assert scatter.boundingRect() == pg.ScatterPlotItem.boundingRect(scatter)  # its kept one is fresh
    assert c.max() == 3.6  # b_i = 0.9: 90 % of each input, after the undo had brought back 4.0


def test_the_axes_hold_still_across_an_edit_and_its_undo(open_window):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    plots = (w.plots.value_plot, w.plots.delta_plot)

    def view_ranges():
        return [plot.plot.vb.viewRange() for plot in plots]
    before = view_ranges()
    w.session.document.set_entry("l0/b_i", (0,), 0.9)
    edited = view_ranges()
    deltas = w.session.document.trace["l0/delta_c"][:, 0]
    (_, value_y), (_, delta_y) = edited
    assert value_y == before[0][1]  # c stayed inside its axis
    assert deltas.min() < before[1][1][0] and delta_y[0] < deltas.min()  # δc left its own, which grew over it
    assert delta_y[1] == before[1][1][1]  # and over the old range
    for _ in range(2):
        w.session.history.undo()  # δc = 0 again: the grown axis stays
        assert view_ranges() == edited
        w.session.history.redo()
        assert view_ranges() == edited


def test_the_axes_are_blitted_on_screen_and_written_as_text_into_an_svg(open_window, tmp_path):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    w.session.document.set_entry("l0/b_i", (0,), 0.9)  # the δ axis grows (new tick labels, the layout settles)
    QApplication.processEvents()
    axis = w.plots.value_plot.plot.getAxis("bottom")
    painted, paint = [], axis.paint
    axis.paint = lambda *args: painted.append(paint(*args))
    w.plots.viewport().repaint()  # its cache made, if it was not yet
    painted.clear()
    w.session.history.undo()
    w.plots.viewport().repaint()
    assert painted == []  # the plot over it was repainted, the axis came from its cache
    assert w.files.export_to("plots", tmp_path / "plots.svg")
    assert painted  # drawn for the SVG, not copied from the cache as a picture
    texts = {text.strip() for text in re.findall(r">([^<>]*)</text>", (tmp_path / "plots.svg").read_text())}
    assert {"t", "1", "2", "3", "4", "5", "6", "7", "8"} <= texts
    w.plots.viewport().repaint()  # the caches made again
    painted.clear()
    w.session.history.redo()
    w.plots.viewport().repaint()
    assert painted == []


def test_a_click_on_a_marker_selects_that_step(open_window, qtbot):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    w.session.document.set_entry("l0/b_i", (0,), 0.9)  # the markers moved in place
    QApplication.processEvents()
    scatter = w.plots.value_curve.item.scatter
    xs, ys = scatter.getData()
    at = w.plots.mapFromScene(scatter.mapToScene(QPointF(xs[5], ys[5])))
    qtbot.mouseClick(w.plots.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert w.session.view.selection == NodeRef(0, "c", 6, 0)
    assert w.plots.cursors[0].value() == 6


def test_the_dashed_curves_follow_the_compared_snapshot_and_the_lane(open_window):
    w = open_window()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    doc, comparison = w.session.document, w.session.comparison
    before = {var: doc.trace[f"l0/{var}"][:, 0].tolist() for var in ("c", "h")}
    doc.set_entry("l0/b_i", (0,), 0.9)  # "before my edit" pinned and compared
    first = comparison.compare
    assert curve_y(w.plots.value_pinned) == before["c"] != doc.trace["l0/c"][:, 0].tolist()
    comparison.pin()  # the edited trace, compared from now on
    assert curve_y(w.plots.value_pinned) == doc.trace["l0/c"][:, 0].tolist()
    comparison.set_compare(first)
    assert curve_y(w.plots.value_pinned) == before["c"]
    w.session.view.select(NodeRef(0, "h", 4, 0))
    assert curve_y(w.plots.value_pinned) == before["h"]
    comparison.set_compare(None)
    assert curve_y(w.plots.value_pinned) == []

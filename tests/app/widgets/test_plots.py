"""The plots under the graph: the engine's numbers after an edit, no work while hidden behind another tab,
markers only on short curves."""
import dataclasses

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
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

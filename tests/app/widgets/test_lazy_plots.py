"""The Analyses and Weights panels are behind another tab at start: their pyqtgraph plots are made the first
time their tab comes up, then show the engine's numbers, and the docks keep the geometry they had."""
import numpy as np
import pyqtgraph as pg

from lstmviz.app.qt.plot_place import PlotPlace
from lstmviz.core.analysis import analyse
from lstmviz.core.edits import editable


def test_a_plot_place_asks_the_layout_for_what_an_unshown_plot_widget_asks(qtbot):
    place, plot = PlotPlace(), pg.PlotWidget()
    qtbot.addWidget(place)
    qtbot.addWidget(plot)
    assert (place.sizeHint(), place.minimumSizeHint()) == (plot.sizeHint(), plot.minimumSizeHint())
    assert place.sizePolicy() == plot.sizePolicy()
    other = pg.PlotWidget()
    place.put(other)
    assert place.filled and other.parent() is place
    assert (place.sizeHint(), place.minimumSizeHint()) == (other.sizeHint(), other.minimumSizeHint())


def test_the_analyses_plots_are_made_when_the_tab_comes_up_and_show_the_engines_lag(qtbot, open_window):
    w = open_window("memorizer")
    panel = w.analysis
    assert panel.lag_plot is None and panel.spectrum_plot is None
    assert panel.findChildren(pg.PlotWidget) == []
    place = w.docks["analyses"].geometry()
    front = w.docks["inspector"].geometry()
    w.docks["analyses"].raise_()
    qtbot.waitUntil(lambda: panel.lag_plot is not None)
    assert len(panel.findChildren(pg.PlotWidget)) == 2
    doc = w.session.document
    lag = analyse(doc.scenario, k=panel.k_box.value(), trace=doc.trace).lag
    curve = panel.lag_plot.getPlotItem().listDataItems()[0]
    xs, ys = curve.getData()
    shown = 10 ** ys if panel.lag_plot.getPlotItem().ctrl.logYCheck.isChecked() else ys
    np.testing.assert_allclose(shown, lag.dh[xs.astype(int)], rtol=1e-12)
    np.testing.assert_allclose(shown, 0.9 ** xs, rtol=1e-12)  # memorizer: u = 0.9
    assert [label.text for _, label in panel.lag_legend.items][0] == "‖∂h[T]/∂h[t]‖"
    assert w.docks["analyses"].geometry() in (place, front)  # where the front tab was: nothing moved


def test_the_weights_heat_map_is_made_when_the_tab_comes_up_and_shows_the_array(qtbot, open_window):
    w = open_window("calculator-rnn-1.7")
    ed = w.weights
    assert ed.plot is None and ed.findChildren(pg.PlotWidget) == []
    ed.scope_box.setCurrentIndex(3)  # behind its tab: remembered, drawn with the heat map
    front = w.docks["inspector"].geometry()
    w.docks["weights"].raise_()
    qtbot.waitUntil(lambda: ed.plot is not None)
    assert w.docks["weights"].geometry() == front
    scenario = w.session.document.scenario
    np.testing.assert_array_equal(ed.image.image, np.atleast_2d(editable(scenario)[ed.key]).reshape(ed.matrix().shape))
    m = ed.matrix()
    box = ed.selection_box.rect()
    assert (box.width(), box.height()) == (m.shape[1], m.shape[0])  # the whole matrix, as chosen before
    ed.show_entry("l0/U", (0, 0))
    assert ed.numbers[0].textItem.toPlainText() == "1.70"

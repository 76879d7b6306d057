"""The Analyses panel's legend sits under the plot, never over its curves."""
import pytest
from PySide6.QtCore import QRectF

from lstmviz.core.edits import editable


def scene_rect(item) -> QRectF:
    return item.mapRectToScene(item.boundingRect())


def assert_legend_apart(plot, legend, names):
    """The legend lists the curves, lies wholly inside the plot widget and outside its view box."""
    assert [label.text for _, label in legend.items] == names
    view_box = scene_rect(plot.getPlotItem().vb)
    box = scene_rect(legend)
    assert box.height() > 0 and box.width() > 0
    assert not box.intersects(view_box), (box, view_box)
    assert box.top() >= view_box.bottom()  # under the plot, the curves' whole area kept free
    assert plot.sceneRect().contains(box) and plot.viewport().rect().contains(plot.mapFromScene(box).boundingRect())


@pytest.mark.parametrize("spec,names", [
    ("long-lag", ["‖∂h[T]/∂h[t]‖", "‖∂c[T]/∂c[t]‖", "‖δh[t]‖"]),
    ("calculator-rnn-1.7", ["‖∂h[T]/∂h[t]‖", "‖δh[t]‖"]),
])
def test_the_lag_legend_never_covers_the_curves(qtbot, open_window, spec, names):
    w = open_window(spec, size=(1366, 768))
    w.docks["analyses"].raise_()
    panel = w.analysis
    qtbot.waitUntil(lambda: len(panel.lag_plot.getPlotItem().legend.items) == len(names))
    qtbot.wait(20)  # the plot lays out its legend row
    assert_legend_apart(panel.lag_plot, panel.lag_plot.getPlotItem().legend, names)
    key = "l0/U" if "rnn" in spec else "l0/U_f"
    doc = w.session.document
    doc.set_entry(key, (0, 0), 0.5 * float(editable(doc.scenario)[key][0, 0]))  # the panel redraws a moment later
    qtbot.waitUntil(lambda: not panel._stale)
    qtbot.wait(20)
    assert_legend_apart(panel.lag_plot, panel.lag_plot.getPlotItem().legend, names)


def test_the_spectrum_has_no_legend_box(qtbot, open_window):
    """One curve, named by its axis: no empty legend frame over it."""
    w = open_window("calculator-rnn-1.7", size=(1366, 768))
    w.docks["analyses"].raise_()
    assert w.analysis.spectrum_plot.getPlotItem().legend is None

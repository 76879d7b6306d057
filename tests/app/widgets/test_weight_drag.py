"""A slider drag in the real window: however many moves arrive before the event loop turns, one retrace;
the window then shows the last value's trace."""
from PySide6.QtWidgets import QApplication

from lstmviz.app.model.quantities import NodeRef
from lstmviz.app.numbers import fmt


def test_a_drag_retraces_once_per_turn_of_the_event_loop(open_window):
    w = open_window()
    doc = w.session.document
    w.docks["weights"].raise_()
    w.session.view.select(NodeRef(0, "c", 4, 0))
    w.session.view.select_weight("l0/b_g", (0,))
    QApplication.processEvents()
    retraces = []
    doc.trace_changed.connect(lambda: retraces.append(float(doc.scenario.model.layers[0].params["b_g"][0])))
    slider = w.weights.slider
    start = float(doc.scenario.model.layers[0].params["b_g"][0])
    slider.sliderPressed.emit()
    for position in (100, 200, 300, 400):  # four moves within one turn
        slider.sliderMoved.emit(position)
    assert retraces == []  # not yet: the retrace waits for the loop
    QApplication.processEvents()
    assert retraces == [start + 0.8]  # once, with the last position's value (±2 over the slider's ±1000)
    c4 = float(doc.trace["l0/c"][3, 0])
    assert w.graph.nodes[(0, "c", 4)].text == fmt(c4, short=True)
    assert w.plots.value_curve.item.getData()[1][3] == c4
    slider.sliderMoved.emit(500)
    QApplication.processEvents()
    slider.sliderReleased.emit()
    assert retraces == [start + 0.8, start + 1.0] and w.session.history.count() == 1  # one undo entry

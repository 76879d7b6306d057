"""The colour legend above the graph repaints when its words or colours change, not on every edit."""
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from lstmviz.app.widgets.graph.legend import scale_words


class Paints(QObject):
    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        self.count += event.type() == QEvent.Type.Paint
        return False


def test_the_legend_repaints_when_its_scale_changes_and_not_on_an_edit_that_keeps_it(open_window):
    w = open_window()
    QApplication.processEvents()
    legend, paints = w.legend, Paints(w.legend)
    before = scale_words(w.graph)
    w.session.document.set_entry("l0/b_i", (0,), 0.9)  # the calculator's numbers change, their largest does not
    QApplication.processEvents()
    assert scale_words(w.graph) == before and paints.count == 0
    w.session.document.set_entry("l0/W_g", (0, 0), 3.0)  # c grows beyond the old scale
    QApplication.processEvents()
    after = scale_words(w.graph)
    assert after != before and paints.count >= 1 and legend.shown == (after, "diverging")
    w.graph.set_look(colour_map="cividis")
    QApplication.processEvents()
    assert paints.count >= 2 and legend.shown == (after, "cividis")

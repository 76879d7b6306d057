"""The status bar's labels keep their size while their text changes, so that an edit or a step does not
lay out the window again."""
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from lstmviz.app.qt.steady_label import SteadyLabel


def test_a_steady_label_grows_for_a_wider_text_and_never_shrinks(qtbot):
    label = SteadyLabel()
    qtbot.addWidget(label)
    label.setText("E = 0.125")
    size = label.size()
    assert label.minimumSize() == label.maximumSize() == size == label.sizeHint()
    label.setText("E = 1")
    assert label.size() == size  # narrower: the same size
    label.setText("E = 1.23e+05 and more")
    assert label.width() > size.width() and label.minimumSize() == label.maximumSize()
    font = QFont(label.font())
    font.setPixelSize(40)
    label.setFont(font)  # a new font: fitted to the text again
    assert label.height() == label.sizeHint().height() > size.height()


class LayoutRequests(QObject):
    def __init__(self):
        super().__init__()
        self.seen = []

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.LayoutRequest:
            self.seen.append(type(obj).__name__)
        return False


def test_an_edit_lays_out_neither_the_status_bar_nor_the_window(open_window):
    w = open_window()
    doc = w.session.document
    doc.set_entry("l0/b_g", (0,), 0.5)  # the loss label at its widest so far
    QApplication.processEvents()
    requests = LayoutRequests()
    for widget in (w, w.statusBar()):
        widget.installEventFilter(requests)
    doc.set_entry("l0/b_g", (0,), 0.25)
    QApplication.processEvents()
    assert w.status_labels["loss"].text() != "" and requests.seen == []

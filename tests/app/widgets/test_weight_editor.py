"""The weight editor's value box agrees with the selected entry, and its buttons are never clipped."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton, QScrollArea

from lstmviz.core.edits import editable


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def entry(w):
    """The document's value of the entry the editor has selected."""
    ed = w.weights
    return float(editable(w.session.document.scenario)[ed.key][ed.index])


def heat_map_number(ed) -> float:
    """The number the heat map prints in the selected cell."""
    m = ed.matrix()
    r, c = (ed.index + (0,))[:2]
    return number(ed.numbers[r * m.shape[1] + c].textItem.toPlainText())


def open_editor(qtbot, open_window, spec, key, index):
    w = open_window(spec)
    w.docks["weights"].raise_()
    qtbot.waitUntil(w.weights.isVisible)
    w.weights.show_entry(key, index)
    assert (w.weights.key, w.weights.index) == (key, index)
    return w


def press(qtbot, box, key):
    box.setFocus()
    qtbot.keyClick(box, key)


def type_value(qtbot, box, text):
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def assert_box_shows_the_entry(w):
    ed = w.weights
    assert number(ed.value_box.text()) == pytest.approx(entry(w), rel=1e-5)  # 6 significant digits
    assert heat_map_number(ed) == pytest.approx(number(ed.value_box.text()), rel=5e-3)  # the heat map's 3
    assert not ed.value_box.isModified()


def test_the_value_box_follows_arrow_steps_and_enter_does_not_write_it_back(qtbot, open_window):
    w = open_editor(qtbot, open_window, "calculator-lstm", "l0/b_i", (0,))
    ed, history = w.weights, w.session.history
    ed.step_box.setValue(0.1)
    press(qtbot, ed.value_box, Qt.Key.Key_Down)
    assert ed.value_box.hasFocus()
    assert_box_shows_the_entry(w)
    press(qtbot, ed.value_box, Qt.Key.Key_Up)
    press(qtbot, ed.value_box, Qt.Key.Key_Up)
    assert_box_shows_the_entry(w)
    stepped, commands = entry(w), history.count()
    assert stepped == 1.0 - 0.1 + 0.1 + 0.1 and commands == 3
    press(qtbot, ed.value_box, Qt.Key.Key_Return)  # the issue: Enter set the stale text back
    assert entry(w) == stepped and history.count() == commands


def test_the_value_box_follows_undo_redo_and_edits_from_elsewhere(qtbot, open_window):
    w = open_editor(qtbot, open_window, "calculator-rnn-1.7", "l0/U", (0, 0))
    ed, s = w.weights, w.session
    ed.value_box.setFocus()
    s.document.set_entry("l0/U", (0, 0), 0.123456789)  # not through the box: the graph, a script, training
    assert_box_shows_the_entry(w)
    s.history.undo()
    assert entry(w) == 1.7
    assert_box_shows_the_entry(w)
    s.history.redo()
    assert entry(w) == 0.123456789
    assert_box_shows_the_entry(w)


def test_typed_text_is_kept_until_the_entry_changes(qtbot, open_window):
    w = open_editor(qtbot, open_window, "calculator-rnn-1.7", "l0/U", (0, 0))
    ed = w.weights
    ed.value_box.setFocus()
    ed.value_box.selectAll()
    qtbot.keyClicks(ed.value_box, "2.5")
    w.session.document.set_entry("l0/W", (0, 0), 3.0)  # another entry: the typing stays
    assert ed.value_box.text() == "2.5" and ed.value_box.isModified()
    press(qtbot, ed.value_box, Qt.Key.Key_Up)  # a step starts from the entry, and the box shows the result
    assert entry(w) == 1.7 + ed.step_box.value()
    assert_box_shows_the_entry(w)


def test_a_new_document_shows_its_own_value(qtbot, open_window):
    w = open_editor(qtbot, open_window, "calculator-rnn-1.7", "l0/U", (0, 0))
    w.weights.value_box.setFocus()
    w.session.open("calculator-rnn-0.5")
    assert w.weights.key == "l0/U" and entry(w) == 0.5
    assert_box_shows_the_entry(w)


def test_enter_on_an_unedited_box_keeps_the_exact_value(qtbot, open_window):
    w = open_editor(qtbot, open_window, "calculator-rnn-1.7", "l0/U", (0, 0))
    ed, history = w.weights, w.session.history
    exact = -0.2400084787907819
    w.session.document.set_entry("l0/U", (0, 0), exact)
    assert ed.value_box.text() == "−0.240008" and history.count() == 1  # six significant digits
    ed.value_box.setFocus()
    ed.value_box.selectAll()
    qtbot.keyClick(ed.value_box, Qt.Key.Key_Return)
    assert entry(w) == exact and history.count() == 1  # bit-exact, no undo command
    assert not ed.message.text()


def test_a_typed_value_is_set_exactly(qtbot, open_window):
    w = open_editor(qtbot, open_window, "calculator-rnn-1.7", "l0/U", (0, 0))
    ed, history = w.weights, w.session.history
    type_value(qtbot, ed.value_box, "-0.2400084787907819")
    assert entry(w) == -0.2400084787907819 and history.count() == 1
    assert ed.value_box.text() == "−0.240008" and not ed.value_box.isModified()
    type_value(qtbot, ed.value_box, "0.35")
    assert entry(w) == 0.35 and history.count() == 2 and ed.value_box.text() == "0.35"
    type_value(qtbot, ed.value_box, "0.35")  # the same value: no command, the box shows it again
    assert history.count() == 2 and not ed.value_box.isModified()


def test_bad_text_changes_nothing_and_stays_to_be_corrected(qtbot, open_window):
    w = open_editor(qtbot, open_window, "calculator-rnn-1.7", "l0/U", (0, 0))
    ed = w.weights
    type_value(qtbot, ed.value_box, "1.2.3")
    assert "“1.2.3” is not a number; the value is unchanged" in ed.message.text()
    assert entry(w) == 1.7 and w.session.history.count() == 0 and ed.value_box.text() == "1.2.3"


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_no_button_is_clipped_in_a_small_window(qtbot, open_window, size):
    w = open_window("peephole-lstm", size=size)
    w.docks["weights"].raise_()
    ed = w.weights
    qtbot.waitUntil(ed.isVisible)
    area = w.docks["weights"].findChild(QScrollArea)
    viewport = area.viewport()
    qtbot.waitUntil(lambda: not area.horizontalScrollBar().isVisible())  # once the layout has settled
    assert area.horizontalScrollBar().maximum() == 0 and ed.width() <= viewport.width()
    buttons = [b for b in ed.findChildren(QPushButton) if b.isVisible()]
    assert {b.text() for b in buttons} >= {"Scale", "Zero"}
    for b in buttons:
        assert b.width() >= b.sizeHint().width(), b.text()
        left, right = b.mapTo(viewport, QPoint(0, 0)).x(), b.mapTo(viewport, QPoint(b.width(), 0)).x()
        assert 0 <= left and right <= viewport.width(), b.text()  # on screen, not scrolled off
    assert np.all([c.width() >= c.minimumSizeHint().width() for c in (ed.array_box, ed.scope_box, ed.factor_box)])

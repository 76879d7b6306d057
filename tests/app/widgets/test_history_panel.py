"""The History panel lists the state as opened and each command, selects the current state, goes to the
state clicked, and changes only the rows an edit changes (no model reset: its cost does not grow with the
history)."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def rows(panel) -> list[str]:
    model = panel.model()
    return [model.data(model.index(n, 0)) for n in range(model.rowCount())]


def test_the_history_lists_each_edit_selects_the_current_one_and_a_click_goes_back(open_window, qtbot):
    w = open_window()
    s, panel = w.session, w.history_view
    w.docks["history"].raise_()
    for value in (0.9, 0.8, 0.7):
        s.document.set_entry("l0/b_i", (0,), value)
    assert rows(panel) == ["(as opened)", "b_i[0] 1.00 → 0.900", "b_i[0] 0.900 → 0.800", "b_i[0] 0.800 → 0.700"]
    assert panel.currentIndex().row() == 3 and panel.selectionModel().isRowSelected(3)
    s.history.undo()
    s.history.undo()
    assert len(rows(panel)) == 4 and panel.currentIndex().row() == 1
    s.document.set_entry("l0/b_i", (0,), 0.5)  # a new edit drops the two undone
    assert rows(panel) == ["(as opened)", "b_i[0] 1.00 → 0.900", "b_i[0] 0.900 → 0.500"]
    assert panel.currentIndex().row() == 2
    QApplication.processEvents()
    first = panel.visualRect(panel.model().index(0, 0)).center()
    qtbot.mouseClick(panel.viewport(), Qt.MouseButton.LeftButton, pos=first)  # back to the state as opened
    assert s.history.index() == 0 and s.document.scenario.model.layers[0].params["b_i"][0] == 1.0
    assert panel.currentIndex().row() == 0 and not w.windowTitle().startswith("*")
    s.history.clear()
    assert rows(panel) == ["(as opened)"]


def test_an_edit_inserts_one_row_and_never_resets_the_list(open_window):
    w = open_window()
    model, seen = w.history_view.model(), []
    model.modelAboutToBeReset.connect(lambda: seen.append("reset"))
    model.rowsInserted.connect(lambda _parent, first, last: seen.append((first, last)))
    model.rowsRemoved.connect(lambda _parent, first, last: seen.append(("removed", first, last)))
    for n in range(40):
        w.session.document.set_entry("l0/b_i", (0,), 0.5 + n / 100)
    assert seen == [(n, n) for n in range(1, 41)]
    seen.clear()
    w.session.history.undo()
    w.session.history.undo()
    w.session.document.set_entry("l0/b_i", (0,), 2.0)
    assert seen == [("removed", 39, 40), (39, 39)]



def test_undone_states_are_dimmed_until_redone(open_window):
    w = open_window()
    s, model = w.session, w.history_view.model()
    for value in (0.9, 0.8):
        s.document.set_entry("l0/b_i", (0,), value)

    def dimmed() -> list[bool]:
        return [model.data(model.index(n, 0), Qt.ItemDataRole.ForegroundRole) is not None for n in range(3)]
    assert dimmed() == [False, False, False]
    s.history.undo()
    assert dimmed() == [False, False, True]
    s.history.undo()
    assert dimmed() == [False, True, True]
    s.history.redo()
    assert dimmed() == [False, False, True]

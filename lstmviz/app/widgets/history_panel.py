"""The History panel: the undo stack as a list, the state as opened first, each command below it, the current
state selected and the undone ones dimmed; clicking a row goes back (or forward) to it.

Qt's QUndoView resets its whole model on every change of the stack, so each edit cost it time in proportion to
the number of edits made so far (1.3 ms after 200 edits, 3.4 ms after 700, even behind another tab). This
model inserts and removes only the rows that changed: an edit adds one row."""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, QStringListModel, Qt
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtWidgets import QAbstractItemView, QListView

from .. import style

_Index = QModelIndex | QPersistentModelIndex
_UNDONE = QColor(style.TEXT_DIM)


class HistoryModel(QStringListModel):
    """Row 0: the document as opened (``empty_label``); row n: the state after command n (its text). The rows
    live in Qt's string list: the list view lays out and counts them without calling into Python."""

    def __init__(self, stack: QUndoStack, empty_label: str):
        super().__init__([empty_label] + [stack.text(n) for n in range(stack.count())])
        self.stack = stack
        stack.indexChanged.connect(self._on_index_change)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        """The state's text; undone states (redo brings them back) dimmed."""
        if role == Qt.ItemDataRole.ForegroundRole:
            return _UNDONE if index.row() > self.stack.index() else None
        return super().data(index, role)

    def _on_index_change(self, index: int) -> None:
        """Commands before the current one are as they were (a push drops the commands that were undone and
        adds one; undo and redo move the index; a clear empties it): only the rows after them change."""
        rows, old = self.stack.count() + 1, self.rowCount()
        kept = max(1, min(old, rows, index))  # rows 0 … kept − 1 hold what they held
        if old > kept and rows != old:
            self.removeRows(kept, old - kept)
        if rows > self.rowCount():
            self.insertRows(kept, rows - kept)
        for n in range(kept, rows):  # new texts, or the same (redone or undone: dimmed or not)
            self.setData(self.index(n, 0), self.stack.text(n - 1))
        if rows == old and kept < rows:
            self.dataChanged.emit(self.index(kept, 0), self.index(rows - 1, 0))


class HistoryPanel(QListView):
    """The list of states; the selected row is the current one (undo and redo move it, a click sets it)."""

    def __init__(self, stack: QUndoStack, empty_label: str, parent=None):
        super().__init__(parent)
        self.setModel(HistoryModel(stack, empty_label))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformItemSizes(True)  # no row measured to lay out the list: a long history stays cheap
        stack.indexChanged.connect(self._select_current)
        self.clicked.connect(lambda index: stack.setIndex(index.row()))
        self._select_current(stack.index())

    def _select_current(self, index: int) -> None:
        model = self.model()
        if model is None:  # the window is being closed
            return
        row = model.index(index, 0)
        self.selectionModel().setCurrentIndex(row, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(row)

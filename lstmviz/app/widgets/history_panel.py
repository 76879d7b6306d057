"""The History panel: the undo stack as a list, the state as opened first, each command below it, the current
state selected and the undone ones dimmed; clicking a row goes back (or forward) to it.

Qt's QUndoView resets its whole model on every change of the stack, so each edit cost it time in proportion to
the number of edits made so far (1.3 ms after 200 edits, 3.4 ms after 700, even behind another tab). This
model inserts and removes only the rows that changed: an edit adds one row."""
from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtWidgets import QAbstractItemView, QListView

from .. import style

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_UNDONE = QColor(style.TEXT_DIM)


class HistoryModel(QAbstractListModel):
    """Row 0: the document as opened (``empty_label``); row n: the state after command n (its text)."""

    def __init__(self, stack: QUndoStack, empty_label: str):
        super().__init__()
        self.stack, self.empty_label = stack, empty_label
        self.rows = stack.count() + 1
        stack.indexChanged.connect(self._on_index_change)

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else self.rows

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        """The state's text; undone states (redo brings them back) dimmed."""
        n = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.empty_label if n == 0 else self.stack.text(n - 1)
        if role == Qt.ItemDataRole.ForegroundRole and n > self.stack.index():
            return _UNDONE
        return None

    def _on_index_change(self, index: int) -> None:
        """Commands before the current one are as they were (a push drops the commands that were undone and
        adds one; undo and redo move the index; a clear empties it): only the rows after them change."""
        rows = self.stack.count() + 1
        kept = max(1, min(self.rows, rows, index))  # rows 0 … kept − 1 hold what they held
        if rows == self.rows:  # undo, redo, or a push in place of one command undone: texts may change
            if kept < rows:
                self.dataChanged.emit(self.index(kept, 0), self.index(rows - 1, 0))
            return
        if self.rows > kept:
            self.beginRemoveRows(_ROOT, kept, self.rows - 1)
            self.rows = kept
            self.endRemoveRows()
        if rows > kept:
            self.beginInsertRows(_ROOT, kept, rows - 1)
            self.rows = rows
            self.endInsertRows()


class HistoryPanel(QListView):
    """The list of states; the selected row is the current one (undo and redo move it, a click sets it)."""

    def __init__(self, stack: QUndoStack, empty_label: str, parent=None):
        super().__init__(parent)
        self.stack = stack
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

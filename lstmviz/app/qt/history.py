"""The document's history on a QUndoStack: the Edit menu's undo/redo actions, the History panel
(:mod:`..widgets.history_panel`) and the window's clean state all read the same stack."""
from __future__ import annotations

from psygnal import Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..model.history import Command


class _QtCommand(QUndoCommand):
    def __init__(self, command: Command):
        super().__init__(command.text)
        self.command = command

    def redo(self) -> None:
        self.command.redo()
        self.setText(self.command.text)  # a command may name itself once it knows its result

    def undo(self) -> None:
        self.command.undo()


class QtHistory:
    """The interface of :class:`lstmviz.app.model.history.History`, on a QUndoStack."""

    changed = Signal()
    clean_changed = Signal(bool)

    def __init__(self) -> None:
        self.stack = QUndoStack()
        self.stack.cleanChanged.connect(self.clean_changed.emit)
        self.stack.indexChanged.connect(lambda _index: self.changed.emit())

    def push(self, command: Command) -> None:
        self.stack.push(_QtCommand(command))

    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()

    def is_clean(self) -> bool:
        return self.stack.isClean()

    def set_clean(self) -> None:
        self.stack.setClean()

    def clear(self) -> None:
        self.stack.clear()

    def count(self) -> int:
        return self.stack.count()

    def index(self) -> int:
        return self.stack.index()

    def commands(self) -> list[Command]:
        return [self.stack.command(i).command for i in range(self.stack.count())]

    def text(self, n: int) -> str:
        return self.stack.text(n)

"""Undoable commands and the history they go on (Qt-free).

Every change to the document is a :class:`Command` pushed on the document's history; pushing applies
it. :class:`History` is the plain implementation used without a window; the Qt layer supplies one on
a QUndoStack (``lstmviz.app.qt.history``) with the same methods, so that the Edit menu, the History
panel and the window's unsaved-changes marker work on it.
"""
from __future__ import annotations

from psygnal import Signal


class Command:
    """An undoable change: ``redo()`` applies it, ``undo()`` reverts it; ``text`` names it in the history."""

    text = ""

    def redo(self) -> None:
        raise NotImplementedError

    def undo(self) -> None:
        raise NotImplementedError


class History:
    """A list of commands with a current index and a clean (saved) index."""

    changed = Signal()             # a command was pushed, undone or redone, or the history cleared
    clean_changed = Signal(bool)   # whether the document now equals what was last saved (or opened)

    def __init__(self) -> None:
        self._commands: list[Command] = []
        self._index = 0
        self._clean: int | None = 0

    def push(self, command: Command) -> None:
        was_clean = self.is_clean()
        command.redo()
        del self._commands[self._index:]
        if self._clean is not None and self._clean > self._index:
            self._clean = None  # the saved state can no longer be reached
        self._commands.append(command)
        self._index += 1
        self._announce(was_clean)

    def undo(self) -> None:
        if self._index:
            was_clean = self.is_clean()
            self._index -= 1
            self._commands[self._index].undo()
            self._announce(was_clean)

    def redo(self) -> None:
        if self._index < len(self._commands):
            was_clean = self.is_clean()
            self._commands[self._index].redo()
            self._index += 1
            self._announce(was_clean)

    def is_clean(self) -> bool:
        return self._index == self._clean

    def set_clean(self) -> None:
        was_clean = self.is_clean()
        self._clean = self._index
        self._announce(was_clean)

    def clear(self) -> None:
        was_clean = self.is_clean()
        self._commands, self._index, self._clean = [], 0, 0
        self._announce(was_clean)

    def count(self) -> int:
        return len(self._commands)

    def index(self) -> int:
        """How many commands are applied (the rest can be redone)."""
        return self._index

    def commands(self) -> list[Command]:
        return list(self._commands)

    def text(self, n: int) -> str:
        return self._commands[n].text

    def _announce(self, was_clean: bool) -> None:
        self.changed.emit()
        if self.is_clean() != was_clean:
            self.clean_changed.emit(self.is_clean())

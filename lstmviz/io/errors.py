"""Bad input, reported as one line: the file (or argument) and the field, then what is wrong.

Every reader and every command-line check raises a :class:`BadInput`; the command line prints it and
exits with status 2, the window shows it in a dialog and keeps the current document.
"""
from __future__ import annotations


def printable(text: str) -> str:
    """One line that can be printed whatever it quotes: no line breaks, no lone surrogates."""
    text = " ".join(text.splitlines())
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class BadInput(ValueError):
    """Input lstmviz refuses: ``str(err)`` is one line."""


class ScenarioError(BadInput):
    """A bad scenario or data file: ``str(err)`` is ``<file>: <field> <what is wrong>``."""

    def __init__(self, source: str, field: str | None, message: str):
        self.source, self.field, self.message = source, field, message
        super().__init__(printable(f"{source}: {field} {message}" if field else f"{source}: {message}"))


class UsageError(BadInput):
    """A bad command-line argument (or a file the command cannot write)."""

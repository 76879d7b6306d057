"""A session for the window: the model with its history on a QUndoStack and its deferred work on
the event loop."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer

from ...core import Scenario, Trace
from ..model.session import Session
from .history import QtHistory


def call_soon(fn) -> None:
    """Run fn on the event loop's next turn (coalesces the recomputes of a slider drag)."""
    QTimer.singleShot(0, fn)


def qt_session(scenario: Scenario, path: Path | None = None, trace: Trace | None = None) -> Session:
    return Session(scenario, path, QtHistory(), call_soon, trace)

"""At start-up: offer back the work of a session that did not close properly (a crash, a kill)."""
from __future__ import annotations

import contextlib

from PySide6.QtWidgets import QMessageBox

from ..model import recovery
from ..model.session import Session


def offer_recovery(session: Session) -> bool:
    """Ask about each recovery file left by a session that no longer runs, newest first; restore the
    first one the user accepts into ``session`` (before any window observes it). True if one was."""
    for found in recovery.stale():
        box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved work", "lstmviz did not close properly.")
        box.setInformativeText(f"Restore {found.describe()}? The edits come back as undoable history, not yet "
                               "saved.")
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        if box.clickedButton() is restore:
            recovery.restore(session, found)
            with contextlib.suppress(FileNotFoundError):
                found.path.unlink()  # this session's own autosave takes over
            return True
        if box.clickedButton() is discard:
            with contextlib.suppress(FileNotFoundError):
                found.path.unlink()
    return False

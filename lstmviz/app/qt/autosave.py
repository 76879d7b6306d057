"""Autosave: the document and its undo history go to a recovery file in the background — a moment
after a burst of edits ends, and at least every 30 s while edits keep coming. A clean exit removes it."""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from ..model import recovery
from ..model.session import Session
from .binding import observe

BURST_MS = 1500         # quiet time that ends a burst of edits
MAX_INTERVAL_MS = 30_000


class AutoSaver(QObject):
    def __init__(self, session: Session, path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.path = path or recovery.own_file()
        self.pending = False
        self.error: str | None = None  # why the last write failed, if it did
        self._writer: threading.Thread | None = None
        self.burst = QTimer(self)
        self.burst.setSingleShot(True)
        self.burst.setInterval(BURST_MS)
        self.burst.timeout.connect(self.save)
        self.interval = QTimer(self)
        self.interval.setInterval(MAX_INTERVAL_MS)
        self.interval.timeout.connect(self.save)
        self.interval.start()
        observe(self, (session.history.changed, self._on_change))

    def _on_change(self) -> None:
        self.pending = True
        self.burst.start()

    def save(self) -> None:
        """Write now (in a background thread) if anything changed since the last write."""
        if not self.pending:
            return
        if self._writer is not None and self._writer.is_alive():
            self.burst.start()  # the previous write is still going: try again in a moment
            return
        self.pending = False
        if self.session.history.count() == 0:  # nothing to recover (a new document, or as opened)
            self._remove()
            return
        meta, arrays = recovery.capture(self.session)  # the arrays are the commands' own, never changed
        self._writer = threading.Thread(target=self._write, args=(meta, arrays), name="lstmviz-autosave",
                                        daemon=True)
        self._writer.start()

    def _write(self, meta: dict, arrays: dict) -> None:
        try:
            recovery.write_captured(meta, arrays, self.path)
            self.error = None
        except OSError as e:
            self.error = f"{self.path}: cannot be written: {e.strerror or e}"

    def flush(self) -> None:
        """Write what is pending and wait for it."""
        self.save()
        if self._writer is not None:
            self._writer.join()

    def finish(self) -> None:
        """A clean exit: nothing to recover."""
        self.burst.stop()
        self.interval.stop()
        if self._writer is not None:
            self._writer.join()
        self._remove()

    def _remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

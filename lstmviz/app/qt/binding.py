"""Tying widgets to the model: connections that end with the widget, feedback-free updates, and
panels that refresh only while they are on screen."""
from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QAbstractScrollArea


def observe(owner: QObject, *connections: tuple[object, Callable]) -> None:
    """Connect model events to the owner's slots, and disconnect them when the owner is destroyed
    (the model may outlive a window; a slot of a deleted widget must never be called)."""
    for signal, slot in connections:
        signal.connect(slot)

    def disconnect(*_args) -> None:
        for signal, slot in connections:
            signal.disconnect(slot)
    owner.destroyed.connect(disconnect)


@contextlib.contextmanager
def signals_blocked(*widgets):
    """Block the widgets' signals inside ``with`` (no feedback loops while the model's state is shown).
    PySide6 6.12's own QSignalBlocker context manager over-releases None on every use."""
    for w in widgets:
        w.blockSignals(True)
    try:
        yield
    finally:
        for w in widgets:
            w.blockSignals(False)


def on_screen(widget) -> bool:
    """Whether any of the widget is actually shown: a dock behind another tab is 'visible' to Qt but
    has nothing on screen, and panels skip their refresh there (they refresh when their tab comes up).
    A scroll area (a graphics view) is covered by its viewport: that is what is looked at."""
    shown = widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget
    return widget.isVisible() and not shown.visibleRegion().isEmpty()


class LazyPanel:
    """A panel that skips refreshes while it is not on screen and catches up when it is shown.

    Mix in before the Qt widget class; the panel defines ``_update()`` (the real work). Observers call
    :meth:`refresh`, which updates now when the panel is on screen and otherwise marks it stale.
    """

    _stale = True
    debounce_ms = 250  # how long after the last of a burst of edits :meth:`refresh_soon` catches up
    _debounce: QTimer | None = None

    def refresh_soon(self) -> None:
        """New numbers for a heavy panel: mark it stale and, when it is on screen, catch up a moment after
        the last edit (a slider drag retraces at every move) rather than on each one. The timer belongs
        to the panel, so it never fires after the panel is gone."""
        self._stale = True
        if not on_screen(self):
            return
        if self._debounce is None:
            self._debounce = QTimer(self)
            self._debounce.setSingleShot(True)
            self._debounce.setInterval(self.debounce_ms)
            self._debounce.timeout.connect(self.refresh_if_stale)
        self._debounce.start()

    def refresh(self) -> None:
        if on_screen(self):
            self._stale = False
            self._update()
        else:
            self._stale = True

    def refresh_if_stale(self) -> None:
        if self._stale:
            self.refresh()

    def catch_up(self) -> None:
        """Up to date even off screen: a picture of the panel is about to be taken."""
        if self._stale:
            self._stale = False
            self._update()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_if_stale()

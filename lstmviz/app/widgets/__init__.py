"""Qt widgets, one file per panel. They observe the session and never compute gradients."""
import contextlib


@contextlib.contextmanager
def signals_blocked(*widgets):
    """Block the widgets' signals inside ``with`` (no feedback loops while the session's state is shown).
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
    has nothing on screen, and panels skip their refresh there (they refresh when their tab comes up)."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


class LazyPanel:
    """A panel that skips refreshes while it is not on screen and catches up when it is shown.

    Mix in before the Qt widget class; the panel sets ``_stale`` and defines ``refresh()``.
    """

    _stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh_if_stale()

    def refresh_if_stale(self) -> None:
        if self._stale:
            self.refresh()

"""A label whose size stays put while its text changes (the status bar's loss and phase)."""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel


class SteadyLabel(QLabel):
    """A label of fixed size that grows to fit a wider text (or a new font) and never shrinks.

    A label whose size may change asks its window to lay out again at every new text: after each edit
    and each step the status bar and the main window were laid out anew (with the docks' animations) for
    a label whose geometry stayed the same. A fixed size asks nothing.
    """

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit(grow_only=True)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the interface size, presentation mode
            self._fit(grow_only=False)

    def _fit(self, grow_only: bool) -> None:
        hint = self.sizeHint()
        width = max(hint.width(), self.minimumWidth()) if grow_only else hint.width()
        if (width, hint.height()) != (self.minimumWidth(), self.minimumHeight()) or self.maximumWidth() != width:
            self.setFixedSize(width, hint.height())

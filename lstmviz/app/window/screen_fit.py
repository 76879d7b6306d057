"""The window never opens larger than the screen it is on, and its toolbars share one row when they fit."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect

if TYPE_CHECKING:
    from .main_window import MainWindow


def fit_to_screen(window: MainWindow) -> None:
    """Shrink (and move) the window into the screen's available area (without the task bar)."""
    screen = window.screen()
    if screen is None or window.isMaximized() or window.isFullScreen():
        return
    available: QRect = screen.availableGeometry()
    frame = window.frameGeometry().size() - window.size()  # the window manager's title bar and borders
    width = min(window.width(), available.width() - frame.width())
    height = min(window.height(), available.height() - frame.height())
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    geometry = window.frameGeometry()
    x = min(max(geometry.x(), available.x()), available.right() - geometry.width() + 1)
    y = min(max(geometry.y(), available.y()), available.bottom() - geometry.height() + 1)
    if (x, y) != (geometry.x(), geometry.y()):
        window.move(x, y)


def share_toolbar_row(window: MainWindow) -> None:
    """The playback bar and the view bar on one row when the window is wide enough for the first and the
    start of the second (the rest behind its » button): on a small screen the graph needs the height more."""
    needed = window.transport.sizeHint().width() + window.view_toolbar.minimumSizeHint().width() + 200
    if needed <= window.width():
        window.removeToolBarBreak(window.view_toolbar)
    else:
        window.insertToolBarBreak(window.view_toolbar)




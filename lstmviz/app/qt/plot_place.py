"""A place kept in a panel's layout for a plot that is made only when the panel is first on screen.

A pyqtgraph plot costs 10–25 ms to make; the panels behind another tab at start (Analyses, Weights) make
theirs on their first refresh on screen. Until then the place asks the layout for what an unshown
``pg.PlotWidget`` asks, so the docks are laid out exactly as when the plot was there from the start: a
graphics view's size hint is its scene's size, which pyqtgraph sets to the widget's own size (640 × 480 before
it is first shown), at most three quarters of the screen (QGraphicsView::sizeHint); its minimum is 68 × 68;
it expands both ways. Once the plot is in, its own hints count.
"""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

UNSHOWN_PLOT_SIZE = QSize(640, 480)  # a widget's size before it is first shown: the scene of an unshown plot
UNSHOWN_PLOT_MINIMUM = QSize(68, 68)  # pg.PlotWidget().minimumSizeHint()


class PlotPlace(QWidget):
    """Holds nothing, then the one plot :meth:`put` gives it, filling the place (no margins)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def filled(self) -> bool:
        return self._layout.count() > 0

    def put(self, plot: QWidget) -> QWidget:
        self._layout.addWidget(plot)
        return plot

    def sizeHint(self) -> QSize:
        if self.filled:
            return super().sizeHint()
        return UNSHOWN_PLOT_SIZE.boundedTo(QGuiApplication.primaryScreen().virtualSize() * 3 / 4)

    def minimumSizeHint(self) -> QSize:
        return super().minimumSizeHint() if self.filled else UNSHOWN_PLOT_MINIMUM

"""The colour legend above the graph: what colour means which value, δ or difference."""
from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ... import style
from ...numbers import fmt
from .view import GraphView

BAR_EMS = 9  # the colour bar's width, in the font's height


def scale_words(view: GraphView) -> tuple[str, str, str]:
    """What the colours mean (value, δ, Δvalue, Δδ) and the numbers at the two ends of the map."""
    s = view.session
    what = "δ" if s.view.view == "backward" else "value"
    if s.comparison.diff_base is not None:
        what = "Δ" + what
    m = view.scale_value
    return what, fmt(-m, short=True), fmt(m, short=True)


class LegendBar(QWidget):
    def __init__(self, view: GraphView, parent=None):
        super().__init__(parent)
        self.view = view
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.shown: tuple | None = None  # the words and colour map painted last
        view.scaleChanged.connect(self._on_scale_change)

    def _on_scale_change(self) -> None:
        """Repainted when its words or colours change (not on every edit: most keep the scale)."""
        if (scale_words(self.view), self.view.colour_map) != self.shown:
            self.update()

    def refresh(self) -> None:
        self.updateGeometry()
        self.update()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:  # the interface size, presentation mode
            self.updateGeometry()

    def sizeHint(self) -> QSize:
        metrics = QFontMetricsF(self.font())
        text = metrics.horizontalAdvance("Δvalue  −0.00e-00  ") + metrics.horizontalAdvance("  −0.00e-00")
        return QSize(round(text + BAR_EMS * metrics.height()), round(metrics.height() * 1.6))

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetricsF(self.font())
        what, low, high = scale_words(self.view)
        self.shown = ((what, low, high), self.view.colour_map)
        h = self.height()
        bar_w = BAR_EMS * metrics.height()
        right_w = metrics.horizontalAdvance("  −0.00e-00")
        x0 = self.width() - right_w - bar_w
        centre = Qt.AlignmentFlag.AlignVCenter
        p.setPen(QColor(style.TEXT))
        p.drawText(QRectF(0, 0, x0 - 6, h), centre | Qt.AlignmentFlag.AlignRight, f"{what}   {low}")
        grad = QLinearGradient(x0, 0, x0 + bar_w, 0)
        for pos, c in style.COLOUR_MAPS[self.view.colour_map]:
            grad.setColorAt(pos, QColor(c))
        p.setBrush(QBrush(grad))
        p.setPen(QPen(QColor(style.LEGEND_FRAME), 1))
        p.drawRect(QRectF(x0, h * 0.25, bar_w, h * 0.5))
        p.setPen(QColor(style.TEXT))
        p.drawText(QRectF(x0 + bar_w + 6, 0, right_w, h), centre | Qt.AlignmentFlag.AlignLeft, high)
        p.end()

"""The colour legend above the graph: what colour means which value, δ or difference."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ... import style
from ...numbers import fmt
from .view import GraphView


class LegendBar(QWidget):
    def __init__(self, view: GraphView, parent=None):
        super().__init__(parent)
        self.view = view
        self.setFixedSize(380, 30)
        view.scaleChanged.connect(self.update)

    def refresh(self) -> None:
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(self.view.mark_font)
        s = self.view.session
        what = "δ" if s.view.view == "backward" else "value"
        if s.comparison.diff_base is not None:
            what = "Δ" + what
        p.setPen(QColor(style.TEXT))
        p.drawText(QRectF(0, 0, 44, 30), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, what)
        x0, w = 130, 160
        grad = QLinearGradient(x0, 0, x0 + w, 0)
        for pos, c in style.COLOUR_MAPS[self.view.colour_map]:
            grad.setColorAt(pos, QColor(c))
        p.setBrush(QBrush(grad))
        p.setPen(QPen(QColor(style.LEGEND_FRAME), 1))
        p.drawRect(QRectF(x0, 8, w, 14))
        p.setPen(QColor(style.TEXT))
        m = self.view.scale_value
        p.drawText(QRectF(48, 0, x0 - 52, 30), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                   fmt(-m, short=True))
        p.drawText(QRectF(x0 + w + 4, 0, 80, 30), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                   fmt(m, short=True))
        p.end()

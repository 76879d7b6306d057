"""The guided tour's bubble: the step's title and text, "Do it for me", Next and End tour."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout

from .. import style
from ..model.tour import Tour
from ..qt.binding import observe

WIDTH_EMS = 30


class TourBubble(QFrame):
    """Floats over the window; ``moved`` asks the window to place it near what the step is about."""

    moved = Signal(str)

    def __init__(self, tour: Tour, parent=None):
        super().__init__(parent)
        self.tour = tour
        self.setObjectName("tour")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"#tour {{ background: {style.TOUR_BACKGROUND}; border: 2px solid {style.CURRENT};"
                           " border-radius: 8px; }")
        layout = QVBoxLayout(self)
        self.title, self.text = QLabel(), QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.text.setWordWrap(True)
        self.text.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.progress = QLabel()
        self.progress.setStyleSheet(f"color: {style.TEXT_DIM};")
        buttons = QHBoxLayout()
        self.do_it, self.next, self.end = QPushButton(), QPushButton("Next"), QPushButton("End the tour")
        self.do_it.clicked.connect(tour.do_it)
        self.next.clicked.connect(tour.next)
        self.end.clicked.connect(tour.stop)
        for b in (self.do_it, self.next):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.end)
        for part in (self.progress, self.title, self.text):
            layout.addWidget(part)
        layout.addLayout(buttons)
        observe(self, (tour.changed, self.refresh))
        self.refresh()

    def refresh(self) -> None:
        step = self.tour.step
        if step is None:
            self.hide()
            return
        self.progress.setText(f"Guided tour · {self.tour.index + 1} of {len(self.tour.steps)}")
        self.title.setText(step.title)
        self.text.setText(step.text)
        self.do_it.setVisible(step.action is not None)
        self.do_it.setText(f"{step.action_text} for me")
        self.next.setText("Finish" if self.tour.index == len(self.tour.steps) - 1 else "Next")
        self.layout().activate()
        width = max(round(WIDTH_EMS * self.fontMetrics().averageCharWidth() * 1.2),
                    self.layout().minimumSize().width())
        self.setFixedSize(width, self.layout().totalHeightForWidth(width))  # the wrapped text, whole
        self.show()
        self.raise_()
        self.moved.emit(step.points_at)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.tour.stop()
            return
        super().keyPressEvent(event)

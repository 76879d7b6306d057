"""The guided tour in the window: its bubble, where it floats, and starting it (Help ▸ Guided tour,
and by itself on the very first start)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer

from ...core.phases import Phase
from ...io import load_scenario
from ...io.presets import DEFAULT_PRESET
from ..model.tour import Tour
from ..widgets.tour_bubble import TourBubble

if TYPE_CHECKING:
    from .main_window import MainWindow

MARGIN = 16


class TourGuide(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        window.graph.installEventFilter(self)  # the bubble follows the graph's corner when the docks move
        self.tour = Tour(window.session)
        self.bubble = TourBubble(self.tour, window)
        self.bubble.moved.connect(self._place)
        self.tour.changed.connect(self._on_change)

    def start(self) -> bool:
        """The calculator at the start of phase 1, values shown, then the first step (False: the user kept
        an unsaved document)."""
        w = self.window
        if w.session.document.scenario.name != _calculator_name() and not w.files.open(DEFAULT_PRESET):
            return False
        w.session.view.set_view("forward")
        w.session.playback.go_phase(Phase.FORWARD)
        self.tour.start()
        return True

    def _on_change(self) -> None:
        if not self.tour.running:
            self.window.settings.setValue("tour_done", True)
        else:
            QTimer.singleShot(0, self.place)  # once the window has laid itself out

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.place()
        return False

    def place(self) -> None:
        """Where the current step's bubble floats (again after the window moved its parts)."""
        step = self.tour.step
        if step is not None:
            self._place(step.points_at)

    def _place(self, points_at: str) -> None:
        """Over the graph's bottom right corner (the lane names stay in view); for the Weights step, next
        to that tab (raised)."""
        w, bubble = self.window, self.bubble
        if points_at == "weights":
            w.docks["weights"].raise_()
            dock = w.docks["weights"]
            corner = dock.mapTo(w, QPoint(0, dock.height())) - QPoint(bubble.width() + MARGIN, bubble.height())
        else:
            graph = w.graph
            corner = graph.mapTo(w, QPoint(graph.width() - bubble.width() - 2 * MARGIN,
                                           graph.height() - bubble.height() - 2 * MARGIN))
        bubble.move(max(0, corner.x()), max(0, corner.y()))
        bubble.raise_()


def _calculator_name() -> str:
    return load_scenario(DEFAULT_PRESET).name

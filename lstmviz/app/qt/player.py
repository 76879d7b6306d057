"""Playing: a timer that steps the playback until everything is computed or a breakpoint holds."""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from ..model.phases import Playhead
from ..model.playback import Playback
from .binding import observe

PLAY_INTERVAL_MS = 450


class Player(QObject):
    playing_changed = Signal(bool)

    def __init__(self, playback: Playback, parent: QObject | None = None):
        super().__init__(parent)
        self.playback = playback
        self.timer = QTimer(self)
        self.timer.setInterval(PLAY_INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        observe(self, (playback.document.structure_changed, self.stop))  # another scenario: stop

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def toggle(self) -> None:
        """Space: play from where we are (from the start when everything is computed), or pause."""
        if self.playing:
            self.stop()
            return
        ph = self.playback.playhead
        if ph == Playhead.complete(ph.T):
            self.playback.go_start()
        self.start()

    def start(self) -> None:
        """F8 too: go on, past a breakpoint."""
        if not self.playing:
            self.timer.start()
            self.playing_changed.emit(True)

    def stop(self) -> None:
        if self.playing:
            self.timer.stop()
            self.playing_changed.emit(False)

    def _tick(self) -> None:
        if not self.playback.tick():
            self.stop()

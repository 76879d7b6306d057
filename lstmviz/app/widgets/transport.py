"""The playhead bar: buttons for stepping and playing, the five phases, and where we are."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStyle, QToolButton, QWidget

from ...core.phases import Phase
from .. import style
from ..model.session import Session
from ..qt.binding import observe
from ..qt.player import Player


class TransportBar(QWidget):
    def __init__(self, session: Session, player: Player, parent=None):
        super().__init__(parent)
        self.session, self.player = session, player
        self.scale = 1.0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(4)
        self.buttons = {}
        icons, playback = QStyle.StandardPixmap, session.playback
        for key, icon, tip, slot in (
                ("start", icons.SP_MediaSkipBackward, "Start of the epoch (Home)", playback.go_start),
                ("back", icons.SP_MediaSeekBackward, "Step back (←)", playback.step_back),
                ("play", icons.SP_MediaPlay, "Play / pause (Space)", player.toggle),
                ("forward", icons.SP_MediaSeekForward, "Step forward (→); past phase 5 the weights move; with the "
                 "quiz on, the first click asks and the next reveals",
                 session.quiz.advance),
                ("end", icons.SP_MediaSkipForward, "Everything computed (End)", playback.go_end)):
            b = QToolButton(self)
            b.setIcon(self.style().standardIcon(icon))
            b.setIconSize(QSize(22, 22))
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            layout.addWidget(b)
            self.buttons[key] = b
        layout.addSpacing(10)
        self.phase_labels = []  # the pills: where we are in the five phases; a click jumps to a phase's start
        for phase in Phase:
            pill = QToolButton(self)
            pill.setText(f" {phase.value} {style.PHASE_SHORT[phase]} ")
            pill.setCursor(Qt.CursorShape.PointingHandCursor)
            pill.setToolTip(f"Phase {phase.value}: {style.PHASE_NAMES[phase]} — click to go to its start "
                            "(Page Up/Down: the previous/next phase)")
            pill.clicked.connect(lambda _=False, p=phase: playback.go_phase(p))
            layout.addWidget(pill)
            self.phase_labels.append(pill)
        layout.addSpacing(10)
        self.position = QLabel()
        self.position.setMinimumWidth(120)
        self.position.setFont(QFont(style.FONT_FAMILY, style.FONT_POINTS + 1, QFont.Weight.Bold))
        layout.addWidget(self.position)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        player.playing_changed.connect(self._on_playing_change)
        observe(self, (playback.playhead_changed, self.refresh), (playback.epochs_changed, self.refresh))
        self.refresh()

    def set_scale(self, factor: float) -> None:
        """Type and buttons ``factor`` times larger (presentation mode, the interface size)."""
        self.scale = factor
        self.position.setFont(QFont(style.FONT_FAMILY, round((style.FONT_POINTS + 1) * factor), QFont.Weight.Bold))
        for b in self.buttons.values():
            b.setIconSize(QSize(round(22 * factor), round(22 * factor)))
        self.refresh()

    def _on_playing_change(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.buttons["play"].setIcon(self.style().standardIcon(icon))

    def refresh(self) -> None:
        playback = self.session.playback
        ph = playback.playhead
        for phase, label in zip(Phase, self.phase_labels, strict=True):
            done, now = phase < ph.phase, phase == ph.phase
            colour = style.CURRENT if now else (style.PHASE_DONE if done else style.PHASE_TODO)
            text = style.TEXT_ON_DARK if now else (style.TEXT if done else style.TEXT_DIM)
            label.setStyleSheet(f"QToolButton {{ background: {colour}; color: {text}; border-radius: 4px; border: none;"
                                f"font-weight: {'bold' if now else 'normal'}; padding: 3px;"
                                f"font-size: {style.FONT_POINTS * self.scale:.0f}pt; }}"
                                f"QToolButton:hover {{ border: 1px solid {style.CURRENT}; }}")
        t = ph.current_t
        where = f"t = {t}" if t else ("update the weights" if ph.phase == Phase.DESCENT else "not started")
        self.position.setText(f"{where} · epoch {playback.epoch}")
        self.position.setToolTip(ph.describe())

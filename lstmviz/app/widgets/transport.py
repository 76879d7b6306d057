"""The playhead bar: buttons for stepping and playing, the five phases, and where we are."""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStyle,
    QToolButton,
    QWidget,
)

from .. import style
from ..phases import Playhead
from ..session import Session

PLAY_INTERVAL_MS = 450


class TransportBar(QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.scale = 1.0
        self.timer = QTimer(self)
        self.timer.setInterval(PLAY_INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(4)
        self.buttons = {}
        icons = QStyle.StandardPixmap
        for key, icon, tip, slot in (
                ("start", icons.SP_MediaSkipBackward, "Start of the epoch (Home)", self.go_start),
                ("back", icons.SP_MediaSeekBackward, "Step back (←)", session.step_back),
                ("play", icons.SP_MediaPlay, "Play / pause (Space)", self.toggle_play),
                ("forward", icons.SP_MediaSeekForward, "Step forward (→); past phase 5 the weights move",
                 session.step_forward),
                ("end", icons.SP_MediaSkipForward, "Everything computed (End)", self.go_end)):
            b = QToolButton(self)
            b.setIcon(self.style().standardIcon(icon))
            b.setIconSize(QSize(22, 22))
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            layout.addWidget(b)
            self.buttons[key] = b
        layout.addSpacing(10)
        self.phase_labels = []
        for n, (name, short) in enumerate(zip(style.PHASE_NAMES, style.PHASE_SHORT), start=1):
            label = QLabel(f" {n} {short} ")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setMargin(3)
            label.setToolTip(f"Phase {n}: {name} (Page Up/Down to change phase)")
            layout.addWidget(label)
            self.phase_labels.append(label)
        layout.addSpacing(10)
        self.position = QLabel()
        self.position.setMinimumWidth(120)
        self.position.setFont(QFont(style.FONT_FAMILY, style.FONT_POINTS + 1, QFont.Weight.Bold))
        layout.addWidget(self.position)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        session.playheadChanged.connect(self._on_playhead_change)
        session.scenarioChanged.connect(self.stop)
        self._on_playhead_change()

    def set_scale(self, factor: float) -> None:
        """Type and buttons ``factor`` times larger (presentation mode, the interface size)."""
        self.scale = factor
        self.position.setFont(QFont(style.FONT_FAMILY, round((style.FONT_POINTS + 1) * factor), QFont.Weight.Bold))
        for b in self.buttons.values():
            b.setIconSize(QSize(round(22 * factor), round(22 * factor)))
        self._on_playhead_change()

    def go_start(self) -> None:
        self.session.set_playhead(Playhead.start(self.session.trace.steps))

    def go_end(self) -> None:
        self.session.set_playhead(Playhead.complete(self.session.trace.steps))

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.stop()
        else:
            if self.session.playhead == Playhead.complete(self.session.trace.steps):
                self.go_start()
            self.timer.start()
            self.buttons["play"].setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause))

    def stop(self) -> None:
        self.timer.stop()
        self.buttons["play"].setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))

    def _tick(self) -> None:
        """Play runs through phases 1–4 and stops before the weights would move."""
        ph = self.session.playhead
        if ph.phase >= 4 and ph.k >= ph.T or ph.phase == 5:
            self.stop()
            return
        if self.session.step_forward():  # a breakpoint holds
            self.stop()

    def continue_play(self) -> None:
        """F8: go on past a breakpoint."""
        if not self.timer.isActive():
            self.timer.start()
            self.buttons["play"].setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause))

    def _on_playhead_change(self) -> None:
        ph = self.session.playhead
        for n, label in enumerate(self.phase_labels, start=1):
            done, now = n < ph.phase, n == ph.phase
            colour = "#1f78b4" if now else ("#dfe9f3" if done else "#f2f2f2")
            text = "#ffffff" if now else (style.TEXT if done else style.TEXT_DIM)
            label.setStyleSheet(f"background: {colour}; color: {text}; border-radius: 4px;"
                                f"font-weight: {'bold' if now else 'normal'};"
                                f"font-size: {style.FONT_POINTS * self.scale:.0f}pt;")
        t = ph.current_t
        where = f"t = {t}" if t else ("update the weights" if ph.phase == 5 else "not started")
        self.position.setText(f"{where} · epoch {self.session.epoch}")
        self.position.setToolTip(ph.describe())

"""Training: learning rate, clipping, when the weights move (per epoch, per chunk, at every step), frozen
parameters, one step or N epochs in the background.

Every setting is an undoable change of the document (and marks it unsaved); the run itself goes
through the training runner of the Qt layer and lands as one undo entry.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.keys import Key
from ...core.params import param_blocks
from .. import style
from ..model.session import Session
from ..numbers import fmt_exact, fmt_precise
from ..qt.binding import observe, signals_blocked
from ..qt.training import TrainRunner

UPDATE_CHOICES = (("epoch", "once per epoch"), ("chunk", "after every chunk (tbptt:K)"),
                  ("step", "at every step (real-time RTRL)"))
"""The choices of Training.updates (core.model.UPDATES), as the panel names them."""


class NumberBox(QDoubleSpinBox):
    """A positive number of any size a file may hold, shown exactly (the shortest text that reads back as
    the same float) and never rounded to a few decimals (QDoubleSpinBox rounds to its decimals; here they
    are as many as a double has); ↑/↓ step by a tenth of its order of magnitude."""

    def __init__(self, value: float = 1.0):
        super().__init__()
        self.setDecimals(323)
        self.setRange(1e-300, 1e300)
        self.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.setKeyboardTracking(False)  # a typed value counts when it is complete (Enter, focus out)
        self.setValue(value)

    def textFromValue(self, value: float) -> str:
        return fmt_exact(value)

    def valueFromText(self, text: str) -> float:
        return float(text.replace("−", "-"))

    def validate(self, text: str, pos: int):
        try:
            value = float(text.replace("−", "-"))
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        ok = self.minimum() <= value <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos


class TrainPanel(QWidget):
    def __init__(self, session: Session, runner: TrainRunner, parent=None):
        super().__init__(parent)
        self.session, self.document, self.runner = session, session.document, runner
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._settings_form())
        layout.addWidget(QLabel("Trained parameters (untick to freeze):"))
        self.frozen_list = QListWidget()
        self.frozen_list.itemChanged.connect(self._on_frozen)
        layout.addWidget(self.frozen_list, 1)
        buttons = QHBoxLayout()
        self.step_button = QPushButton("One step")
        self.step_button.setToolTip("Phase 5: one gradient-descent update (as → past the last phase)")
        self.step_button.clicked.connect(session.playback.descend)
        self.train_button = QPushButton("Train")
        self.train_button.clicked.connect(lambda: self.runner.start(self.epochs_box.value()))
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.runner.stop)
        for b in (self.step_button, self.train_button, self.stop_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setFormat("epoch %v of %m")
        layout.addWidget(self.progress)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {style.KINK};")
        layout.addWidget(self.message)
        self.runner.started.connect(self._on_started)
        self.runner.progress.connect(self.progress.setValue)
        self.runner.done.connect(self._on_done)
        observe(self, (self.document.structure_changed, self.refresh), (self.document.training_changed, self.refresh))
        self.refresh()

    def _settings_form(self) -> QFormLayout:
        form = QFormLayout()
        self.lr_box = NumberBox(0.1)
        self.lr_box.valueChanged.connect(self._on_learning_rate)
        form.addRow("learning rate η", self.lr_box)
        clip_row = QHBoxLayout()
        self.clip_check = QCheckBox("clip the norm ‖g‖ to")
        self.clip_box = NumberBox(1.0)
        self.clip_check.toggled.connect(self._on_clipping)
        self.clip_box.valueChanged.connect(self._on_clipping)
        clip_row.addWidget(self.clip_check)
        clip_row.addWidget(self.clip_box)
        form.addRow("clipping", clip_row)
        self.updates_box = QComboBox()
        for updates, text in UPDATE_CHOICES:
            self.updates_box.addItem(text, updates)
        self.updates_box.setToolTip("When the weights move: after the whole sequence (BPTT), after every chunk of K "
                                    "steps (tbptt:K, the state carrying on), or at every step as the sequence is "
                                    "read (Gers' real-time RTRL, under full or cec)")
        self.updates_box.activated.connect(self._on_updates)
        form.addRow("update the weights", self.updates_box)
        self.epochs_box = QSpinBox()
        self.epochs_box.setRange(1, 1_000_000)
        self.epochs_box.setValue(100)
        form.addRow("epochs", self.epochs_box)
        return form

    def refresh(self) -> None:
        """Show the document's training settings (after opening, an undo or a redo)."""
        tr = self.document.scenario.training
        with signals_blocked(self.lr_box, self.clip_check, self.clip_box, self.frozen_list, self.updates_box):
            self.lr_box.setValue(tr.learning_rate)
            self.updates_box.setCurrentIndex(self.updates_box.findData(tr.updates))
            self.clip_check.setChecked(tr.clip_norm is not None)
            if tr.clip_norm is not None:
                self.clip_box.setValue(tr.clip_norm)
            self.frozen_list.clear()
            for b in param_blocks(self.document.scenario.model):
                item = QListWidgetItem(style.key_title(b.key))
                item.setData(Qt.ItemDataRole.UserRole, b.key)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked if b.key in tr.frozen else Qt.CheckState.Checked)
                self.frozen_list.addItem(item)

    def _on_learning_rate(self, value: float) -> None:
        old = self.document.scenario.training.learning_rate
        self.document.set_training(f"learning rate {fmt_precise(old)} → {fmt_precise(value)}", learning_rate=value)

    def _on_clipping(self, *_) -> None:
        clip = self.clip_box.value() if self.clip_check.isChecked() else None
        text = f"clip the gradient norm to {fmt_precise(clip)}" if clip is not None else "no gradient clipping"
        self.document.set_training(text, clip_norm=clip)

    def _on_updates(self, row: int) -> None:
        updates = self.updates_box.itemData(row)
        self.document.set_training(f"update the weights {dict(UPDATE_CHOICES)[updates]}", updates=updates)

    def _on_frozen(self, item: QListWidgetItem) -> None:
        items = [self.frozen_list.item(i) for i in range(self.frozen_list.count())]
        frozen = tuple(it.data(Qt.ItemDataRole.UserRole) for it in items if it.checkState() == Qt.CheckState.Unchecked)
        key = item.data(Qt.ItemDataRole.UserRole)
        what = "freeze" if item.checkState() == Qt.CheckState.Unchecked else "train"
        self.document.set_training(f"{what} {style.symbol(Key.parse(key).name)} ({style.where(key)})", frozen=frozen)

    def _on_started(self, epochs: int) -> None:
        self.message.clear()
        self.progress.setRange(0, epochs)
        self.progress.setValue(0)
        self.train_button.setEnabled(False)
        self.step_button.setEnabled(False)
        self.stop_button.setEnabled(True)

    def _on_done(self, stopped: str) -> None:
        self.message.setText(f"Training {stopped}" if stopped else "")
        self.train_button.setEnabled(True)
        self.step_button.setEnabled(True)
        self.stop_button.setEnabled(False)

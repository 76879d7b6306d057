"""Training: learning rate, clipping, frozen parameters, one step or N epochs in the background."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
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

from ...core.params import param_blocks
from ..session import Session
from ..training import TrainRunner
from . import signals_blocked


class TrainPanel(QWidget):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.runner = TrainRunner(session, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        form = QFormLayout()
        self.lr_box = QDoubleSpinBox()
        self.lr_box.setDecimals(5)
        self.lr_box.setRange(1e-5, 100.0)
        self.lr_box.setSingleStep(0.01)
        self.lr_box.valueChanged.connect(self._on_settings)
        form.addRow("learning rate η", self.lr_box)
        clip_row = QHBoxLayout()
        self.clip_check = QCheckBox("clip the gradient norm to")
        self.clip_box = QDoubleSpinBox()
        self.clip_box.setRange(1e-4, 1e6)
        self.clip_box.setValue(1.0)
        self.clip_check.toggled.connect(self._on_settings)
        self.clip_box.valueChanged.connect(self._on_settings)
        clip_row.addWidget(self.clip_check)
        clip_row.addWidget(self.clip_box)
        form.addRow("clipping", clip_row)
        self.epochs_box = QSpinBox()
        self.epochs_box.setRange(1, 1_000_000)
        self.epochs_box.setValue(100)
        form.addRow("epochs", self.epochs_box)
        layout.addLayout(form)
        layout.addWidget(QLabel("Trained parameters (untick to freeze):"))
        self.frozen_list = QListWidget()
        self.frozen_list.itemChanged.connect(self._on_settings)
        layout.addWidget(self.frozen_list, 1)
        buttons = QHBoxLayout()
        self.step_button = QPushButton("One step")
        self.step_button.setToolTip("Phase 5: one gradient-descent update (as → past the last phase)")
        self.step_button.clicked.connect(session.descend)
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
        self.runner.started.connect(self._on_started)
        self.runner.progress.connect(self.progress.setValue)
        self.runner.done.connect(self._on_done)
        session.scenarioChanged.connect(self._load_settings)
        self._load_settings()

    def _load_settings(self) -> None:
        tr = self.session.scenario.training
        with signals_blocked(self.lr_box, self.clip_check, self.clip_box, self.frozen_list):
            self.lr_box.setValue(tr.learning_rate)
            self.clip_check.setChecked(tr.clip_norm is not None)
            if tr.clip_norm is not None:
                self.clip_box.setValue(tr.clip_norm)
            self.frozen_list.clear()
            for b in param_blocks(self.session.scenario.model):
                item = QListWidgetItem(b.key)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked if b.key in tr.frozen else Qt.CheckState.Checked)
                self.frozen_list.addItem(item)

    def _on_settings(self, *_) -> None:
        tr = self.session.scenario.training
        tr.learning_rate = self.lr_box.value()
        tr.clip_norm = self.clip_box.value() if self.clip_check.isChecked() else None
        tr.frozen = tuple(self.frozen_list.item(i).text() for i in range(self.frozen_list.count())
                          if self.frozen_list.item(i).checkState() == Qt.CheckState.Unchecked)

    def _on_started(self, epochs: int) -> None:
        self.progress.setRange(0, epochs)
        self.progress.setValue(0)
        self.train_button.setEnabled(False)
        self.step_button.setEnabled(False)
        self.stop_button.setEnabled(True)

    def _on_done(self) -> None:
        self.train_button.setEnabled(True)
        self.step_button.setEnabled(True)
        self.stop_button.setEnabled(False)

"""Training off the GUI thread: N epochs of gradient descent on a copy of the scenario."""
from __future__ import annotations

import copy
import time

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from ...core.edits import editable
from ...core.params import param_blocks
from ...core.train import TrainRun, train
from ..model.document import Document
from ..model.playback import Playback

PROGRESS_INTERVAL = 0.1  # seconds between progress reports: the GUI thread is never flooded


class TrainWorker(QObject):
    progress = Signal(int, object)         # epochs done, the loss before each update so far
    finished = Signal(object, object)      # new parameter arrays by key, the TrainRun

    def __init__(self, scenario, epochs: int, gradient: str, learning_rate: float, clip_norm, frozen,
                 updates: str = "epoch"):
        super().__init__()
        self.scenario = copy.deepcopy(scenario)
        self.args = (epochs, gradient, learning_rate, clip_norm, tuple(frozen), updates)
        self.stop_requested = False
        self.losses: list[float] = []
        self.last_report = 0.0

    def run(self) -> None:
        epochs, gradient, lr, clip, frozen, updates = self.args
        try:
            run = train(self.scenario, epochs, gradient, lr, clip, frozen, on_epoch=self._on_epoch, updates=updates)
        except ValueError as e:  # a combination the engine refuses (every step under tbptt, a model too large)
            run = TrainRun(stopped=f"refused: {e}")
        self.progress.emit(len(run.losses), list(run.losses))
        arrays = editable(self.scenario)
        values = {b.key: np.array(arrays[b.key]) for b in param_blocks(self.scenario.model) if b.key not in frozen}
        self.finished.emit(values, run)

    def _on_epoch(self, n: int, loss: float) -> bool:
        self.losses.append(loss)
        now = time.monotonic()
        if now - self.last_report >= PROGRESS_INTERVAL:
            self.last_report = now
            self.progress.emit(n, list(self.losses))
        return self.stop_requested


class TrainRunner(QObject):
    """Starts one worker thread at a time and hands its result to the playback as one undo entry."""

    started = Signal(int)
    progress = Signal(int)
    done = Signal(str)  # "" when the run went as asked, else why it stopped (a diverging run)

    def __init__(self, document: Document, playback: Playback, parent: QObject | None = None):
        super().__init__(parent)
        self.document, self.playback = document, playback
        self.thread: QThread | None = None
        self.worker: TrainWorker | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None

    def start(self, epochs: int) -> None:
        if self.running:
            return
        doc = self.document
        tr = doc.scenario.training
        self.worker = TrainWorker(doc.scenario, epochs, str(doc.mode), tr.learning_rate, tr.clip_norm, tr.frozen,
                                  tr.updates)
        self.thread = QThread(self)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.thread.start()
        self.started.emit(epochs)

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop_requested = True

    def _on_progress(self, n: int, losses: list[float]) -> None:
        self.playback.show_training_losses(losses)
        self.progress.emit(n)

    def _on_finished(self, values, run) -> None:
        self.thread.quit()
        self.thread.wait()
        self.thread.deleteLater()
        self.worker.deleteLater()
        self.thread = self.worker = None
        if run.losses:
            self.playback.apply_training(values, list(run.losses))
        else:
            self.playback.show_training_losses([])  # nothing applied: the curve goes back as it was
        self.done.emit(run.stopped or "")

    def wait(self) -> None:
        """Block until a run finishes (for closing the window)."""
        if self.thread is not None:
            self.stop()
            self.thread.quit()
            self.thread.wait()

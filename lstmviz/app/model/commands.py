"""The undoable edits of a document (Qt-free). Each command writes through the document's ``write_*``
methods, which retrace; undo writes the old values back, bit for bit."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ...core.edits import editable, with_layer_option
from ...core.model import Layer, Watch
from ...core.modes import GradientMode
from ..numbers import fmt
from .history import Command

if TYPE_CHECKING:
    from .document import Document
    from .playback import Playback


class SetArrays(Command):
    """New values for editable arrays (parameters, states, data) by key."""

    def __init__(self, document: Document, values: dict[str, np.ndarray], text: str,
                 old: dict[str, np.ndarray] | None = None):
        arrays = editable(document.scenario)
        self.document, self.text = document, text
        self.new = {k: np.array(v, dtype=arrays[k].dtype) for k, v in values.items()}
        self.old = old if old is not None else {k: arrays[k].copy() for k in values}

    def redo(self) -> None:
        self.document.write_arrays(self.new)

    def undo(self) -> None:
        self.document.write_arrays(self.old)


class SetLayer(Command):
    """Another variant of layer n (activations, forget gate, peepholes): ``option`` set to ``value``."""

    def __init__(self, document: Document, n: int, option: str, value):
        self.document, self.n, self.option, self.value = document, n, option, value
        self.text = f"layer {n}: {option} → {value}"
        self.new: Layer = with_layer_option(document.scenario, n, option, value)  # ValueError if not a variant
        self.old: Layer = document.scenario.model.layers[n]

    def redo(self) -> None:
        self.document.write_layer(self.n, self.new)

    def undo(self) -> None:
        self.document.write_layer(self.n, self.old)


class SetMode(Command):
    def __init__(self, document: Document, mode: GradientMode):
        self.document, self.old, self.new = document, document.mode, mode
        self.text = f"gradient {self.old} → {mode}"

    def redo(self) -> None:
        self.document.write_mode(self.new)

    def undo(self) -> None:
        self.document.write_mode(self.old)


class SetWatches(Command):
    def __init__(self, document: Document, watches: list[Watch], text: str):
        self.document, self.text = document, text
        self.new, self.old = list(watches), list(document.scenario.watches)

    def redo(self) -> None:
        self.document.write_watches(self.new)

    def undo(self) -> None:
        self.document.write_watches(self.old)


class SetTraining(Command):
    """Training settings: learning rate, clipping, frozen parameters."""

    def __init__(self, document: Document, text: str, **changes):
        self.document, self.text, self.changes = document, text, changes
        self.old = document.scenario.training
        self.new = replace(self.old, **changes)

    def redo(self) -> None:
        self.document.write_training(self.new)

    def undo(self) -> None:
        self.document.write_training(self.old)


class Descend(SetArrays):
    """Phase 5: one gradient-descent update; undo restores the weights, the epoch and phase 5."""

    def __init__(self, document: Document, playback: Playback, values: dict[str, np.ndarray]):
        super().__init__(document, values, f"gradient descent, epoch {playback.epoch}")
        self.playback = playback
        self.epoch, self.losses = playback.epoch, list(playback.epoch_losses)

    def redo(self) -> None:
        super().redo()
        self.playback.start_epoch(self.epoch + 1, self.losses + [self.document.trace.loss])

    def undo(self) -> None:
        super().undo()
        self.playback.start_epoch(self.epoch, self.losses, at_descent=True)


class Train(SetArrays):
    """A whole training run: the weights it ends with and the loss of every epoch."""

    def __init__(self, document: Document, playback: Playback, values: dict[str, np.ndarray], losses: list[float]):
        super().__init__(document, values, _train_text(losses, None))
        self.playback = playback
        self.epoch, self.losses, self.run = playback.epoch, list(playback.epoch_losses), list(losses)

    def redo(self) -> None:
        super().redo()
        loss = self.document.trace.loss
        self.playback.start_epoch(self.epoch + len(self.run), self.losses[:-1] + self.run + [loss])
        self.text = _train_text(self.run, loss)

    def undo(self) -> None:
        super().undo()
        self.playback.start_epoch(self.epoch, self.losses)


def _train_text(losses: list[float], final: float | None) -> str:
    n = len(losses)
    return f"train {n} epoch{'s' * (n != 1)} (E {fmt(losses[0])} → {'…' if final is None else fmt(final)})"


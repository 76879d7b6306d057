"""The session: owns the scenario, its trace, the playhead, the selection and the undo stack.

Widgets observe its signals and never compute anything themselves. Every change of the scenario
or of the gradient mode is a QUndoCommand on :attr:`Session.undo_stack` and recomputes the trace.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core import Scenario, Trace, compute, parse_mode
from ..core.modes import GradientMode
from ..core.params import param_array, param_blocks
from ..core.train import assign_params, descent_step
from ..io import load_scenario, save_scenario
from .phases import Playhead
from .quantities import NodeRef, Quantities


class Session(QObject):
    scenarioChanged = Signal()   # a different scenario: layouts rebuild
    traceChanged = Signal()      # new numbers (an edit, a mode switch, an update)
    playheadChanged = Signal()
    selectionChanged = Signal()
    viewChanged = Signal()       # forward/backward view or the drawn unit
    epochsChanged = Signal()

    def __init__(self, scenario: Scenario, path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.view = "forward"
        self.unit = 0
        self._install(scenario, path)

    # -- scenario ----------------------------------------------------------------------------
    def _install(self, scenario: Scenario, path: Path | None) -> None:
        self.scenario = scenario
        self.path = path
        self.mode: GradientMode = parse_mode(scenario.training.gradient)
        self.trace: Trace = compute(scenario, self.mode)
        self.quantities = Quantities(self.trace)
        self.playhead = Playhead.complete(self.trace.steps)
        self.selection: NodeRef | None = None
        self.selected_weight: tuple[str, tuple[int, ...]] | None = None
        self.epoch = 1
        self.epoch_losses: list[float] = [self.trace.loss]
        self.unit = min(self.unit, max(layer.hidden_size for layer in scenario.model.layers) - 1)
        self.undo_stack.clear()

    def open(self, spec: str | Path) -> None:
        """Load a file or preset (raises ScenarioError and keeps the current scenario on failure)."""
        scenario = load_scenario(spec)
        path = Path(spec) if Path(spec).is_file() else None
        self._install(scenario, path)
        self.scenarioChanged.emit()
        self.traceChanged.emit()
        self.playheadChanged.emit()
        self.selectionChanged.emit()

    def save(self, path: Path | None = None) -> Path:
        target = Path(path or self.path)
        self.scenario.training.gradient = str(self.mode)
        save_scenario(self.scenario, target)
        self.path = target
        self.undo_stack.setClean()
        return target

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def recompute(self) -> None:
        self.trace = compute(self.scenario, self.mode)
        self.quantities = Quantities(self.trace)
        self.traceChanged.emit()

    # -- gradient mode ---------------------------------------------------------------------------
    def set_mode(self, text: str) -> None:
        mode = parse_mode(text)
        if mode != self.mode:
            self.undo_stack.push(_SetMode(self, mode))

    def _apply_mode(self, mode: GradientMode) -> None:
        self.mode = mode
        self.recompute()

    # -- parameters ------------------------------------------------------------------------------
    def set_params(self, values: dict[str, np.ndarray], text: str) -> None:
        self.undo_stack.push(_SetParams(self, values, text))

    def _assign(self, values: dict[str, np.ndarray]) -> None:
        assign_params(self.scenario, values)
        self.recompute()

    # -- playhead --------------------------------------------------------------------------------
    def set_playhead(self, playhead: Playhead) -> None:
        if playhead != self.playhead:
            self.playhead = playhead
            self.playheadChanged.emit()

    def step_forward(self) -> None:
        nxt = self.playhead.forward()
        if nxt is None:
            self.descend()
        else:
            self.set_playhead(nxt)

    def step_back(self) -> None:
        self.set_playhead(self.playhead.back())

    def descend(self) -> None:
        """Phase 5: move the weights against the gradient, then start the next epoch."""
        tr = self.scenario.training
        values = descent_step(self.scenario, self.trace, tr.learning_rate, tr.clip_norm, tr.frozen)
        self.undo_stack.push(_Descend(self, values))

    def _set_epoch(self, epoch: int, losses: list[float]) -> None:
        self.epoch = epoch
        self.epoch_losses = losses
        self.playhead = Playhead.start(self.trace.steps)
        self.epochsChanged.emit()
        self.playheadChanged.emit()

    # -- selection and view ----------------------------------------------------------------------
    def select(self, node: NodeRef | None) -> None:
        if node != self.selection or self.selected_weight is not None:
            self.selection = node
            self.selected_weight = None
            if node is not None and node.layer is not None:
                drawn = min(self.unit, self.scenario.model.layers[node.layer].hidden_size - 1)
                if node.unit != drawn:  # a node of another unit (a term's link): draw that unit
                    self.unit = node.unit
                    self.viewChanged.emit()
            self.selectionChanged.emit()

    def select_weight(self, key: str, index: tuple[int, ...]) -> None:
        self.selected_weight = (key, tuple(index))
        self.selectionChanged.emit()

    def set_view(self, view: str) -> None:
        if view not in ("forward", "backward"):
            raise ValueError(f"unknown view {view!r}")
        if view != self.view:
            self.view = view
            self.viewChanged.emit()

    def set_unit(self, unit: int) -> None:
        if unit != self.unit:
            self.unit = unit
            if self.selection is not None and self.selection.layer is not None:
                layer = self.scenario.model.layers[self.selection.layer]
                self.selection = NodeRef(self.selection.layer, self.selection.var, self.selection.t,
                                         min(unit, layer.hidden_size - 1))
                self.selectionChanged.emit()
            self.viewChanged.emit()

    @property
    def max_units(self) -> int:
        return max(layer.hidden_size for layer in self.scenario.model.layers)


class _SetMode(QUndoCommand):
    def __init__(self, session: Session, mode: GradientMode):
        super().__init__(f"gradient {session.mode} → {mode}")
        self.session, self.old, self.new = session, session.mode, mode

    def redo(self) -> None:
        self.session._apply_mode(self.new)

    def undo(self) -> None:
        self.session._apply_mode(self.old)


class _SetParams(QUndoCommand):
    def __init__(self, session: Session, values: dict[str, np.ndarray], text: str):
        super().__init__(text)
        self.session = session
        self.new = {k: np.array(v, dtype=np.float64) for k, v in values.items()}
        self.old = _current(session, self.new)

    def redo(self) -> None:
        self.session._assign(self.new)

    def undo(self) -> None:
        self.session._assign(self.old)


class _Descend(_SetParams):
    """One gradient-descent update; undo restores the weights and the epoch."""

    def __init__(self, session: Session, values: dict[str, np.ndarray]):
        super().__init__(session, values, f"gradient descent, epoch {session.epoch}")
        self.epoch = session.epoch
        self.losses = list(session.epoch_losses)

    def redo(self) -> None:
        super().redo()
        self.session._set_epoch(self.epoch + 1, self.losses + [self.session.trace.loss])

    def undo(self) -> None:
        super().undo()
        self.session._set_epoch(self.epoch, self.losses)
        self.session.set_playhead(Playhead(5, 0, self.session.trace.steps))


def _current(session: Session, like: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    blocks = {b.key: b for b in param_blocks(session.scenario.model)}
    return {k: param_array(session.scenario.model, blocks[k]).copy() for k in like}

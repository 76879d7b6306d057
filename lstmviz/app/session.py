"""The session: owns the scenario, its trace, the playhead, the selection and the undo stack.

Widgets observe its signals and never compute anything themselves. Every change of the scenario
or of the gradient mode is a QUndoCommand on :attr:`Session.undo_stack` and recomputes the trace.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core import Scenario, Trace, compute, parse_mode
from ..core.edits import check_value, editable, entry_label, with_layer_option
from ..core.model import Watch
from ..core.modes import GradientMode
from ..core.train import descent_step
from ..io import load_scenario, save_scenario
from ..watch import Value, WatchError, evaluate
from ..watch.breakpoints import Breakpoint, Hit, first_hit
from ..watch.check import CheckResult, check
from .equations import fmt
from .phases import Playhead
from .quantities import NodeRef, Quantities, layer_vars


class Session(QObject):
    scenarioChanged = Signal()   # a different scenario: layouts rebuild
    traceChanged = Signal()      # new numbers (an edit, a mode switch, an update)
    playheadChanged = Signal()
    selectionChanged = Signal()
    viewChanged = Signal()       # forward/backward view or the drawn unit
    epochsChanged = Signal()
    snapshotsChanged = Signal()  # a pin added or removed, or another one compared
    watchesChanged = Signal()    # watch values and checks recomputed, or the list changed
    breakpointHit = Signal(str)  # playback stopped: what held, where

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
        self.epoch_losses_live: list[float] | None = None
        self.snapshots: list[Snapshot] = []
        self.compare: Snapshot | None = None
        self.show_diff = False
        self._auto_pin = True  # the first edit keeps a "before my edit" snapshot
        self._drag: _SetArrays | None = None
        self._recompute_pending = False
        self.breakpoints: list[Breakpoint] = []
        self.hit: Hit | None = None
        self._evaluate_watches()
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
        self._evaluate_watches()
        self.traceChanged.emit()

    # -- watches, checks, breakpoints ---------------------------------------------------------------
    def _evaluate_watches(self) -> None:
        """Every watch's value at every step and, for a watch that should equal something, its check."""
        self.watch_values: list[Value | None] = []
        self.watch_errors: list[str | None] = []
        self.watch_checks: list[CheckResult | None] = []
        named: dict[str, Value] = {}
        for n, w in enumerate(self.scenario.watches):
            value = error = result = None
            try:
                value = evaluate(w.expression, self.trace, named)
                named[f"w{n + 1}"] = value
                if w.equals:
                    result = check(w.expression, w.equals, self.trace, w.tolerance, named)
            except WatchError as e:
                error = str(e)
            self.watch_values.append(value)
            self.watch_errors.append(error)
            self.watch_checks.append(result)
        self.watchesChanged.emit()

    def watch_series(self, n: int, unit: int = 0) -> np.ndarray:
        """Watch n at every step, for ``unit`` (clipped to the watch's width); NaN if it does not evaluate."""
        value = self.watch_values[n] if n < len(self.watch_values) else None
        if value is None:
            return np.full(self.trace.steps, np.nan)
        per_step = value.per_step(self.trace.steps)
        return per_step[:, min(unit, per_step.shape[1] - 1)]

    def set_watches(self, watches: list[Watch], text: str) -> None:
        self.undo_stack.push(_SetWatches(self, watches, text))

    def _assign_watches(self, watches: list[Watch]) -> None:
        self.scenario.watches = list(watches)
        gone = self.selection is not None and self.selection.var.startswith("watch:") and \
            int(self.selection.var.split(":")[1]) >= len(watches)
        if gone:
            self.selection = None  # its lane is gone
        self._evaluate_watches()
        if gone:
            self.selectionChanged.emit()
        self.scenarioChanged.emit()
        self.traceChanged.emit()

    def set_breakpoints(self, breakpoints: list[Breakpoint]) -> None:
        self.breakpoints = list(breakpoints)

    def _check_breakpoints(self) -> bool:
        """After a step: stop (select the hit, say what held) if a breakpoint holds here."""
        ph = self.playhead
        t = ph.current_t
        if t is None or not self.breakpoints:
            return False
        try:
            hit = first_hit(self.breakpoints, self.trace, ph.phase, t)
        except WatchError as e:
            hit = None
            self.breakpointHit.emit(f"breakpoint expression refused: {e}")
        if hit is None:
            return False
        self.hit = hit
        if hit.layer is None or hit.var in layer_vars(self.scenario.model.layers[hit.layer]):
            self.select(NodeRef(hit.layer, hit.var, hit.t, hit.unit))
        self.breakpointHit.emit(f"breakpoint: {hit.text} — F8 continues")
        return True

    # -- gradient mode ---------------------------------------------------------------------------
    def set_mode(self, text: str) -> None:
        mode = parse_mode(text)
        if mode != self.mode:
            self.undo_stack.push(_SetMode(self, mode))

    def _apply_mode(self, mode: GradientMode) -> None:
        self.mode = mode
        self.recompute()

    # -- edits ---------------------------------------------------------------------------------------
    def set_params(self, values: dict[str, np.ndarray], text: str) -> None:
        """Set whole arrays (parameters, states or data, by key) as one undoable step."""
        self._before_edit()
        self.undo_stack.push(_SetArrays(self, values, text))

    def set_entry(self, key: str, index: tuple[int, ...], value: float) -> str | None:
        """Set one entry; returns why it was refused (nothing changes then), or None."""
        return self.set_entries(key, [index], [value])

    def set_entries(self, key: str, indices: list[tuple[int, ...]], values: list[float],
                    text: str | None = None) -> str | None:
        arrays = editable(self.scenario)
        for v in values:
            problem = check_value(self.scenario, key, v)
            if problem:
                return f"{entry_label(key, indices[0])}: {problem}"
        new = arrays[key].copy()
        for index, v in zip(indices, values):
            new[index] = v
        if np.array_equal(new, arrays[key]):
            return None
        if text is None:
            old = arrays[key][indices[0]]
            text = f"{entry_label(key, indices[0])} {fmt(float(old))} → {fmt(float(values[0]))}" if len(indices) == 1 \
                else f"{key.split('/', 1)[1]}: {len(indices)} entries"
        self.set_params({key: new}, text)
        return None

    def begin_drag(self, key: str) -> None:
        """A slider drag starts: live values until :meth:`end_drag`, then one undo entry."""
        self._before_edit()
        self._drag = _SetArrays(self, {key: editable(self.scenario)[key].copy()}, "")

    def drag_to(self, key: str, index: tuple[int, ...], value: float) -> None:
        if self._drag is None or check_value(self.scenario, key, value):
            return
        editable(self.scenario)[key][index] = value
        self._schedule_recompute()

    def end_drag(self, key: str, index: tuple[int, ...]) -> None:
        drag, self._drag = self._drag, None
        if drag is None:
            return
        current = editable(self.scenario)[key]
        old = drag.new[key]
        if np.array_equal(current, old):
            return
        command = _SetArrays(self, {key: current.copy()}, f"{entry_label(key, index)} {fmt(float(old[index]))} → "
                                                           f"{fmt(float(current[index]))} (drag)")
        command.old = {key: old}
        self.undo_stack.push(command)

    def _schedule_recompute(self) -> None:
        """Coalesce: however many edits arrive before the event loop turns, one recompute."""
        if not self._recompute_pending:
            self._recompute_pending = True
            QTimer.singleShot(0, self._deferred_recompute)

    def _deferred_recompute(self) -> None:
        self._recompute_pending = False
        self.recompute()

    def _assign(self, values: dict[str, np.ndarray]) -> None:
        arrays = editable(self.scenario)
        for key, value in values.items():
            arrays[key][...] = value
        self.recompute()

    def set_layer_option(self, n: int, option: str, value) -> None:
        """Switch a layer variant (activation, forget gate, peepholes) as one undoable step."""
        layer = with_layer_option(self.scenario, n, option, value)
        self._before_edit()
        self.undo_stack.push(_SetLayer(self, n, layer, f"layer {n}: {option} → {value}"))

    def _replace_layer(self, n: int, layer) -> None:
        self.scenario.model.layers[n] = layer
        self.trace = compute(self.scenario, self.mode)
        self.quantities = Quantities(self.trace)
        if self.selection is not None and self.selection.layer == n and \
                self.selection.var not in layer_vars(layer):
            self.selection = None
        self.scenarioChanged.emit()
        self.traceChanged.emit()
        self.selectionChanged.emit()

    # -- snapshots -------------------------------------------------------------------------------------
    def pin(self, name: str | None = None) -> "Snapshot":
        """Keep the current trace (values, δ, gradients) to compare later edits or modes with."""
        name = name or f"pin {len(self.snapshots) + 1}"
        snap = Snapshot(name, compute(copy.deepcopy(self.scenario), self.mode))
        self.snapshots.append(snap)
        self.compare = snap
        self._auto_pin = True
        self.snapshotsChanged.emit()
        return snap

    def set_compare(self, snap: "Snapshot | None", show_diff: bool | None = None) -> None:
        self.compare = snap
        if show_diff is not None:
            self.show_diff = show_diff and snap is not None
        self.snapshotsChanged.emit()
        self.traceChanged.emit()

    def rename_snapshot(self, snap: "Snapshot", name: str) -> None:
        snap.name = name
        self.snapshotsChanged.emit()

    def remove_snapshot(self, snap: "Snapshot") -> None:
        self.snapshots.remove(snap)
        if self.compare is snap:
            self.compare = self.snapshots[-1] if self.snapshots else None
            self.show_diff = self.show_diff and self.compare is not None
        self.snapshotsChanged.emit()
        self.traceChanged.emit()

    def _before_edit(self) -> None:
        if self._auto_pin:
            self._auto_pin = False
            self.snapshots = [s for s in self.snapshots if s.name != BEFORE_EDIT]
            snap = Snapshot(BEFORE_EDIT, compute(copy.deepcopy(self.scenario), self.mode))
            self.snapshots.append(snap)
            if self.compare is None or self.compare.name == BEFORE_EDIT:
                self.compare = snap
            self.snapshotsChanged.emit()

    # -- playhead --------------------------------------------------------------------------------
    def set_playhead(self, playhead: Playhead) -> None:
        if playhead != self.playhead:
            self.playhead = playhead
            self.playheadChanged.emit()

    def step_forward(self) -> bool:
        """One step; returns True when a breakpoint holds at the new position."""
        nxt = self.playhead.forward()
        if nxt is None:
            self.descend()
            return False
        self.set_playhead(nxt)
        return self._check_breakpoints()

    def next_phase_stopping(self) -> None:
        """Page Down: to the start of the next phase, unless a breakpoint holds on the way."""
        target = self.playhead.next_phase()
        while self.playhead != target and self.playhead.phase < 5:
            if self.step_forward():
                return

    def step_back(self) -> None:
        self.set_playhead(self.playhead.back())

    def descend(self) -> None:
        """Phase 5: move the weights against the gradient, then start the next epoch."""
        tr = self.scenario.training
        values = descent_step(self.scenario, self.trace, tr.learning_rate, tr.clip_norm, tr.frozen)
        self.undo_stack.push(_Descend(self, values))

    def apply_training(self, values: dict[str, np.ndarray], losses: list[float]) -> None:
        """The result of a training run, as one undo entry."""
        self._before_edit()
        self.undo_stack.push(_Train(self, values, losses))

    def show_training_losses(self, losses: list[float]) -> None:
        """While a run is under way: the loss curve grows (the weights move when it ends)."""
        self.epoch_losses_live = self.epoch_losses[:-1] + list(losses)
        self.epochsChanged.emit()

    def _set_epoch(self, epoch: int, losses: list[float]) -> None:
        self.epoch = epoch
        self.epoch_losses = losses
        self.epoch_losses_live = None
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


class _SetArrays(QUndoCommand):
    """New values for editable arrays (parameters, states, data); undo restores them bit for bit."""

    def __init__(self, session: Session, values: dict[str, np.ndarray], text: str):
        super().__init__(text)
        self.session = session
        arrays = editable(session.scenario)
        self.new = {k: np.array(v, dtype=arrays[k].dtype) for k, v in values.items()}
        self.old = {k: arrays[k].copy() for k in values}

    def redo(self) -> None:
        self.session._assign(self.new)

    def undo(self) -> None:
        self.session._assign(self.old)


class _SetWatches(QUndoCommand):
    def __init__(self, session: Session, watches: list[Watch], text: str):
        super().__init__(text)
        self.session = session
        self.new, self.old = list(watches), list(session.scenario.watches)

    def redo(self) -> None:
        self.session._assign_watches(self.new)

    def undo(self) -> None:
        self.session._assign_watches(self.old)


class _SetLayer(QUndoCommand):
    def __init__(self, session: Session, n: int, layer, text: str):
        super().__init__(text)
        self.session, self.n = session, n
        self.new, self.old = layer, session.scenario.model.layers[n]

    def redo(self) -> None:
        self.session._replace_layer(self.n, self.new)

    def undo(self) -> None:
        self.session._replace_layer(self.n, self.old)


class _Descend(_SetArrays):
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


class _Train(_SetArrays):
    """A whole training run: the weights it ends with and the loss of every epoch."""

    def __init__(self, session: Session, values: dict[str, np.ndarray], losses: list[float]):
        super().__init__(session, values, f"train {len(losses)} epoch{'s' * (len(losses) != 1)} "
                                          f"(E {fmt(losses[0])} → …)")
        self.epoch = session.epoch
        self.losses = list(session.epoch_losses)
        self.run = losses

    def redo(self) -> None:
        super().redo()
        self.session._set_epoch(self.epoch + len(self.run), self.losses[:-1] + self.run + [self.session.trace.loss])
        self.setText(f"train {len(self.run)} epoch{'s' * (len(self.run) != 1)} "
                     f"(E {fmt(self.run[0])} → {fmt(self.session.trace.loss)})")

    def undo(self) -> None:
        super().undo()
        self.session._set_epoch(self.epoch, self.losses)


BEFORE_EDIT = "before my edit"


@dataclass
class Snapshot:
    """A pinned trace, computed on a copy of the scenario so later edits leave it as it was."""

    name: str
    trace: Trace

    @property
    def quantities(self) -> Quantities:
        return Quantities(self.trace)

"""The document: the scenario being debugged, its trace under the gradient mode, and every edit (Qt-free).

Every change is a command on :attr:`Document.history` (see :mod:`.commands`); a command writes through
the ``write_*`` methods, and each of those ends in :meth:`Document.retrace`, the one path from a
changed scenario to new numbers: the trace, the quantities and every watch are recomputed before any
event goes out. Observers read the document in their handlers; they never compute gradients.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import numpy as np
from psygnal import Signal

from ...core import Scenario, Trace, compute, parse_mode
from ...core.edits import check_value, editable
from ...core.keys import Key
from ...core.model import Layer, Training, Watch
from ...core.modes import GradientMode
from ...core.train import descent_step
from ...io import save_scenario
from ..numbers import fmt
from ..style import entry_name, symbol
from .commands import SetArrays, SetLayer, SetMode, SetTraining, SetWatches
from .history import Command, History
from .quantities import Quantities
from .watches import WatchResults


class Document:
    structure_changed = Signal()  # layers, lanes or steps changed: layouts rebuild (comes before trace_changed)
    trace_changed = Signal()      # new numbers
    watches_changed = Signal()    # the watches were re-evaluated (after every retrace) or the list changed
    training_changed = Signal()   # learning rate, clipping or frozen parameters
    path_changed = Signal()       # opened or saved under another name
    edit_started = Signal()       # an edit of the numbers is about to be applied (for "before my edit")

    def __init__(self, scenario: Scenario, path: Path | None = None, history: History | None = None,
                 call_soon: Callable[[Callable[[], None]], None] | None = None, trace: Trace | None = None):
        """``call_soon(fn)`` runs fn once the caller has returned (the Qt layer: on the event loop's next
        turn); it coalesces the recomputes of a slider drag. Without it, fn runs at once. ``trace`` is the
        scenario's trace when it was computed already (by :func:`lstmviz.io.opening.open_checked`)."""
        self.history = history if history is not None else History()
        self._call_soon = call_soon or (lambda fn: fn())
        self.replace(scenario, path, trace)

    def replace(self, scenario: Scenario, path: Path | None, trace: Trace | None = None) -> None:
        """Another scenario, with an empty history. Emits nothing: the session announces the change."""
        self.scenario, self.path = scenario, path
        self.origin = copy.deepcopy(scenario)  # the history's start, for recovery after a crash
        self.mode: GradientMode = parse_mode(scenario.training.gradient)
        self._drag: SetArrays | None = None
        self._recompute_pending = False
        self._compute(trace)
        self.history.clear()

    def announce(self) -> None:
        """Tell every observer that everything changed (after :meth:`replace`)."""
        self.structure_changed.emit()
        self.trace_changed.emit()
        self.watches_changed.emit()
        self.training_changed.emit()
        self.path_changed.emit()

    # -- state -------------------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return not self.history.is_clean()

    @property
    def name(self) -> str:
        return self.scenario.name

    def save(self, path: Path | None = None) -> Path:
        target = Path(path or self.path)
        save_scenario(self.scenario, target)
        if target != self.path:
            self.path = target
            self.path_changed.emit()
        self.history.set_clean()
        return target

    def descent_update(self) -> dict[str, np.ndarray]:
        """The new weights phase 5 applies: θ − η·dE/dθ with the scenario's clipping and frozen parameters."""
        tr = self.scenario.training
        return descent_step(self.scenario, self.trace, tr.learning_rate, tr.clip_norm, tr.frozen)

    # -- the one path to new numbers -----------------------------------------------------------------------
    def _compute(self, trace: Trace | None = None) -> None:
        self.trace: Trace = compute(self.scenario, self.mode) if trace is None else trace
        self.quantities = Quantities(self.trace)
        self.watches = WatchResults(self.scenario.watches, self.trace)

    def retrace(self, structure: bool = False) -> None:
        """Recompute the trace, its quantities and every watch, then tell the observers."""
        self._compute()
        if structure:
            self.structure_changed.emit()
        self.trace_changed.emit()
        self.watches_changed.emit()

    # -- undoable edits -----------------------------------------------------------------------------------------
    def push(self, command: Command, edits_numbers: bool = True) -> None:
        if edits_numbers:
            self.edit_started.emit()
        self.history.push(command)

    def set_arrays(self, values: dict[str, np.ndarray], text: str) -> None:
        """Set whole arrays (parameters, states or data, by key) as one undoable step."""
        self.push(SetArrays(self, values, text))

    def set_entry(self, key: str, index: tuple[int, ...], value: float) -> str | None:
        """Set one entry; returns why it was refused (nothing changes then), or None."""
        return self.set_entries(key, [index], [value])

    def set_entries(self, key: str, indices: list[tuple[int, ...]], values: list[float],
                    text: str | None = None) -> str | None:
        arrays = editable(self.scenario)
        for v in values:
            problem = check_value(self.scenario, key, v)
            if problem:
                return f"{entry_name(key, indices[0])}: {problem}"
        new = arrays[key].copy()
        for index, v in zip(indices, values, strict=True):
            new[index] = v
        if np.array_equal(new, arrays[key]):
            return None
        if text is None:
            old = arrays[key][indices[0]]
            text = f"{entry_name(key, indices[0])} {fmt(float(old))} → {fmt(float(values[0]))}" if len(indices) == 1 \
                else f"{symbol(Key.parse(key).name)}: {len(indices)} entries"
        self.set_arrays({key: new}, text)
        return None

    def set_layer_option(self, n: int, option: str, value) -> None:
        """Switch a layer variant (activation, forget gate, peepholes) as one undoable step."""
        self.push(SetLayer(self, n, option, value))

    def set_mode(self, text: str | GradientMode) -> None:
        mode = parse_mode(text)
        if mode != self.mode:
            self.push(SetMode(self, mode), edits_numbers=False)

    def set_watches(self, watches: list[Watch], text: str) -> None:
        self.push(SetWatches(self, watches, text), edits_numbers=False)

    def set_training(self, text: str, **changes) -> None:
        """Learning rate, clipping or frozen parameters, as one undoable step (nothing if unchanged)."""
        command = SetTraining(self, text, **changes)
        if command.new != command.old:
            self.push(command, edits_numbers=False)

    # -- a slider drag: live values, then one undo entry ---------------------------------------------------
    def begin_drag(self, key: str) -> None:
        self.edit_started.emit()
        self._drag = SetArrays(self, {key: editable(self.scenario)[key].copy()}, "")

    def drag_to(self, key: str, index: tuple[int, ...], value: float) -> None:
        if self._drag is None or check_value(self.scenario, key, value):
            return
        editable(self.scenario)[key][index] = value
        if not self._recompute_pending:  # however many moves arrive before the next turn: one retrace
            self._recompute_pending = True
            self._call_soon(self._deferred_retrace)

    def _deferred_retrace(self) -> None:
        self._recompute_pending = False
        self.retrace()

    def end_drag(self, key: str, index: tuple[int, ...]) -> None:
        drag, self._drag = self._drag, None
        if drag is None:
            return
        current, old = editable(self.scenario)[key], drag.new[key]
        if not np.array_equal(current, old):
            text = f"{entry_name(key, index)} {fmt(float(old[index]))} → {fmt(float(current[index]))} (drag)"
            self.history.push(SetArrays(self, {key: current.copy()}, text, old={key: old}))

    # -- writes: commands call these; each retraces -----------------------------------------------------------
    def write_arrays(self, values: dict[str, np.ndarray]) -> None:
        """Write the arrays and retrace — unless they hold these values and their trace already (the end of a
        slider drag pushes the values its last move retraced)."""
        arrays = editable(self.scenario)
        if not self._recompute_pending and all(np.array_equal(arrays[k], v) for k, v in values.items()):
            return
        for key, value in values.items():
            arrays[key][...] = value
        self.retrace()

    def write_layer(self, n: int, layer: Layer) -> None:
        self.scenario.model.layers[n] = layer
        self.retrace(structure=True)

    def write_mode(self, mode: GradientMode) -> None:
        self.mode = mode
        self.scenario.training.gradient = str(mode)
        self.retrace()

    def write_watches(self, watches: list[Watch]) -> None:
        self.scenario.watches = list(watches)
        self.retrace(structure=True)  # a watch is a lane of the graph

    def write_training(self, training: Training) -> None:
        self.scenario.training = training
        self.mode = parse_mode(training.gradient)
        self.training_changed.emit()

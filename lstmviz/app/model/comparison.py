"""Pinned snapshots and the one compared against (Qt-free).

A snapshot is a trace computed on a copy of the scenario, so later edits leave it as it was. The
first edit of numbers after opening (or after a pin) keeps a "before my edit" snapshot by itself.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
from psygnal import Signal

from ...core import Trace, compute
from ...core.model import Watch
from .document import Document
from .quantities import NodeRef, Quantities
from .watches import WatchResults

BEFORE_EDIT = "before my edit"


@dataclass
class Snapshot:
    name: str
    trace: Trace
    quantities: Quantities = field(init=False, repr=False)
    _watches: tuple[tuple[str, ...], WatchResults] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.quantities = Quantities(self.trace)

    def series(self, layer: int | None, var: str, unit: int, kind: str) -> np.ndarray | None:
        """A lane of this snapshot over its steps, or None where it has no such lane (another structure)."""
        try:
            return np.asarray(self.quantities.series(layer, var, unit, kind), float)
        except (KeyError, IndexError):
            return None

    def lane(self, layer: int | None, var: str, unit: int, kind: str, shape: tuple[int, ...]) -> np.ndarray:
        """The lane shaped like the current one, NaN where this snapshot has no such lane or another shape."""
        old = self.series(layer, var, unit, kind)
        return old if old is not None and old.shape == shape else np.full(shape, np.nan)

    def watch_lane(self, watches: list[Watch], n: int, unit: int, shape: tuple[int, ...]) -> np.ndarray:
        """Today's watch n evaluated on this snapshot's trace (NaN where it does not evaluate or has
        another shape): the "then" of a watch's difference."""
        expressions = tuple(w.expression for w in watches)
        if self._watches is None or self._watches[0] != expressions:
            self._watches = (expressions, WatchResults(watches, self.trace))
        old = self._watches[1].series(n, unit)
        return old if old.shape == shape else np.full(shape, np.nan)

    def at(self, node: NodeRef, kind: str) -> float | np.ndarray | None:
        """The value or δ of a node in this snapshot, or None if it has no such node."""
        old = self.series(node.layer, node.var, node.unit, kind)
        return None if old is None or node.t > len(old) else old[node.t - 1]


class Comparison:
    changed = Signal()  # a pin added, removed or renamed, another one compared, or the differences toggled

    def __init__(self, document: Document):
        self.document = document
        self.reset()
        document.edit_started.connect(self._before_edit)

    def reset(self) -> None:
        self.snapshots: list[Snapshot] = []
        self.compare: Snapshot | None = None
        self.show_diff = False
        self._auto_pin = True

    def announce(self) -> None:
        self.changed.emit()

    @property
    def diff_base(self) -> Snapshot | None:
        """The snapshot the graph shows differences from, or None when it shows plain numbers."""
        return self.compare if self.show_diff else None

    def _snapshot(self, name: str) -> Snapshot:
        doc = self.document
        return Snapshot(name, compute(copy.deepcopy(doc.scenario), doc.mode))

    def pin(self, name: str | None = None) -> Snapshot:
        """Keep the current trace (values, δ, gradients) to compare later edits or modes with."""
        snap = self._snapshot(name or f"pin {len(self.snapshots) + 1}")
        self.snapshots.append(snap)
        self.compare = snap
        self._auto_pin = True
        self.changed.emit()
        return snap

    def set_compare(self, snap: Snapshot | None, show_diff: bool | None = None) -> None:
        self.compare = snap
        if show_diff is not None:
            self.show_diff = show_diff and snap is not None
        self.changed.emit()

    def toggle_diff(self) -> bool:
        """D: differences on or off; False (nothing changes) when nothing is pinned."""
        if self.compare is None:
            return False
        self.set_compare(self.compare, not self.show_diff)
        return True

    def rename(self, snap: Snapshot, name: str) -> None:
        snap.name = name
        self.changed.emit()

    def remove(self, snap: Snapshot) -> None:
        self.snapshots.remove(snap)
        if self.compare is snap:
            self.compare = self.snapshots[-1] if self.snapshots else None
            self.show_diff = self.show_diff and self.compare is not None
        self.changed.emit()

    def _before_edit(self) -> None:
        if not self._auto_pin:
            return
        self._auto_pin = False
        self.snapshots = [s for s in self.snapshots if s.name != BEFORE_EDIT]
        snap = self._snapshot(BEFORE_EDIT)
        self.snapshots.append(snap)
        if self.compare is None or self.compare.name == BEFORE_EDIT:
            self.compare = snap
        self.changed.emit()

"""Check my arrays in the window: their implementation's arrays against the document's trace (Qt-free).

:class:`YoursCheck` holds the arrays they loaded (File ▸ Check my arrays…), the mapping, the tolerances
and the latest :class:`~lstmviz.io.yours.Report`. It re-checks against the document's own trace
(``check_arrays(trace=…)``: no second engine run) when the report is next read after an edit, so an
edit costs nothing until a panel asks. What the graph, the inspector and the panel show of it is
computed here: which nodes differ (:meth:`YoursCheck.marked`), the node of a disagreement
(:func:`node_of`), and "yours → engine" for a node or a weight (:mod:`.yours_rows`).

A graph node (layer, var, t) stands for up to three trace keys: its value (``l0/c``), its ε
(``l0/eps_h`` of an h node) and its δ (``l0/delta_c``); the input x for ``x`` and ``dx``, the head's
ŷ[t] and E[t] for ``y_hat`` and ``loss_t``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from psygnal import Signal

from ...core.keys import Key
from ...io.errors import ScenarioError
from ...io.yours import ATOL, RTOL, Disagreement, Report, check_arrays
from ..style import course_name
from .document import Document
from .quantities import NodeRef, unit_of

MAPPINGS = ("trace keys", "pytorch", "keras", "karpathy")  # or a mapping JSON file
HEAD_KEYS = {"x": ("x", None, "dx"), "y_hat": ("y_hat", None, None), "loss": ("loss_t", None, None)}
KINDS = ("value", "eps", "delta")
FIRST, DIFFERS = 2, 1  # a node's mark: the first disagreement, or one of the others


def node_keys(layer: int | None, var: str) -> dict[str, str]:
    """The trace keys a graph node stands for, by kind (value, eps, delta); a target y has none."""
    if layer is None:
        keys = HEAD_KEYS.get(var, (None, None, None))
    else:
        keys = (f"l{layer}/{var}", f"l{layer}/eps_h" if var == "h" else None, f"l{layer}/delta_{var}")
    return {kind: k for kind, k in zip(KINDS, keys, strict=True) if k is not None}


def lane_of(key: str) -> tuple[int | None, str, str] | None:
    """(layer, var, kind) of the graph lane a per-step trace key is drawn on, or None (a gradient, h0, E)."""
    for var, keys in HEAD_KEYS.items():
        if key in keys:
            return None, var, KINDS[keys.index(key)]
    k = Key.parse(key)
    if k.grad or k.layer is None or k.name in ("h0", "c0"):
        return None
    if k.name == "eps_h":
        return k.layer, "h", "eps"
    if k.name.startswith("delta_"):
        return k.layer, k.name.removeprefix("delta_"), "delta"
    return k.layer, k.name, "value"


def node_of(d: Disagreement) -> NodeRef | None:
    """The graph node of a disagreement (None for a quantity without steps: a gradient, E, h0, c0)."""
    lane = lane_of(d.key)
    if lane is None or d.step is None:
        return None
    layer, var, _ = lane
    return NodeRef(layer, var, d.step, d.unit if layer is not None and d.unit is not None else 0)


def weight_of(d: Disagreement) -> tuple[str, tuple[int, ...]] | None:
    """The weight entry of a gradient's disagreement (``grad/l0/b_i`` → ``("l0/b_i", (0,))``), else None."""
    k = Key.parse(d.key)
    return (str(k).removeprefix("grad/"), d.index) if k.grad else None


@dataclass(frozen=True)
class Loaded:
    """What was loaded: the arrays (read once), where from, the mapping and the tolerances."""

    arrays: dict[str, np.ndarray]
    path: Path
    mapping: str | None      # None (trace keys), a layout's name, or a mapping file's path
    rtol: float
    atol: float


class YoursCheck:
    """Their arrays and the latest report; ``changed`` when loaded, cleared, or refused after an edit."""

    changed = Signal()

    def __init__(self, document: Document):
        self.document = document
        self.loaded: Loaded | None = None
        self._report: Report | None = None
        self.error = ""           # why the edited scenario no longer fits their arrays ("" when it does)
        self._stale = False
        self._marks: dict[tuple, dict] = {}
        document.trace_changed.connect(self._on_trace_change, priority=10)

    @property
    def on(self) -> bool:
        return self.loaded is not None

    def load(self, path: str | Path, mapping: str | None = None, rtol: float = RTOL, atol: float = ATOL) -> Report:
        """Check the ``.npz`` at ``path`` against the document's trace; on a bad file ScenarioError (one
        line naming the file and the array or field) and nothing changes."""
        report = self._check(path, Path(path).name, mapping, rtol, atol)
        with np.load(path, allow_pickle=False) as z:  # already read and checked once, by check_arrays
            arrays = {name: z[name] for name in z.files}
        self.loaded = Loaded(arrays, Path(path), mapping, rtol, atol)
        self._set(report, "")
        return report

    def clear(self) -> None:
        if self.loaded is not None:
            self.loaded, self.error = None, ""
            self._set(None, "")

    def reset(self) -> None:
        """Another document: their arrays were for the old one. Emits nothing (announce does)."""
        self.loaded, self._report, self.error, self._stale, self._marks = None, None, "", False, {}

    def announce(self) -> None:
        self.changed.emit()

    @property
    def report(self) -> Report | None:
        """The latest report, re-checked against the current trace first when an edit made it stale."""
        if self._stale and self.loaded is not None:
            self._stale = False
            lo = self.loaded
            try:
                report, error = self._check(lo.arrays, lo.path.name, lo.mapping, lo.rtol, lo.atol), ""
            except ScenarioError as e:  # e.g. a layer the layout cannot describe any more
                report, error = None, f"{lo.path.name}: {str(e).removeprefix('arrays: ')}"
            self._report, self.error, self._marks = report, error, {}
        return self._report

    def _check(self, arrays, source: str, mapping: str | None, rtol: float, atol: float) -> Report:
        doc = self.document
        report = check_arrays(doc.scenario, arrays, mapping, rtol=rtol, atol=atol, trace=doc.trace, name=course_name)
        report.source = source
        return report

    def _set(self, report: Report | None, error: str) -> None:
        self._report, self.error, self._stale, self._marks = report, error, False, {}
        self.changed.emit()

    def _on_trace_change(self) -> None:
        if self.loaded is not None:
            self._stale, self._marks = True, {}

    # -- what the graph marks ------------------------------------------------------------------------------
    def marked(self, unit: int) -> dict[tuple[int | None, str, int], int]:
        """(layer, var, t) → FIRST or DIFFERS for every graph node where their values differ at the drawn
        ``unit`` (any component of a vector node); empty without a check. Cached until the next change."""
        report = self.report
        if report is None:
            return {}
        if unit not in self._marks:
            self._marks[unit] = self._marked(report, unit)
        return self._marks[unit]

    def _marked(self, report: Report, unit: int) -> dict:
        model = self.document.scenario.model
        marks: dict = {}
        for key, mask in report.masks.items():
            lane = lane_of(key)
            if lane is None or mask.ndim == 0:
                continue
            layer, var, _ = lane
            rows = (mask[:, unit_of(model, layer, unit)] if layer is not None
                    else mask.reshape(len(mask), -1).any(axis=1))
            for t in np.flatnonzero(rows) + 1:
                marks[(layer, var, int(t))] = DIFFERS
        first = node_of(report.first) if report.first is not None else None
        if first is not None and first.unit == unit_of(model, first.layer, unit):
            marks[(first.layer, first.var, first.t)] = FIRST
        return marks

"""The view that follows the phase (presentation mode), and the sentence above the graph (Qt-free).

Following the phase, the graph shows what the phase computes: values in phase 1, ε then δ in phases
2–3 (the backward view), and from phase 4 on the weight with the largest gradient is selected, so
the inspector adds up its dE/dw step by step and phase 5 shows its update. Stepping back before
phase 4 gives the node selection back.
"""
from __future__ import annotations

import html

import numpy as np
from psygnal import Signal

from ...core import Trace
from ...core.edits import editable
from ...core.keys import Key
from ...core.phases import Phase
from ..style import PHASE_NAMES
from .comparison import Comparison
from .phases import Playhead
from .playback import Playback
from .quantities import NodeRef
from .view_state import ViewState

PHASE_TITLES = {
    Phase.FORWARD: "values appear step by step, t = 1 … {T}",
    Phase.SYNC: "ε, each step's own error ∂E[t]/∂h[t], appears on h, t = 1 … {T}",
    Phase.BPTT: "δ, the total derivative dE/d(node), flows back from t = {T} to 1 (ε under δh)",
    Phase.GRAD: "dE/dw adds up the steps' terms δ·input; green edge width = each step's term",
    Phase.DESCENT: "w ← w − η·dE/dw for every weight; the next step applies it and starts a new epoch",
}


def view_for(phase: Phase) -> str:
    return "forward" if phase == Phase.FORWARD else "backward"


def largest_gradient(trace: Trace) -> tuple[str, tuple[int, ...]] | None:
    """The parameter entry with the largest |dE/dw| (the first one when all are 0), or None."""
    best, best_size = None, -1.0
    for key in editable(trace.scenario):
        k = Key.parse(key)
        if k.is_data or k.name in ("h0", "c0"):
            continue
        grad = np.abs(np.nan_to_num(trace[str(k.gradient())], nan=0.0))
        index = np.unravel_index(int(np.argmax(grad)), grad.shape)
        if grad[index] > best_size:
            best, best_size = (key, tuple(int(i) for i in index)), float(grad[index])
    return best


class PhaseFollower:
    """While on, each playhead move switches the view to what its phase computes."""

    changed = Signal()  # switched on or off

    def __init__(self, playback: Playback, view: ViewState):
        self.playback, self.view = playback, view
        self.on = False
        self._phase = playback.playhead.phase
        self._node_before: NodeRef | None = None
        self._chosen: tuple[str, tuple[int, ...]] | None = None
        playback.playhead_changed.connect(self._on_playhead_change, priority=5)

    def set_on(self, on: bool) -> None:
        """On: the view of the current phase (in phase 4 or 5 with nothing selected, its weight too)."""
        self.on, self._chosen = on, None
        self._phase = self.playback.playhead.phase
        if on:
            self.view.set_view(view_for(self._phase))
            if self._phase >= Phase.GRAD and self.view.selection is None:
                self._choose_weight()
        self.changed.emit()

    def _choose_weight(self) -> None:
        view = self.view
        if view.selected_weight is None:
            entry = largest_gradient(self.playback.document.trace)
            if entry is not None:
                self._node_before, self._chosen = view.selection, entry
                view.select_weight(*entry)

    def _on_playhead_change(self) -> None:
        """The view of the new phase; entering phase 4, the weight with the largest gradient (leaving
        it backwards, the node selected before)."""
        phase, before = self.playback.playhead.phase, self._phase
        self._phase = phase
        if not self.on:
            return
        view = self.view
        view.set_view(view_for(phase))
        if before < Phase.GRAD <= phase:
            self._choose_weight()
        elif phase < Phase.GRAD <= before and self._chosen is not None and view.selected_weight == self._chosen:
            view.select(self._node_before)
            self._chosen = None


def view_title(view: ViewState, playhead: Playhead, comparison: Comparison, following: bool) -> str:
    """What the graph shows, in one line (rich text), and what the watch lanes are."""
    backward = view.view == "backward"
    base = comparison.diff_base
    if base is not None:
        title = f"<b>Differences</b> from “{html.escape(base.name)}” ({'δ' if backward else 'values'}: now − then)"
    elif following:
        p = playhead.phase
        title = f"<b>Phase {int(p)} · {html.escape(PHASE_NAMES[p].lower())}</b>: "
        title += PHASE_TITLES[p].format(T=playhead.T)
    elif backward:
        title = ("<b>Backward view</b>: δ in the nodes, ε under h (an RNN: under c; alone in phase 2), "
                 "edge width = gradient flow")
    else:
        title = "<b>Forward view</b>: the value of every variable"
    legend = watch_legend(view.document.scenario.watches)
    if legend and not following:  # presenting, the line stays short: the lanes' names say w1, w2 …
        title += " &nbsp;·&nbsp; " + legend
    return title


def watch_legend(watches, width: int = 40) -> str:
    """``w1 = h[t] - y[t], w2 = …`` (rich text; each expression cut at ``width`` characters)."""
    return ", ".join(f"w{n + 1} = <span style='font-family: monospace'>{html.escape(_clip(w.expression, width))}"
                     "</span>" for n, w in enumerate(watches))


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"

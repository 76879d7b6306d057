"""How the graph's edges look: plain or dashed (cut by the gradient mode) in the forward view; in the
backward view as wide as the gradient flowing along them, and — when the view follows the phase,
from phase 4 on — a weighted edge as wide as its step's term of dE/dw.

Under window:K no edge is cut for every cost; with a node selected, its step is taken as the cost E[t] and
the edges outside E[t]'s window (into steps up to t−K+1) are drawn cut."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ....core.keys import Key
from ....core.phases import Phase
from ... import style
from ...numbers import fmt
from .items import EdgeItem, pen

if TYPE_CHECKING:
    from .view import GraphView


class EdgeStyles:
    def __init__(self, view: GraphView):
        self.view = view
        self.flows: dict = {}
        self.terms = False  # the widths are dE/dw terms on weighted edges
        self._state = None
        self._flows_for, self._trace = None, None  # (id(trace), unit, terms) the flows were computed for

    def reset(self) -> None:
        self._state = self._flows_for = self._trace = None

    def refresh(self) -> None:
        """Restyle the edges on screen after a change of trace, view, playhead, mode or selection."""
        v = self.view
        s = v.session
        doc, playhead = s.document, s.playback.playhead
        backward = s.view.view == "backward"
        self.terms = backward and playhead.phase >= Phase.GRAD and s.follower.on
        cost = self.cost()
        state = (str(doc.mode), v.theme_name, backward, self.terms, cost)
        if not backward and state == self._state:
            return  # forward view: edge styles depend only on the mode's cuts, not on values
        self._state = state
        self._update_flows(backward)
        self._biggest = max((float(np.nanmax(np.abs(f))) for f in self.flows.values() if np.isfinite(f).any()),
                            default=0.0)
        self._cuts = v.model.cut_masks(doc.mode, doc.trace.steps, cost)
        self._backward = backward
        self.apply(v.edges)

    def apply(self, items: list[EdgeItem]) -> None:
        """The pens of these edges (new ones, or all on screen), from the state :meth:`refresh` worked out."""
        if self._state is None:
            return
        v = self.view
        playhead, theme, backward, cuts = v.session.playback.playhead, v.theme, self._backward, self._cuts
        for item in items:
            cut = bool(cuts[item.edge][item.t - 1])
            weighted_term = self.terms and item.edge.weight
            shown = playhead.grad_steps >= item.t if weighted_term else playhead.delta_visible(item.t)
            if backward and not cut and shown:
                f = abs(float(self.flows[item.edge][item.t - 1]))
                big = self._biggest
                width = 0.8 + 7.0 * (f / big if big and math.isfinite(f) else 0.0)
                colour = (style.GRADIENT if weighted_term else style.FLOW) if f > 0 else theme["edge_cut"]
                edge_pen = pen(colour, round(width * theme["edge_width"] * 10) / 10)
            else:
                edge_pen = pen(theme["edge_cut"] if cut else theme["edge"], theme["edge_width"], dashed=cut)
            if item.pen_in_use is not edge_pen:
                item.pen_in_use = edge_pen
                item.setPen(edge_pen)

    def cost(self) -> int | None:
        """The step of the selected node, taken as the cost E[t] whose window is drawn under window:K."""
        s = self.view.session
        selection = s.view.selection
        return selection.t if selection is not None and s.document.mode.kind == "window" else None

    def _update_flows(self, backward: bool) -> None:
        """The flows (and dE/dw terms) of the drawn unit, recomputed only when the trace, unit or widths change."""
        s = self.view.session
        key = (id(s.document.trace), s.view.unit, self.terms) if backward else None
        if key is not None and key == self._flows_for and self._trace is s.document.trace:
            return
        self._flows_for, self._trace = key, s.document.trace
        self.flows = self.view.model.flows(s.document.trace, s.view.unit) if backward else {}
        if self.terms:
            self.flows.update(self.view.model.weight_terms(s.document.trace, s.view.unit))

    def tooltip(self, item: EdgeItem) -> str:
        e, doc = item.edge, self.view.session.document
        text = f"{style.label(e.src[1])}[{item.t - e.lag}] → {style.label(e.dst[1])}[{item.t}]"
        text += f" via {style.symbol(Key.parse(e.weight).name)} ({e.weight})" if e.weight else ""
        cost = self.cost()
        if self.view.model.is_cut(e, doc.mode, item.t, cost):
            text += f" — cut by {doc.mode}" + (f" for E[{cost}]" if cost is not None else "")
        elif e in self.flows:
            what = "term of dE/dw" if e.weight and self.terms else "gradient flow"
            text += f" — {what} {fmt(float(self.flows[e][item.t - 1]))}"
        return text + (" — click to see the weight's gradient" if e.weight else "")

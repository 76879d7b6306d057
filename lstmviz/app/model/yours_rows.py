""""Yours → engine" for the inspector (Qt-free): a node's own numbers and the inputs of its equation.

For a node (layer, var, t, unit): one :class:`Row` per quantity of the node they saved (value, ε, δ),
then the inputs of the value's equation (the graph's edges into the node: h[t−1], c[t−1], the gates…)
and the δ-carrying nodes of the δ's terms (:func:`~lstmviz.app.model.equations.explain`), each with
whether their values agree. An input that feeds the equation through a weight matrix (x[t], h[t−1])
is a whole vector: it agrees only when every unit does. When every input they saved agrees and the
node does not, the mistake is in the equation itself (or in an input they did not save).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...io.yours import Report
from ..numbers import fmt
from ..style import EPS_PREFIX, delta_label, label
from .equations import explain, explain_weight
from .equations.terms import Term
from .graph_model import GraphModel
from .quantities import NodeRef
from .yours import node_keys

AGREES, DIFFERS, NOT_SAVED = "agrees", "differs", "not saved"
VECTOR_KINDS = ("input", "layer", "recurrent", "head")  # edges that carry a whole vector through a matrix


@dataclass(frozen=True)
class Row:
    """One quantity: its name as the course writes it, their value and the engine's (None for a vector
    input, where ``detail`` counts the differing units), and the status."""

    name: str
    key: str
    status: str                  # agrees, differs, not saved
    yours: float | None = None
    engine: float | None = None
    detail: str = ""

    @property
    def difference(self) -> float | None:
        return None if self.yours is None or self.engine is None else self.yours - self.engine


@dataclass(frozen=True)
class NodeCheck:
    own: list[Row]               # the node's value, ε, δ as they saved them
    value_inputs: list[Row]      # what the value's equation reads (when their value differs)
    delta_inputs: list[Row]      # the δ's of the nodes its δ's terms come from (when their ε or δ differs)
    slip: str = ""               # their number is the engine's with one term dropped or its sign flipped

    @property
    def hint(self) -> str:
        """Where to look, for the node's quantity computed first that differs (its value before its δ): at
        an input of that equation that differs already, or, when every input they saved agrees, at the
        equation itself ("" when the node agrees)."""
        wrong = [r for r in self.own if r.status == DIFFERS]
        if not wrong:
            return ""
        value_wrong = not _is_backward(wrong[0])
        inputs = self.value_inputs if value_wrong else self.delta_inputs
        bad = [r.name for r in inputs if r.status == DIFFERS]
        if bad:
            return f"An input of {wrong[0].name} differs already ({', '.join(bad)}): look there first."
        if self.slip:
            return self.slip
        unsaved = [r.name for r in inputs if r.status == NOT_SAVED]
        if inputs and len(unsaved) == len(inputs):
            return (f"Your arrays hold none of its inputs ({', '.join(unsaved)}): the mistake is in how your code "
                    f"computes {wrong[0].name} or in one of them.")
        tail = f", or in an input you did not save ({', '.join(unsaved)})" if unsaved else ""
        return f"Every input you saved agrees, so the mistake is in how your code computes {wrong[0].name}{tail}."


def _is_backward(row: Row) -> bool:
    """Whether a row of the node's own is its ε, δ or a gradient (not its value)."""
    name = row.key.rsplit("/", 1)[-1]
    return row.key == "dx" or row.key.startswith("grad/") or name.startswith(("delta_", "eps_"))


def node_check(report: Report, trace, node: NodeRef) -> NodeCheck | None:
    """Their numbers at ``node`` beside the engine's, None when they saved none of its quantities."""
    keys = node_keys(node.layer, node.var)
    unit = node.unit if node.layer is not None else None  # a head node: its first differing component
    own = [_entry(report, trace, key, node.t, unit, _name(kind, node)) for kind, key in keys.items()
           if key in report.masks]
    if not own:
        return None
    differs = {r.key for r in own if r.status == DIFFERS}  # the inputs of what differs, where to look
    value_inputs = _value_inputs(report, trace, node) if keys.get("value") in differs else []
    backward = any(keys.get(kind) in differs for kind in ("eps", "delta"))
    delta_inputs = _delta_inputs(report, trace, node) if backward else []
    delta = next((r for r in own if r.key == keys.get("delta") and r.status == DIFFERS), None)
    slip = _slip(report, delta, explain(trace, node).delta_terms) if delta and not value_inputs else ""
    return NodeCheck(own, value_inputs, delta_inputs, slip)


def weight_check(report: Report, trace, key: str, index: tuple[int, ...]) -> NodeCheck | None:
    """dE/dw of a weight entry as they computed it, and the δ's its per-step terms start from."""
    grad = f"grad/{key}"
    if grad not in report.masks:
        return None
    wx = explain_weight(trace, key, index)
    own = [_entry(report, trace, grad, None, index, f"dE/d{wx.label}")]
    targets = {(n.layer, n.var): n for n in (term.target for term in wx.terms) if n is not None}
    inputs = [_series(report, trace, node_keys(layer, var).get("delta"), delta_label(var), node.unit)
              for (layer, var), node in targets.items()]
    return NodeCheck(own, [], [r for r in inputs if r is not None], _slip(report, own[0], wx.terms))


def _slip(report: Report, row: Row, terms: list[Term]) -> str:
    """Which mistake their number is, when it is one of the two a derivation makes most: the engine's sum
    without one of its terms, or with one term's sign (or the whole sum's) flipped; "" when neither."""
    if row.status != DIFFERS or row.yours is None or row.engine is None:
        return ""
    scalar = [t for t in terms if np.ndim(t.value) == 0 and t.value != 0]

    def close(guess: float) -> bool:
        return abs(row.yours - guess) <= report.atol + report.rtol * abs(guess)
    if close(-row.engine):
        return f"Your {row.name} is the engine's with the sign flipped: check the sign of the whole sum."
    for term in scalar:
        if close(row.engine - term.value):
            return (f"Your {row.name} is the engine's without the term {term.text} = {fmt(term.value)}: "
                    "your code leaves it out.")
        if close(row.engine - 2 * term.value):
            return f"Your {row.name} is the engine's with the term {term.text} subtracted instead of added."
    return ""


def _name(kind: str, node: NodeRef) -> str:
    if kind == "value":
        return node.label
    if kind == "eps":
        return f"{EPS_PREFIX}{node.label}"
    return f"{delta_label(node.var)}[{node.t}]"


def _entry(report: Report, trace, key: str, t: int | None, unit, name: str) -> Row:
    """One entry of ``key`` (at step t, 1-based; ``unit`` an index or a unit), or the vector of a head node."""
    if key not in report.masks:
        return Row(name, key, NOT_SAVED)
    mask, yours, engine = report.masks[key], report.values[key], trace[key]
    if t is not None:
        mask, yours, engine = mask[t - 1], yours[t - 1], engine[t - 1]
    index = tuple(unit) if isinstance(unit, tuple) else (() if unit is None else (unit,))
    if mask.ndim > len(index):  # a vector node (x, ŷ): its first differing component, else component 0
        flat = mask.reshape(-1)
        at = int(np.argmax(flat)) if flat.any() else 0
        index = np.unravel_index(at, mask.shape)
    status = DIFFERS if mask[index] else AGREES
    return Row(name, key, status, float(yours[index]), float(engine[index]))


def _series(report: Report, trace, key: str | None, name: str, unit: int) -> Row | None:
    """A quantity over every step at one unit (the terms of a weight's gradient)."""
    if key is None:
        return None
    if key not in report.masks:
        return Row(f"{name}[1…{trace.steps}]", key, NOT_SAVED)
    mask = report.masks[key]
    rows = mask[:, unit] if mask.ndim == 2 else mask.reshape(len(mask), -1).any(axis=1)
    bad = np.flatnonzero(rows) + 1
    detail = f"differs at {len(bad)} of {len(rows)} steps, first t = {bad[0]}" if len(bad) else ""
    return Row(f"{name}[1…{trace.steps}]", key, DIFFERS if len(bad) else AGREES, detail=detail)


def _vector(report: Report, key: str, t: int | None, name: str) -> Row:
    """A whole vector input at step t (x[t], h[t−1] through a weight matrix; h0 when t is None)."""
    if key not in report.masks:
        return Row(name, key, NOT_SAVED)
    mask = report.masks[key] if t is None else report.masks[key][t - 1]
    bad, size = int(mask.sum()), mask.size
    detail = f"{bad} of {size} differ" if bad else f"all {size}"
    return Row(name, key, DIFFERS if bad else AGREES, detail=detail)


def _value_inputs(report: Report, trace, node: NodeRef) -> list[Row]:
    """The sources of the graph's edges into the node, at the step each is read (t − lag; the initial
    state at t = 1)."""
    rows = []
    for edge in GraphModel(trace.scenario.model).edges:
        if edge.dst != (node.layer, node.var) or edge.src == (None, "y"):
            continue
        layer, var = edge.src
        t = node.t - edge.lag
        key = node_keys(layer, var)["value"]
        if t == 0:
            key, t = f"l{layer}/{var}0", None
        name = f"{label(var)}[{node.t - edge.lag}]"
        if edge.kind in VECTOR_KINDS:
            rows.append(_vector(report, key, t, name))
        else:
            rows.append(_entry(report, trace, key, t, node.unit if layer is not None else None, name))
    return rows


def _delta_inputs(report: Report, trace, node: NodeRef) -> list[Row]:
    """The δ (or ε) of each term's node, at the term's unit."""
    rows = []
    for term in explain(trace, node).delta_terms:
        target = term.target
        if target is None or target == node:
            continue
        key = node_keys(target.layer, target.var).get("delta")
        if key is not None:
            unit = target.unit if target.layer is not None else None
            rows.append(_entry(report, trace, key, target.t, unit, f"{delta_label(target.var)}[{target.t}]"))
    return list({r.name: r for r in rows}.values())

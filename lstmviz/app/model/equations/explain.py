"""Why a number is what it is: a node's equation with its numbers and its δ as the terms that add up to it."""
from __future__ import annotations

from ....core import Trace
from ....core.model import LSTMLayer
from ..quantities import PRE_ACTIVATIONS, NodeRef
from .head import input_node, loss_node, output_node, target_node
from .layers import cell, gate, lstm_output, pre_activation, rnn_output
from .notation import squeeze
from .terms import Explanation, Parts
from .view import NodeView


def explain(trace: Trace, node: NodeRef) -> Explanation:
    """The node's equation, its numbers, ε, δ and the terms δ is made of."""
    v = NodeView(trace, node)
    parts = node_parts(v)
    delta = None if node.var == "y" else squeeze(v.q.delta(node))
    label = f"{v.q.delta_label(node.var)}[{node.t}]"
    delta_equation = f"{label} = " + join_terms([t.text for t in parts.terms]) if parts.terms else ""
    return Explanation(
        node=node, title=node.describe(trace), value=squeeze(v.q.value(node)),
        equation=parts.equation, substituted=parts.substituted,
        eps=v.q.eps(node) if node.layer is not None and node.var in ("h", "a") else None,
        delta=delta, delta_equation=delta_equation, delta_terms=parts.terms, notes=parts.notes)


def join_terms(texts: list[str]) -> str:
    """'a + b − c' from ['a', 'b', '− c']: a term written with its own minus sign is subtracted."""
    return "".join(text if i == 0 else (f" {text}" if text.startswith("− ") else f" + {text}")
                   for i, text in enumerate(texts))


def node_parts(v: NodeView) -> Parts:
    node = v.node
    if node.layer is None:
        return {"x": input_node, "y": target_node, "y_hat": output_node, "loss": loss_node}[node.var](v)
    if node.var in PRE_ACTIVATIONS or node.var == "a":
        return pre_activation(v)
    if not isinstance(v.model.layers[node.layer], LSTMLayer):
        return rnn_output(v)
    return {"c": cell, "h": lstm_output}.get(node.var, gate)(v)

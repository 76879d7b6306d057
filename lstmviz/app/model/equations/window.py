"""window:K's honest terms: what a term from step t+1 brings back, less the share of the cost that stops there.

Under window:K (1 < K < T) the δ of step t+1 sums the shares of the costs E[t+1] … E[t+K]. E[t+K]'s window
starts at t+1: the state entering step t+1 is a constant for it, so its share goes no further back. The
recurrent terms (u·δc[t+1], U_kᵀ·δa_k[t+1]) and the cell path (δc[t+1]·f[t+1] and the i/f peepholes) are
listed whole, as in full BPTT, followed by one negative term that takes E[t+K]'s share out of them again:

    δh[t] = εh[t] + u·δc[t+1] − u·δc[t+1] of E[t+K]
    δc[t] = δh[t]·o[t]·σ̇(c[t]) + δc[t+1]·f[t+1] − δc[t+1]·f[t+1] of E[t+K]

"of E[t+K]" means that cost's share alone; the engine keeps it (:mod:`..window_shares`).
"""
from __future__ import annotations

from ...numbers import fmt
from ..window_shares import start_share, starting_cost, tap_costs, tap_stop
from .notation import param_name, pre_vars, product, tap_note, window_note
from .terms import Term
from .view import NodeView


def _of(texts: list[str], cost: int) -> str:
    inner = texts[0] if len(texts) == 1 else f"({texts[0]} + …)"
    return f"− {inner} of E[{cost}]"


def recurrent_share(v: NodeView, t_next: int, terms: list[Term]) -> list[Term]:
    """The share of E[t_next+K−1] in the recurrent ``terms`` into h[t_next−1] of the node's layer and unit,
    negated; [] when no window starts at t_next."""
    cost = starting_cost(v.trace, t_next)
    if cost is None or not terms:
        return []
    n, u = v.node.layer, v.node.unit
    layer = v.model.layers[n]
    shares = [(start_share(v.trace, n, pre)[t_next - 1], layer.params[param_name("U", pre)][:, u])
              for pre in pre_vars(layer)]
    value = -sum(float(share @ column) for share, column in shares)
    if len(shares) == 1 and shares[0][0].size == 1:   # the slides' one-node RNN: − u·δc[t+1] of E[t+K]
        numbers = "−" + product(shares[0][1][0], shares[0][0][0])
    else:
        numbers = fmt(value)
    return [Term(_of([term.text for term in terms], cost), numbers, value, terms[0].target,
                 window_note(v.trace.mode, t_next, cost))]


def cell_share(v: NodeView, t_next: int, terms: list[Term]) -> list[Term]:
    """The share of E[t_next+K−1] in the cell path ``terms`` into c[t_next−1] (δc·f and the i/f peepholes),
    negated; [] when no window starts at t_next."""
    cost = starting_cost(v.trace, t_next)
    if cost is None or not terms:
        return []
    n, u, tr = v.node.layer, v.node.unit, v.trace
    layer = v.model.layers[n]
    dc = float(start_share(tr, n, "c")[t_next - 1, u])
    f = v.value("f", t_next) if layer.forget_gate else 1.0
    value = -dc * f
    for g in ("i", "f"):
        if f"p_{g}" in layer.param_shapes():
            value -= float(start_share(tr, n, f"a_{g}")[t_next - 1, u] * layer.params[f"p_{g}"][u])
    numbers = fmt(value) if len(terms) > 1 else "−" + (product(dc, f) if layer.forget_gate else fmt(dc))
    return [Term(_of([term.text for term in terms], cost), numbers, value, terms[0].target,
                 window_note(tr.mode, t_next, cost))]


def tap_share(v: NodeView, d: int, term: Term) -> list[Term]:
    """The share of the costs whose windows start in t+1 … t+d in a tap's term u_d·δc[t+d] into h[t], negated;
    [] when there are none (a tap d ≥ K is cut whole instead, :func:`notation.jump_note`)."""
    n, t, u = v.node.layer, v.node.t, v.node.unit
    costs = tap_costs(v.trace, t, d)
    if costs is None or d >= v.trace.mode.k:
        return []
    U = v.model.layers[n].params[f"U_{d}"]
    share = tap_stop(v.trace, n, d)[t - 1]
    value = -float(share @ U[:, u])
    numbers = "−" + product(U[0, 0], share[0]) if U.size == 1 else fmt(value)
    first, last = costs
    who = f"E[{first}]" if first == last else f"E[{first}] … E[{last}]"
    text = f"− {term.text} of {who}"
    return [Term(text, numbers, value, term.target, tap_note(v.trace.mode, t, d, who))]

"""The order in which the engine computes the trace's entries, as sort keys (Qt-free).

The walk: forward values step by step (t = 1 … T; the initial states before step 1; at each step the
input, then the layers bottom-up — a_i, a_f, a_c̃, i, f, c̃, c, a_o, o, h; an RNN a, h —, then the head's
ŷ and E[t]; E after the last step); then ε for t = 1 … T, layers top-down; then δ backwards,
t = T … 1, layers top-down, in the backward pass's order δh, δo, δa_o, δc, δi, δf, δc̃, δa_i, δa_f,
δa_c̃ (RNN: δh, δa); then the weight gradients (layers bottom-up, the head last, each parameter in
:func:`~lstmviz.core.params.param_blocks` order); then dx, t = T … 1.

:func:`rank` gives a key's sort key for one step; ``time_order`` says whether its rows are walked
forwards or backwards in time.
"""
from __future__ import annotations

from ...core.keys import Key
from ...core.params import param_blocks
from ...core.phases import Phase
from ...core.trace import Trace

FORWARD_NAMES = ("h0", "c0", "a", "a_i", "a_f", "a_g", "i", "f", "g", "c", "a_o", "o", "h")
BACKWARD_NAMES = ("delta_h", "delta_o", "delta_a_o", "delta_c", "delta_i", "delta_f", "delta_g",
                  "delta_a_i", "delta_a_f", "delta_a_g", "delta_a")
HEAD_NAMES = ("y_hat", "loss_t")
# stage: where in the walk; the phase each stage belongs to (dx is a δ, walked after the gradients)
FORWARD, SYNC, BPTT, GRAD, DX = range(5)
PHASE_OF = {FORWARD: Phase.FORWARD, SYNC: Phase.SYNC, BPTT: Phase.BPTT, GRAD: Phase.GRAD, DX: Phase.BPTT}


class Order:
    """Sort keys of a trace's quantities: ``(stage, time, layer, quantity)``; entries of one quantity
    at one step follow in their flat order."""

    def __init__(self, trace: Trace):
        self.T = trace.steps
        self.layers = len(trace.scenario.model.layers)
        self.per_step = set(trace.step_arrays())
        self.blocks = {f"grad/{b.key}": n for n, b in enumerate(param_blocks(trace.scenario.model))}

    def stage(self, key: str) -> int:
        k = Key.parse(key)
        if k.grad:
            return GRAD
        if key == "dx":
            return DX
        if k.name.startswith("eps_"):
            return SYNC
        return BPTT if k.name.startswith("delta_") else FORWARD

    def backwards_in_time(self, key: str) -> bool:
        """Whether the walk takes this key's steps T … 1."""
        return self.stage(key) in (BPTT, DX)

    def rank(self, key: str, row: int = 0) -> tuple[int, int, int, int]:
        """The sort key of ``key`` at 0-based step ``row`` (ignored for keys without steps)."""
        stage, k = self.stage(key), Key.parse(key)
        if stage == GRAD:
            return (GRAD, 0, 0, self.blocks.get(key, len(self.blocks)))
        if key == "loss":
            return (FORWARD, self.T + 1, 0, 0)
        if k.name in ("h0", "c0"):
            return (FORWARD, 0, k.layer, FORWARD_NAMES.index(k.name))
        time = self.T - row if stage in (BPTT, DX) else row + 1
        if k.layer is None:  # x below every layer, the head's ŷ and E[t] above, dx after the gradients
            return (stage, time, -1 if key == "x" else self.layers, HEAD_NAMES.index(key) if key in HEAD_NAMES else 0)
        layer = k.layer if stage == FORWARD else self.layers - 1 - k.layer
        names = BACKWARD_NAMES if stage == BPTT else FORWARD_NAMES
        return (stage, time, layer, names.index(k.name) if k.name in names else len(names))

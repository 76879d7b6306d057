"""Gradient descent on a scenario: the fifth phase of an epoch."""
from __future__ import annotations

import numpy as np

from .model import Scenario
from .params import param_array, param_blocks
from .trace import Trace


def descent_step(scenario: Scenario, trace: Trace, learning_rate: float, clip_norm: float | None = None,
                 frozen: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """New values θ − η·dE/dθ for every trainable parameter (keys ``l0/W_i``…), nothing modified.

    With ``clip_norm`` the gradient of the trainable parameters is scaled down to that global norm
    when it is longer; frozen parameters keep their values and do not count in the norm.
    """
    keys = [b.key for b in param_blocks(scenario.model) if b.key not in frozen]
    grads = {k: trace[f"grad/{k}"] for k in keys}
    scale = 1.0
    if clip_norm is not None:
        norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
        if norm > clip_norm:
            scale = clip_norm / norm
    blocks = {b.key: b for b in param_blocks(scenario.model)}
    return {k: param_array(scenario.model, blocks[k]) - learning_rate * scale * grads[k] for k in keys}


def assign_params(scenario: Scenario, values: dict[str, np.ndarray]) -> None:
    """Write parameter arrays (keys ``l0/W_i``, ``head/W_y``) into the scenario, in place."""
    blocks = {b.key: b for b in param_blocks(scenario.model)}
    for key, value in values.items():
        param_array(scenario.model, blocks[key])[...] = value


def train(scenario: Scenario, epochs: int, gradient: str = "full", learning_rate: float = 0.1,
          clip_norm: float | None = None, frozen: tuple[str, ...] = (), on_epoch=None) -> list[float]:
    """Run ``epochs`` steps of gradient descent on ``scenario`` in place; return the loss before each step.

    ``on_epoch(n, loss)`` is called after each step; returning True from it stops early.
    """
    from .trace import compute

    losses = []
    for n in range(epochs):
        trace = compute(scenario, gradient)
        losses.append(trace.loss)
        assign_params(scenario, descent_step(scenario, trace, learning_rate, clip_norm, frozen))
        if on_epoch is not None and on_epoch(n + 1, trace.loss):
            break
    return losses

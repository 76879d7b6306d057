"""Gradient descent on a scenario: the fifth phase of an epoch."""
from __future__ import annotations

import numpy as np

from .model import Scenario
from .params import param_array, param_blocks
from .trace import Trace


def trained_keys(scenario: Scenario, frozen: tuple[str, ...] = ()) -> list[str]:
    """Every parameter key (``l0/W_i``…) that gradient descent moves."""
    return [b.key for b in param_blocks(scenario.model) if b.key not in frozen]


def clip_scale(scenario: Scenario, trace: Trace, clip_norm: float | None, frozen: tuple[str, ...] = ()) -> float:
    """The factor the gradient is scaled by: clip_norm / ‖g‖ when the global norm of the trained
    parameters' gradient is longer than ``clip_norm``, else 1 (frozen parameters do not count)."""
    if clip_norm is None:
        return 1.0
    norm = float(np.sqrt(sum(np.sum(trace[f"grad/{k}"] ** 2) for k in trained_keys(scenario, frozen))))
    return clip_norm / norm if norm > clip_norm else 1.0


def descent_step(scenario: Scenario, trace: Trace, learning_rate: float, clip_norm: float | None = None,
                 frozen: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """New values θ − η·s·dE/dθ for every trainable parameter (keys ``l0/W_i``…), nothing modified;
    s is :func:`clip_scale`. Frozen parameters keep their values."""
    scale = clip_scale(scenario, trace, clip_norm, frozen)
    blocks = {b.key: b for b in param_blocks(scenario.model)}
    return {k: param_array(scenario.model, blocks[k]) - learning_rate * scale * trace[f"grad/{k}"]
            for k in trained_keys(scenario, frozen)}


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

"""Gradient descent on a scenario: the fifth phase of an epoch."""
from __future__ import annotations

from dataclasses import dataclass, field

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
    with np.errstate(all="ignore"):
        norm = float(np.sqrt(sum(np.sum(trace[f"grad/{k}"] ** 2) for k in trained_keys(scenario, frozen))))
    return clip_norm / norm if norm > clip_norm else 1.0


def descent_step(scenario: Scenario, trace: Trace, learning_rate: float, clip_norm: float | None = None,
                 frozen: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """New values θ − η·s·dE/dθ for every trainable parameter (keys ``l0/W_i``…), nothing modified;
    s is :func:`clip_scale`. Frozen parameters keep their values."""
    scale = clip_scale(scenario, trace, clip_norm, frozen)
    blocks = {b.key: b for b in param_blocks(scenario.model)}
    with np.errstate(all="ignore"):  # an update that overflows is the caller's to see (train stops there)
        return {k: param_array(scenario.model, blocks[k]) - learning_rate * scale * trace[f"grad/{k}"]
                for k in trained_keys(scenario, frozen)}


def assign_params(scenario: Scenario, values: dict[str, np.ndarray]) -> None:
    """Write parameter arrays (keys ``l0/W_i``, ``head/W_y``) into the scenario, in place."""
    blocks = {b.key: b for b in param_blocks(scenario.model)}
    for key, value in values.items():
        param_array(scenario.model, blocks[key])[...] = value


@dataclass
class TrainRun:
    """What a training run did: the loss before each update it applied, and why it stopped early."""

    losses: list[float] = field(default_factory=list)
    stopped: str | None = None  # e.g. the update that would have made a weight non-finite


def first_nonfinite(values: dict[str, np.ndarray]) -> str | None:
    """``l0/W_i[2, 0]`` of the first NaN or infinite entry among parameter arrays, or None."""
    for key, value in values.items():
        bad = np.argwhere(~np.isfinite(value))
        if len(bad):
            return f"{key}[{', '.join(str(int(i)) for i in bad[0])}]"
    return None


def train(scenario: Scenario, epochs: int, gradient: str = "full", learning_rate: float = 0.1,
          clip_norm: float | None = None, frozen: tuple[str, ...] = (), on_epoch=None) -> TrainRun:
    """Run up to ``epochs`` steps of gradient descent on ``scenario`` in place.

    Training stops at the first step whose loss or update is not finite (a diverging run): the weights
    stay at their last finite values and :attr:`TrainRun.stopped` says why. ``on_epoch(n, loss)`` is
    called after each step; returning True from it stops early.
    """
    from .trace import compute

    run = TrainRun()
    previous: dict[str, np.ndarray] | None = None  # the weights before the last update, to take it back
    for n in range(epochs):
        trace = compute(scenario, gradient)
        if not np.isfinite(trace.loss):
            if previous is not None:  # the last update made the forward pass overflow: take it back
                assign_params(scenario, previous)
                run.losses.pop()
            run.stopped = (f"stopped at epoch {n + 1}: the loss became {trace.loss} (the forward pass overflows); "
                           f"the last weights with a finite loss are kept")
            break
        values = descent_step(scenario, trace, learning_rate, clip_norm, frozen)
        bad = first_nonfinite(values)
        if bad is not None:
            run.stopped = (f"stopped at epoch {n + 1}: the update would make {bad} non-finite "
                           f"(learning rate {learning_rate:g} too large?); the last finite weights are kept")
            break
        previous = {k: param_array(scenario.model, b).copy() for k, b in _blocks(scenario, values).items()}
        run.losses.append(trace.loss)
        assign_params(scenario, values)
        if on_epoch is not None and on_epoch(n + 1, trace.loss):
            break
    return run


def _blocks(scenario: Scenario, values: dict[str, np.ndarray]) -> dict:
    blocks = {b.key: b for b in param_blocks(scenario.model)}
    return {k: blocks[k] for k in values}

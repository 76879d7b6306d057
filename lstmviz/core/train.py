"""Gradient descent on a scenario: the fifth phase of an epoch, once per pass or once per tbptt chunk."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from .forward import restart, state_at
from .model import UPDATES, Data, Scenario
from .modes import GradientMode, parse_mode
from .params import param_array, param_blocks
from .trace import Trace, compute


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


def check_updates(updates: str) -> str:
    """``updates`` if it is one of :data:`~lstmviz.core.model.UPDATES`, else a one-line ValueError."""
    if updates not in UPDATES:
        raise ValueError(f"updates must be one of {', '.join(UPDATES)}, got {updates!r}")
    return updates


def train(scenario: Scenario, epochs: int, gradient: str = "full", learning_rate: float = 0.1,
          clip_norm: float | None = None, frozen: tuple[str, ...] = (), on_epoch=None,
          updates: str = "epoch") -> TrainRun:
    """Run up to ``epochs`` passes of gradient descent on ``scenario`` in place.

    ``updates`` = ``epoch``: one update per pass, from the gradient of the whole sequence under
    ``gradient``. ``chunk`` (with ``gradient`` tbptt:K): one update after every chunk of K steps, as
    :func:`chunk_updates` describes; under any other mode the sequence is one chunk. ``step`` (with
    full or cec): an update at every step, :func:`lstmviz.core.realtime.realtime_train`. An epoch's loss
    is the sum of what its updates saw (for ``epoch``, the loss E before the update).

    Training stops at the first update whose loss or result is not finite (a diverging run): the
    weights stay at their last finite values (an update after which the forward pass overflows is
    taken back) and :attr:`TrainRun.stopped` says why. ``on_epoch(n, loss)`` is called after each
    epoch; returning True from it stops early. :attr:`TrainRun.losses` has one loss per epoch whose
    last update stands.
    """
    check_updates(updates)
    if updates == "step":  # Gers' real-time learning (full or cec): an update at every step
        from .realtime import realtime_train  # realtime builds on this module's descent rules
        return realtime_train(scenario, epochs, gradient, learning_rate, clip_norm, frozen, on_epoch)
    mode = parse_mode(gradient)
    descent = _Descent(scenario, learning_rate, clip_norm, frozen)
    run = TrainRun()
    for n in range(epochs):
        loss = 0.0
        for j, (part, trace) in enumerate(chunk_updates(scenario, mode, updates)):
            where = f"epoch {n + 1}" + (f", chunk {j + 1}" if updates == "chunk" else "")
            run.stopped = descent.apply(part, trace, where)
            if run.stopped is not None:
                if descent.took_back and j == 0:  # the update taken back was the previous epoch's last
                    run.losses.pop()
                return run
            loss += trace.loss
        run.losses.append(loss)
        if on_epoch is not None and on_epoch(n + 1, loss):
            break
    return run


def chunk_updates(scenario: Scenario, mode: GradientMode, updates: str = "chunk") -> Iterator[tuple[Scenario, Trace]]:
    """What each update of one epoch learns from: (the scenario it sees, its trace).

    ``epoch``, or a mode other than tbptt:K: the whole scenario under ``mode``, once. ``chunk`` with
    tbptt:K: the chunks of steps 1…K, K+1…2K, … in turn, each with its full gradient (the state it
    enters with is a constant, which is what tbptt:K cuts). Chunk j starts from the state in which
    the forward pass of chunk j−1 ended, computed with the weights of its time: the caller updates
    the weights between two chunks, and the chunk's own state is taken before that update.
    """
    if updates != "chunk" or mode.kind != "tbptt":
        yield scenario, compute(scenario, mode)
        return
    T, data, part = scenario.data.steps, scenario.data, scenario
    for start in range(0, T, mode.k):
        stop = min(T, start + mode.k)
        sliced = Data(x=data.x[start:stop], y=np.asarray(data.y)[start:stop], mask=data.mask[start:stop])
        part = replace(part, data=sliced)
        trace = compute(part)
        yield part, trace
        part = replace(part, model=restart(part.model, state_at(trace.forward, trace.steps)))


class _Descent:
    """Applies descent steps to a scenario and keeps the weights before the last one, to take it back."""

    def __init__(self, scenario: Scenario, learning_rate: float, clip_norm: float | None, frozen: tuple[str, ...]):
        self.scenario, self.learning_rate, self.clip_norm, self.frozen = scenario, learning_rate, clip_norm, frozen
        self.previous: dict[str, np.ndarray] | None = None
        self.took_back = False

    def apply(self, part: Scenario, trace: Trace, where: str) -> str | None:
        """The descent step of ``trace`` (computed on ``part``, whose parameters are the scenario's),
        applied; or why training stops there, nothing applied."""
        if not np.isfinite(trace.loss):
            self.took_back = self.previous is not None
            if self.took_back:  # the last update made the forward pass overflow: take it back
                assign_params(self.scenario, self.previous)
            return (f"stopped at {where}: the loss became {trace.loss} (the forward pass overflows); "
                    f"the last weights with a finite loss are kept")
        values = descent_step(part, trace, self.learning_rate, self.clip_norm, self.frozen)
        bad = first_nonfinite(values)
        if bad is not None:
            return (f"stopped at {where}: the update would make {bad} non-finite "
                    f"(learning rate {self.learning_rate:g} too large?); the last finite weights are kept")
        blocks = _blocks(self.scenario, values)
        self.previous = {k: param_array(self.scenario.model, b).copy() for k, b in blocks.items()}
        assign_params(self.scenario, values)
        return None


def _blocks(scenario: Scenario, values: dict[str, np.ndarray]) -> dict:
    blocks = {b.key: b for b in param_blocks(scenario.model)}
    return {k: blocks[k] for k in values}

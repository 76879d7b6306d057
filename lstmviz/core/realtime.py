"""Real-time recurrent learning step by step: one weight's sensitivities, and Gers' real-time learning.

RTRL (:mod:`.rtrl`) carries, for a parameter θ, the sensitivities S_h[t] = ∂h[t]/∂θ and (LSTM)
S_c[t] = ∂c[t]/∂θ of every layer forward in time, and collects the gradient as it goes:

    G[t] = Σ_{s≤t} ∂E[s]/∂h_top[s] · S_h_top[s],      G[T] = dE/dθ

:func:`sensitivities` keeps that history for ONE entry θ (its column only: P = 1), under the exact
recurrence (``full``) or Gers' truncation (``cec``: only f[t]⊙S_c[t−1] carries through time), so
that the app can show dS/dθ growing as the playhead moves.

:func:`realtime_epoch` is Gers' real-time learning: at every step t it runs the forward step under
the current weights, advances the sensitivities of all P layer parameters, forms
∂E[t]/∂θ = ∂E[t]/∂h_top[t] · S_h_top[t] (and the head's own gradient at step t) and, when
``update`` is on, applies θ ← θ − η·∂E[t]/∂θ at once (with the scenario's clipping and frozen
parameters, :func:`.train.descent_step`). The state and the sensitivities carry on under the changed
weights, so the sum of the step gradients is no longer a gradient of one function; with ``update``
off the weights stay and the sum is exactly BPTT's gradient under the mode.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backward import head_backward
from .forward import Forward, forward, restart, state_at
from .keys import Key
from .model import LSTMLayer, Model, Scenario
from .modes import GradientMode, parse_mode
from .params import param_array, param_blocks
from .rtrl import Immediate, advance, check_size, layer_locals
from .train import TrainRun, assign_params, descent_step, first_nonfinite

REALTIME_MODES = ("full", "cec")
"""The gradient modes of real-time RTRL: the exact recurrence and Gers' truncation."""


@dataclass
class SensitivityHistory:
    """One parameter entry's sensitivities over time. ``S_h[n]``, ``S_c[n]``: (T, H_n) of layer n
    (``S_c[n]`` None for an RNN layer; zeros below θ's layer); ``G``: (T,) the running gradient."""

    key: str
    index: tuple[int, ...]
    mode: GradientMode
    S_h: list[np.ndarray]
    S_c: list[np.ndarray | None]
    G: np.ndarray


def sensitivities(model: Model, fw: Forward, key: str, index: tuple[int, ...],
                  mode: str | GradientMode = "full") -> SensitivityHistory:
    """S_h[t], S_c[t] and G[t] of the entry ``key[index]`` (a layer parameter) over the forward pass ``fw``.

    G[T] equals ``grad/<key>[index]`` of BPTT under the mode. ValueError for a head parameter or an
    entry that does not exist; RTRLTooLarge for a model RTRL refuses.
    """
    mode = _realtime_mode(mode)
    column = entry_column(model, key, index)
    check_size(model)
    blocks = param_blocks(model, include_head=False)
    imms = [Immediate(model, n, blocks, 1, np.array([column])) for n in range(len(model.layers))]
    locs = layer_locals(model, fw)
    Sh = [np.zeros((layer.hidden_size, 1)) for layer in model.layers]
    Sc = [np.zeros((layer.hidden_size, 1)) for layer in model.layers]
    T = len(fw.x)
    hist_h = [np.empty((T, layer.hidden_size)) for layer in model.layers]
    hist_c = [np.empty((T, layer.hidden_size)) if isinstance(layer, LSTMLayer) else None for layer in model.layers]
    dh_top, _ = head_backward(model.head, fw.layers[-1].H, fw.head.dv)
    with np.errstate(all="ignore"):
        for t in range(T):
            advance(model, fw, locs, imms, Sh, Sc, t, False, mode)
            for n in range(len(model.layers)):
                hist_h[n][t] = Sh[n][:, 0]
                if hist_c[n] is not None:
                    hist_c[n][t] = Sc[n][:, 0]
        G = np.cumsum(np.einsum("th,th->t", dh_top, hist_h[-1]))
    return SensitivityHistory(key, tuple(index), mode, hist_h, hist_c, G)


def entry_column(model: Model, key: str, index: tuple[int, ...]) -> int:
    """The flat column of ``key[index]`` among the layer parameters (as :func:`param_blocks` numbers them)."""
    blocks = {b.key: b for b in param_blocks(model, include_head=False)}
    if key not in blocks:
        what = "the head has no sensitivities (its gradient needs none)" if Key.parse(key).layer is None \
            else "no such parameter"
        raise ValueError(f"rtrl sensitivities: {key}: {what}")
    block = blocks[key]
    if len(index) != len(block.shape) or not all(0 <= i < n for i, n in zip(index, block.shape, strict=True)):
        raise ValueError(f"rtrl sensitivities: {key}{list(index)} is outside its shape {block.shape}")
    return block.offset + int(np.ravel_multi_index(tuple(index), block.shape))


@dataclass
class RealtimeEpoch:
    """What one real-time epoch did: ``losses`` E[t] of every step done, each under the weights of its
    step; ``grads`` the sum of the step gradients ∂E[t]/∂θ (keys as ``grad/`` without the prefix);
    ``stopped`` at which step and why it ended early (a loss or an update that is not finite; the weights
    stay at their last values with a finite loss)."""

    losses: list[float]
    grads: dict[str, np.ndarray]
    stopped: str | None = None

    @property
    def loss(self) -> float:
        """Σ_t E[t] over the steps done."""
        return float(np.sum(self.losses))


def realtime_epoch(scenario: Scenario, mode: str | GradientMode = "full", learning_rate: float = 0.1,
                   clip_norm: float | None = None, frozen: tuple[str, ...] = (), update: bool = True) -> RealtimeEpoch:
    """One pass of Gers' real-time learning over the scenario's sequence; the weights change in place
    (see the module docstring). RTRLTooLarge for a model RTRL refuses; ValueError for another mode."""
    mode = _realtime_mode(mode)
    model, data = scenario.model, scenario.data
    check_size(model)
    blocks = param_blocks(model, include_head=False)
    P = sum(b.size for b in blocks)
    imms = [Immediate(model, n, blocks, P) for n in range(len(model.layers))]
    Sh = [np.zeros((layer.hidden_size, P)) for layer in model.layers]
    Sc = [np.zeros((layer.hidden_size, P)) for layer in model.layers]
    states = [(layer.h0, layer.c0 if isinstance(layer, LSTMLayer) else None) for layer in model.layers]
    run = RealtimeEpoch([], {b.key: np.zeros(b.shape) for b in param_blocks(model)})
    previous: dict[str, np.ndarray] | None = None  # the weights before the last update, to take it back
    with np.errstate(all="ignore"):
        for t in range(data.steps):
            fw = forward(restart(model, states), data.x[t:t + 1], data.y[t:t + 1], data.mask[t:t + 1])
            if not np.isfinite(fw.head.loss):
                if previous is not None:  # the last update made the forward step overflow: take it back
                    assign_params(scenario, previous)
                run.stopped = (f"step {t + 1}: E[{t + 1}] became {fw.head.loss} (the forward step "
                               f"overflows); the last weights with a finite loss are kept")
                break
            advance(model, fw, layer_locals(model, fw), imms, Sh, Sc, 0, False, mode)
            grads = _step_gradient(model, fw, blocks, Sh[-1])
            if update:
                values = descent_step(scenario, {f"grad/{k}": v for k, v in grads.items()}, learning_rate,
                                      clip_norm, frozen)
                bad = first_nonfinite(values)
                if bad is not None:
                    run.stopped = (f"step {t + 1}: the update would make {bad} non-finite "
                                   f"(learning rate {learning_rate:g} too large?); the last finite weights are kept")
                    break
                previous = {b.key: param_array(model, b).copy() for b in param_blocks(model) if b.key in values}
                assign_params(scenario, values)
            run.losses.append(fw.head.loss)
            for k, v in grads.items():
                run.grads[k] += v
            states = state_at(fw, 1)
    return run


def realtime_train(scenario: Scenario, epochs: int, gradient: str | GradientMode = "full", learning_rate: float = 0.1,
                   clip_norm: float | None = None, frozen: tuple[str, ...] = (), on_epoch=None) -> TrainRun:
    """Up to ``epochs`` real-time epochs (:func:`realtime_epoch`), as :func:`.train.train` reports them:
    the loss of each epoch is Σ_t E[t], each E[t] under the weights of its step."""
    run = TrainRun()
    for n in range(epochs):
        epoch = realtime_epoch(scenario, gradient, learning_rate, clip_norm, frozen)
        if epoch.stopped:
            run.stopped = f"stopped at epoch {n + 1}, {epoch.stopped}"
            break
        run.losses.append(epoch.loss)
        if on_epoch is not None and on_epoch(n + 1, epoch.loss):
            break
    return run


def _step_gradient(model: Model, fw: Forward, blocks, Sh_top: np.ndarray) -> dict[str, np.ndarray]:
    """∂E[t]/∂θ of the one-step pass ``fw``: ∂E[t]/∂h_top · S_h_top for the layers, the head's own product."""
    dh_top, head_grads = head_backward(model.head, fw.layers[-1].H, fw.head.dv)
    flat = dh_top[0] @ Sh_top
    grads = {b.key: flat[b.offset:b.offset + b.size].reshape(b.shape) for b in blocks}
    grads.update({f"head/{k}": v for k, v in head_grads.items()})
    return grads


def _realtime_mode(mode: str | GradientMode) -> GradientMode:
    mode = parse_mode(mode)
    if mode.kind not in REALTIME_MODES:
        raise ValueError(f"real-time rtrl runs under full or cec (Gers' truncation), got gradient {mode}")
    return mode

"""``compute``: one call from a scenario to every named quantity (the trace).

Trace keys (also the keys of ``lstmviz trace --out FILE.npz``), documented in docs/engine.md:

* ``x`` (T,D), ``y_hat`` (T,K), ``loss`` (scalar E), ``loss_t`` (T), ``dx`` (T,D) = dE/dx[t]
* per layer n (0 = bottom): ``l{n}/a_i a_f a_o a_g i f o g c h`` (rnn: ``a h``), ``l{n}/h0`` and
  ``l{n}/c0`` (LSTM); without a forget gate ``a_f`` is absent and ``f`` is all ones
* backward, under the gradient mode: ``l{n}/delta_h delta_c delta_i delta_f delta_o delta_g``,
  the pre-activations' ``l{n}/delta_a_i delta_a_f delta_a_o delta_a_g`` (rnn: ``delta_a delta_h``)
  and ``l{n}/eps_h``
* ``grad/l{n}/<param>`` for every layer parameter, ``grad/head/W_y`` and ``grad/head/b_y``
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .backward import Backward, backward, contribution_at, contributions
from .forward import Forward, forward
from .keys import Key
from .model import GATES, LSTMLayer, Scenario, gate_view
from .modes import GradientMode, parse_mode
from .rtrl import rtrl_gradients

ALGORITHMS = ("bptt", "rtrl")


@dataclass
class Trace(Mapping):
    """Every forward and backward quantity of one scenario under one gradient mode, by name."""

    arrays: dict[str, np.ndarray]
    scenario: Scenario
    mode: GradientMode
    algorithm: str
    forward: Forward = field(repr=False)
    backward: Backward = field(repr=False)

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key]

    def __iter__(self):
        return iter(self.arrays)

    def __len__(self) -> int:
        return len(self.arrays)

    @property
    def loss(self) -> float:
        return float(self.arrays["loss"])

    @property
    def steps(self) -> int:
        return len(self.arrays["x"])

    def nonfinite_steps(self, part: str = "all") -> list[int]:
        """1-based steps at which a per-step quantity is NaN or infinite.

        ``part`` is ``forward`` (values), ``backward`` (ε, δ, dx) or ``all``.
        """
        bad = np.zeros(self.steps, dtype=bool)
        for key, value in self.step_arrays().items():
            if part != "all" and (part == "backward") != is_backward_key(key):
                continue
            with np.errstate(over="ignore", invalid="ignore"):  # a finite sum clears the array in one pass;
                suspect = not np.isfinite(value.sum())          # one that overflows goes to the exact test
            if suspect:
                bad |= ~np.isfinite(value).all(axis=1)
        return [int(t) + 1 for t in np.flatnonzero(bad)]

    def step_arrays(self) -> dict[str, np.ndarray]:
        """Every quantity that has a value per step, as (T, n): all keys but the loss, the gradients
        and the initial states (which are not per step even when their length happens to equal T)."""
        T = self.steps
        return {key: value.reshape(T, -1) for key, value in self.arrays.items()
                if key != "loss" and not key.startswith("grad/") and not key.endswith(("/h0", "/c0"))}

    def contributions(self, param: str) -> np.ndarray:
        """Per-step terms (T, *shape) that sum to ``grad/<param>`` (bptt; computed on demand)."""
        return contributions(self.scenario.model, self.forward, self.backward, param)

    def contribution_at(self, param: str, index: tuple[int, ...]) -> np.ndarray:
        """The per-step terms (T,) of one entry of ``param`` (cheaper than ``contributions`` of it all)."""
        return contribution_at(self.scenario.model, self.forward, self.backward, param, tuple(index))


def is_backward_key(key: str) -> bool:
    """Whether a trace key holds a backward quantity (ε, δ, dx or a gradient)."""
    k = Key.parse(key)
    return k.grad or k.name == "dx" or k.name.startswith(("delta_", "eps_"))


def compute(scenario: Scenario, gradient: str | GradientMode = "full", algorithm: str = "bptt") -> Trace:
    """Forward pass, ε, δ and weight gradients of ``scenario`` under a gradient mode.

    ``algorithm`` chooses how the weight gradients are computed: ``bptt`` backward in time, or
    ``rtrl`` forward in time (same numbers; small models only). δ and ε are total and
    time-synchronous derivatives; they always come from the backward sweep.
    """
    mode = parse_mode(gradient)
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r} (expected bptt or rtrl)")
    with np.errstate(all="ignore"):
        return _compute(scenario, mode, algorithm)


def _compute(scenario: Scenario, mode: GradientMode, algorithm: str) -> Trace:
    model, data = scenario.model, scenario.data
    fw = forward(model, data.x, data.y, data.mask)
    bw = backward(model, fw, mode)
    grads = rtrl_gradients(model, fw, mode) if algorithm == "rtrl" else bw.grads()
    arrays: dict[str, np.ndarray] = {
        "x": fw.x,
        "y_hat": fw.head.y_hat,
        "loss": np.array(fw.head.loss),
        "loss_t": fw.head.loss_t,
        "dx": bw.dx,
    }
    for n, (layer, lf, lb) in enumerate(zip(model.layers, fw.layers, bw.layers, strict=True)):
        arrays.update(_layer_arrays(f"l{n}", layer, lf, lb))
    arrays.update({f"grad/{k}": v for k, v in grads.items()})
    return Trace(arrays=arrays, scenario=scenario, mode=mode, algorithm=algorithm, forward=fw, backward=bw)


def _layer_arrays(p: str, layer, lf, lb) -> dict[str, np.ndarray]:
    if not isinstance(layer, LSTMLayer):
        return {f"{p}/a": lf.A, f"{p}/h": lf.H, f"{p}/h0": layer.h0,
                f"{p}/delta_a": lb.dA, f"{p}/delta_h": lb.dH, f"{p}/eps_h": lb.eps_h}
    gates = layer.gates
    A, G, dA = gate_view(lf.A), gate_view(lf.G), gate_view(lb.dA)  # [:, n] is gate GATES[n], (T, H)
    out: dict[str, np.ndarray] = {}
    for n, g in enumerate(GATES):
        if g in gates:
            out[f"{p}/a_{g}"] = A[:, n]
        out[f"{p}/{g}"] = G[:, n]
    out.update({f"{p}/c": lf.C, f"{p}/h": lf.H, f"{p}/h0": layer.h0, f"{p}/c0": layer.c0})
    out.update({
        f"{p}/delta_h": lb.dH,
        f"{p}/delta_c": lb.dC,
        f"{p}/delta_i": lb.dC * out[f"{p}/g"],
        f"{p}/delta_f": lb.dC * lf.c_prev,
        f"{p}/delta_o": lb.dH * lf.S,
        f"{p}/delta_g": lb.dC * out[f"{p}/i"],
        f"{p}/eps_h": lb.eps_h,
    })
    out.update({f"{p}/delta_a_{g}": dA[:, n] for n, g in enumerate(GATES) if g in gates})
    return out

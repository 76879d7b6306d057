"""Activation functions, their derivatives and their kinks.

Each activation is a value function ``f(a)`` and a derivative ``df(a, y)`` that may use the
already computed output ``y = f(a)`` (sigmoid and tanh do). Piecewise-linear activations also
name their kinks: CReLU(a) = min(1, max(0, a)) has kinks at a = 0 and a = 1, ReLU at a = 0.
By convention the derivative *at* a kink is 0 (the course's hand-designed weights sit exactly
on kinks, so this choice is visible and must be reported, see :func:`on_kink`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

_ZERO, _ONE = np.array(0.0), np.array(1.0)
"""0 and 1 as 0-d arrays: a ufunc takes them faster than Python floats (≈0.35 against ≈0.55 µs a call on
the short arrays of a step), with the same results."""
_ZERO.flags.writeable = _ONE.flags.writeable = False


def _sigmoid(a: Array, out: Array | None = None) -> Array:
    out = np.negative(a, out)  # out positional: cheaper than out= on the short rows of the engine's loops
    np.exp(out, out)
    out += _ONE
    return np.reciprocal(out, out)


def _linear(a: Array, out: Array | None = None) -> Array:
    if out is None:
        return a.copy()
    np.copyto(out, a)
    return out


def _crelu(a: Array, out: Array | None = None) -> Array:
    out = np.maximum(a, _ZERO, out=out)  # (np.maximum and np.minimum take out= only as a keyword)
    return np.minimum(out, _ONE, out=out)


def _dsigmoid(a: Array, y: Array) -> Array:
    d = np.subtract(_ONE, y)
    d *= y
    return d


def _dtanh(a: Array, y: Array) -> Array:
    d = np.square(y)
    np.subtract(_ONE, d, out=d)
    return d


def _dcrelu(a: Array, y: Array) -> Array:
    return ((a > _ZERO) & (a < _ONE)).astype(np.float64)


@dataclass(frozen=True)
class Activation:
    """``f(a, out=None)`` computes the activation (into ``out`` if given, which the engine's loops pass
    positionally); ``df(a, y)`` its derivative."""

    name: str
    f: Callable[..., Array]
    df: Callable[[Array, Array], Array]
    kinks: tuple[float, ...] = ()


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", _sigmoid, _dsigmoid),
        Activation("tanh", np.tanh, _dtanh),
        Activation("linear", _linear, lambda a, y: np.ones_like(a)),
        Activation("relu", lambda a, out=None: np.maximum(a, 0.0, out=out),
                   lambda a, y: (a > 0.0).astype(np.float64), (0.0,)),
        Activation("crelu", _crelu, _dcrelu, (0.0, 1.0)),
    )
}

GATE_ACTIVATIONS = ("sigmoid", "crelu")
CANDIDATE_ACTIVATIONS = ("tanh", "linear", "crelu", "relu", "sigmoid")
CELL_OUTPUT_ACTIVATIONS = ("tanh", "linear")
RNN_ACTIVATIONS = ("linear", "tanh", "sigmoid", "relu", "crelu")


def on_kink(name: str, a: Array) -> Array:
    """Boolean mask: where the pre-activation ``a`` sits exactly on a kink of activation ``name``."""
    a = np.asarray(a, dtype=np.float64)
    mask = np.zeros(a.shape, dtype=bool)
    for k in ACTIVATIONS[name].kinks:
        mask |= a == k
    return mask

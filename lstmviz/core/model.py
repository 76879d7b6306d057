"""The model as plain data: layers, head, data and scenario (no computation here).

Conventions used everywhere in lstmviz:

* float64 throughout; matrices are (out, in); ``T`` steps, row ``t-1`` of every (T, ·) array is step t.
* LSTM gates are ordered :data:`GATES` = (i, f, o, g); ``g`` is the candidate (the course's c̃).
  Parameters are named ``W_<gate>`` (H×D_in), ``U_<gate>`` (H×H), ``b_<gate>`` (H) and the
  diagonal peepholes ``p_i``, ``p_f``, ``p_o`` (H). Without a forget gate there is no W_f/U_f/b_f/p_f
  and f ≡ 1.
* A vanilla RNN layer has ``W`` (H×D_in), ``U`` (H×H), ``b`` (H).
* The head maps the top layer's h to the output: identity (ŷ = h) or linear (v = W_y h + b_y).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

GATES = ("i", "f", "o", "g")
"""The LSTM gate order, defined once. Stacked matrices use this order block by block."""


def gate_block(H: int, *gates: str) -> slice:
    """The columns of one gate, or of consecutive gates, in an array stacked in :data:`GATES` order.

    ``gate_block(H, "f")`` is ``slice(H, 2H)``; ``gate_block(H, "i", "o")`` covers i, f and o.
    """
    first, last = GATES.index(gates[0]), GATES.index(gates[-1])
    return slice(first * H, (last + 1) * H)


def gate_view(stacked: np.ndarray) -> np.ndarray:
    """A (…, 4H) array stacked in gate order as a (…, 4, H) view: ``[..., GATES.index(g), :]`` is gate g."""
    return stacked.reshape(*stacked.shape[:-1], len(GATES), stacked.shape[-1] // len(GATES))

PEEPHOLE_GATES = ("i", "f", "o")


@dataclass
class LSTMLayer:
    """One LSTM layer.

    a_i = W_i x_t + U_i h_{t-1} + b_i [+ p_i⊙c_{t-1}],  i = σ_gate(a_i)    (f likewise)
    a_g = W_g x_t + U_g h_{t-1} + b_g,                  g = σ_cand(a_g)
    c_t = f⊙c_{t-1} + i⊙g
    a_o = W_o x_t + U_o h_{t-1} + b_o [+ p_o⊙c_t],      o = σ_gate(a_o)
    h_t = o⊙σ_out(c_t)
    """

    input_size: int
    hidden_size: int
    params: dict[str, np.ndarray]
    gate_activation: str = "sigmoid"
    candidate_activation: str = "tanh"
    cell_output_activation: str = "tanh"
    forget_gate: bool = True
    peepholes: bool = False
    h0: np.ndarray | None = None
    c0: np.ndarray | None = None
    type: str = field(default="lstm", init=False)

    def __post_init__(self) -> None:
        self.h0 = _zeros_or(self.h0, self.hidden_size)
        self.c0 = _zeros_or(self.c0, self.hidden_size)

    @property
    def gates(self) -> tuple[str, ...]:
        return tuple(g for g in GATES if g != "f" or self.forget_gate)

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        H, D = self.hidden_size, self.input_size
        shapes: dict[str, tuple[int, ...]] = {}
        for g in self.gates:
            shapes[f"W_{g}"] = (H, D)
            shapes[f"U_{g}"] = (H, H)
            shapes[f"b_{g}"] = (H,)
        if self.peepholes:
            for g in PEEPHOLE_GATES:
                if g in self.gates:
                    shapes[f"p_{g}"] = (H,)
        return shapes

    def stacked(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """W (4H×D), U (4H×H), b (4H) stacked in gate order; an absent forget gate is zero rows."""
        H, D = self.hidden_size, self.input_size
        p = self.params

        def get(name: str, shape: tuple[int, ...]) -> np.ndarray:
            return p[name] if name in p else np.zeros(shape)

        W = np.concatenate([get(f"W_{g}", (H, D)) for g in GATES])
        U = np.concatenate([get(f"U_{g}", (H, H)) for g in GATES])
        b = np.concatenate([get(f"b_{g}", (H,)) for g in GATES])
        return W, U, b

    def peephole(self, gate: str) -> np.ndarray:
        zeros = np.zeros(self.hidden_size)
        return self.params.get(f"p_{gate}", zeros) if self.peepholes else zeros


@dataclass
class RNNLayer:
    """A vanilla RNN layer: a_t = W x_t + U h_{t-1} + Σ_d U_d h_{t-d} + b, h_t = act(a_t).

    ``taps`` are the extra delays d ≥ 2 (increasing) of the multi-tap RNN, each with its own (H, H)
    matrix ``U_d``; without taps it is the plain RNN. A tap reaching before the sequence reads the
    state the layer had then: ``h_past`` (rows h[1−D] … h[−1], D the largest delay) when set — a
    restarted pass (:func:`lstmviz.core.forward.restart`) sets it —, else h0: the layer sat at h0
    before step 1. ``h_past`` is not part of the scenario file.
    """

    input_size: int
    hidden_size: int
    params: dict[str, np.ndarray]
    activation: str = "tanh"
    h0: np.ndarray | None = None
    taps: tuple[int, ...] = ()
    h_past: np.ndarray | None = None
    type: str = field(default="rnn", init=False)

    def __post_init__(self) -> None:
        self.h0 = _zeros_or(self.h0, self.hidden_size)
        self.taps = tuple(int(d) for d in self.taps)

    @property
    def delays(self) -> tuple[int, ...]:
        """1 (U's h[t−1]) and the taps, in the order of :meth:`recurrent`."""
        return (1, *self.taps)

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        H, D = self.hidden_size, self.input_size
        return {"W": (H, D), "U": (H, H), "b": (H,)} | {tap_name(d): (H, H) for d in self.taps}

    def recurrent(self) -> np.ndarray:
        """U and every U_d stacked, (len(delays), H, H)."""
        return np.stack([self.params["U"]] + [self.params[tap_name(d)] for d in self.taps])

    def past(self) -> np.ndarray:
        """The states a step can read before the sequence, h[1−D] … h[0] (D, H), h[0] = h0."""
        D = max(self.delays)
        before = self.h_past if self.h_past is not None else np.tile(self.h0, (D - 1, 1))
        return np.vstack([before.reshape(D - 1, self.hidden_size), self.h0[None]])


def tap_name(delay: int) -> str:
    """The parameter of the tap on h[t−delay]: ``U`` for 1, ``U_2``, ``U_3``…"""
    return "U" if delay == 1 else f"U_{delay}"


Layer = LSTMLayer | RNNLayer


@dataclass
class Head:
    """Output head and loss. ``output_size`` is K; for an identity head K equals the top hidden size."""

    type: str
    loss: str
    output_size: int
    params: dict[str, np.ndarray] = field(default_factory=dict)

    def param_shapes(self, top_hidden: int) -> dict[str, tuple[int, ...]]:
        if self.type == "identity":
            return {}
        return {"W_y": (self.output_size, top_hidden), "b_y": (self.output_size,)}


@dataclass
class Model:
    input_size: int
    layers: list[Layer]
    head: Head

    @property
    def output_size(self) -> int:
        return self.head.output_size

    def param_groups(self) -> list[tuple[str, dict[str, np.ndarray], dict[str, tuple[int, ...]]]]:
        """(prefix, params, shapes) for every parameter group, in canonical order: layers bottom-up, then head."""
        groups = [(f"l{n}", layer.params, layer.param_shapes()) for n, layer in enumerate(self.layers)]
        groups.append(("head", self.head.params, self.head.param_shapes(self.layers[-1].hidden_size)))
        return groups


@dataclass
class Data:
    """x (T×D); y (T×K) for mse or (T,) class indices for softmax_xent; mask (T)."""

    x: np.ndarray
    y: np.ndarray
    mask: np.ndarray

    @property
    def steps(self) -> int:
        return len(self.x)

    @property
    def targets(self) -> np.ndarray:
        """y as float64: the (T, K) targets for mse, each step's class index (T,) for softmax_xent."""
        return np.asarray(self.y, dtype=np.float64)


UPDATES = ("epoch", "chunk", "step")
"""When training updates the weights: once per pass over the sequence, or (under tbptt:K) after every
chunk of K steps, the state carrying on into the next chunk (TensorFlow's num_steps training), or
(``step``, under full or cec) at every step, Gers' real-time learning (:mod:`lstmviz.core.realtime`)."""


@dataclass
class Training:
    """Optional training settings stored with a scenario."""

    learning_rate: float = 0.1
    gradient: str = "full"
    clip_norm: float | None = None
    frozen: tuple[str, ...] = ()
    updates: str = "epoch"  # one of UPDATES


@dataclass
class Watch:
    """A watch expression, optionally checked against a trace quantity (see lstmviz.watch)."""

    expression: str
    equals: str | None = None
    tolerance: float = 1e-9


@dataclass
class Scenario:
    name: str
    model: Model
    data: Data
    description: str = ""
    training: Training = field(default_factory=Training)
    watches: list[Watch] = field(default_factory=list)


def _zeros_or(value: np.ndarray | None, n: int) -> np.ndarray:
    return np.zeros(n) if value is None else np.asarray(value, dtype=np.float64)

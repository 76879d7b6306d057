"""Everything a user can edit, addressed by one key, and the checks an edit must pass (Qt-free).

Keys: parameters ``l0/W_i``, ``head/W_y``; initial states ``l0/h0``, ``l0/c0``; data ``data/x``,
``data/y``, ``data/mask``. :func:`editable` returns the live arrays (editing them edits the scenario).
"""
from __future__ import annotations

import copy
import math
import re

import numpy as np

from .activations import CANDIDATE_ACTIVATIONS, CELL_OUTPUT_ACTIVATIONS, GATE_ACTIVATIONS, RNN_ACTIVATIONS
from .model import LSTMLayer, Scenario
from .params import param_blocks

DATA_KEYS = ("data/x", "data/y", "data/mask")
LAYER_OPTIONS = {
    "lstm": {"gate_activation": GATE_ACTIVATIONS, "candidate_activation": CANDIDATE_ACTIVATIONS,
             "cell_output_activation": CELL_OUTPUT_ACTIVATIONS, "forget_gate": (True, False),
             "peepholes": (True, False)},
    "rnn": {"activation": RNN_ACTIVATIONS},
}


def editable(scenario: Scenario) -> dict[str, np.ndarray]:
    """Every editable array by key, in a stable order: parameters, initial states, data."""
    model = scenario.model
    out: dict[str, np.ndarray] = {}
    for b in param_blocks(model):
        params = model.head.params if b.layer is None else model.layers[b.layer].params
        out[b.key] = params[b.name]
    for n, layer in enumerate(model.layers):
        out[f"l{n}/h0"] = layer.h0
        if isinstance(layer, LSTMLayer):
            out[f"l{n}/c0"] = layer.c0
    out["data/x"], out["data/y"], out["data/mask"] = scenario.data.x, scenario.data.y, scenario.data.mask
    return out


def check_value(scenario: Scenario, key: str, value: float) -> str | None:
    """Why a value may not go into ``key``, or None if it may."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        return "not a number"
    if not math.isfinite(float(value)):
        return f"{value} is not a finite number"
    if key == "data/mask" and value < 0:
        return "a mask weight must be ≥ 0"
    if key == "data/y" and scenario.model.head.loss == "softmax_xent":
        K = scenario.model.output_size
        if float(value) != int(value) or not 0 <= int(value) < K:
            return f"a class index must be a whole number from 0 to {K - 1}"
    return None


def with_layer_option(scenario: Scenario, n: int, option: str, value) -> LSTMLayer:
    """A copy of layer n with one option changed; parameters the new option needs are added.

    Turning on peepholes adds p_i, p_f, p_o = 0 (nothing changes until they are edited); turning on
    the forget gate adds W_f = U_f = 0 with b_f chosen so that the gate starts open (f ≈ 1).
    """
    layer = copy.deepcopy(scenario.model.layers[n])
    allowed = LAYER_OPTIONS[layer.type].get(option)
    if allowed is None or value not in allowed:
        raise ValueError(f"layer {n} ({layer.type}) has no option {option} = {value!r}")
    setattr(layer, option, value)
    shapes = layer.param_shapes()
    for name, shape in shapes.items():
        if name not in layer.params:
            layer.params[name] = np.zeros(shape)
            if name == "b_f":
                layer.params[name][:] = 1.0 if layer.gate_activation == "crelu" else 3.0
    layer.params = {name: layer.params[name] for name in shapes}
    return layer


_ASSIGNMENT = re.compile(r"^\s*(?P<key>[A-Za-z0-9_/]+)\s*(?:\[(?P<index>[0-9,\s]*)\])?\s*=\s*(?P<value>\S+)\s*$")


def parse_assignment(text: str, scenario: Scenario) -> tuple[str, tuple[int, ...], float]:
    """``l0/b_i=0.9``, ``l0/W_i[0,1]=-1`` → (key, index, value) of one entry; ValueError with a one-line
    reason. The index may be left out for an array of one entry; the value must be a finite number."""
    m = _ASSIGNMENT.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not KEY[INDEX]=VALUE (e.g. l0/b_i=0.9 or l0/W_i[0,1]=-1)")
    arrays = editable(scenario)
    key = m["key"]
    if key not in arrays:
        raise ValueError(f"{key!r} is not an array of this scenario (one of {', '.join(arrays)})")
    shape = arrays[key].shape
    if m["index"] is None:
        if arrays[key].size != 1:
            raise ValueError(f"{key} has shape {shape}: give the entry, e.g. {key}[{', '.join('0' * len(shape))}]")
        index = (0,) * len(shape)
    else:
        index = tuple(int(i) for i in m["index"].replace(" ", "").split(",") if i != "")
        if len(index) != len(shape) or not all(0 <= i < n for i, n in zip(index, shape, strict=True)):
            raise ValueError(f"{key}{list(index)} is outside its shape {shape}")
    try:
        value = float(m["value"].replace("−", "-"))
    except ValueError:
        raise ValueError(f"{m['value']!r} is not a number") from None
    problem = check_value(scenario, key, value)
    if problem:
        raise ValueError(f"{key}: {problem}")
    return key, index, value

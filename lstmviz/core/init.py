"""Random initialisation of parameters, for new scenarios and tests."""
from __future__ import annotations

import numpy as np

from .model import Head, Layer, Model


def init_params(shapes: dict[str, tuple[int, ...]], rng: np.random.Generator,
                scale: float = 0.5) -> dict[str, np.ndarray]:
    """Every parameter drawn from N(0, scale²/fan_in) (biases and peepholes: N(0, scale²/4))."""
    out = {}
    for name, shape in shapes.items():
        fan_in = shape[1] if len(shape) == 2 else 4
        out[name] = rng.normal(0.0, scale / np.sqrt(fan_in), size=shape)
    return out


def init_model(layers: list[Layer], head: Head, rng: np.random.Generator, scale: float = 0.5) -> Model:
    """Fill the (empty) params of ``layers`` and ``head`` and return the model."""
    for layer in layers:
        layer.params = init_params(layer.param_shapes(), rng, scale)
    head.params = init_params(head.param_shapes(layers[-1].hidden_size), rng, scale)
    return Model(input_size=layers[0].input_size, layers=layers, head=head)

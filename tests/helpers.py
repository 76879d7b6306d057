"""Scenario builders for the tests: random models of every variant."""
from __future__ import annotations

import numpy as np

from lstmviz.core import Data, Head, LSTMLayer, RNNLayer, Scenario
from lstmviz.core.init import init_model


def lstm(d: int, h: int, **kw) -> LSTMLayer:
    return LSTMLayer(input_size=d, hidden_size=h, params={}, **kw)


def rnn(d: int, h: int, activation: str = "tanh") -> RNNLayer:
    return RNNLayer(input_size=d, hidden_size=h, params={}, activation=activation)


def random_scenario(layers, head_type="linear", loss="mse", K=2, T=6, seed=0, scale=0.8,
                    mask=None, random_state=True) -> Scenario:
    """A scenario with random weights, data and (optionally) random initial states."""
    rng = np.random.default_rng(seed)
    if head_type == "identity":
        K = layers[-1].hidden_size
    head = Head(type=head_type, loss=loss, output_size=K)
    model = init_model(layers, head, rng, scale)
    if random_state:
        for layer in layers:
            layer.h0 = rng.normal(0, 0.3, layer.hidden_size)
            if isinstance(layer, LSTMLayer):
                layer.c0 = rng.normal(0, 0.3, layer.hidden_size)
    x = rng.normal(0, 1, (T, layers[0].input_size))
    y = rng.integers(0, K, T) if loss == "softmax_xent" else rng.normal(0, 1, (T, K))
    m = np.ones(T) if mask is None else np.asarray(mask, dtype=float)
    return Scenario(name="random", model=model, data=Data(x=x, y=y, mask=m))

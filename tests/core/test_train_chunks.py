"""Per-chunk training (Training.updates = "chunk"): one update after every tbptt chunk, the state carried on."""
import copy
import dataclasses

import numpy as np
import pytest
from helpers import lstm, random_scenario, rnn

from lstmviz.core import compute
from lstmviz.core.forward import forward
from lstmviz.core.model import Data
from lstmviz.core.params import param_array, param_blocks
from lstmviz.core.train import train
from lstmviz.io import load_scenario


def weights(scenario) -> dict[str, np.ndarray]:
    return {b.key: param_array(scenario.model, b).copy() for b in param_blocks(scenario.model)}


def reference_epoch(scenario, k: int, lr: float) -> list[dict[str, np.ndarray]]:
    """One epoch of per-chunk descent written out by hand: chunk j is its own scenario (the data sliced,
    the initial state the one chunk j−1's forward pass ended in, under the weights before its update),
    its gradient is that scenario's tbptt:k gradient. Returns the weights after every update."""
    s = copy.deepcopy(scenario)
    d, T, after = s.data, s.data.steps, []
    for start in range(0, T, k):
        piece = dataclasses.replace(s, data=Data(x=d.x[start:start + k], y=d.y[start:start + k],
                                                 mask=d.mask[start:start + k]))
        grads = compute(piece, f"tbptt:{k}")
        fw = forward(piece.model, piece.data.x, piece.data.y, piece.data.mask)
        for block in param_blocks(s.model):
            param_array(s.model, block)[...] -= lr * grads[f"grad/{block.key}"]
        for layer, lf in zip(s.model.layers, fw.layers, strict=True):  # the next chunk's starting state
            layer.h0 = lf.H[-1].copy()
            if hasattr(layer, "c0"):
                layer.c0 = lf.C[-1].copy()
        after.append(weights(s))
    return after


SCENARIOS = {
    "lstm": lambda: random_scenario([lstm(2, 3, peepholes=True)], T=7, seed=21),
    "stacked": lambda: random_scenario([rnn(2, 2), lstm(2, 2)], T=7, seed=22),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("k", [7, 50])
def test_one_chunk_is_one_epoch(name, k):
    a, b = SCENARIOS[name](), SCENARIOS[name]()
    run_a = train(a, 4, f"tbptt:{k}", 0.05, updates="chunk")
    run_b = train(b, 4, f"tbptt:{k}", 0.05, updates="epoch")
    np.testing.assert_allclose(run_a.losses, run_b.losses, rtol=1e-13)
    for key, value in weights(a).items():
        np.testing.assert_allclose(value, weights(b)[key], rtol=1e-13, atol=1e-15, err_msg=key)


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("k", [2, 3])
def test_each_chunk_updates_from_its_own_gradient_and_carries_the_state(name, k):
    scenario = SCENARIOS[name]()
    before = weights(scenario)
    expected = reference_epoch(scenario, k, 0.05)
    # the first update is the descent step of chunk 1 alone (steps 1 … k from h0/c0)
    first = copy.deepcopy(scenario)
    first.data = Data(x=first.data.x[:k], y=first.data.y[:k], mask=first.data.mask[:k])
    g1 = compute(first, "full")
    for key, value in before.items():
        np.testing.assert_allclose(expected[0][key], value - 0.05 * g1[f"grad/{key}"], rtol=1e-13, atol=1e-15)
    run = train(scenario, 1, f"tbptt:{k}", 0.05, updates="chunk")
    assert len(run.losses) == 1 and run.stopped is None
    for key, value in weights(scenario).items():
        np.testing.assert_allclose(value, expected[-1][key], rtol=1e-12, atol=1e-14, err_msg=key)
    epoch = SCENARIOS[name]()
    train(epoch, 1, f"tbptt:{k}", 0.05, updates="epoch")
    assert any(not np.allclose(weights(epoch)[key], value) for key, value in weights(scenario).items())


def test_the_calculators_loss_falls_under_tbptt_2_chunk_updates():
    s = load_scenario("calculator-rnn-0.5")
    before = compute(s).loss
    run = train(s, 30, "tbptt:2", 0.003, frozen=s.training.frozen, updates="chunk")
    assert run.stopped is None and len(run.losses) == 30
    after = compute(s).loss
    assert after < 0.5 * before
    assert s.model.layers[0].params["W"][0, 0] == 1.0  # frozen stays frozen
    assert s.model.layers[0].params["U"][0, 0] > 0.5  # u grows towards the running sum's 1


def test_a_diverging_chunk_run_stops_at_its_chunk_and_keeps_finite_weights():
    s = load_scenario("calculator-rnn-1.7")
    u = s.model.layers[0].params["U"].copy()
    run = train(s, 50, "tbptt:3", 1e308, frozen=s.training.frozen, updates="chunk")
    # chunk 1 (steps 1–3) scores nothing, so its update is zero; chunk 2 scores step 4 and would overflow
    assert run.stopped.startswith("stopped at epoch 1, chunk 2: the update would make l0/U[0, 0] non-finite")
    assert run.losses == [] and np.array_equal(s.model.layers[0].params["U"], u)


@pytest.mark.parametrize("bad", ["often", "", "Chunk", None])
def test_unknown_updates_are_refused_in_one_line(bad):
    with pytest.raises(ValueError, match="updates must be one of epoch, chunk") as err:
        train(load_scenario("calculator-rnn-0.5"), 1, "tbptt:2", updates=bad)
    assert "\n" not in str(err.value)

"""Training stops at the first step that is not finite and keeps the last finite weights."""
import numpy as np

from lstmviz.core import compute
from lstmviz.core.train import train
from lstmviz.io import load_scenario


def test_a_diverging_run_keeps_the_last_weights_with_a_finite_loss():
    s = load_scenario("calculator-rnn-1.7")
    run = train(s, 50, learning_rate=100.0, frozen=s.training.frozen)
    assert run.stopped.startswith("stopped at epoch 3: the loss became inf")
    assert len(run.losses) == 1 and all(np.isfinite(run.losses))
    assert np.isfinite(s.model.layers[0].params["U"]).all() and np.isfinite(compute(s).loss)


def test_an_update_that_would_not_be_finite_is_not_applied():
    s = load_scenario("calculator-rnn-1.7")
    u = s.model.layers[0].params["U"].copy()
    run = train(s, 5, learning_rate=1e308, frozen=s.training.frozen)
    assert run.stopped.startswith("stopped at epoch 1: the update would make l0/U[0, 0] non-finite")
    assert run.losses == [] and np.array_equal(s.model.layers[0].params["U"], u)


def test_a_healthy_run_is_not_stopped():
    s = load_scenario("calculator-rnn-0.5")
    run = train(s, 20, learning_rate=0.003, frozen=s.training.frozen)
    assert run.stopped is None and len(run.losses) == 20 and run.losses[-1] < run.losses[0]

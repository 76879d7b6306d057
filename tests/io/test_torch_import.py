"""A scenario from a state dict laid out as PyTorch's nn.LSTM's (built here with NumPy: no torch)."""
import math

import numpy as np
import pytest
from fuzzing import fuzz
from hypothesis import given
from hypothesis import strategies as st

from lstmviz.cli import main
from lstmviz.core import compute
from lstmviz.core.init import init_model
from lstmviz.core.model import Data, Head, LSTMLayer, Scenario
from lstmviz.io import ScenarioError, load_scenario, save_scenario
from lstmviz.io.torch_import import scenario_from_torch

D, SIZES, K, T = 3, (4, 2), 2, 7


def lstm_state_dict(rng, D=D, sizes=SIZES, K=K, prefix="lstm.", head="fc."):
    """What ``{k: v.numpy() for k, v in model.state_dict().items()}`` holds for a model with
    ``self.lstm = nn.LSTM(D, H, len(sizes))`` (sizes may differ per layer here) and ``self.fc = nn.Linear(H, K)``."""
    sd, d = {}, D
    for k, H in enumerate(sizes):
        sd[f"{prefix}weight_ih_l{k}"] = rng.normal(size=(4 * H, d))
        sd[f"{prefix}weight_hh_l{k}"] = rng.normal(size=(4 * H, H))
        sd[f"{prefix}bias_ih_l{k}"] = rng.normal(size=4 * H)
        sd[f"{prefix}bias_hh_l{k}"] = rng.normal(size=4 * H)
        d = H
    if head is not None:
        sd[f"{head}weight"] = rng.normal(size=(K, d))
        sd[f"{head}bias"] = rng.normal(size=K)
    return sd


class FakeTensor:
    """Quacks like a torch.Tensor that requires grad: only .detach().cpu().numpy() gives its values."""

    def __init__(self, array):
        self.array = array

    def detach(self):
        return FakeTensor(self.array)

    def cpu(self):
        return FakeTensor(self.array)

    def numpy(self):
        return self.array.copy()

    def __array__(self, *args, **kwargs):
        raise RuntimeError("Can't call numpy() on Tensor that requires grad")


def test_a_two_layer_state_dict_traces_as_the_same_weights_imported_with_weights_import(tmp_path):
    rng = np.random.default_rng(15)
    sd = lstm_state_dict(rng)
    x, y = rng.normal(size=(T, 1, D)), rng.normal(size=(T, K))
    ours = scenario_from_torch({k: FakeTensor(v) for k, v in sd.items()}, x, y, head="linear")

    # the existing path: a scenario of the same sizes (other weights), then `lstmviz weights import`
    layers = [LSTMLayer(input_size=D, hidden_size=SIZES[0], params={}),
              LSTMLayer(input_size=SIZES[0], hidden_size=SIZES[1], params={})]
    model = init_model(layers, Head(type="linear", loss="mse", output_size=K), np.random.default_rng(1))
    save_scenario(Scenario("base", model, Data(x=x[:, 0], y=y, mask=np.ones(T))), tmp_path / "base.json")
    np.savez(tmp_path / "w.npz", **{k.removeprefix("lstm.").replace("fc.", "head."): v for k, v in sd.items()})
    assert main(["weights", "import", str(tmp_path / "base.json"), str(tmp_path / "w.npz"), "--layout", "pytorch",
                 "--out", str(tmp_path / "imported.json")]) == 0
    theirs = load_scenario(tmp_path / "imported.json")

    a, b = compute(ours), compute(theirs)
    assert set(a) == set(b) and "grad/l1/U_g" in a and "grad/head/W_y" in a
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=0, atol=1e-12, err_msg=key)
    assert a.loss > 0.1  # random weights: not a trivially zero trace
    np.testing.assert_array_equal(ours.model.layers[1].params["U_g"], sd["lstm.weight_hh_l1"][4:6])  # rows i f g o


def test_one_step_of_a_one_unit_model_follows_pytorchs_equations():
    """PyTorch: i = σ(W_ii x + b_ii + W_hi h + b_hi), f and o likewise, g = tanh(…), c' = f c + i g,
    h' = o tanh(c'); the rows of weight_ih are i, f, g, o."""
    w_ih, w_hh = [0.5, -1.0, 2.0, 0.25], [-0.3, 0.8, 0.1, -1.2]
    b_ih, b_hh = [0.1, 0.2, -0.3, 0.4], [0.05, -0.6, 0.7, 0.0]
    sd = {"weight_ih_l0": np.array(w_ih)[:, None], "weight_hh_l0": np.array(w_hh)[:, None],
          "bias_ih_l0": np.array(b_ih), "bias_hh_l0": np.array(b_hh),
          "out.weight": np.array([[1.5]]), "out.bias": np.array([-0.2])}
    xs = [0.7, -1.1]
    trace = compute(scenario_from_torch(sd, np.array(xs)[:, None], np.zeros((2, 1)), head="linear"))

    def sigmoid(a):
        return 1 / (1 + math.exp(-a))

    h = c = 0.0
    for t, x in enumerate(xs):
        a = [w_ih[n] * x + b_ih[n] + w_hh[n] * h + b_hh[n] for n in range(4)]
        i, f, g, o = sigmoid(a[0]), sigmoid(a[1]), math.tanh(a[2]), sigmoid(a[3])
        c = f * c + i * g
        h = o * math.tanh(c)
        assert trace["l0/i"][t, 0] == pytest.approx(i, abs=1e-15)
        assert trace["l0/g"][t, 0] == pytest.approx(g, abs=1e-15)
        assert trace["l0/c"][t, 0] == pytest.approx(c, abs=1e-15)
        assert trace["l0/h"][t, 0] == pytest.approx(h, abs=1e-15)
        assert trace["y_hat"][t, 0] == pytest.approx(1.5 * h - 0.2, abs=1e-15)


def test_prefixes_batch_layouts_and_tensors_give_the_same_scenario():
    rng = np.random.default_rng(3)
    sd = lstm_state_dict(rng, prefix="", head="head.")
    x, y = rng.normal(size=(T, D)), rng.normal(size=(T, K))
    plain = compute(scenario_from_torch(sd, x, y, head="linear"))
    prefixed = {("model.rnn." + k if k.startswith(("weight", "bias")) else k.replace("head.", "decoder.")): v
                for k, v in sd.items()}
    for trace in (compute(scenario_from_torch(prefixed, x[:, None], y[:, None], head="linear")),
                  compute(scenario_from_torch(sd, FakeTensor(x[None]), y[None], head="linear", batch_first=True))):
        np.testing.assert_array_equal(trace["y_hat"], plain["y_hat"])
        np.testing.assert_array_equal(trace["grad/l0/W_f"], plain["grad/l0/W_f"])


def test_identity_head_class_indices_and_no_biases():
    rng = np.random.default_rng(4)
    sd = {k: v for k, v in lstm_state_dict(rng, sizes=(3,), head=None).items() if "bias" not in k}  # bias=False
    labels = np.array([0, 2, 1, 1, 0, 2, 2])
    s = scenario_from_torch(sd, rng.normal(size=(T, D)), labels, loss="softmax_xent", name="mine")
    assert s.name == "mine" and s.model.head.type == "identity" and s.model.output_size == 3
    assert not any(s.model.layers[0].params[f"b_{g}"].any() for g in "ifog")
    np.testing.assert_array_equal(s.data.y, labels)
    trace = compute(s)
    np.testing.assert_allclose(trace["loss_t"], -np.log(trace["y_hat"][np.arange(T), labels]), rtol=1e-12)


GOOD = lstm_state_dict(np.random.default_rng(5))
X, Y = np.random.default_rng(6).normal(size=(T, D)), np.zeros((T, K))


@pytest.mark.parametrize("change, x, y, kwargs, message", [
    ({"lstm.weight_hh_l1": np.zeros((8, 3))}, X, Y, {}, "lstm.weight_hh_l1 has shape (8, 3), expected (8, 2)"),
    ({"lstm.weight_ih_l0": np.zeros((15, 3))}, X, Y, {}, "lstm.weight_ih_l0 has shape (15, 3), expected (4H, D)"),
    ({"lstm.weight_ih_l0_reverse": np.zeros((16, 3))}, X, Y, {}, "lstm.weight_ih_l0_reverse holds the reverse"),
    ({"lstm.weight_hr_l0": np.zeros((2, 4))}, X, Y, {}, "lstm.weight_hr_l0 is the projection"),
    ({"lstm.bias_hh_l0": np.full(16, np.nan)}, X, Y, {}, "lstm.bias_hh_l0 contains NaN or infinity"),
    ({"fc.weight": np.zeros((2, 2), complex)}, X, Y, {}, "fc.weight holds complex128 values, expected real"),
    ({"lstm.weight_ih_l2": np.zeros((8, 2))}, X, Y, {}, "lstm.weight_hh_l2 is missing"),
    ({"lstm.num_batches": np.zeros(1)}, X, Y, {}, "lstm.num_batches is not a weight of nn.LSTM"),
    ({"dec.bias": np.zeros(2)}, X, Y, {}, "dec.bias belongs to a second head (dec, fc)"),
    ({}, np.zeros((T, 2, D)), Y, {}, "x has shape (7, 2, 3): a batch of 2 sequences"),
    ({}, np.zeros((2, T, D)), Y, {"batch_first": True}, "x has shape (2, 7, 3): a batch of 2 sequences (batch, T"),
    ({}, np.zeros((T, 4)), Y, {}, "x has shape (7, 4), expected (7, 3)"),
    ({}, X, np.zeros((T, 3)), {}, "y has shape (7, 3), expected (7, 2)"),
    ({}, X, np.full(T, 0.5), {"loss": "softmax_xent"}, "y holds float64 values, expected class indices"),
    ({}, X, np.array([0, 1, 2, 0, 0, 0, 0]), {"loss": "softmax_xent"}, "y[2] is 2, expected a class index 0 to 1"),
    ({}, X, Y, {"head": None}, "fc.weight looks like a linear head's weight: pass head='linear'"),
    ({}, X, Y, {"loss": "ce"}, "loss is 'ce', expected 'mse' or 'softmax_xent'"),
])
def test_refusals_name_the_member_in_one_line(change, x, y, kwargs, message):
    with pytest.raises(ScenarioError) as e:
        scenario_from_torch({**GOOD, **change}, x, y, **({"head": "linear"} | kwargs))
    assert str(e.value).startswith(f"scenario_from_torch: {message}")


def test_a_missing_member_is_named_with_the_callers_prefix():
    for dropped, named in (("lstm.weight_hh_l0", "lstm.weight_hh_l0"), ("fc.bias", "fc.bias"),
                           ("fc.weight", "fc.weight")):
        with pytest.raises(ScenarioError, match=f"^scenario_from_torch: {named} is missing$"):
            scenario_from_torch({k: v for k, v in GOOD.items() if k != dropped}, X, Y, head="linear")
    without_head = {k: v for k, v in GOOD.items() if not k.startswith("fc.")}
    with pytest.raises(ScenarioError, match=r"^scenario_from_torch: <head>\.weight is missing: head='linear' needs"):
        scenario_from_torch(without_head, X, Y, head="linear")


BAD_VALUES = st.sampled_from([np.nan, np.inf, -np.inf])


@st.composite
def hostile(draw):
    """The good state dict with one member dropped, reshaped, poisoned or renamed; or x with NaN."""
    sd, x = dict(GOOD), X.copy()
    name = draw(st.sampled_from(sorted(GOOD)))
    how = draw(st.sampled_from(["drop", "shape", "poison", "rename", "x"]))
    if how == "drop":
        del sd[name]
    elif how == "shape":
        shape = draw(st.lists(st.integers(0, 9), min_size=0, max_size=3).filter(lambda s: tuple(s) != GOOD[name].shape))
        sd[name] = np.zeros(shape)
    elif how == "poison":
        sd[name] = GOOD[name].copy()
        sd[name].flat[draw(st.integers(0, sd[name].size - 1))] = draw(BAD_VALUES)
    elif how == "rename":
        sd[name + draw(st.sampled_from(["_reverse", "x", ".extra"]))] = sd.pop(name)
    else:
        x[draw(st.integers(0, T - 1)), draw(st.integers(0, D - 1))] = draw(BAD_VALUES)
    return sd, x


@fuzz(60)
@given(hostile())
def test_hostile_state_dicts_are_refused_in_one_line(case):
    sd, x = case
    with pytest.raises(ScenarioError) as e:
        scenario_from_torch(sd, x, Y, head="linear")
    text = str(e.value)
    assert text.startswith("scenario_from_torch: ") and "\n" not in text
    assert e.value.field in set(sd) | set(GOOD) | {"x"} or e.value.field.startswith(("x", "lstm.", "fc."))

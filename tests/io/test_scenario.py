"""The scenario format: round trips and every kind of bad input."""
import copy
import json
import re

import numpy as np
import pytest
from helpers import lstm, random_scenario, rnn
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmviz.io import ScenarioError, list_presets, load_scenario, save_scenario, scenario_to_dict
from lstmviz.io.scenario import loads_scenario
from lstmviz.io.scenario_writer import dumps_scenario


@pytest.mark.parametrize("preset", [p.key for p in list_presets()])
def test_every_preset_round_trips(preset, tmp_path):
    s = load_scenario(preset)
    save_scenario(s, tmp_path / "a.json")
    again = load_scenario(tmp_path / "a.json")
    assert scenario_to_dict(again) == scenario_to_dict(s)
    assert (tmp_path / "a.json").read_text() == dumps_scenario(again)


@settings(max_examples=30, deadline=None)
@given(kinds=st.lists(st.sampled_from(["lstm", "lstm-peep", "lstm-noforget", "rnn"]), min_size=1, max_size=3),
       head=st.sampled_from([("identity", "mse"), ("linear", "mse"), ("linear", "softmax_xent")]),
       T=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_random_scenarios_round_trip_exactly(kinds, head, T, seed):
    make = {"lstm": lambda d: lstm(d, 2), "lstm-peep": lambda d: lstm(d, 3, peepholes=True, gate_activation="crelu"),
            "lstm-noforget": lambda d: lstm(d, 1, forget_gate=False), "rnn": lambda d: rnn(d, 2, "relu")}
    layers, d = [], 2
    for k in kinds:
        layers.append(make[k](d))
        d = layers[-1].hidden_size
    s = random_scenario(layers, head_type=head[0], loss=head[1], K=3, T=T, seed=seed)
    text = dumps_scenario(s)
    again = loads_scenario(text, "x.json")
    assert dumps_scenario(again) == text
    for a, b in zip(s.model.layers, again.model.layers, strict=True):
        for name in a.params:
            np.testing.assert_array_equal(a.params[name], b.params[name])  # bit for bit
        np.testing.assert_array_equal(a.h0, b.h0)
    np.testing.assert_array_equal(s.data.x, again.data.x)


def calculator_doc():
    return json.loads(list_presets()[0].path.read_text(encoding="utf-8"))


def softmax_doc():
    doc = calculator_doc()
    doc["model"]["head"] = {"type": "linear", "loss": "softmax_xent", "params": {"W_y": [[1.0], [0.5], [-1.0]],
                                                                                   "b_y": [0, 0, 0]}}
    doc["data"]["y"] = [0, 1, 2, 0, 1, 2, 0, 1]
    return doc


def set_path(doc, path, value):
    *head, last = path
    for key in head:
        doc = doc[key]
    if value is DELETE:
        del doc[last]
    else:
        doc[last] = value


DELETE = object()
L0 = ("model", "layers", 0)

BAD = [
    ("missing parameter", L0 + ("params", "W_i"), DELETE, "model.layers[0].params.W_i is missing"),
    ("misshapen parameter", L0 + ("params", "W_i"), [[0, 0], [1, 1], [2, 2]],
     "model.layers[0].params.W_i has shape (3, 2), expected (1, 1)"),
    ("ragged matrix", L0 + ("params", "U_f"), [[1], [1, 2]], "model.layers[0].params.U_f must be a rectangular"),
    ("unknown activation", L0 + ("gate_activation",), "relu",
     'model.layers[0].gate_activation is "relu", expected one of sigmoid, crelu'),
    ("unknown layer type", L0 + ("type",), "gru", 'model.layers[0].type is "gru", expected one of lstm, rnn'),
    ("string for a number", L0 + ("params", "b_g"), ["1"], 'model.layers[0].params.b_g[0] is "1", expected a number'),
    ("boolean for a number", ("data", "x", 2), [True], "data.x[2][0] is true, expected a number"),
    ("null for a number", ("data", "mask", 0), None, "data.mask[0] is null, expected a number"),
    ("zero hidden size", L0 + ("hidden_size",), 0, "model.layers[0].hidden_size is 0, expected 1 to 2048"),
    ("absurd hidden size", L0 + ("hidden_size",), 10 ** 12, "model.layers[0].hidden_size is 1000000000000"),
    ("absurd input size", ("model", "input_size"), 10 ** 9, "model.input_size is 1000000000, expected 1 to 2048"),
    ("negative size", ("model", "input_size"), -3, "model.input_size is -3, expected 1 to 2048"),
    ("fractional size", ("model", "input_size"), 1.5, "model.input_size must be an integer, got a number"),
    ("empty sequence", ("data", "x"), [], "data.x is empty: a scenario needs at least one step"),
    ("x too wide", ("data", "x"), [[1, 2]] * 8, "data.x has shape (8, 2), expected (8, 1)"),
    ("y too short", ("data", "y"), [[0]] * 7, "data.y has shape (7, 1), expected (8, 1)"),
    ("mask too long", ("data", "mask"), [1] * 9, "data.mask has shape (9,), expected (8,)"),
    ("negative mask", ("data", "mask", 3), -1, "data.mask[3] is -1.0, expected a weight >= 0"),
    ("other format", ("format",), "keras", 'format is "keras", expected "lstmviz.scenario"'),
    ("newer version", ("version",), 2, "version is 2, newer than this lstmviz reads (1); update lstmviz"),
    ("unknown field", ("model", "dropout"), 0.5, "model.dropout is not a known field"),
    ("no layers", ("model", "layers"), [], "model.layers has 0 layers, expected 1 to 16"),
    ("bad gradient mode", ("training", "gradient"), "tbptt:0", "training.gradient tbptt needs a chunk length K"),
    ("unknown frozen parameter", ("training", "frozen"), ["l0/W_x"], 'training.frozen[0] is "l0/W_x", not a parameter'),
    ("negative learning rate", ("training", "learning_rate"), -1, "training.learning_rate is -1, expected a positive"),
    ("state of the wrong size", L0 + ("c0",), [0, 0], "model.layers[0].c0 has shape (2,), expected (1,)"),
    ("missing data", ("data",), DELETE, "data is missing"),
    ("unknown updates", ("training", "updates"), "step-by-step",
     'training.updates is "step-by-step", expected one of epoch, chunk'),
    ("updates not a string", ("training", "updates"), 3, "training.updates is 3, expected one of epoch, chunk"),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_scenarios_name_the_file_and_the_field(case, tmp_path):
    _, path, value, message = case
    doc = calculator_doc()
    set_path(doc, path, value if value is DELETE else copy.deepcopy(value))
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(doc))
    with pytest.raises(ScenarioError) as err:
        load_scenario(f)
    assert str(err.value).startswith(f"{f}: {message}"), str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("path,value,message", [
    (("data", "y", 3), 3, "data.y[3] is 3, expected 0 to 2"),
    (("data", "y", 3), -1, "data.y[3] is -1, expected 0 to 2"),
    (("data", "y", 0), 0.5, "data.y[0] must be an integer, got a number"),
    (("model", "head", "params", "b_y"), [0, 0], "model.head.params.b_y has shape (2,), expected (3,)"),
    (("model", "head", "params", "W_y"), [[1.0, 2.0]] * 3, "model.head.params.W_y has shape (3, 2), expected (3, 1)"),
])
def test_bad_class_targets_and_head(path, value, message, tmp_path):
    doc = softmax_doc()
    load = lambda d: loads_scenario(json.dumps(d), "s.json")  # noqa: E731
    assert load(doc).model.output_size == 3
    set_path(doc, path, value)
    with pytest.raises(ScenarioError, match="^" + re.escape(f"s.json: {message}")):
        load(doc)


@pytest.mark.parametrize("text,message", [
    ("{", "is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
    ("[1, 2]", "the top level must be a JSON object, got a list"),
    ("42", "the top level must be a JSON object, got a number"),
    ("[" * 200_000 + "]" * 200_000, "is nested too deeply to be a scenario"),
    ('{"format": "lstmviz.scenario", "version": 1, "name": "n", "model": {"input_size": 1, "layers": '
     '[{"type": "lstm", "hidden_size": 1, "params": {"W_i": ' + "[" * 500 + "]" * 500 + "}}]}}",
     "model.layers[0].params.W_i must be lists nested 2 deep (shape (1, 1)), got 500 levels"),
])
def test_unparseable_text(text, message):
    with pytest.raises(ScenarioError) as err:
        loads_scenario(text, "t.json")
    assert str(err.value) == f"t.json: {message}"


def test_nan_and_infinity_are_refused_with_their_position():
    doc = json.dumps(calculator_doc())
    bad = doc.replace('"b_i": [1.0]', '"b_i": [NaN]')
    with pytest.raises(ScenarioError, match=r"^n.json: model.layers\[0\].params.b_i\[0\] is nan, expected a finite"):
        loads_scenario(bad, "n.json")
    doc = calculator_doc()
    doc["data"]["x"][5] = [float("inf")]
    with pytest.raises(ScenarioError, match=r"^i.json: data.x\[5\]\[0\] is inf, expected a finite number"):
        loads_scenario(json.dumps(doc), "i.json")


def test_files_that_cannot_be_read(tmp_path):
    with pytest.raises(ScenarioError, match="no such file or preset"):
        load_scenario(tmp_path / "missing.json")
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(ScenarioError, match=f"^{latin}: is not UTF-8 text$"):
        load_scenario(latin)
    with pytest.raises(ScenarioError, match="is not a regular file"):
        load_scenario(tmp_path)


def test_absurd_size_is_refused_before_allocating(tmp_path):
    import tracemalloc
    doc = calculator_doc()
    doc["model"]["layers"][0]["hidden_size"] = 2000
    doc["model"]["layers"] = doc["model"]["layers"] * 16
    tracemalloc.start()
    with pytest.raises(ScenarioError, match="larger than 20000000 parameters|has shape"):
        loads_scenario(json.dumps(doc), "big.json")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50e6


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    s = load_scenario("calculator-lstm")
    target = tmp_path / "s.json"
    save_scenario(s, target)
    before = target.read_bytes()
    s.name = "changed"

    def explode(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("os.fsync", explode)
    with pytest.raises(OSError):
        save_scenario(s, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_updates_is_read_written_and_absent_from_old_files():
    doc = calculator_doc()
    assert "updates" not in doc["training"]
    old = loads_scenario(json.dumps(doc), "old.json")
    assert old.training.updates == "epoch"
    assert '"updates"' not in dumps_scenario(old)  # an old file saves as it was
    doc["training"].update(gradient="tbptt:2", updates="chunk")
    chunked = loads_scenario(json.dumps(doc), "new.json")
    assert chunked.training.updates == "chunk"
    text = dumps_scenario(chunked)
    assert json.loads(text)["training"]["updates"] == "chunk"
    assert dumps_scenario(loads_scenario(text, "again.json")) == text

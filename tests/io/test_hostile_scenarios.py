"""Hostile and unlucky scenario files: each is refused in one line naming the file and the field (or read
as it should be), never with a traceback."""
import copy
import json
import os

import pytest

from lstmviz.core import compute
from lstmviz.io import ScenarioError, list_presets, load_scenario
from lstmviz.io.opening import check_memory, open_checked
from lstmviz.io.scenario import loads_scenario

CALCULATOR = json.loads(next(p for p in list_presets() if p.key == "calculator-lstm").path.read_text())
STACKED = json.loads(next(p for p in list_presets() if p.key == "stacked-lstm").path.read_text())


def refused(text: str | bytes, source: str = "f.json") -> str:
    with pytest.raises(ScenarioError) as e:
        loads_scenario(text, source)
    message = str(e.value)
    assert message.startswith(f"{source}: ") and "\n" not in message and len(message) < 300
    return message


def with_change(path, value, doc=CALCULATOR) -> str:
    d = copy.deepcopy(doc)
    *parents, last = path
    node = d
    for key in parents:
        node = node[key]
    node[last] = value
    return json.dumps(d)


@pytest.mark.parametrize("path,field", [
    (("model", "layers", 0, "params", "b_i", 0), "model.layers[0].params.b_i[0]"),
    (("training", "learning_rate"), "training.learning_rate"),
    (("model", "layers", 0, "hidden_size"), "model.layers[0].hidden_size"),
])
@pytest.mark.parametrize("digits", [400, 5000])
def test_overlong_integers_are_named_not_converted(path, field, digits):
    text = with_change(path, 7).replace(": 7", ": " + "9" * digits, 1) if "params" not in path \
        else with_change(path, 7).replace("[7]", "[" + "9" * digits + "]", 1)
    message = refused(text)
    assert f"{field} " in message and f"a {digits}-digit integer" in message


def test_an_overlong_tolerance_and_version():
    d = copy.deepcopy(CALCULATOR)
    d["watches"][0]["tolerance"] = 7
    assert "watches[0].tolerance must be a number, got a 400-digit integer" in refused(
        json.dumps(d).replace('"tolerance": 7', '"tolerance": ' + "1" * 400))
    message = refused(json.dumps(CALCULATOR).replace('"version": 1', '"version": ' + "9" * 400))
    assert message == "f.json: version must be an integer, got a 400-digit integer"


def test_frozen_entries_must_be_names():
    assert "training.frozen[0] is [\"l0/W_i\"], not a parameter" in refused(
        with_change(("training", "frozen"), [["l0/W_i"]]))


def test_a_lone_surrogate_is_refused_and_the_message_prints():
    message = refused(json.dumps(CALCULATOR).replace('"name": "', '"name": "\\ud800', 1))
    assert "name is not valid Unicode" in message
    message.encode("utf-8")  # printable: no surrogate in the message itself
    unknown = refused(json.dumps(CALCULATOR).replace('"training"', '"tr\\udcffx"', 1))
    assert "tr\\udcffx is not a known field" in unknown


def test_duplicate_keys_are_named():
    text = json.dumps(CALCULATOR).replace('"hidden_size": 1', '"hidden_size": 1, "hidden_size": 1', 1)
    assert refused(text) == "f.json: model.layers[0].hidden_size appears twice in the same object (which one is meant?)"
    assert "name appears twice" in refused(json.dumps(CALCULATOR).replace('{"format"', '{"name": 5, "format"', 1))


def test_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(CALCULATOR).encode())
    assert load_scenario(path).name == CALCULATOR["name"]


def test_a_loop_of_links_says_so(tmp_path):
    loop = tmp_path / "loop.json"
    os.symlink(loop, loop)
    with pytest.raises(ScenarioError, match="loop.json: cannot be read: Too many levels of symbolic links"):
        load_scenario(loop)


@pytest.mark.parametrize("expression,why", [
    ("h[t][1/0]", "an index must be a whole number"),
    ("h[t][0/0]", "an index must be a whole number"),
    ("h[t] + " + "9" * 400, "a number may have at most 300 digits"),
])
def test_watches_that_do_not_evaluate_refuse_the_file(tmp_path, expression, why):
    path = tmp_path / "w.json"
    path.write_text(with_change(("watches",), [{"expression": expression}]))
    with pytest.raises(ScenarioError) as e:
        open_checked(path)
    assert str(e.value).startswith(f"{path}: watches[0].expression ") and why in str(e.value)


def test_a_watch_comparing_mismatched_shapes_on_a_stacked_model(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(with_change(("watches",), [{"expression": "h[t] < W_i"}], STACKED))
    with pytest.raises(ScenarioError, match=r"watches\[0\]\.expression does not evaluate: column 1: cannot be "
                                            r"evaluated here \(operands could not be broadcast"):
        open_checked(path)
    load_scenario(path)  # the file itself is well formed: only its watch fails on the trace


def test_a_watch_whose_target_cannot_be_compared(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(with_change(("watches",), [{"expression": "h[t]", "equals": "W_i"}]))
    with pytest.raises(ScenarioError, match=r"watches\[0\]\.equals cannot be compared"):
        open_checked(path)


def test_the_memory_budget_is_checked_before_computing(tmp_path):
    s = load_scenario("calculator-lstm")
    with pytest.raises(ScenarioError, match=r"data.x has 8 steps and model.layers\[0\].hidden_size is 1: the "
                                            r"trace needs about .* more than the memory budget of 1000 B"):
        check_memory(s, "calculator-lstm", budget=1000)
    assert compute(s).loss == 0.0

"""Mutated presets through the loader and every command: each ends in a clean refusal (one line, exit
status 2), a failed check (exit 1) or a valid result (exit 0) — never a traceback."""
import copy
import json

import pytest
from fuzzing import fuzz
from hypothesis import event, given
from hypothesis import strategies as st

from lstmviz.cli import main
from lstmviz.core import compute
from lstmviz.io import ScenarioError, list_presets
from lstmviz.io.opening import check_watches
from lstmviz.io.scenario import loads_scenario

PRESETS = {p.key: p.path.read_text(encoding="utf-8") for p in list_presets()}
HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10), st.integers(min_value=10**17, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.lists(st.floats(-1e3, 1e3), max_size=4), st.lists(st.lists(st.integers(-3, 3), max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["lstm", "rnn", "crelu", "sigmoid", "tbptt:0", "tbptt:3", "cec", "h[t][1/0]", "l0/W_i",
                     "linear", "softmax_xent", "identity", "\ud800"]))


def paths(node, prefix=()):
    """Every place in a decoded JSON document: the keys and indices that lead to it."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, prefix + (key,))
    elif isinstance(node, list):
        for n, value in enumerate(node[:6]):  # the first few entries of long arrays are enough
            yield from paths(value, prefix + (n,))


def mutate_document(draw, doc: dict) -> None:
    """One change at a random place: a value replaced by a hostile one, a key dropped, an entry copied."""
    path = draw(st.sampled_from([p for p in paths(doc) if p]))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "replace", "drop", "copy"]))
    if action == "replace":
        parent[path[-1]] = draw(HOSTILE)
    elif action == "drop" and isinstance(parent, dict):
        del parent[path[-1]]
    elif action == "copy" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[path[-1]]))


TEXT_TWEAKS = {
    "none": lambda text, at, draw: text,
    "cut": lambda text, at, draw: text[:at],
    "flip": lambda text, at, draw: text[:at] + draw(st.sampled_from(list('{}[]",:0-e\\ '))) + text[at + 1:],
    "digits": lambda text, at, draw: text.replace("1", "9" * draw(st.sampled_from([20, 400, 5000])), 1),
    "duplicate": lambda text, at, draw: text.replace('"name":', '"name": "again", "name":', 1),
    "bom": lambda text, at, draw: "\ufeff" + text,
}


@st.composite
def mutated(draw):
    """A preset's text with one to three mutations of its document, then perhaps one of its text: cut,
    a character flipped, a number made enormous, a key given twice, a byte-order mark."""
    doc = json.loads(PRESETS[draw(st.sampled_from(sorted(PRESETS)))])
    for _ in range(draw(st.integers(1, 3))):
        mutate_document(draw, doc)
    text = json.dumps(doc)
    tweak = draw(st.sampled_from(["none", "none", *TEXT_TWEAKS]))
    return TEXT_TWEAKS[tweak](text, draw(st.integers(0, max(0, len(text) - 1))), draw)


@fuzz(250)
@given(text=mutated())
def test_the_loader_refuses_cleanly_or_reads_a_scenario_that_computes(text):
    try:
        scenario = loads_scenario(text, "m.json")
    except ScenarioError as e:
        message = str(e)
        assert message.startswith("m.json: ") and "\n" not in message and len(message) < 400
        message.encode("utf-8")
        return
    trace = compute(scenario, scenario.training.gradient)
    try:
        check_watches(scenario.watches, trace, "m.json")
    except ScenarioError as e:
        assert str(e).startswith("m.json: watches[")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


COMMANDS = (["trace", "{f}", "--out", "{d}/t.npz", "--csv", "{d}/t.csv"],
            ["gradcheck", "{f}", "--max-entries", "4"],
            ["weights", "export", "{f}", "{d}/w.npz", "--layout", "pytorch"],
            ["weights", "import", "{f}", "{d}/w.npz", "--layout", "keras", "--out", "{d}/n.json"])


@fuzz(60)
@given(text=mutated(), command=st.sampled_from(COMMANDS))
def test_every_command_ends_with_a_status_never_a_traceback(folder, capsys, text, command):
    path = folder / "m.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    argv = [a.format(f=path, d=folder) for a in command]
    code = main(argv)
    _, err = capsys.readouterr()
    assert code in (0, 1, 2) and "Traceback" not in err
    if code == 2:
        assert err.count("\n") == 1


@fuzz(8)
@given(text=mutated())
def test_the_window_accepts_and_refuses_what_the_commands_do(folder, capsys, qapp, text):
    path = folder / "g.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    shown = main(["gui", str(path), "--screenshot", str(folder / "g.png"), "--size", "800x600"])
    traced = main(["trace", str(path), "--out", str(folder / "g.npz")])
    _, err = capsys.readouterr()
    assert "Traceback" not in err and shown in (0, 2) and (shown == 2) == (traced == 2)


def mostly(valid, *wrong):
    """Half the time a valid value, otherwise one of the wrong kinds (one_of alone would flatten HOSTILE's
    branches and draw a valid value rarely)."""
    kinds = [valid, *wrong]
    return st.sampled_from([0, 0, 0] + list(range(1, len(kinds)))).flatmap(lambda k: kinds[k])


NEAR_MISSES = st.sampled_from(["window:0", "window:-2", "Window:3", "window:3 ", "step:2", "tbptt", "epochs", ""])
GRADIENTS = mostly(st.sampled_from(["full", "cec", "tbptt:2", "window:1", "window:2", "window:3", "window:99999999"]),
                   NEAR_MISSES, HOSTILE)
UPDATES = mostly(st.sampled_from(["epoch", "chunk", "step"]), NEAR_MISSES, HOSTILE)
TAPS = mostly(st.lists(st.sampled_from([2, 3, 5]), max_size=3, unique=True),
              st.lists(st.integers(-2, 1200), max_size=4), HOSTILE)


@fuzz(120)
@given(preset=st.sampled_from(sorted(PRESETS)), gradient=GRADIENTS, updates=UPDATES, taps=TAPS,
       with_params=st.booleans())
def test_training_rules_and_taps_are_refused_in_one_line_or_train(preset, gradient, updates, taps, with_params):
    """The new fields (training.updates, a gradient window:K, an RNN layer's taps and their U_d) from any
    value: a one-line refusal naming the field, or a scenario that computes and trains one epoch (or whose
    combination train refuses in one line, e.g. real-time RTRL under tbptt)."""
    from lstmviz.core.train import train

    doc = json.loads(PRESETS[preset])
    doc.setdefault("training", {}).update(gradient=gradient, updates=updates)
    layer = doc["model"]["layers"][0]
    if layer["type"] == "rnn":
        layer["taps"] = taps
        if with_params and isinstance(taps, list):
            H = layer["hidden_size"]
            for d in taps:
                layer["params"][f"U_{d}"] = [[0.1] * H for _ in range(H)]
    try:
        scenario = loads_scenario(json.dumps(doc), "m.json")
    except ScenarioError as e:
        message = str(e)
        assert message.startswith("m.json: ") and "\n" not in message and len(message) < 400
        event("refused by the loader")
        return
    tr = scenario.training
    assert tr.updates in ("epoch", "chunk", "step") and compute(scenario, tr.gradient).steps == scenario.data.steps
    try:
        train(scenario, 1, tr.gradient, 1e-3, tr.clip_norm, tr.frozen, updates=tr.updates)
        event(f"trained ({tr.updates})")
    except ValueError as e:
        assert "\n" not in str(e) and str(e)
        event("refused by train")

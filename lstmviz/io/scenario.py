"""The scenario file: strict JSON reader and writer (format ``lstmviz.scenario``, version 1).

The reader accepts exactly the documented format (docs/scenario-format.md) and refuses anything
else with a :class:`ScenarioError` whose text is one line naming the file and the field, e.g.
``bad.json: model.layers[0].params.W_i has shape (3, 2), expected (4, 2)``. Sizes are checked
before anything is allocated; duplicate keys, overlong integers and strings that are not valid
Unicode are refused by name. The writer (:mod:`.scenario_writer`) writes every field explicitly,
floats in their shortest exact form, so load → save → load is the identity.
"""
from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np

from ..core.activations import CANDIDATE_ACTIVATIONS, CELL_OUTPUT_ACTIVATIONS, GATE_ACTIVATIONS, RNN_ACTIVATIONS
from ..core.model import UPDATES, Data, Head, LSTMLayer, Model, RNNLayer, Scenario, Training, Watch
from ..core.modes import parse_mode
from ..core.params import param_blocks
from .errors import ScenarioError
from .json_text import decode, is_number, show
from .json_text import kind as kind_of
from .presets import resolve_scenario
from .scenario_writer import FORMAT, VERSION

MAX_UNITS = 2048        # input, hidden and output sizes
MAX_LAYERS = 16
MAX_STEPS = 100_000
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_PARAMETERS = 20_000_000

TOP_KEYS = {"format", "version", "name", "description", "model", "data", "training", "watches"}
WATCH_KEYS = {"expression", "equals", "tolerance"}
LSTM_KEYS = {"type", "hidden_size", "gate_activation", "candidate_activation", "cell_output_activation",
             "forget_gate", "peepholes", "params", "h0", "c0"}
RNN_KEYS = {"type", "hidden_size", "activation", "taps", "params", "h0"}
MAX_TAPS = 16
MAX_DELAY = 1000       # the longest tap of an RNN layer (it keeps that many states of history)
TRAINING_KEYS = {"learning_rate", "gradient", "clip_norm", "frozen", "updates"}


class _Reader:
    """Typed accessors that raise ScenarioError naming the field."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, field: str | None, message: str) -> ScenarioError:
        return ScenarioError(self.source, field, message)

    def obj(self, value: Any, field: str, allowed: set[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(field, f"must be a JSON object, got {kind_of(value)}")
        self.unique(value, field)
        for key in value:
            if key not in allowed:
                raise self.fail(f"{field}.{key}" if field else key,
                                f"is not a known field (expected one of {', '.join(sorted(allowed))})")
        return value

    def unique(self, value: dict, field: str) -> None:
        """Refuse an object that holds a key twice (JSON would silently keep the last value)."""
        for key in getattr(value, "duplicates", ()):
            raise self.fail(_join(field, key), "appears twice in the same object (which one is meant?)")

    def required(self, doc: dict, key: str, field: str) -> Any:
        if key not in doc:
            raise self.fail(_join(field, key), "is missing")
        return doc[key]

    def string(self, value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise self.fail(field, f"must be a string, got {kind_of(value)}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise self.fail(field, "is not valid Unicode (it holds a lone surrogate such as \\ud800)") from None
        return value

    def boolean(self, value: Any, field: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(field, f"must be true or false, got {kind_of(value)}")
        return value

    def integer(self, value: Any, field: str, lo: int, hi: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(field, f"must be an integer, got {kind_of(value)}")
        if not lo <= value <= hi:
            raise self.fail(field, f"is {value}, expected {lo} to {hi}")
        return value

    def number(self, value: Any, field: str, positive: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(field, f"must be a number, got {kind_of(value)}")
        if not math.isfinite(value):
            raise self.fail(field, f"is {value}, expected a finite number")
        if positive and value <= 0:
            raise self.fail(field, f"is {value}, expected a positive number")
        return float(value)

    def choice(self, value: Any, field: str, options: tuple[str, ...]) -> str:
        if value not in options or not isinstance(value, str):
            raise self.fail(field, f"is {show(value)}, expected one of {', '.join(options)}")
        return value

    def array(self, value: Any, field: str, shape: tuple[int, ...]) -> np.ndarray:
        """A float64 array of exactly ``shape`` from nested lists of finite numbers."""
        actual = _shape(value)
        if actual is None:
            bad = _first_non_number(value, field)
            raise self.fail(*bad) if bad else self.fail(field, "must be a rectangular list of numbers")
        if len(actual) != len(shape):
            raise self.fail(field, f"must be lists nested {len(shape)} deep (shape {_fmt(shape)}), "
                                   f"got {len(actual)} levels")
        if actual != shape:
            raise self.fail(field, f"has shape {_fmt(actual)}, expected {_fmt(shape)}")
        arr = np.array(value, dtype=np.float64).reshape(shape)
        bad = np.argwhere(~np.isfinite(arr))
        if len(bad):
            idx = "".join(f"[{i}]" for i in bad[0])
            raise self.fail(f"{field}{idx}", f"is {arr[tuple(bad[0])]}, expected a finite number")
        return arr


def parse_scenario(doc: Any, source: str) -> Scenario:
    """Validate a decoded JSON document and build the scenario."""
    r = _Reader(source)
    if not isinstance(doc, dict):
        raise r.fail(None, f"the top level must be a JSON object, got {kind_of(doc)}")
    r.unique(doc, "")
    fmt = doc.get("format")
    if fmt != FORMAT:
        raise r.fail("format", f"is {show(fmt)}, expected \"{FORMAT}\"" if "format" in doc else "is missing")
    version = r.required(doc, "version", "")
    if isinstance(version, bool) or not isinstance(version, int):
        raise r.fail("version", f"must be an integer, got {kind_of(version)}")
    if version > VERSION:
        raise r.fail("version", f"is {version}, newer than this lstmviz reads ({VERSION}); update lstmviz")
    if version < 1:
        raise r.fail("version", f"is {version}, expected {VERSION}")
    r.obj(doc, "", TOP_KEYS)
    name = r.string(r.required(doc, "name", ""), "name")
    description = r.string(doc.get("description", ""), "description")
    model = _parse_model(r, r.required(doc, "model", ""))
    data = _parse_data(r, r.required(doc, "data", ""), model)
    training = _parse_training(r, doc.get("training", {}), model)
    watches = _parse_watches(r, doc.get("watches", []))
    return Scenario(name=name, description=description, model=model, data=data, training=training, watches=watches)


def _parse_watches(r: _Reader, doc: Any) -> list[Watch]:
    """The optional list of watch expressions (checked for safety here, evaluated later)."""
    from ..watch import WatchError, parse

    if not isinstance(doc, list):
        raise r.fail("watches", f"must be a list, got {kind_of(doc)}")
    out = []
    for n, w in enumerate(doc):
        field = f"watches[{n}]"
        w = r.obj(w, field, WATCH_KEYS)
        expression = r.string(r.required(w, "expression", field), f"{field}.expression")
        try:
            parse(expression)
        except WatchError as e:
            raise r.fail(f"{field}.expression", f"is refused: {e}") from None
        equals = w.get("equals")
        if equals is not None:
            r.string(equals, f"{field}.equals")
        tolerance = r.number(w.get("tolerance", 1e-9), f"{field}.tolerance", positive=True)
        out.append(Watch(expression, equals, tolerance))
    return out


def _parse_model(r: _Reader, doc: Any) -> Model:
    doc = r.obj(doc, "model", {"input_size", "layers", "head"})
    D = r.integer(r.required(doc, "input_size", "model"), "model.input_size", 1, MAX_UNITS)
    layers_doc = r.required(doc, "layers", "model")
    if not isinstance(layers_doc, list):
        raise r.fail("model.layers", f"must be a list, got {kind_of(layers_doc)}")
    if not 1 <= len(layers_doc) <= MAX_LAYERS:
        raise r.fail("model.layers", f"has {len(layers_doc)} layers, expected 1 to {MAX_LAYERS}")
    layers = []
    d_in = D
    n_params = 0
    for n, ld in enumerate(layers_doc):
        layer = _parse_layer(r, ld, f"model.layers[{n}]", d_in, n_params)
        n_params += sum(int(np.prod(s)) for s in layer.param_shapes().values())
        layers.append(layer)
        d_in = layer.hidden_size
    head = _parse_head(r, r.required(doc, "head", "model"), d_in)
    return Model(input_size=D, layers=layers, head=head)


def _parse_layer(r: _Reader, doc: Any, field: str, d_in: int, n_params: int):
    if not isinstance(doc, dict):
        raise r.fail(field, f"must be a JSON object, got {kind_of(doc)}")
    kind = r.choice(r.required(doc, "type", field), f"{field}.type", ("lstm", "rnn"))
    r.obj(doc, field, LSTM_KEYS if kind == "lstm" else RNN_KEYS)
    H = r.integer(r.required(doc, "hidden_size", field), f"{field}.hidden_size", 1, MAX_UNITS)
    if kind == "lstm":
        layer = LSTMLayer(
            input_size=d_in, hidden_size=H, params={},
            gate_activation=r.choice(doc.get("gate_activation", "sigmoid"), f"{field}.gate_activation",
                                     GATE_ACTIVATIONS),
            candidate_activation=r.choice(doc.get("candidate_activation", "tanh"), f"{field}.candidate_activation",
                                          CANDIDATE_ACTIVATIONS),
            cell_output_activation=r.choice(doc.get("cell_output_activation", "tanh"),
                                            f"{field}.cell_output_activation", CELL_OUTPUT_ACTIVATIONS),
            forget_gate=r.boolean(doc.get("forget_gate", True), f"{field}.forget_gate"),
            peepholes=r.boolean(doc.get("peepholes", False), f"{field}.peepholes"),
        )
    else:
        layer = RNNLayer(input_size=d_in, hidden_size=H, params={},
                         activation=r.choice(doc.get("activation", "tanh"), f"{field}.activation", RNN_ACTIVATIONS),
                         taps=_parse_taps(r, doc.get("taps", []), f"{field}.taps"))
    shapes = layer.param_shapes()
    if n_params + sum(int(np.prod(s)) for s in shapes.values()) > MAX_PARAMETERS:
        raise r.fail(f"{field}.hidden_size", f"makes the model larger than {MAX_PARAMETERS} parameters")
    params = r.obj(r.required(doc, "params", field), f"{field}.params", set(shapes))
    for name, shape in shapes.items():
        layer.params[name] = r.array(r.required(params, name, f"{field}.params"), f"{field}.params.{name}", shape)
    for state in ("h0", "c0") if kind == "lstm" else ("h0",):
        if state in doc:
            setattr(layer, state, r.array(doc[state], f"{field}.{state}", (H,)))
    return layer


def _parse_taps(r: _Reader, doc: Any, field: str) -> tuple[int, ...]:
    """An RNN layer's extra delays: a list of at most MAX_TAPS increasing integers d ≥ 2 (h[t−d])."""
    if not isinstance(doc, list):
        raise r.fail(field, f"must be a list of delays such as [2, 3], got {kind_of(doc)}")
    if len(doc) > MAX_TAPS:
        raise r.fail(field, f"has {len(doc)} taps, at most {MAX_TAPS}")
    taps = tuple(r.integer(d, f"{field}[{n}]", 2, MAX_DELAY) for n, d in enumerate(doc))
    for n in range(1, len(taps)):
        if taps[n] <= taps[n - 1]:
            raise r.fail(f"{field}[{n}]", f"is {taps[n]}, expected the delays in increasing order, each once")
    return taps


def _parse_head(r: _Reader, doc: Any, top: int) -> Head:
    doc = r.obj(doc, "model.head", {"type", "loss", "params"})
    kind = r.choice(r.required(doc, "type", "model.head"), "model.head.type", ("identity", "linear"))
    loss = r.choice(r.required(doc, "loss", "model.head"), "model.head.loss", ("mse", "softmax_xent"))
    if kind == "identity":
        r.obj(doc.get("params", {}), "model.head.params", set())
        K, params = top, {}
    else:
        pdoc = r.obj(r.required(doc, "params", "model.head"), "model.head.params", {"W_y", "b_y"})
        w = r.required(pdoc, "W_y", "model.head.params")
        rows = len(w) if isinstance(w, list) else 0
        if not 1 <= rows <= MAX_UNITS:
            raise r.fail("model.head.params.W_y", f"must have 1 to {MAX_UNITS} rows (one per output), got {rows}")
        K = rows
        params = {"W_y": r.array(w, "model.head.params.W_y", (K, top)),
                  "b_y": r.array(r.required(pdoc, "b_y", "model.head.params"), "model.head.params.b_y", (K,))}
    if loss == "softmax_xent" and K < 2:
        raise r.fail("model.head.loss", f"softmax_xent needs at least 2 outputs, the head has {K}")
    return Head(type=kind, loss=loss, output_size=K, params=params)


def _parse_data(r: _Reader, doc: Any, model: Model) -> Data:
    doc = r.obj(doc, "data", {"x", "y", "mask"})
    x = r.required(doc, "x", "data")
    if not isinstance(x, list):
        raise r.fail("data.x", f"must be a list of steps, got {kind_of(x)}")
    T = len(x)
    if T == 0:
        raise r.fail("data.x", "is empty: a scenario needs at least one step")
    if T > MAX_STEPS:
        raise r.fail("data.x", f"has {T} steps, more than {MAX_STEPS}")
    xa = r.array(x, "data.x", (T, model.input_size))
    y = r.required(doc, "y", "data")
    K = model.output_size
    if model.head.loss == "mse":
        ya = r.array(y, "data.y", (T, K))
    else:
        if not isinstance(y, list) or len(y) != T:
            raise r.fail("data.y", f"must be a list of {T} class indices (one per step)")
        for t, v in enumerate(y):
            r.integer(v, f"data.y[{t}]", 0, K - 1)
        ya = np.array(y, dtype=np.int64)
    if "mask" in doc:
        mask = r.array(doc["mask"], "data.mask", (T,))
        if (mask < 0).any():
            t = int(np.flatnonzero(mask < 0)[0])
            raise r.fail(f"data.mask[{t}]", f"is {mask[t]}, expected a weight >= 0")
    else:
        mask = np.ones(T)
    return Data(x=xa, y=ya, mask=mask)


def _parse_training(r: _Reader, doc: Any, model: Model) -> Training:
    doc = r.obj(doc, "training", TRAINING_KEYS)
    tr = Training()
    if "learning_rate" in doc:
        tr.learning_rate = r.number(doc["learning_rate"], "training.learning_rate", positive=True)
    if "gradient" in doc:
        g = r.string(doc["gradient"], "training.gradient")
        try:
            tr.gradient = str(parse_mode(g))
        except ValueError as e:
            raise r.fail("training.gradient", str(e)) from None
    if doc.get("clip_norm") is not None:
        tr.clip_norm = r.number(doc["clip_norm"], "training.clip_norm", positive=True)
    if "frozen" in doc:
        keys = {b.key for b in param_blocks(model)}
        frozen = doc["frozen"]
        if not isinstance(frozen, list):
            raise r.fail("training.frozen", f"must be a list of parameter names, got {kind_of(frozen)}")
        for n, k in enumerate(frozen):
            if not isinstance(k, str) or k not in keys:
                raise r.fail(f"training.frozen[{n}]", f"is {show(k)}, not a parameter (e.g. {min(keys)})")
        tr.frozen = tuple(frozen)
    if "updates" in doc:
        tr.updates = r.choice(doc["updates"], "training.updates", UPDATES)
    return tr


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read a scenario file, or a preset by name; raise ScenarioError with a one-line message."""
    source = str(path)
    p = resolve_scenario(source)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(source, None, f"is {size} bytes, larger than {MAX_FILE_BYTES}")
        data = p.read_bytes()
    except OSError as e:
        raise ScenarioError(source, None, f"cannot be read: {e.strerror}") from None
    return loads_scenario(data, source)


def loads_scenario(text: str | bytes, source: str = "<string>") -> Scenario:
    try:
        return parse_scenario(decode(text), source)
    except UnicodeDecodeError:
        raise ScenarioError(source, None, "is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise ScenarioError(source, None, f"is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except RecursionError:
        raise ScenarioError(source, None, "is nested too deeply to be a scenario") from None


def _shape(value: Any) -> tuple[int, ...] | None:
    """Shape of nested lists of numbers, or None if ragged or not numbers."""
    if isinstance(value, list):
        if not value:
            return (0,)
        if all(is_number(v) for v in value):
            return (len(value),)
        first = _shape(value[0])
        if first is None:
            return None
        for v in value[1:]:
            if _shape(v) != first:
                return None
        return (len(value),) + first
    if is_number(value):
        return ()
    return None


def _first_non_number(value: Any, field: str) -> tuple[str, str] | None:
    if isinstance(value, list):
        for i, v in enumerate(value):
            bad = _first_non_number(v, f"{field}[{i}]")
            if bad:
                return bad
        return None
    if is_number(value):
        return None
    return field, f"is {show(value)}, expected a number"


def _fmt(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key

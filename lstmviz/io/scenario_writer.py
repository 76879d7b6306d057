"""Writing scenario files: every field explicitly, floats in their shortest exact form, only finite
numbers (a document holding NaN or infinity is refused with the field named), atomically."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..core.model import LSTMLayer, Scenario
from .atomic import write_text_atomic
from .errors import ScenarioError

FORMAT = "lstmviz.scenario"
VERSION = 1


def scenario_to_dict(s: Scenario) -> dict:
    model = s.model
    layers = []
    for layer in model.layers:
        if isinstance(layer, LSTMLayer):
            d = {"type": "lstm", "hidden_size": layer.hidden_size, "gate_activation": layer.gate_activation,
                 "candidate_activation": layer.candidate_activation,
                 "cell_output_activation": layer.cell_output_activation,
                 "forget_gate": layer.forget_gate, "peepholes": layer.peepholes}
        else:
            d = {"type": "rnn", "hidden_size": layer.hidden_size, "activation": layer.activation}
            if layer.taps:  # optional: files of plain RNNs stay as they were
                d["taps"] = list(layer.taps)
        d["params"] = {name: layer.params[name].tolist() for name in layer.param_shapes()}
        d["h0"] = layer.h0.tolist()
        if isinstance(layer, LSTMLayer):
            d["c0"] = layer.c0.tolist()
        layers.append(d)
    head = {"type": model.head.type, "loss": model.head.loss,
            "params": {k: v.tolist() for k, v in model.head.params.items()}}
    tr = s.training
    training = {"learning_rate": tr.learning_rate, "gradient": tr.gradient, "clip_norm": tr.clip_norm,
                "frozen": list(tr.frozen)}
    if tr.updates != "epoch":  # optional: files training once per epoch stay as they were
        training["updates"] = tr.updates
    doc = {"format": FORMAT, "version": VERSION, "name": s.name, "description": s.description,
           "model": {"input_size": model.input_size, "layers": layers, "head": head},
           "data": {"x": s.data.x.tolist(), "y": s.data.y.tolist(), "mask": s.data.mask.tolist()},
           "training": training}
    if s.watches:  # optional: files without watches stay as they were
        doc["watches"] = [{"expression": w.expression, **({"equals": w.equals} if w.equals else {}),
                           "tolerance": w.tolerance} for w in s.watches]
    return doc


def first_nonfinite(s: Scenario) -> tuple[str, float] | None:
    """The first field holding NaN or infinity (``model.layers[0].params.W_i[1][0]``) and its value."""
    model = s.model
    arrays = []
    for n, layer in enumerate(model.layers):
        arrays += [(f"model.layers[{n}].params.{k}", v) for k, v in layer.params.items()]
        arrays += [(f"model.layers[{n}].{state}", getattr(layer, state)) for state in ("h0", "c0")
                   if hasattr(layer, state)]
    arrays += [(f"model.head.params.{k}", v) for k, v in model.head.params.items()]
    arrays += [("data.x", s.data.x), ("data.y", s.data.y), ("data.mask", s.data.mask)]
    tr = s.training
    arrays += [("training.learning_rate", np.float64(tr.learning_rate))]
    if tr.clip_norm is not None:
        arrays += [("training.clip_norm", np.float64(tr.clip_norm))]
    for field, array in arrays:
        bad = np.argwhere(~np.isfinite(np.asarray(array, dtype=np.float64)))
        if len(bad):
            index = tuple(int(i) for i in bad[0])
            return field + "".join(f"[{i}]" for i in index), float(np.asarray(array)[index])
    return None


def dumps_scenario(s: Scenario, source: str = "<scenario>") -> str:
    """The file's text; ScenarioError (naming ``source`` and the field) if a number is not finite."""
    bad = first_nonfinite(s)
    if bad is not None:
        raise ScenarioError(source, bad[0], f"is {bad[1]}: only finite numbers are saved")
    return _compact_json(scenario_to_dict(s)) + "\n"


def save_scenario(s: Scenario, path: str | os.PathLike) -> None:
    """Write atomically (see :mod:`.atomic`); nothing is written when a number is not finite."""
    write_text_atomic(Path(path), dumps_scenario(s, str(path)))


def _compact_json(doc: Any, indent: int = 0) -> str:
    """Indented JSON with every list of numbers on one line (a matrix is one row per line)."""
    pad = "  " * indent
    if isinstance(doc, dict) and doc:
        items = [f"{pad}  {json.dumps(k)}: {_compact_json(v, indent + 1)}" for k, v in doc.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    one_line = json.dumps(doc, ensure_ascii=False, allow_nan=False)
    if isinstance(doc, list) and len(one_line) > 60 and not all(type(v) in (int, float) for v in doc):
        rows = [f"{pad}  {_compact_json(v, indent + 1)}" for v in doc]
        return "[\n" + ",\n".join(rows) + f"\n{pad}]"
    return one_line

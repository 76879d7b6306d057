"""How much memory a trace needs, estimated from T, the layers and the sizes before anything is computed.

The estimate is the peak the engine reaches in :func:`lstmviz.core.compute` (measured with tracemalloc:
an LSTM layer holds about 300 bytes per step and unit across its forward and backward arrays, an RNN
layer about 60), with a margin. :func:`default_budget` is a quarter of the machine's memory.
"""
from __future__ import annotations

import os
import re

from .model import LSTMLayer, Scenario

LSTM_BYTES_PER_UNIT_STEP = 330   # forward, local multipliers, δ and the trace's own arrays (measured 270–300)
RNN_BYTES_PER_UNIT_STEP = 72     # measured 60
BYTES_PER_IO_STEP = 48           # x, ŷ, targets, their δ, per input or output component
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def trace_bytes(scenario: Scenario) -> int:
    """The estimated peak memory of computing ``scenario``'s trace."""
    T, model = scenario.data.steps, scenario.model
    per_step = BYTES_PER_IO_STEP * (model.input_size + model.output_size)
    for layer in model.layers:
        unit = LSTM_BYTES_PER_UNIT_STEP if isinstance(layer, LSTMLayer) else RNN_BYTES_PER_UNIT_STEP
        per_step += unit * layer.hidden_size + 3 * 8 * layer.input_size
    return T * per_step


def default_budget() -> int:
    """A quarter of the physical memory (4 GiB where it cannot be read)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4
    except (AttributeError, ValueError, OSError):
        return 4 * 2**30


def parse_size(text: str) -> int:
    """``2G``, ``512M``, ``1.5GiB``, ``3000000`` → bytes; ValueError with a one-line reason."""
    m = _SIZE.match(str(text))
    if not m:
        raise ValueError(f"a memory size looks like 512M, 2G or 1.5GiB, got {str(text)[:40]!r}")
    size = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if not 2**20 <= size <= 2**50:
        raise ValueError(f"a memory budget must be 1M to 1024T, got {str(text)[:40]!r}")
    return int(size)


def format_size(n: float) -> str:
    """1.5 GiB, 320.0 MiB, 12.0 KiB: the units :func:`parse_size` reads (2G is 2 GiB)."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} B"

"""Write the two big scenarios that the open-time figures in README.md's Speed section are measured on.

Run: .venv/bin/python benchmarks/make_big_files.py DIR. It writes

* ``DIR/lstm3x64-T2000.json``: three LSTM layers (1 → 64 → 64 → 64) with random weights, states and data,
  a linear head of one output, T = 2,000 (``tests/helpers.random_scenario``, seed 0);
* ``DIR/calculator-T20000.json``: the calculator-lstm preset with its inputs, targets and mask repeated
  until T = 20,000 (its weights unchanged).

Then compare, whole process (offscreen)::

    /usr/bin/time -f "%e s %M KB" .venv/bin/lstmviz trace DIR/lstm3x64-T2000.json --out /tmp/x.npz
    QT_QPA_PLATFORM=offscreen /usr/bin/time -f "%e s %M KB" \\
        .venv/bin/lstmviz gui DIR/lstm3x64-T2000.json --screenshot /tmp/out.png
"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from helpers import lstm, random_scenario  # noqa: E402

from lstmviz.core.model import Data  # noqa: E402
from lstmviz.io import load_scenario, save_scenario  # noqa: E402

CALCULATOR_STEPS = 20_000


def three_layers():
    """Three LSTM layers of H = 64 over T = 2,000 random steps."""
    return random_scenario([lstm(1, 64), lstm(64, 64), lstm(64, 64)], T=2000, K=1)


def calculator_tiled(steps: int = CALCULATOR_STEPS):
    """The calculator preset's sequence repeated (and cut) to ``steps`` steps."""
    scenario = load_scenario("calculator-lstm")
    data = scenario.data
    reps = -(-steps // data.steps)
    def tiled(a: np.ndarray) -> np.ndarray:
        return np.tile(a, (reps,) + (1,) * (a.ndim - 1))[:steps]
    scenario.data = Data(x=tiled(data.x), y=tiled(data.y), mask=tiled(data.mask))
    scenario.name = f"calculator-lstm tiled to T = {steps}"
    return scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write the two scenario files")
    folder = parser.parse_args().folder
    folder.mkdir(parents=True, exist_ok=True)
    for name, scenario in (("lstm3x64-T2000.json", three_layers()), ("calculator-T20000.json", calculator_tiled())):
        save_scenario(scenario, folder / name)
        print(f"wrote {folder / name}: T = {scenario.data.steps}")


if __name__ == "__main__":
    main()

"""Render the pictures of the docs: ``.venv/bin/python docs/images/screenshots.py [NAME …]``.

Each picture is the real window, offscreen on a 1920×1080 screen, driven through the same model calls
as the keys and clicks it shows. Without names, every picture is made again.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCREEN = {"synchronousWindowSystemEvents": False, "windowFrameMargins": False,
          "screens": [{"name": "hall", "x": 0, "y": 0, "width": 1920, "height": 1080,
                       "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}
_config = Path(tempfile.mkdtemp()) / "screen.json"
_config.write_text(json.dumps(SCREEN))
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_config}"
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp()  # no recovery files left behind

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from lstmviz.app.launch import apply_edits, dispose, open_for_window, process_events  # noqa: E402
from lstmviz.app.model import NodeRef, Playhead  # noqa: E402
from lstmviz.app.qt.session import qt_session  # noqa: E402
from lstmviz.app.window import MainWindow  # noqa: E402
from lstmviz.core.phases import Phase  # noqa: E402

BROKEN = ("l0/b_i=0.9",)  # the guided tour's last step: the calculator lets 90 % of each input in


def window(spec: str, size=(1920, 1080), edits=()) -> MainWindow:
    opened = open_for_window(spec, None)
    session = qt_session(opened.scenario, None, opened.trace)
    apply_edits(session, edits)
    w = MainWindow(session, QSettings(tempfile.mkstemp(suffix=".ini")[1], QSettings.Format.IniFormat))
    w.resize(*size)
    w.show()
    settle()
    return w


def settle(seconds: float = 0.5) -> None:
    end = time.time() + seconds
    while time.time() < end:
        process_events()


def shoot(w: MainWindow, name: str) -> None:
    settle()
    w.grab().save(str(HERE / f"{name}.png"))
    w.session.history.set_clean()
    w.close()
    settle(0.1)


def present(spec: str, phase: Phase, k: int | None, node: NodeRef | None, edits=BROKEN) -> MainWindow:
    w = window(spec, edits=edits)
    w.session.playback.set_playhead(Playhead.at(phase, k, w.session.document.trace.steps))
    if node is not None:
        w.session.view.select(node)
    w.presenter.set_presentation(True)
    return w


def presentation_phases() -> None:
    for phase, k, node in ((Phase.FORWARD, 5, NodeRef(0, "c", 5, 0)), (Phase.SYNC, 4, NodeRef(0, "h", 4, 0)),
                           (Phase.BPTT, 5, NodeRef(0, "c", 4, 0)), (Phase.GRAD, 6, None), (Phase.DESCENT, 0, None)):
        shoot(present("calculator-lstm", phase, k, node), f"presentation-{int(phase)}-{phase.key}")


def presentation_long_lag() -> None:
    w = present("long-lag", Phase.FORWARD, 0, None, edits=())
    for _ in range(15):  # the clicker, one step at a time: the view follows
        w.session.quiz.advance()
        settle(0.05)
    shoot(w, "presentation-long-lag")


def window_1366() -> None:
    w = window("calculator-lstm", size=(1366, 768))
    w.session.view.select(NodeRef(0, "c", 4, 0))
    w.graph.fit_readable()
    shoot(w, "window-1366x768")


def calculator() -> None:
    w = window("calculator-lstm", size=(1600, 1000))
    w.session.view.select(NodeRef(0, "c", 4, 0))
    shoot(w, "calculator-lstm")


def edit_and_diff() -> None:
    w = window("calculator-lstm", size=(1600, 1000), edits=BROKEN)  # "before my edit" is pinned by itself
    w.session.view.set_view("backward")
    w.session.view.select(NodeRef(0, "c", 4, 0))
    w.docks["compare"].raise_()
    w.toggle_diff()
    shoot(w, "edit-and-diff")


def quiz() -> None:
    w = window("calculator-lstm", size=(1600, 1000), edits=BROKEN)
    w.session.playback.go_start()
    w.session.view.select(NodeRef(0, "c", 1, 0))
    w.toggle_quiz()
    for guess in ("1", "2.5", "3.5"):
        w.session.quiz.advance()
        w.session.quiz.guess(guess)
        w.session.quiz.reveal()
    w.session.quiz.advance()
    shoot(w, "quiz")


def tour() -> None:
    w = window("calculator-lstm", size=(1366, 768))
    w.guide.start()
    for _ in range(4):
        w.guide.tour.do_it() if w.guide.tour.step.action else w.guide.tour.next()
    shoot(w, "tour")


def watches() -> None:
    w = window("derivation-check", size=(1600, 1000))
    w.docks["watches"].raise_()
    shoot(w, "watches")


def analyses() -> None:
    w = window("calculator-rnn-1.7", size=(1600, 1000))
    w.docks["analyses"].raise_()
    shoot(w, "analyses-rnn-1.7")


def peephole_backward() -> None:
    w = window("peephole-lstm", size=(1600, 1000))
    w.session.view.set_view("backward")
    w.session.view.select(NodeRef(0, "c", 5, 0))
    shoot(w, "peephole-lstm-backward")


def cost_lag(size=(1920, 1080), name="cost_lag") -> None:
    """Seed 003's argument: the terms dC(t)/dw(t−u) fade with the lag u, their sums stay healthy."""
    w = window("char-lstm", size=size)
    w.session.document.set_mode("window:4")
    w.docks["cost_lag"].raise_()
    w.resizeDocks([w.docks["cost_lag"]], [int(size[1] * 0.45)], Qt.Orientation.Vertical)
    w.cost_lag.log_box.setChecked(True)
    settle()
    w.session.view.select(NodeRef(None, "loss", 12))
    shoot(w, name)


def cost_lag_1366() -> None:
    cost_lag((1366, 768), "cost_lag-1366x768")


def rtrl_sensitivities() -> None:
    """The RTRL panel on the calculator with b_i = 0.9, seven steps into phase 1: ∂c/∂W_c̃ sums the input
    i·x up to the printout, the forget gate wipes it, and it grows again; G took its first step at t = 4."""
    for size, name in (((1920, 1080), "rtrl_sensitivities"), ((1366, 768), "rtrl_sensitivities-1366x768")):
        w = window("calculator-lstm", size=size, edits=BROKEN)
        w.docks["rtrl"].raise_()
        w.resizeDocks([w.docks["rtrl"]], [size[1] * 2 // 5], Qt.Orientation.Vertical)
        w.session.view.select_weight("l0/W_g", (0, 0))
        w.session.playback.set_playhead(Playhead.at(Phase.FORWARD, 7, w.session.document.trace.steps))
        shoot(w, name)


def routes() -> None:
    """The two highways: long-lag's b_c̃[0] by lag and route (most of the error rides the cell highway, the
    rest left it into c̃), at 1080p and 1366×768; for contrast the one-node RNN, where everything in time
    goes via h."""
    shots = (("long-lag", (1920, 1080), "routes", ("l0/b_g", (0,))),
             ("long-lag", (1366, 768), "routes-1366x768", ("l0/b_g", (0,))),
             ("calculator-rnn-0.5", (1920, 1080), "routes_rnn", ("l0/U", (0, 0))))
    for spec, size, name, weight in shots:
        w = window(spec, size=size)
        w.docks["routes"].raise_()
        w.resizeDocks([w.docks["routes"]], [int(size[1] * 0.42)], Qt.Orientation.Vertical)
        settle()
        w.session.view.select_weight(*weight)
        shoot(w, name)


def window_cuts() -> None:
    """calculator-rnn-0.5 under window:3 at the end of phase 3, c[5] selected: the edges outside E[5]'s window
    (into steps 2 and 3) dashed; E[8]'s window starts at step 6, so nothing flows from c[6] back to h[5], and the
    inspector takes E[8]'s share of u·δc[6] out again."""
    w = window("calculator-rnn-0.5", size=(1600, 1000))
    w.session.document.set_mode("window:3")
    w.session.view.set_view("backward")
    w.session.playback.set_playhead(Playhead.at(Phase.BPTT, 8, 8))
    w.session.view.select(NodeRef(0, "a", 5, 0))
    shoot(w, "window_cuts")


def rnn_inspector() -> None:
    """The one-node RNN of the slides (u = 0.5) at the end of phase 3, c[4] selected: the inspector writes
    c[4] = x[4] + u·h[3], εc[4] and δc[4] = εc[4] + u·δc[5] the way the slides do."""
    w = window("calculator-rnn-0.5", size=(1600, 1000))
    w.session.view.set_view("backward")
    w.session.playback.set_playhead(Playhead.at(Phase.BPTT, 8, 8))
    w.session.view.select(NodeRef(0, "a", 4, 0))
    shoot(w, "rnn_inspector")


def many_units(path: Path) -> str:
    """Two LSTM layers of 64 units over T = 200 steps, random weights (seed 1), four inputs with something to
    find: a burst of ones at t = 60…120, a slow sine, noise and a blip every 40 steps."""
    import numpy as np

    from lstmviz.core import Data, Head, LSTMLayer, Scenario
    from lstmviz.core.init import init_model
    from lstmviz.io import save_scenario

    rng = np.random.default_rng(1)
    layers = [LSTMLayer(input_size=4, hidden_size=64, params={}), LSTMLayer(input_size=64, hidden_size=64, params={})]
    model = init_model(layers, Head(type="linear", loss="mse", output_size=2), rng, 1.2)
    t = np.arange(1, 201)
    burst = ((t >= 60) & (t <= 120)).astype(float)
    x = np.column_stack([burst, np.sin(2 * np.pi * t / 50), rng.normal(0, 0.3, 200), (t % 40 < 3).astype(float)])
    y = np.column_stack([np.cumsum(burst) / 20, x[:, 1]])
    save_scenario(Scenario(name="Many units (random, H = 64, T = 200)", model=model,
                           data=Data(x=x, y=y, mask=np.ones(200))), path)
    return str(path)


def unit_overview() -> None:
    """The Units panel on two layers of 64 units, T = 200: layer 0's cells c[t] sorted by the brush's score, the
    brush keeping the units whose c stays above 0.5 over the burst t = 70…120; the top one drawn in the graph.
    At 1080p and 1366×768."""
    from lstmviz.app.model.unit_overview import Brush

    spec = many_units(Path(tempfile.mkdtemp()) / "many-units.json")
    for size, name in (((1920, 1080), "unit_overview"), ((1366, 768), "unit_overview-1366x768")):
        w = window(spec, size=size)
        w.docks["units"].raise_()
        w.resizeDocks([w.docks["units"]], [int(size[1] * 0.45)], Qt.Orientation.Vertical)
        settle()
        w.units.show_units(0, "c", "score", Brush(70, 120, 0.5))
        w.units.choose(int(w.units.order[0]))
        shoot(w, name)


def long_run() -> None:
    """Three LSTM layers of 64 units over T = 2,000 steps (random weights, seed 2, a noisy sine as input),
    c[1000] selected: fitted, all 2,000 steps as a heat strip whose rows fill the graph's height, at 1080p
    and 1366×768; at readable zoom around t = 1,000, nodes with numbers and edges (only the steps near the
    screen have items)."""
    import numpy as np

    from lstmviz.core import Data, Head, LSTMLayer, Scenario
    from lstmviz.core.init import init_model
    from lstmviz.io import save_scenario

    rng = np.random.default_rng(2)
    layers = [LSTMLayer(input_size=1, hidden_size=64, params={})] + [
        LSTMLayer(input_size=64, hidden_size=64, params={}) for _ in range(2)]
    model = init_model(layers, Head(type="linear", loss="mse", output_size=1), rng, 1.0)
    t = np.arange(1, 2001)
    x = (np.sin(2 * np.pi * t / 200) + rng.normal(0, 0.2, 2000))[:, None]
    path = Path(tempfile.mkdtemp()) / "long-run.json"
    save_scenario(Scenario(name="Long run (random, 3 layers, H = 64, T = 2,000)", model=model,
                           data=Data(x=x, y=np.roll(x, -10, axis=0), mask=np.ones(2000))), path)
    for name, size in (("long_run-far", (1920, 1080)), ("long_run-far-1366x768", (1366, 768)),
                       ("long_run-close", (1920, 1080))):
        w = window(str(path), size)
        w.session.view.select(NodeRef(0, "c", 1000, 0))
        if name.startswith("long_run-far"):
            w.graph.fit()
        else:
            w.graph.fit_readable()
        shoot(w, name)


def check_arrays() -> None:
    """File ▸ Check my arrays… with a student's LSTM that drops δc[t+1]·f[t+1] (tests/yours_lstm.py, written
    without the engine) on a small model (H = 2, T = 6), saved in Karpathy's layout: the differing nodes
    outlined, δc[5] selected with "yours → engine" in the inspector, the My arrays panel below."""
    sys.path.insert(0, str(HERE.parents[1] / "tests"))
    from dataclasses import replace

    import numpy as np
    from helpers import lstm, random_scenario
    from yours_lstm import StudentLSTM

    from lstmviz.io import save_scenario
    folder = Path(tempfile.mkdtemp())
    scenario = replace(random_scenario([lstm(2, 2)], T=6, K=1, seed=3), name="my LSTM, H = 2")
    save_scenario(scenario, folder / "mine.json")
    np.savez(folder / "yours.npz", **StudentLSTM(scenario, mistake="forgets_f").arrays("karpathy"))
    for size, name in (((1920, 1080), "check_arrays"), ((1366, 768), "check_arrays-1366x768")):
        w = window(str(folder / "mine.json"), size=size)
        w.arrays_check.load(folder / "yours.npz", "karpathy")
        w.resizeDocks([w.docks["yours"]], [int(size[1] * 0.3)], Qt.Orientation.Vertical)
        settle()
        w.graph.fit_readable()
        shoot(w, name)


PICTURES = {f.__name__: f for f in (presentation_phases, presentation_long_lag, window_1366, calculator,
                                    edit_and_diff, quiz, tour, watches, analyses, peephole_backward, cost_lag,
                                    cost_lag_1366, rtrl_sensitivities, routes, window_cuts, rnn_inspector,
                                    unit_overview, long_run, check_arrays)}

if __name__ == "__main__":
    app = QApplication([])
    for name in sys.argv[1:] or PICTURES:
        PICTURES[name]()
    dispose(app)

"""The command line under hostile and unlucky input: every command refuses in one line with exit 2
(or reports a failed check with exit 1), leaves no output behind, and never shows a traceback."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import lstm, random_scenario

from lstmviz.cli import main
from lstmviz.io import list_presets, save_scenario
from lstmviz.io.weights import export_weights

ROOT = Path(__file__).resolve().parent.parent
CALCULATOR = json.loads(next(p for p in list_presets() if p.key == "calculator-lstm").path.read_text())


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_trace_too_big_for_the_memory_budget_is_refused_before_computing(tmp_path, capsys):
    """A 2.7 MB file asking for T = 100,000 steps of H = 256 (the trace alone needs about 8 GB)."""
    H, T = 256, 100_000
    shapes = (("W", (H, 1)), ("U", (H, H)), ("b", (H,)))
    layer = {"type": "lstm", "hidden_size": H,
             "params": {f"{m}_{g}": np.zeros(shape).tolist() for g in "ifog" for m, shape in shapes}}
    doc = {"format": "lstmviz.scenario", "version": 1, "name": "big",
           "model": {"input_size": 1, "layers": [layer], "head": {"type": "linear", "loss": "mse", "params": {
               "W_y": [[0.0] * H], "b_y": [0.0]}}},
           "data": {"x": [[0]] * T, "y": [[0]] * T}}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc, separators=(",", ":")))
    assert path.stat().st_size < 3e6
    code, _, err = run(["trace", path, "--out", tmp_path / "t.npz", "--memory-budget", "6G"], capsys)
    assert code == 2 and err.startswith(f"{path}: data.x has 100000 steps and model.layers[0].hidden_size is 256: "
                                        "the trace needs about 7.9 GiB, more than the memory budget of 6.0 GiB "
                                        "(--memory-budget)")
    assert not (tmp_path / "t.npz").exists()


def test_the_calculator_at_100000_steps_traces_and_its_window_needs_megabytes_not_gigabytes(tmp_path, capsys):
    """The graph has items only near the viewport: the window's estimate grows by about 2 kB a step (it opens in
    0.32 GB, measured), no longer by 4 kB per node and edge (13.5 GiB)."""
    doc = dict(CALCULATOR, data={"x": [[1]] * 100_000, "y": [[0]] * 100_000})
    path = tmp_path / "long.json"
    path.write_text(json.dumps(doc))
    code, _, err = run(["gui", path, "--screenshot", tmp_path / "s.png", "--memory-budget", "300M"], capsys)
    assert code == 2 and "data.x has 100000 steps and model.layers[0].hidden_size is 1: the trace and the window " \
                         "need about 352.8 MiB, more than the memory budget of 300.0 MiB" in err
    code, out, _ = run(["trace", path, "--out", tmp_path / "t.npz", "--memory-budget", "6G"], capsys)
    assert code == 0 and "T = 100000" in out


def test_the_window_counts_its_graph_in_the_budget(tmp_path, capsys):
    code, _, err = run(["gui", "calculator-lstm", "--screenshot", tmp_path / "s.png", "--memory-budget", "10M"], capsys)
    assert code == 2 and "the trace and the window need about 65.1 MiB, more than the memory budget of 10.0 MiB" in err
    assert not (tmp_path / "s.png").exists()
    code, _, err = run(["trace", "calculator-lstm", "--out", tmp_path / "t.npz", "--memory-budget", "10M"], capsys)
    assert code == 0
    code, _, err = run(["trace", "calculator-lstm", "--out", tmp_path / "t.npz", "--memory-budget", "lots"], capsys)
    assert code == 2 and "a memory size looks like 512M, 2G or 1.5GiB, got 'lots'" in err


def test_a_failing_output_removes_the_others(tmp_path, capsys):
    code, _, err = run(["trace", "calculator-lstm", "--out", tmp_path / "ok.npz", "--csv", "/dev/full"], capsys)
    assert code == 2 and err == "/dev/full: cannot be written: No space left on device\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("expression", ["h[t][1/0]", "h[t][0/0]", "h[t] + " + "9" * 400])
def test_every_command_refuses_a_watch_that_does_not_evaluate(tmp_path, capsys, expression):
    doc = dict(CALCULATOR, watches=[{"expression": expression}])
    path = tmp_path / "w.json"
    path.write_text(json.dumps(doc))
    errors = set()
    for argv in (["trace", path, "--out", tmp_path / "t.npz"], ["gui", path, "--screenshot", tmp_path / "s.png"],
                 ["gradcheck", path], ["analyze", path], ["weights", "export", path, tmp_path / "w.npz",
                                                          "--layout", "pytorch"]):
        code, _, err = run(argv, capsys)
        assert code == 2, argv
        errors.add(err.split(" does not evaluate")[0] if "does not evaluate" in err else err)
    assert errors == {f"{path}: watches[0].expression"} or all("watches[0].expression" in e for e in errors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.json"]


def test_an_import_whose_bias_overflows_writes_nothing(tmp_path, capsys):
    s = random_scenario([lstm(2, 3)], K=2, T=5, seed=8)
    save_scenario(s, tmp_path / "s.json")
    arrays = export_weights(s, "pytorch")
    arrays["bias_ih_l0"] = np.full(12, 1e308)
    arrays["bias_hh_l0"] = np.full(12, 1e308)
    np.savez(tmp_path / "w.npz", **arrays)
    code, _, err = run(["weights", "import", tmp_path / "s.json", tmp_path / "w.npz", "--layout", "pytorch",
                        "--out", tmp_path / "new.json"], capsys)
    assert code == 2 and "bias_ih_l0 + bias_hh_l0 overflows" in err and not (tmp_path / "new.json").exists()


def test_gradcheck_that_compares_nothing_says_so_and_fails(tmp_path, capsys):
    """A ReLU RNN whose pre-activation is exactly 0 everywhere: every entry sits on the kink."""
    doc = {"format": "lstmviz.scenario", "version": 1, "name": "kinks",
           "model": {"input_size": 1, "layers": [{"type": "rnn", "hidden_size": 1, "activation": "relu",
                                                  "params": {"W": [[0.0]], "U": [[0.0]], "b": [0.0]}, "h0": [1.0]}],
                     "head": {"type": "identity", "loss": "mse"}},
           "data": {"x": [[1.0], [2.0]], "y": [[1.0], [1.0]]}}
    (tmp_path / "k.json").write_text(json.dumps(doc))
    code, out, _ = run(["gradcheck", tmp_path / "k.json"], capsys)
    assert code == 1 and "3 entries sit on a kink" in out and "NOTHING COMPARED" in out and "PASS" not in out
    code, out, _ = run(["analyze", tmp_path / "k.json"], capsys)
    assert code == 0 and "Gradcheck: nothing compared: all 3 checked entries sit on a kink" in out


def test_analyze_checks_a_sample_of_2000_entries(tmp_path, capsys):
    s = random_scenario([lstm(8, 20)], K=2, T=4, seed=2)  # 2,320 layer parameters and the head's 42
    save_scenario(s, tmp_path / "s.json")
    code, out, _ = run(["analyze", tmp_path / "s.json"], capsys)
    assert code == 0 and "(a sample of 2000 of 2362 entries)" in out


def test_a_closed_pipe_ends_quietly():
    command = f"'{sys.executable}' -m lstmviz.cli analyze memorizer | head -1"
    run_ = subprocess.run(["bash", "-c", f"set -o pipefail; {command}"], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, stdin=subprocess.DEVNULL)
    assert run_.stdout.startswith("lstmviz analyze memorizer") and run_.stderr == ""


def test_bad_numbers_on_the_command_line(capsys):
    for argv, message in ((["gradcheck", "memorizer", "--tolerance", "nan"], "expected a positive finite number"),
                          (["gradcheck", "memorizer", "--tolerance", "-1"], "expected a positive finite number"),
                          (["trace", "memorizer", "--out", "x.npz", "--gradient", "tbptt:" + "9" * 50],
                           "tbptt needs a chunk length K between 1 and")):
        code, _, err = run(argv, capsys)
        assert code == 2 and message in err and "Traceback" not in err


@pytest.mark.parametrize(("setting", "reason"), [
    ("l0/b_x=1", "'l0/b_x' is not an array of this scenario"),
    ("l0/b_i=nan", "l0/b_i: nan is not a finite number"),
    ("l0/b_i=1e999", "l0/b_i: inf is not a finite number"),
    ("l0/W_i[0,3]=1", "l0/W_i[0, 3] is outside its shape (1, 1)"),
    ("data/x=1", "data/x has shape (8, 1): give the entry"),
    ("l0/b_i=__import__('os')", "is not a number"),
    ("l0/b_i", "is not KEY[INDEX]=VALUE"),
])
def test_gui_set_refuses_in_one_line(tmp_path, capsys, setting, reason):
    out = tmp_path / "shot.png"
    code, _, err = run(["gui", "calculator-lstm", "--set", setting, "--screenshot", out], capsys)
    assert code == 2 and err.count("\n") == 1 and reason in err and err.startswith("lstmviz gui: --set ")
    assert not out.exists()


def test_gui_set_edits_before_the_window_opens(tmp_path, capsys):
    """b_i = 0.9 in the calculator: the window opens with the edit undoable and E = 0.125 in the status bar."""
    from lstmviz.app.launch import apply_edits
    from lstmviz.app.model import Session
    from lstmviz.io import load_scenario

    s = Session(load_scenario("calculator-lstm"))
    apply_edits(s, ("l0/b_i=0.9", "data/x[2, 0]=−1"))
    assert s.document.scenario.model.layers[0].params["b_i"][0] == 0.9 and s.document.scenario.data.x[2, 0] == -1
    assert s.history.index() == 2 and s.document.dirty
    s.history.undo()
    s.history.undo()
    assert s.document.trace.loss == 0

"""The lstmviz command line, run in-process and as the installed console script."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstmviz.cli import main
from lstmviz.core import GATES
from lstmviz.io import list_presets

LSTMVIZ = Path(sys.executable).with_name("lstmviz")


def expected_lstm_keys(n=0, forget=True):
    """The trace keys of one LSTM layer as docs/engine.md lists them (written out, not taken from the code)."""
    values = ["a_i", "a_f", "a_o", "a_g", "i", "f", "o", "g", "c", "h", "h0", "c0"]
    deltas = ["delta_h", "delta_c", "delta_i", "delta_f", "delta_o", "delta_g", "eps_h",
              "delta_a_i", "delta_a_f", "delta_a_o", "delta_a_g"]
    params = [f"{k}_{g}" for g in "ifog" for k in "WUb"]
    if not forget:
        values.remove("a_f")
        deltas.remove("delta_a_f")
        params = [p for p in params if not p.endswith("_f")]
    return {f"l{n}/{k}" for k in values + deltas} | {f"grad/l{n}/{p}" for p in params}


def test_console_script_writes_every_trace_key(tmp_path):
    out = tmp_path / "t.npz"
    run = subprocess.run([str(LSTMVIZ), "trace", "calculator-lstm", "--out", str(out)], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "E = 0" in run.stdout
    with np.load(out) as z:
        assert set(z.files) == {"x", "y_hat", "loss", "loss_t", "dx"} | expected_lstm_keys()
        np.testing.assert_array_equal(z["l0/h"][:, 0], [0, 0, 0, 4, 0, 0, 0, 3])
        assert z["loss"].shape == () and z["loss_t"].shape == (8,) and z["grad/l0/W_i"].shape == (1, 1)
    assert GATES == ("i", "f", "o", "g")


def test_trace_options_and_rnn_keys(tmp_path, capsys):
    out = tmp_path / "r.npz"
    assert main(["trace", "calculator-rnn-0.5", "--out", str(out), "--gradient", "tbptt:3", "--algorithm", "rtrl"]) == 0
    assert "gradient tbptt:3, rtrl" in capsys.readouterr().out
    with np.load(out) as z:
        assert set(z.files) == {"x", "y_hat", "loss", "loss_t", "dx", "l0/a", "l0/h", "l0/h0", "l0/delta_a",
                                "l0/delta_h", "l0/eps_h", "grad/l0/W", "grad/l0/U", "grad/l0/b"}
        # δ[t] = ε[t] + u·δ[t+1] inside each chunk of 3 steps, zero flow across the cuts at steps 4 and 7
        d, e = z["l0/delta_a"][:, 0], z["l0/eps_h"][:, 0]
        for t in range(8):
            carried = 0.5 * d[t + 1] if t + 1 < 8 and (t + 1) % 3 else 0.0
            assert d[t] == pytest.approx(e[t] + carried, abs=1e-15)


def test_trace_of_an_exploding_rnn_warns_and_still_writes(tmp_path, capsys):
    doc = json.loads(list_presets()[0].path.with_name("calculator-rnn-1.7.json").read_text())
    doc["data"]["x"] = [[1.0]] * 1500
    doc["data"]["y"] = [[0.0]] * 1500
    doc["data"]["mask"] = [1.0] * 1500
    src = tmp_path / "explode.json"
    src.write_text(json.dumps(doc))
    assert main(["trace", str(src), "--out", str(tmp_path / "e.npz")]) == 0
    err = capsys.readouterr().err
    assert f"warning: {src}: values overflowed (not finite) at" in err
    assert (tmp_path / "e.npz").exists()


def test_gradcheck_reports_kinks_by_name(capsys):
    assert main(["gradcheck", "calculator-lstm"]) == 0
    out = capsys.readouterr().out
    assert "8 entries sit on a kink" in out and "kink l0/b_i[0]" in out and "PASS" in out
    assert "kink l0/W_g" not in out  # the candidate is linear: no kink there


def test_gradcheck_of_a_truncated_mode_with_rtrl(capsys):
    assert main(["gradcheck", "calculator-rnn-1.7", "--gradient", "cec", "--algorithm", "rtrl"]) == 0
    out = capsys.readouterr().out
    assert "gradcheck calculator-rnn-1.7 (gradient cec, rtrl): 3 entries" in out


def test_presets_lists_every_preset_default_first(capsys):
    assert main(["presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("calculator-lstm") and "(default)" in lines[0]
    assert {line.split()[0] for line in lines} >= {"calculator-lstm", "calculator-rnn-0.5", "calculator-rnn-1",
                                                   "calculator-rnn-1.7", "calculator-forget-gate"}


BAD_ARGS = [
    (["trace", "nope.json", "--out", "OUT"], "nope.json: no such file or preset"),
    (["trace", "BAD", "--out", "OUT"], "BAD: model.layers[0].params.W_i has shape (2, 1), expected (1, 1)"),
    (["gradcheck", "BAD"], "BAD: model.layers[0].params.W_i has shape (2, 1), expected (1, 1)"),
    (["trace", "calculator-lstm", "--out", "OUT", "--gradient", "tbptt:x"], "tbptt needs a chunk length K"),
    (["trace", "calculator-lstm", "--out", "OUT", "--gradient", "half"], "unknown gradient mode 'half'"),
    (["trace", "calculator-lstm", "--out", "OUT", "--gradient", "window:0"], "window needs a window length K"),
    (["analyze", "calculator-rnn-0.5", "--weight", "nonsense"], "--weight: 'nonsense' is not a weight of this model"),
    (["analyze", "calculator-rnn-0.5", "--weight", "l0/U[1,0]"], "--weight: l0/U[1, 0] is outside its shape (1, 1)"),
    (["analyze", "calculator-rnn-0.5", "--lags", "0"], "--lags must be at least 1, got 0"),
    (["trace", "calculator-lstm", "--out", "NODIR/t.npz"], "NODIR/t.npz: cannot be written: No such file"),
    (["gui", "BAD", "--screenshot", "OUT"], "BAD: model.layers[0].params.W_i has shape (2, 1), expected (1, 1)"),
]


@pytest.mark.parametrize("argv,message", BAD_ARGS, ids=[" ".join(a[:2]) + f"-{n}" for n, (a, _) in enumerate(BAD_ARGS)])
def test_bad_input_exits_2_with_one_line_and_no_output(argv, message, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    doc = json.loads(list_presets()[0].path.read_text())
    doc["model"]["layers"][0]["params"]["W_i"] = [[0.0], [1.0]]
    bad.write_text(json.dumps(doc))
    out = tmp_path / "out.npz"
    sub = {"BAD": str(bad), "OUT": str(out), "NODIR": str(tmp_path / "nodir")}
    argv = [sub.get(a, a.replace("NODIR", str(tmp_path / "nodir"))) for a in argv]
    message = message.replace("BAD", str(bad)).replace("NODIR", str(tmp_path / "nodir"))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == [bad]


def test_console_script_bad_file_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    run = subprocess.run([str(LSTMVIZ), "trace", str(bad), "--out", str(tmp_path / "t.npz")], capture_output=True,
                         text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 2
    expected = "is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 3"
    assert run.stderr == f"{bad}: {expected}\n"
    assert not (tmp_path / "t.npz").exists()


def test_rtrl_refuses_a_large_model(tmp_path, capsys):
    doc = json.loads(list_presets()[0].path.read_text())
    H, D = 64, 1
    rng = np.random.default_rng(0)
    doc["model"]["layers"][0].update(hidden_size=H, h0=[0.0] * H, c0=[0.0] * H, params={
        f"{k}_{g}": rng.normal(size={"W": (H, D), "U": (H, H), "b": (H,)}[k]).tolist() for g in "ifog" for k in "WUb"})
    doc["model"]["head"] = {"type": "linear", "loss": "mse", "params": {"W_y": [[0.1] * H], "b_y": [0.0]}}
    src = tmp_path / "big.json"
    src.write_text(json.dumps(doc))
    assert main(["trace", str(src), "--out", str(tmp_path / "t.npz"), "--algorithm", "rtrl"]) == 2
    assert "rtrl is for small models" in capsys.readouterr().err
    assert main(["trace", str(src), "--out", str(tmp_path / "t.npz")]) == 0


def test_analyze_prints_lag_spectrum_truncation_and_gradcheck(capsys):
    assert main(["analyze", "calculator-rnn-1.7", "--k", "3"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    lag = lines[lines.index("Gradient vs lag") + 2:lines.index("Gradient vs lag") + 10]
    assert [float(line.split()[1]) for line in lag] == pytest.approx([1.7 ** m for m in range(8)], rel=1e-5)  # 6 digits
    assert "‖tbptt:3‖" in out and "Gradcheck: PASS" in out


def test_analyze_of_an_exploding_rnn_still_reports(tmp_path, capsys):
    doc = json.loads(list_presets()[0].path.with_name("calculator-rnn-1.7.json").read_text())
    doc["data"]["x"] = [[1.0]] * 1500
    doc["data"]["y"] = [[0.0]] * 1500
    doc["data"]["mask"] = [0.0] * 1499 + [1.0]
    src = tmp_path / "explode.json"
    src.write_text(json.dumps(doc))
    assert main(["analyze", str(src)]) == 0
    assert "inf" in capsys.readouterr().out


def test_window_mode_from_the_command_line(tmp_path, capsys):
    """Seed 003's example: window:3 gives dE/du = −17.29846 (tbptt:3 would give −12.18335)."""
    out = tmp_path / "w.npz"
    assert main(["trace", "calculator-rnn-0.5", "--out", str(out), "--gradient", "window:3"]) == 0
    assert "gradient window:3" in capsys.readouterr().out
    with np.load(out) as z:
        assert float(z["grad/l0/U"][0, 0]) == pytest.approx(-17.29846, abs=5e-6)
    assert main(["gradcheck", "calculator-rnn-0.5", "--gradient", "window:3", "--algorithm", "rtrl"]) == 0
    text = capsys.readouterr().out
    assert "(gradient window:3, rtrl): 3 entries" in text and "analytic -17.29846191" in text and "PASS" in text


def test_analyze_prints_the_cost_by_lag_table(capsys):
    assert main(["analyze", "calculator-rnn-0.5", "--weight", "l0/U[0,0]", "--lags", "5", "--k", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    top = next(n for n, line in enumerate(lines) if line.startswith("Cost × lag"))
    assert "l0/U[0, 0]" in lines[top]
    header, *rows = [line.split() for line in lines[top + 1:top + 11]]
    assert header[:2] == ["t", "u"] and "(window:3)" in header
    assert len(rows) == 9 and rows[-1][:2] == ["Σ", "t"]
    # the cost at step 4: r = h[4] − 4 = −2.875 with h[3] = 2.25, h[2] = 2.5, h[1] = 1: r·u^j·h[3−j]
    assert rows[3][:6] == ["4", "−6.46875", "−3.59375", "−0.71875", "0", "0"]
    assert rows[-1][-2:] == ["−17.2985", "−18.069"]  # Σ over t: window:3 and full


def test_analyze_of_the_taps_preset(capsys):
    assert main(["analyze", "calculator-rnn-taps", "--weight", "l0/U_2[0,0]", "--k", "3"]) == 0
    out = capsys.readouterr().out
    assert "Cost × lag: dC(t)/dW(t−u) for W = l0/U_2[0, 0]" in out and "l0/U_2" in out.split("Truncation")[1]
    assert "\nRoutes" in out and "Gradcheck: PASS" in out  # a table, or one line saying why not

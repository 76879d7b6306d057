"""lstmviz analyze prints the two highways: the chosen weight's gradient by lag and route."""
import numpy as np

from lstmviz.cli import main


def _routes_table(text: str) -> tuple[list[list[str]], str]:
    lines = text.splitlines()
    top = next(n for n, line in enumerate(lines) if line.startswith("Routes:"))
    end = next(n for n in range(top + 1, len(lines)) if not lines[n].strip())
    return [line.split() for line in lines[top + 1:end]], lines[top]


def test_analyze_prints_the_routes_of_the_one_node_rnn(capsys):
    """Under tbptt:2 the only paths in time have lag 1, and in an RNN they all go via h."""
    assert main(["analyze", "calculator-rnn-0.5", "--weight", "l0/U[0,0]", "--lags", "3", "--gradient", "tbptt:2"]) == 0
    rows, title = _routes_table(capsys.readouterr().out)
    assert "l0/U[0, 0] under tbptt:2" in title
    assert rows[0] == ["u", "same", "step", "via", "h", "total"]
    assert rows[3] == ["2", "0", "0", "0"] and rows[4][0] == "≥" and rows[4][2:] == ["0", "0", "0"]
    assert rows[1][1] == rows[1][3] and rows[2][1] == "0" and rows[2][2] == rows[2][3]
    assert rows[-1][0] == "Σ"


def test_the_routes_sum_row_is_the_gradient(capsys, tmp_path):
    out = tmp_path / "trace.npz"
    assert main(["trace", "long-lag", "--gradient", "window:4", "--out", str(out)]) == 0
    grad = float(np.load(out)["grad/l0/U_f"][1, 0])
    capsys.readouterr()
    assert main(["analyze", "long-lag", "--weight", "l0/U_f[1,0]", "--lags", "6", "--gradient", "window:4"]) == 0
    rows, _ = _routes_table(capsys.readouterr().out)
    assert rows[0] == ["u", "same", "step", "highway", "via", "i", "via", "f", "via", "o", "via", "c̃", "total"]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2", "3", "4", "5", "≥", "Σ"]
    assert rows[5] == ["4"] + ["0"] * 7 and rows[6] == ["5"] + ["0"] * 7  # window:4 stops at u = 3
    total = float(rows[-1][-1].replace("−", "-"))
    assert abs(total - grad) <= 1e-5 * abs(grad)  # six significant digits
    assert rows[1][2:7] == ["0"] * 5 and rows[1][1] != "0"  # lag 0: the same step only

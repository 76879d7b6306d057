"""Exports: CSV, the course's tables, and weights in PyTorch's and Keras's layouts."""
import io
import json
from pathlib import Path

import numpy as np
import pytest
from helpers import lstm, random_scenario

from lstmviz.cli import main
from lstmviz.core import compute
from lstmviz.core.train import assign_params
from lstmviz.io import ScenarioError, load_scenario
from lstmviz.io.export import lanes_table, trace_to_csv
from lstmviz.io.weights import export_weights, import_weights


def test_csv_has_one_row_per_step_and_numpy_reads_it():
    tr = compute(random_scenario([lstm(2, 3)], T=5, K=2))
    text = trace_to_csv(tr)
    header = text.splitlines()[0].split(",")
    data = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1)
    assert data.shape == (5, len(header))
    np.testing.assert_array_equal(data[:, header.index("l0/h[2]")], tr["l0/h"][:, 2])  # exact: 17 digits
    np.testing.assert_array_equal(data[:, header.index("l0/delta_c[0]")], tr["l0/delta_c"][:, 0])
    assert "x[1]" in header and "loss_t" in header and not any(h.startswith("grad/") for h in header)


PRESETS = Path(__file__).parents[2] / "resources" / "presets"


def read_csv(text: str) -> dict[str, np.ndarray]:
    header = text.splitlines()[0].split(",")
    data = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, ndmin=2)
    assert len(set(header)) == len(header)
    return {name: data[:, j] for j, name in enumerate(header)} | {"": header}


def preset_data(name: str) -> dict:
    """The preset's data as its file spells it, read without lstmviz."""
    return json.loads((PRESETS / f"{name}.json").read_text(encoding="utf-8"))["data"]


@pytest.mark.parametrize("preset", ["calculator-lstm", "long-lag"])
def test_csv_has_the_targets_and_the_mask_beside_the_output(preset):
    data = preset_data(preset)
    csv = read_csv(trace_to_csv(compute(load_scenario(preset))))
    header = csv[""]
    assert header[header.index("y_hat") + 1:header.index("y_hat") + 3] == ["y", "mask"]  # ŷ, then what it aims at
    np.testing.assert_array_equal(csv["y"], [row[0] for row in data["y"]])
    np.testing.assert_array_equal(csv["mask"], data["mask"])
    np.testing.assert_allclose(csv["loss_t"], 0.5 * csv["mask"] * (csv["y_hat"] - csv["y"]) ** 2, rtol=1e-15)
    assert csv["loss_t"].sum() > 0 or preset == "calculator-lstm"  # long-lag misses its target: E from the CSV


def test_csv_of_a_softmax_scenario_names_each_steps_class():
    data = preset_data("char-lstm")
    text = trace_to_csv(compute(load_scenario("char-lstm")))
    csv = read_csv(text)
    header = csv[""]
    assert header[header.index("y_hat[11]") + 1:header.index("y_hat[11]") + 3] == ["y_class", "mask"]
    assert "y" not in header and not any(h.startswith("y_class[") for h in header)
    assert text.splitlines()[1].split(",")[header.index("y_class")] == str(data["y"][0])  # an integer, as written
    np.testing.assert_array_equal(csv["y_class"], data["y"])
    np.testing.assert_array_equal(csv["mask"], data["mask"])
    scored = [csv[f"y_hat[{int(k)}]"][t] for t, k in enumerate(csv["y_class"])]  # the class's probability
    np.testing.assert_allclose(csv["loss_t"], -csv["mask"] * np.log(scored), rtol=1e-12)


def test_csv_mask_defaults_to_ones_and_follows_a_given_one():
    tr = compute(random_scenario([lstm(2, 3)], T=4, K=2, mask=[1, 0, 0.5, 1]))
    np.testing.assert_array_equal(read_csv(trace_to_csv(tr))["mask"], [1, 0, 0.5, 1])
    tr = compute(random_scenario([lstm(2, 3)], T=4, K=2, seed=1))
    csv = read_csv(trace_to_csv(tr))
    np.testing.assert_array_equal(csv["mask"], np.ones(4))
    np.testing.assert_array_equal(np.column_stack([csv["y[0]"], csv["y[1]"]]), tr.scenario.data.y)


def test_the_course_table_of_the_calculator():
    tr = compute(load_scenario("calculator-lstm"))
    rows = [("l0/c", "c[t]"), ("l0/h", "h[t]"), ("l0/delta_c", "δc[t]")]
    assert lanes_table(tr, rows) == (
        "| t | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 |\n|---|---|---|---|---|---|---|---|---|\n"
        "| c[t] | 1.00 | 3.00 | 4.00 | 4.00 | 1.00 | 2.00 | 3.00 | 3.00 |\n"
        "| h[t] | 0.00 | 0.00 | 0.00 | 4.00 | 0.00 | 0.00 | 0.00 | 3.00 |\n"
        "| δc[t] | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 |\n")
    latex = lanes_table(tr, rows, "latex")
    assert latex.startswith(r"\begin{tabular}{lrrrrrrrr}") and r"$\delta$c[t] & 0.00" in latex
    assert r"h[t] & 0.00 & 0.00 & 0.00 & 4.00 & 0.00 & 0.00 & 0.00 & 3.00 \\" in latex


def standard():
    return random_scenario([lstm(3, 4), lstm(4, 2)], head_type="linear", K=2, T=6, seed=3)


def by_hand(s, layout):
    """The layouts written out independently of the exporter: blocks i, f, g, o."""
    out = {}
    for k, layer in enumerate(s.model.layers):
        p = layer.params
        W = np.vstack([p["W_i"], p["W_f"], p["W_g"], p["W_o"]])
        U = np.vstack([p["U_i"], p["U_f"], p["U_g"], p["U_o"]])
        b = np.concatenate([p["b_i"], p["b_f"], p["b_g"], p["b_o"]])
        if layout == "pytorch":
            out.update({f"weight_ih_l{k}": W, f"weight_hh_l{k}": U, f"bias_ih_l{k}": b / 2, f"bias_hh_l{k}": b / 2})
        else:
            out.update({f"layer{k}/kernel": W.T, f"layer{k}/recurrent_kernel": U.T, f"layer{k}/bias": b})
    h = s.model.head.params
    if layout == "pytorch":
        out.update({"head.weight": h["W_y"], "head.bias": h["b_y"]})
    else:
        out.update({"dense/kernel": h["W_y"].T, "dense/bias": h["b_y"]})
    return out


@pytest.mark.parametrize("layout", ["pytorch", "keras"])
def test_an_imported_file_gives_the_same_trace(layout, tmp_path):
    original = standard()
    expected = compute(original)
    path = tmp_path / "w.npz"
    np.savez(path, **by_hand(original, layout))
    fresh = standard()
    for layer in fresh.model.layers:  # scramble, so that only the file can restore them
        for v in layer.params.values():
            v[...] = 0.123
    assign_params(fresh, import_weights(fresh, path, layout))
    got = compute(fresh)
    for key in expected.keys():
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-15, atol=1e-15, err_msg=key)


@pytest.mark.parametrize("layout", ["pytorch", "keras"])
def test_round_trip_of_weights_written_by_the_app(layout, tmp_path):
    s = standard()
    path = tmp_path / "w.npz"
    np.savez(path, **export_weights(s, layout))
    values = import_weights(standard(), path, layout)
    for layer_n, layer in enumerate(s.model.layers):
        for name, v in layer.params.items():
            np.testing.assert_array_equal(values[f"l{layer_n}/{name}"], v)


def test_bad_weight_files_name_the_array(tmp_path):
    s = standard()
    arrays = export_weights(s, "pytorch")
    del arrays["weight_hh_l1"]
    np.savez(tmp_path / "missing.npz", **arrays)
    with pytest.raises(ScenarioError, match=f"^{tmp_path / 'missing.npz'}: weight_hh_l1 is missing$"):
        import_weights(s, tmp_path / "missing.npz", "pytorch")
    arrays = export_weights(s, "keras")
    arrays["layer0/kernel"] = arrays["layer0/kernel"].T
    np.savez(tmp_path / "shape.npz", **arrays)
    with pytest.raises(ScenarioError, match=r"layer0/kernel has shape \(16, 3\), expected \(3, 16\)"):
        import_weights(s, tmp_path / "shape.npz", "keras")
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(ScenarioError, match="is not an .npz file"):
        import_weights(s, tmp_path / "text.npz", "keras")
    with pytest.raises(ScenarioError, match=r"model.layers\[0\] is not a standard LSTM"):
        export_weights(load_scenario("calculator-lstm"), "pytorch")


def test_cli_trace_csv_and_weights(tmp_path, capsys):
    assert main(["trace", "peephole-lstm", "--csv", str(tmp_path / "t.csv")]) == 0
    assert np.loadtxt(tmp_path / "t.csv", delimiter=",", skiprows=1).shape[0] == 8
    assert main(["trace", "char-lstm", "--csv", str(tmp_path / "c.csv")]) == 0
    csv = read_csv((tmp_path / "c.csv").read_text(encoding="utf-8"))
    np.testing.assert_array_equal(csv["y_class"], preset_data("char-lstm")["y"])
    assert main(["weights", "export", "char-lstm", str(tmp_path / "w.npz"), "--layout", "keras"]) == 0
    assert main(["weights", "import", "char-lstm", str(tmp_path / "w.npz"), "--layout", "keras",
                 "--out", str(tmp_path / "c.json")]) == 0
    assert compute(load_scenario(str(tmp_path / "c.json"))).loss == compute(load_scenario("char-lstm")).loss
    assert main(["weights", "export", "calculator-lstm", str(tmp_path / "x.npz"), "--layout", "pytorch"]) == 2
    assert "calculator-lstm: model.layers[0] is not a standard LSTM" in capsys.readouterr().err
    assert main(["trace", "calculator-lstm"]) == 2

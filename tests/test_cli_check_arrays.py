"""``lstmviz check-arrays``: exit 0 when everything present agrees, 1 at the first disagreement (one
line, then the table), 2 for bad files (one line naming the file and the array or field)."""
import json

import numpy as np
import pytest
from helpers import lstm, random_scenario
from yours_lstm import StudentLSTM

from lstmviz.cli import main
from lstmviz.cli.check_arrays import course_name
from lstmviz.io import save_scenario

T = 6


@pytest.fixture
def scenario():
    return random_scenario([lstm(3, 4)], T=T, K=2, seed=3)


@pytest.fixture
def path(scenario, tmp_path):
    save_scenario(scenario, tmp_path / "s.json")
    return str(tmp_path / "s.json")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def saved(tmp_path, arrays, name="yours.npz"):
    np.savez(tmp_path / name, **arrays)
    return tmp_path / name


@pytest.mark.parametrize("layout", ["pytorch", "keras", "karpathy"])
def test_a_correct_implementation_exits_0(scenario, path, tmp_path, capsys, layout):
    code, out, err = run(capsys, "check-arrays", path, saved(tmp_path, StudentLSTM(scenario).arrays(layout)),
                         "--map", layout)
    assert (code, err) == (0, "")
    assert "arrays present agree with the engine (gradient full, rtol 1e-06, atol 1e-09); " in out.splitlines()[0]


@pytest.mark.parametrize("mistake,layout,line", [
    ("forgets_f", "karpathy", f"first disagreement: δc (l0/delta_c) at layer 0, step {T - 1}, unit 0: yours "),
    ("transposed_U", None, "first disagreement: a_i (l0/a_i) at layer 0, step 1, unit 0: yours "),
    ("db_sign", "pytorch", "first disagreement: dE/db_i (grad/l0/b_i) at layer 0, unit 0: yours "),
])
def test_each_wrong_implementation_exits_1_naming_the_first_entry(scenario, path, tmp_path, capsys, mistake,
                                                                   layout, line):
    arrays = saved(tmp_path, StudentLSTM(scenario, mistake).arrays(layout))
    code, out, _ = run(capsys, "check-arrays", path, arrays, *(["--map", layout] if layout else []))
    assert code == 1
    assert out.startswith(line)
    assert out.splitlines()[1].split() == ["your", "array", "trace", "key", "verdict"]


def test_the_time_offset_of_a_json_mapping(scenario, path, tmp_path, capsys):
    """Their h with h0 stored first (T + 1 rows), their δc under their own name, their U gradient
    stacked i, f, g, o and transposed."""
    s = StudentLSTM(scenario)
    arrays = {"hs": np.vstack([s.h0, s.h]), "dc": s.dc,
              "dU": np.hstack([s.dU[k].T for k in ("i", "f", "g", "o")])}
    mapping = {"arrays": {"hs": {"key": "l0/h", "time_offset": 1}, "dc": "l0/delta_c",
                          "dU": {"key": "grad/l0/U_*", "gates": "ifgo", "transpose": True}}}
    (tmp_path / "map.json").write_text(json.dumps(mapping))
    code, out, _ = run(capsys, "check-arrays", path, saved(tmp_path, arrays), "--map", tmp_path / "map.json")
    assert code == 0, out
    assert out.count("agrees") == 3
    arrays["hs"] = s.h  # without h0 first: the wrong shape
    code, _, err = run(capsys, "check-arrays", path, saved(tmp_path, arrays), "--map", tmp_path / "map.json")
    assert code == 2 and err == f"{tmp_path / 'yours.npz'}: hs has shape (6, 4), expected (7, 4)\n"


def bad_files(scenario, tmp_path):
    good = StudentLSTM(scenario).arrays()
    with_nan = dict(good, **{"l0/c": np.where(good["l0/c"] > 0, np.nan, good["l0/c"])})
    np.savez(tmp_path / "pickle.npz", **{"l0/h": np.array([{"a": 1}], dtype=object)})
    return [
        (dict(good, hidden=good["l0/h"]), [], "hidden is not a trace key (docs/engine.md)"),
        (dict(good, **{"l0/h": good["l0/h"].T}), [], "l0/h has shape (4, 6), expected (6, 4)"),
        (with_nan, [], "l0/c contains NaN or infinity"),
        ("pickle.npz", [], "l0/h holds Python objects; arrays must be real numbers"),
        ({"Hout": good["l0/h"]}, ["--map", "karpathy"], "Hout has shape (6, 4), expected (6, 1, 4)"),
        ({"dC": good["l0/delta_c"]}, ["--map", "karpathy"], None),
    ]


def test_bad_files_are_refused_in_one_line(scenario, path, tmp_path, capsys):
    for arrays, options, message in bad_files(scenario, tmp_path):
        file = tmp_path / arrays if isinstance(arrays, str) else saved(tmp_path, arrays)
        code, out, err = run(capsys, "check-arrays", path, file, *options)
        if message is None:  # dC without the batch axis: the wrong shape too
            assert code == 2 and "dC has shape (6, 4), expected (6, 1, 4)" in err
            continue
        assert (code, out) == (2, ""), err
        assert err == f"{file}: {message}\n"


@pytest.mark.parametrize("mapping,message", [
    ({"arrays": {"dc": {"key": "l0/delta_c", "unit": 0}}}, "arrays.dc.unit is not a field of an array mapping"),
    ({"arrays": {"dc": "l0/delta_q"}}, "arrays.dc.key names l0/delta_q, which is not a trace key of this scenario"),
    ({"arrays": {"dU": {"key": "grad/l0/U_*", "gates": "ifgg"}}}, "arrays.dU.gates is \"ifgg\", expected the four "),
    ({"arrays": {"dc": {"key": "l0/delta_c", "time_offset": -1}}}, "arrays.dc.time_offset is -1, expected 0 or more"),
    ({"layout": "tensorflow"}, 'layout is "tensorflow", expected one of pytorch, keras, karpathy'),
    ({"layout": []}, "layout is [], expected one of pytorch, keras, karpathy"),
    ({"arrays": [], "extra": 1}, "extra is not a field of an array mapping"),
])
def test_bad_mappings_are_refused_in_one_line(scenario, path, tmp_path, capsys, mapping, message):
    (tmp_path / "map.json").write_text(json.dumps(mapping))
    arrays = saved(tmp_path, {"dc": StudentLSTM(scenario).dc})
    code, out, err = run(capsys, "check-arrays", path, arrays, "--map", tmp_path / "map.json")
    assert (code, out) == (2, "")
    assert err.startswith(f"{tmp_path / 'map.json'}: {message}") and err.count("\n") == 1


def test_weights_export_writes_the_scenarios_inputs_beside_the_weights(scenario, path, tmp_path, capsys):
    code, out, _ = run(capsys, "weights", "export", path, tmp_path / "w.npz", "--layout", "pytorch",
                       "--data", tmp_path / "d.npz")
    assert code == 0 and "d.npz: the inputs and targets (x, y, mask, l0/h0, l0/c0)" in out
    with np.load(tmp_path / "d.npz") as d:
        assert sorted(d) == ["l0/c0", "l0/h0", "mask", "x", "y"]
        np.testing.assert_array_equal(d["x"], scenario.data.x)
        np.testing.assert_array_equal(d["y"], scenario.data.y)
        np.testing.assert_array_equal(d["l0/c0"], scenario.model.layers[0].c0)
    code, _, err = run(capsys, "weights", "import", path, tmp_path / "w.npz", "--layout", "pytorch",
                       "--data", tmp_path / "d.npz")
    assert code == 2 and "--data is for export" in err


@pytest.mark.parametrize("key,name", [
    ("l0/delta_c", "δc"), ("l1/g", "c̃"), ("l0/a_g", "a_c̃"), ("l0/eps_h", "εh"), ("l0/delta_a_g", "δa_c̃"),
    ("grad/l0/W_g", "dE/dW_c̃"), ("grad/head/W_y", "dE/dW_v"), ("dx", "δx"), ("loss_t", "E[t]"), ("loss", "E"),
    ("y_hat", "ŷ")])
def test_the_course_names_of_trace_keys(key, name):
    assert course_name(key) == name


def test_an_empty_file_exits_1_nothing_compared(path, tmp_path, capsys):
    code, out, _ = run(capsys, "check-arrays", path, saved(tmp_path, {}))
    assert code == 1 and "NOTHING COMPARED" in out.splitlines()[0]


def test_a_time_offset_on_a_quantity_without_steps_is_refused(scenario, path, tmp_path, capsys):
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"arrays": {"db": {"key": "grad/l0/b_i", "time_offset": 1}}}))
    code, _, err = run(capsys, "check-arrays", path, saved(tmp_path, {"db": np.zeros(4)}), "--map", mapping)
    assert (code, err) == (2, f"{mapping}: arrays.db.time_offset is given, but grad/l0/b_i has no time axis\n")


@pytest.mark.parametrize("key,joined", [(["grad/l0/b_*", "grad/head/W_y"], "grad/head/W_y"),
                                        (["grad/l0/W_*", "loss"], "loss"), (["l0/h", "l0/c"], "l0/h")])
def test_joins_that_cannot_be_split_are_refused(scenario, path, tmp_path, capsys, key, joined):
    message = f"arrays.dc.key joins {joined}: only weights and gradients of one height join"
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"arrays": {"dc": {"key": key}}}))
    code, _, err = run(capsys, "check-arrays", path, saved(tmp_path, {"dc": np.zeros(3)}), "--map", mapping)
    assert (code, err) == (2, f"{mapping}: {message}\n")


def test_the_exported_data_file_checks_as_it_is(scenario, path, tmp_path, capsys):
    """What `weights export --data` writes: x and the initial states agree, y and mask are inputs."""
    run(capsys, "weights", "export", path, tmp_path / "w.npz", "--layout", "pytorch", "--data", tmp_path / "d.npz")
    code, out, _ = run(capsys, "check-arrays", path, tmp_path / "d.npz")
    assert code == 0
    rows = {line.split()[0]: line.split(None, 2)[2] for line in out.splitlines()[2:]}
    assert rows["x"].startswith("agrees") and rows["l0/c0"].startswith("agrees")
    assert rows["y"] == rows["mask"] == "not compared"


def test_names_of_a_built_in_layout_without_map_say_which(scenario, path, tmp_path, capsys):
    run(capsys, "weights", "export", path, tmp_path / "w.npz", "--layout", "pytorch")
    arrays = StudentLSTM(scenario).arrays("pytorch")
    code, out, err = run(capsys, "check-arrays", path, saved(tmp_path, arrays))
    assert (code, out) == (2, "")
    assert err.endswith("these are the names of the pytorch layout (--map pytorch, mapping='pytorch')\n")
    assert err.count("\n") == 1


def test_an_unknown_map_name_is_neither_a_layout_nor_a_file(scenario, path, tmp_path, capsys):
    arrays = saved(tmp_path, {"l0/delta_c": StudentLSTM(scenario).dc})
    code, out, err = run(capsys, "check-arrays", path, arrays, "--map", "pytroch")
    assert (code, out) == (2, "")
    assert err == "mapping: 'pytroch' is neither a built-in layout (pytorch, keras, karpathy) nor a mapping file\n"


def test_unknown_names_on_a_model_no_layout_describes_are_refused_by_name(tmp_path, capsys):
    """The calculator's CReLU gates fit no built-in layout: the hint looks past them, not fails on them."""
    arrays = saved(tmp_path, {"../etc": np.ones(3)})
    code, out, err = run(capsys, "check-arrays", "calculator-lstm", arrays)
    assert (code, out) == (2, "")
    assert err == f"{arrays}: ../etc is not a trace key (docs/engine.md)\n"


def test_one_differing_entry_is_counted_in_the_singular(tmp_path, capsys):
    code, out, _ = run(capsys, "check-arrays", "calculator-lstm", saved(tmp_path, {"loss": np.float64(1.0)}))
    assert code == 1
    assert out.splitlines()[0].endswith("(your loss; phase 1 forward; 1 of 1 entry differs)")

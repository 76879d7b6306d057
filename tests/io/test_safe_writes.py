"""Saves keep the file's mode, write through links, never leave a temporary file, and a command's
outputs appear all together or not at all."""
import os
import stat

import pytest

from lstmviz.io import ScenarioError, load_scenario, save_scenario
from lstmviz.io.atomic import Outputs, atomic_writer


@pytest.fixture
def scenario():
    return load_scenario("calculator-lstm")


def listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_save_keeps_the_mode_and_a_new_file_follows_the_umask(scenario, tmp_path):
    target = tmp_path / "s.json"
    old = os.umask(0o022)
    try:
        save_scenario(scenario, target)
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.chmod(0o640)
        save_scenario(scenario, target)
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_a_save_writes_through_a_symlink_and_keeps_hard_links(scenario, tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    save_scenario(scenario, link)
    assert link.is_symlink() and load_scenario(real).name == scenario.name
    other = tmp_path / "other.json"
    os.link(real, other)
    scenario.name = "renamed"
    save_scenario(scenario, real)
    assert load_scenario(other).name == "renamed" and real.stat().st_nlink == 2
    assert listing(tmp_path) == ["link.json", "other.json", "real.json"]


def test_no_temporary_file_is_visible_while_writing_and_stale_ones_are_swept(tmp_path):
    target = tmp_path / "t.json"
    (tmp_path / ".t.json.lstmviz-999999999.tmp").write_text("left by a killed save")
    with atomic_writer(target) as f:
        f.write(b"part")
        assert listing(tmp_path) == []  # the new content has no name until it is complete
    assert target.read_bytes() == b"part" and listing(tmp_path) == ["t.json"]


def test_a_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "t.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_writer(target) as f:
        f.write(b"new")
        raise RuntimeError("disk trouble")
    assert target.read_text() == "old" and listing(tmp_path) == ["t.json"]


def test_outputs_appear_together_or_not_at_all(tmp_path):
    with pytest.raises(OSError, match="No space left"), Outputs() as out:
        out.write(tmp_path / "ok.npz", lambda f: f.write(b"x"))
        out.write("/dev/full", lambda f: (f.write(b"y" * 65536), f.flush()))
    assert listing(tmp_path) == []
    with Outputs() as out:
        out.write(tmp_path / "a", lambda f: f.write(b"1"))
        out.write(tmp_path / "b", lambda f: f.write(b"2"))
    assert listing(tmp_path) == ["a", "b"]


def test_only_finite_numbers_are_saved(scenario, tmp_path):
    target = tmp_path / "s.json"
    save_scenario(scenario, target)
    before = target.read_text()
    scenario.model.layers[0].params["U_f"][0, 0] = float("nan")
    with pytest.raises(ScenarioError, match=r"s.json: model.layers\[0\].params.U_f\[0\]\[0\] is nan: only finite "
                                            r"numbers are saved"):
        save_scenario(scenario, target)
    assert target.read_text() == before

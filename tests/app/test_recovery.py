"""After a crash or a kill, the next start offers the unsaved edits back (real processes)."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstmviz.app.model import Session, recovery
from lstmviz.io import load_scenario

CHILD = Path(__file__).with_name("recovery_child.py")


def child(mode: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CHILD), mode], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


def test_edits_killed_with_sigkill_are_offered_back_at_the_next_start(tmp_path):
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               QT_QPA_PLATFORM="offscreen")
    with child("edit", env) as editing:
        try:
            line = editing.stdout.readline()
            assert line.startswith("ready "), editing.stderr.read()
            recovery_file = Path(line.split(" ", 1)[1].strip())
        finally:
            editing.send_signal(signal.SIGKILL)
            editing.wait(timeout=30)
    assert editing.returncode == -signal.SIGKILL and recovery_file.exists()
    with child("start", env) as starting:
        out, err = starting.communicate(timeout=120)
    assert starting.returncode == 0, err
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    assert lines["asked"].startswith("lstmviz did not close properly. Restore “Pocket calculator (hand-designed "
                                     "LSTM)” with 3 edits, last written ")
    assert lines["asked"].endswith("The edits come back as undoable history, not yet saved.")
    assert lines["history"] == "['b_i[0] 1.00 → 0.900', 'x[4, 0] 0 → 2.00', 'gradient full → cec']"
    assert lines["b_i"] == "0.9 mode: cec" and lines["title"].startswith("*")
    assert not recovery_file.exists()  # taken over by the new session, which removed its own on a clean exit
    assert list((tmp_path / "state" / "lstmviz" / "recovery").iterdir()) == []


def test_restore_replays_the_history_and_its_undone_part(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    s = Session(load_scenario("peephole-lstm"))
    doc = s.document
    doc.set_entry("l1/U_o", (1, 0), -0.25)
    doc.set_layer_option(0, "cell_output_activation", "linear")
    doc.set_training("η", learning_rate=0.2, clip_norm=1.5)
    s.playback.descend()
    s.history.undo()
    path = recovery.own_file()
    recovery.write(s, path)
    found = recovery.read(path)
    assert found.edits == 3 and "“Two-layer peephole LSTM" in found.describe()
    again = Session(load_scenario("calculator-lstm"))
    recovery.restore(again, found)
    assert again.history.count() == 4 and again.history.index() == 3
    for key in doc.trace:
        np.testing.assert_array_equal(again.document.trace[key], doc.trace[key], err_msg=key)
    again.history.redo()
    s.history.redo()
    assert again.playback.epoch == s.playback.epoch == 2
    np.testing.assert_array_equal(again.document.trace["grad/l0/W_i"], doc.trace["grad/l0/W_i"])


def test_files_of_running_sessions_and_unreadable_ones_are_not_offered(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    folder = recovery.recovery_dir()
    folder.mkdir(parents=True)
    (folder / "session-999999999.npz").write_bytes(b"not a zip")
    s = Session(load_scenario("calculator-lstm"))
    s.document.set_entry("l0/b_i", (0,), 0.9)
    recovery.write(s, recovery.own_file())  # this process runs: not stale
    assert recovery.stale() == []
    with pytest.raises(ValueError):
        recovery.read(folder / "session-999999999.npz")

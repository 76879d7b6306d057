"""What each command imports, in a fresh interpreter: the commands other than the window never import Qt or
pyqtgraph; the window does not import the panels that are made when their tab first comes up, nor the other
commands' code."""
import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from lstmviz.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""
QT = ("PySide6", "shiboken6", "pyqtgraph")
MADE_ON_SHOW = ("lstmviz.app.widgets.cost_lag_panel", "lstmviz.app.widgets.routes_panel",
                "lstmviz.app.widgets.sensitivity_panel")


def run(*args: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("command", [
    ("trace", "calculator-lstm", "--out", "{tmp}/trace.npz"),
    ("gradcheck", "stacked-lstm", "--max-entries", "3"),
    ("analyze", "calculator-lstm", "--lags", "3"),
    ("weights", "export", "stacked-lstm", "{tmp}/weights.npz", "--layout", "pytorch"),
    ("presets",),
], ids=lambda c: c[0])
def test_commands_without_a_window_import_no_qt(tmp_path, command):
    result = run(*(a.format(tmp=tmp_path) for a in command))
    assert result["code"] == 0
    qt = [m for m in result["modules"] if m.split(".")[0] in QT]
    assert qt == []
    assert "lstmviz.core" in result["modules"]  # the probe saw the command's own imports


def test_the_window_imports_the_panels_made_on_show_only_when_shown(tmp_path):
    result = run("gui", "calculator-lstm", "--screenshot", str(tmp_path / "window.png"))
    assert result["code"] == 0 and (tmp_path / "window.png").stat().st_size > 10_000
    assert "PySide6.QtWidgets" in result["modules"] and "lstmviz.app.widgets.plots" in result["modules"]
    assert [m for m in MADE_ON_SHOW if m in result["modules"]] == []
    assert "lstmviz.cli.commands" not in result["modules"]  # the other commands' code

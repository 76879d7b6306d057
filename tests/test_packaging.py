"""The wheel ships the presets and icons; main.py stays three lines."""
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_resources_and_console_script(tmp_path):
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                          "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    wheel = next(tmp_path.glob("lstmviz-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "lstmviz = lstmviz.cli:main" in z.read(entry_points).decode()
    presets = {p.name for p in (ROOT / "resources" / "presets").glob("*.json")}
    assert presets and {f"lstmviz/resources/presets/{p}" for p in presets} <= names
    assert "lstmviz/core/forward.py" in names
    assert not any(n.startswith("tests/") for n in names)


def test_main_py_is_three_lines():
    lines = (ROOT / "main.py").read_text().strip().splitlines()
    assert len(lines) == 3 and "lstmviz.cli" in lines[0]

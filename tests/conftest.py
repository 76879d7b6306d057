import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ["QT_QPA_PLATFORM"] == "offscreen":  # a 1920×1080 screen, as in a lecture hall (default: 800×800)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={Path(__file__).parent / 'screen-1920x1080.json'}"
sys.path.insert(0, str(Path(__file__).parent))
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="lstmviz-state-")  # recovery files of the tests

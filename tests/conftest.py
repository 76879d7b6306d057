import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="lstmviz-state-")  # recovery files of the tests

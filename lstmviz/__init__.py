"""lstmviz: a visual debugger for LSTMs."""
from .core import compute
from .io import load_scenario, save_scenario

__version__ = "0.1.0"
__all__ = ["compute", "load_scenario", "save_scenario", "__version__"]

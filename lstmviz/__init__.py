"""lstmviz: a visual debugger for LSTMs."""
from .app.show import show
from .core import compute
from .io import load_scenario, save_scenario, scenario_from_torch
from .io.yours import check_arrays

__version__ = "0.1.0"
__all__ = ["check_arrays", "compute", "load_scenario", "save_scenario", "scenario_from_torch", "show", "__version__"]

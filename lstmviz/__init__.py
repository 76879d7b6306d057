"""lstmviz: a visual debugger for LSTMs."""
from .app.show import show
from .app.style import course_name
from .core import compute
from .io import load_scenario, save_scenario, scenario_from_torch
from .io.yours import Report
from .io.yours import check_arrays as _check_arrays

__version__ = "0.1.0"
__all__ = ["check_arrays", "compute", "load_scenario", "save_scenario", "scenario_from_torch", "show", "__version__"]


def check_arrays(scenario, arrays, mapping=None, **options) -> Report:
    """:func:`lstmviz.io.yours.check_arrays` (docs/check-arrays.md) with the report's text in the course's
    names (``δc (l0/delta_c)``, ``dE/dW_c̃``) unless ``name=`` says otherwise; the same keyword options
    (rtol, atol, gradient, trace, name)."""
    options.setdefault("name", course_name)
    return _check_arrays(scenario, arrays, mapping, **options)

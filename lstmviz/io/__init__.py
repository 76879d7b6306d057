"""File formats, presets and resources: Qt-free, beside the core."""
from .errors import BadInput, ScenarioError, UsageError
from .presets import list_presets, resolve_scenario
from .scenario import load_scenario
from .scenario_writer import save_scenario, scenario_to_dict
from .torch_import import scenario_from_torch

__all__ = ["BadInput", "ScenarioError", "UsageError", "list_presets", "load_scenario", "resolve_scenario",
           "save_scenario", "scenario_from_torch", "scenario_to_dict"]

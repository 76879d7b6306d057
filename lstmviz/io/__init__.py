"""File formats, presets and resources: Qt-free, beside the core."""
from .presets import list_presets, resolve_scenario
from .scenario import ScenarioError, load_scenario, save_scenario, scenario_to_dict

__all__ = ["ScenarioError", "list_presets", "load_scenario", "resolve_scenario", "save_scenario", "scenario_to_dict"]

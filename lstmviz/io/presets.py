"""The presets shipped in ``resources/presets`` and the resolution of a SCENARIO argument."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ScenarioError

DEFAULT_PRESET = "calculator-lstm"


def resources_dir() -> Path:
    """``resources/``: inside the installed package (wheel) or at the repository root (editable)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "resources", here.parent / "resources"):
        if (candidate / "presets").is_dir():
            return candidate
    raise FileNotFoundError("lstmviz resources not found (broken installation)")


def presets_dir() -> Path:
    return resources_dir() / "presets"


@dataclass(frozen=True)
class PresetInfo:
    key: str          # file stem, what the command line and the menus use
    title: str        # the scenario's name
    description: str  # its short paragraph
    path: Path

    @property
    def summary(self) -> str:
        """The first sentence of the description: one line for listings."""
        first = self.description.split(". ")[0].strip()
        return first if first.endswith(".") else first + "."


def list_presets() -> list[PresetInfo]:
    out = []
    for path in sorted(presets_dir().glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        out.append(PresetInfo(path.stem, doc.get("name", path.stem), doc.get("description", ""), path))
    order = {DEFAULT_PRESET: 0}
    return sorted(out, key=lambda p: (order.get(p.key, 1), p.key))


def resolve_scenario(spec: str) -> Path:
    """A SCENARIO argument: an existing file, else the name of a preset."""
    path = Path(spec)
    if path.is_file():
        return path
    preset = presets_dir() / f"{spec}.json"
    if "/" not in spec and preset.is_file():
        return preset
    if os.path.lexists(path):
        try:
            path.stat()
        except OSError as e:  # a broken link, a loop of links, no permission on the way
            raise ScenarioError(spec, None, f"cannot be read: {e.strerror}") from None
        raise ScenarioError(spec, None, "is not a regular file")
    names = ", ".join(p.key for p in list_presets())
    raise ScenarioError(spec, None, f"no such file or preset (presets: {names})")

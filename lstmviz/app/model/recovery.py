"""Recovery after a crash (Qt-free): the open document and its undo history, written to a file in the
user's state directory, and read back.

A recovery file holds the scenario as it was when the history began (as opened), every command of the
history as data (what it set, and what it replaced), and how many of them were applied. Restoring
replays the commands on that scenario and undoes the ones that were undone, so the document, its
history and the epochs come back as they were. Restore into a session that nothing observes yet (at
start-up, before the window). Each running window writes ``session-PID.npz``; a
file whose process no longer runs is what the next start offers to restore.
"""
from __future__ import annotations

import io
import json
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...core.model import Watch
from ...core.modes import parse_mode
from ...io.atomic import atomic_writer, process_running
from ...io.scenario import loads_scenario
from ...io.scenario_writer import dumps_scenario
from .commands import Descend, SetArrays, SetLayer, SetMode, SetTraining, SetWatches, Train
from .history import Command

FORMAT = "lstmviz.recovery"
VERSION = 1


def recovery_dir() -> Path:
    """``$XDG_STATE_HOME/lstmviz/recovery`` (``~/.local/state/lstmviz/recovery`` by default)."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "lstmviz" / "recovery"


def own_file(folder: Path | None = None) -> Path:
    return (folder or recovery_dir()) / f"session-{os.getpid()}.npz"


@dataclass
class Recovery:
    path: Path
    name: str            # the scenario's name
    file: str | None     # where it was opened from or last saved
    saved_at: float      # seconds since the epoch
    edits: int           # commands applied
    meta: dict
    arrays: dict[str, np.ndarray]

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        where = f" ({self.file})" if self.file else ""
        return f"“{self.name}”{where} with {self.edits} edit{'s' * (self.edits != 1)}, last written {when}"


# -- writing -----------------------------------------------------------------------------------------------
def write(session, path: Path) -> None:
    """The session's document and history, atomically; nothing is written for an empty history."""
    meta, arrays = capture(session)
    write_captured(meta, arrays, path)


def capture(session) -> tuple[dict, dict[str, np.ndarray]]:
    """What a recovery file holds, copied now (so that it can be written on another thread)."""
    doc = session.document
    history = doc.history
    arrays: dict[str, np.ndarray] = {}
    records = [_record(command, f"c{i}", arrays) for i, command in enumerate(history.commands())]
    meta = {"format": FORMAT, "version": VERSION, "saved_at": time.time(), "name": doc.name,
            "path": str(doc.path) if doc.path else None, "origin": dumps_scenario(doc.origin),
            "commands": records, "index": history.index(), "pid": os.getpid()}
    return meta, arrays


def write_captured(meta: dict, arrays: dict[str, np.ndarray], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta.json", json.dumps(meta))
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            z.writestr(f"{name}.npy", buffer.getvalue())


def _record(command: Command, prefix: str, arrays: dict[str, np.ndarray]) -> dict:
    """A command as data; its arrays go into ``arrays`` under names starting with ``prefix``."""
    def put(kind: str, values: dict[str, np.ndarray]) -> list[str]:
        keys = list(values)
        for n, key in enumerate(keys):
            arrays[f"{prefix}.{kind}.{n}"] = values[key]
        return keys

    record: dict = {"text": command.text}
    if isinstance(command, Train):
        record.update(type="train", keys=put("new", command.new), losses=command.run)
    elif isinstance(command, Descend):
        record.update(type="descend", keys=put("new", command.new))
    elif isinstance(command, SetArrays):
        record.update(type="arrays", keys=put("new", command.new))
        put("old", command.old)
    elif isinstance(command, SetLayer):
        record.update(type="layer", n=command.n, option=command.option, value=command.value)
    elif isinstance(command, SetMode):
        record.update(type="mode", mode=str(command.new))
    elif isinstance(command, SetWatches):
        record.update(type="watches", watches=[vars(w) for w in command.new])
    elif isinstance(command, SetTraining):
        record.update(type="training", changes={k: list(v) if isinstance(v, tuple) else v
                                                for k, v in command.changes.items()})
    else:
        raise TypeError(f"no recovery record for {type(command).__name__}")
    return record


# -- reading and restoring ------------------------------------------------------------------------------------
def stale(folder: Path | None = None) -> list[Recovery]:
    """Recovery files of sessions that no longer run, newest first (unreadable ones are skipped)."""
    folder = folder or recovery_dir()
    found = []
    for path in sorted(folder.glob("session-*.npz")) if folder.is_dir() else []:
        pid = path.stem.removeprefix("session-")
        if pid.isdigit() and process_running(int(pid)):
            continue
        try:
            found.append(read(path))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError):
            continue
    return sorted(found, key=lambda r: -r.saved_at)


def read(path: Path) -> Recovery:
    with np.load(path, allow_pickle=False) as z:
        arrays = {name: np.array(z[name]) for name in z.files if name != "meta.json"}
    with zipfile.ZipFile(path) as z:
        meta = json.loads(z.read("meta.json"))
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise ValueError(f"{path}: not a recovery file this lstmviz reads")
    return Recovery(path, meta["name"], meta["path"], meta["saved_at"], meta["index"], meta, arrays)


def restore(session, recovery: Recovery) -> None:
    """Replace the session's document by the recovered one, its history replayed (unsaved)."""
    meta, arrays = recovery.meta, recovery.arrays
    scenario = loads_scenario(meta["origin"], str(recovery.path))
    session.replace(scenario, Path(meta["path"]) if meta["path"] else None)
    history = session.document.history
    for i, record in enumerate(meta["commands"]):
        history.push(_command(session, record, f"c{i}", arrays))
    for _ in range(len(meta["commands"]) - meta["index"]):
        history.undo()
    session.announce()


def _command(session, record: dict, prefix: str, arrays: dict[str, np.ndarray]) -> Command:
    doc, playback = session.document, session.playback

    def get(kind: str, keys: list[str]) -> dict[str, np.ndarray]:
        return {key: arrays[f"{prefix}.{kind}.{n}"] for n, key in enumerate(keys)}

    kind = record["type"]
    if kind == "arrays":
        return SetArrays(doc, get("new", record["keys"]), record["text"], old=get("old", record["keys"]))
    if kind == "descend":
        return Descend(doc, playback, get("new", record["keys"]))
    if kind == "train":
        return Train(doc, playback, get("new", record["keys"]), record["losses"])
    if kind == "layer":
        return SetLayer(doc, record["n"], record["option"], record["value"])
    if kind == "mode":
        return SetMode(doc, parse_mode(record["mode"]))
    if kind == "watches":
        return SetWatches(doc, [Watch(**w) for w in record["watches"]], record["text"])
    if kind == "training":
        changes = {k: tuple(v) if isinstance(v, list) else v for k, v in record["changes"].items()}
        return SetTraining(doc, record["text"], **changes)
    raise ValueError(f"unknown command {kind!r} in a recovery file")

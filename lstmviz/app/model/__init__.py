"""The application model, Qt-free: the document with its undoable commands, playback and view state.

``Session`` holds one of each; widgets observe their events and never compute gradients themselves.
See docs/architecture.md for the path of an edit.
"""
from .comparison import BEFORE_EDIT, Comparison, Snapshot
from .document import Document
from .history import Command, History
from .phases import Playhead
from .playback import Playback
from .quantities import NodeRef, parse_node
from .session import Session
from .view_state import ViewState

__all__ = ["BEFORE_EDIT", "Command", "Comparison", "Document", "History", "NodeRef", "Playback", "Playhead",
           "Session", "Snapshot", "ViewState", "parse_node"]

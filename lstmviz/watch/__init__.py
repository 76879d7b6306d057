"""Watch expressions over a trace: a safe evaluator, derivation checks and breakpoints (Qt-free)."""
from .evaluator import Value, WatchError, evaluate, parse

__all__ = ["Value", "WatchError", "evaluate", "parse"]

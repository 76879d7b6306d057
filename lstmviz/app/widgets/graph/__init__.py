"""The graph panel: the unrolled graph and its colour legend."""
from .legend import LegendBar
from .view import MIN_READABLE_ZOOM, GraphView

__all__ = ["MIN_READABLE_ZOOM", "GraphView", "LegendBar"]

"""The engine: pure NumPy, never imports Qt.

model (plain data) → forward → backward (ε, δ, gradients under a gradient mode) → trace;
rtrl computes the same gradients forward in time; gradcheck verifies them by finite differences.
"""
from .activations import ACTIVATIONS, on_kink
from .gradcheck import GradcheckReport, gradcheck
from .model import GATES, Data, Head, LSTMLayer, Model, RNNLayer, Scenario, Training
from .modes import GradientMode, parse_mode
from .rtrl import MAX_SENSITIVITY_ENTRIES, RTRLTooLarge
from .trace import ALGORITHMS, Trace, compute

__all__ = [
    "ACTIVATIONS", "ALGORITHMS", "GATES", "MAX_SENSITIVITY_ENTRIES", "Data", "GradcheckReport", "GradientMode",
    "Head", "LSTMLayer", "Model", "RNNLayer", "RTRLTooLarge", "Scenario", "Trace", "Training", "compute",
    "gradcheck", "on_kink", "parse_mode",
]

"""How things look and what they are called: colours, fonts, sizes, the lane order and the names of
quantities and phases. The one place that defines them.

Plain data (hex strings, point sizes), no Qt imports, so that the Qt-free application model can use
the lane order and the names too. Numbers are formatted in :mod:`lstmviz.app.numbers`.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..core.keys import Key
from ..core.phases import Phase

# -- lanes -----------------------------------------------------------------------------------------
# Lanes of one LSTM layer, top to bottom on screen; each is (pre-activation, value) or (None, value).
LSTM_LANES = (("a_o", "o"), (None, "h"), (None, "c"), ("a_g", "g"), ("a_f", "f"), ("a_i", "i"))
RNN_LANES = (("a", "h"),)
HEAD_LANES = ("loss", "y", "y_hat")  # above the top layer, top to bottom
INPUT_LANE = "x"                      # below the bottom layer

# -- names of quantities and phases ------------------------------------------------------------------
# The course's symbols (002 for the slides' presets, 001's v for a linear head). The candidate is c̃
# everywhere (the engine's g). An RNN layer's only pre-activation, the engine's ``a``, is what the
# slides call the excitation c[t] (slide 13 gives the RNN's excitation and the LSTM's cell one letter);
# ``a`` names nothing else, so this one table serves every kind of layer.
LABELS = {"x": "x", "y_hat": "ŷ", "y": "y", "loss": "E", "g": "c̃", "a_g": "a_c̃",
          "i": "i", "f": "f", "o": "o", "c": "c", "h": "h", "a": "c",
          "a_i": "a_i", "a_f": "a_f", "a_o": "a_o"}
LANE_HELP = {
    "x": "x[t]: the input at step t", "y": "y[t]: the target at step t", "y_hat": "ŷ[t]: the network's output",
    "loss": "E[t]: the loss of step t (E is their sum)",
    "i": "i[t]: the input gate (how much of c̃[t] enters the cell)",
    "f": "f[t]: the forget gate (how much of c[t−1] the cell keeps)",
    "o": "o[t]: the output gate (how much of the cell h[t] shows)",
    "g": "c̃[t]: the candidate, what the cell may add",
    "c": "c[t] = f[t]·c[t−1] + i[t]·c̃[t]: the cell state", "h": "h[t]: the hidden state, the layer's output",
    "a": "c[t] = w·x[t] + u·h[t−1] + b: the RNN's excitation, h[t] = σ(c[t]) (trace key a)",
    "a_i": "a_i[t]: the input gate's pre-activation", "a_f": "a_f[t]: the forget gate's pre-activation",
    "a_o": "a_o[t]: the output gate's pre-activation", "a_g": "a_c̃[t]: the candidate's pre-activation",
}
# δ of the head's nodes: a linear head's δv = dE/dv (001's ∂J/∂v); an identity head's ŷ = h carries the
# course's ε (nothing but E[t] depends on ŷ[t], so the partial is the total), see :func:`delta_label`.
DELTA_LABELS = {"y_hat": "δv", "loss": "δE", "x": "δx"}
IDENTITY_HEAD_DELTA = "εŷ"
EPS_PREFIX = "ε"  # a lane's ε (the trace's eps_h): εh, the error arriving from the same step only
# Parameters whose course letter differs from the file's: 001 writes the output layer v = W_v·h + b_v.
SYMBOLS = {"W_y": "W_v", "b_y": "b_v"}
PHASE_SHORT = {Phase.FORWARD: "forward", Phase.SYNC: "ε", Phase.BPTT: "BPTT δ", Phase.GRAD: "dE/dw",
               Phase.DESCENT: "descent"}
PHASE_NAMES = {Phase.FORWARD: "Forward propagation", Phase.SYNC: "Synchronous backprop (ε)",
               Phase.BPTT: "Back-propagation through time (δ)", Phase.GRAD: "Weight gradient",
               Phase.DESCENT: "Gradient descent"}


def label(var: str) -> str:
    """How a lane is named on screen: the course's symbol, or w1, w2… for watches."""
    if var.startswith("watch:"):
        return f"w{int(var.split(':', 1)[1]) + 1}"
    return LABELS.get(var, var)


def delta_label(var: str, identity_head: bool = False) -> str:
    """The name of a node's δ: ``δc``, ``δc̃``, ``δv`` (ŷ of a linear head), ``εŷ`` (ŷ of an identity head)."""
    if var == "y_hat" and identity_head:
        return IDENTITY_HEAD_DELTA
    return DELTA_LABELS.get(var, "δ" + LABELS.get(var, var))


# -- names of parameters and entries: the course's letters first, the file's key as a detail ----------------
KINDS = {"W": "input weights", "U": "recurrent weights", "b": "bias", "p": "peephole", "h0": "initial h",
         "c0": "initial c", "x": "input sequence", "y": "targets", "mask": "mask (which steps are scored)"}


def symbol(name: str) -> str:
    """A parameter's name in the course's letters: ``W_g`` → ``W_c̃``, ``b_i`` → ``b_i``, ``U`` → ``U``,
    ``W_y`` → ``W_v``."""
    if name in SYMBOLS:
        return SYMBOLS[name]
    base, _, sub = name.partition("_")
    return base + (f"_{LABELS.get(sub, sub)}" if sub else "")


def entry_name(key: str, index: tuple[int, ...]) -> str:
    """One entry of an editable array: ``W_c̃[1, 0]``, ``b_i[0]``; data rows are steps, counted from 1
    as in the course (``x[4, 0]`` is step 4)."""
    k = Key.parse(key)
    if k.is_data:
        index = (index[0] + 1,) + tuple(index[1:])
    return f"{symbol(k.name)}[{', '.join(str(i) for i in index)}]"


def where(key: str) -> str:
    """``layer 0``, ``head``, ``data``."""
    k = Key.parse(key)
    return "data" if k.is_data else ("head" if k.is_head else f"layer {k.layer}")


def key_title(key: str) -> str:
    """An array as the panels list it: ``W_c̃ · layer 0 (input weights) — l0/W_g``."""
    k = Key.parse(key)
    what = KINDS.get(k.kind, KINDS.get(k.name, ""))
    return f"{symbol(k.name)} · {where(key)}" + (f" ({what})" if what else "") + f" — {key}"


def course_name(key: str) -> str:
    """A trace key in the course's letters: ``l0/delta_c`` → ``δc``, ``l0/g`` → ``c̃``, ``l0/eps_h`` → ``εh``,
    ``grad/l0/W_g`` → ``dE/dW_c̃``, ``dx`` → ``δx``, ``loss_t`` → ``E[t]`` (the check of their arrays
    names quantities so)."""
    k = Key.parse(key)
    if k.grad:
        return "dE/d" + symbol(k.name)
    if k.name.startswith("delta_"):
        return delta_label(k.name.removeprefix("delta_"))
    if k.name.startswith("eps_"):
        return EPS_PREFIX + label(k.name.removeprefix("eps_"))
    if k.name == "dx":
        return delta_label("x")
    if k.name == "loss_t":
        return label("loss") + "[t]"
    return label(k.name)


# -- colour maps and graph themes ----------------------------------------------------------------------
# Diverging colour map (blue − white − red), colour-blind safe, light at zero: (position, hex).
DIVERGING = ((0.0, "#2166ac"), (0.25, "#67a9cf"), (0.5, "#f7f7f7"), (0.75, "#ef8a62"), (1.0, "#b2182b"))
# Sequential, colour-blind safe and monotonic in lightness (cividis): survives greyscale and projectors.
CIVIDIS = ((0.0, "#00204c"), (0.25, "#414d6b"), (0.5, "#7c7b78"), (0.75, "#bcaf6f"), (1.0, "#ffe945"))
COLOUR_MAPS = {"diverging": DIVERGING, "cividis": CIVIDIS}

# Graph themes: background, layer bands, node border, text, edges, border width, edge width factor.
THEMES = {
    "light": {"background": "#ffffff", "bands": ("#f4f6fa", "#fbfaf4"), "border": "#5a5a5a", "text": "#1a1a1a",
              "layer_text": "#6b6b6b", "edge": "#7f7f7f", "edge_cut": "#c8c8c8",
              "border_width": 1.0, "edge_width": 1.0},
    "contrast": {"background": "#ffffff", "bands": ("#eef0f5", "#f7f5ea"), "border": "#000000", "text": "#000000",
                 "layer_text": "#404040", "edge": "#303030", "edge_cut": "#9a9a9a",
                 "border_width": 2.0, "edge_width": 2.0},
    "dark": {"background": "#15171c", "bands": ("#1f232b", "#24221c"), "border": "#c8c8c8", "text": "#f0f0f0",
             "layer_text": "#a8adb5", "edge": "#9aa0aa", "edge_cut": "#4a4e56",
             "border_width": 1.5, "edge_width": 1.5},
}

# -- colours ------------------------------------------------------------------------------------------
TEXT = "#1a1a1a"
TEXT_DIM = "#808080"
TEXT_ON_DARK = "#ffffff"   # numbers on a dark node
HEADING = "#555555"        # the inspector's section titles
LINK = "#1f5fa8"
KINK = "#d95f02"           # kinks, notes and refusals
SELECTION = "#ffb000"
DIFFERS = "#d1007a"          # their arrays differ here (Check my arrays): magenta, not the selection's orange
AGREES = "#1b7837"           # their arrays agree
CURRENT = "#1f78b4"        # the step computed last; the current phase
ASKED = "#e7298a"          # the node the quiz asks to predict
NOT_COMPUTED = "#d9d9d9"   # future values: hatched grey
HATCH = "#b0b0b0"
NO_VALUE = "#f0f0f0"       # a node with nothing to show (a target in the backward view)
NON_FINITE = "#000000"
FLOW = "#6a3d9a"           # gradient flow in the backward view
GRADIENT = "#1b9e77"       # a weighted edge's term of dE/dw (phase 4 on)
LEGEND_FRAME = "#777777"
EXPORT_BACKGROUND = "#ffffff"
TOUR_BACKGROUND = "#fffbe6"  # the guided tour's bubble
PHASE_DONE = "#dfe9f3"
PHASE_TODO = "#f2f2f2"

PLOT_BACKGROUND = "#ffffff"
PLOT_VALUE = "#1f78b4"
PLOT_DELTA = "#b2182b"
PLOT_EPS = "#6a3d9a"
PLOT_CELL = "#33a02c"
PLOT_LOSS = "#7f7f7f"
PLOT_PINNED = "#9e9e9e"    # the compared snapshot, dashed
PLOT_EPOCHS = "#33a02c"
PLOT_ZERO = "#c8c8c8"

# -- the two highways (Routes panel): one colour per route of core.routes.ROUTES (Okabe–Ito, colour-blind safe)
ROUTE_COLOURS = {"now": "#999999", "highway": "#009e73", "i": "#0072b2", "f": "#e69f00", "o": "#cc79a7",
                 "g": "#d55e00", "h": "#56b4e9"}
ROUTE_NAMES = {"now": "same step", "highway": "cell highway (× f)", "i": "via i", "f": "via f", "o": "via o",
               "g": "via c̃", "h": "via h"}

# -- fonts and sizes -------------------------------------------------------------------------------------
FONT_FAMILY = "DejaVu Sans"
MATH_FAMILY = "DejaVu Serif"  # variable names and equations; it also places the tilde of c̃ correctly
FONT_POINTS = 10           # node numbers and labels at zoom 1
EQUATION_POINTS = 13       # the inspector's equations

@dataclass(frozen=True)
class Geometry:
    """Sizes of the unrolled graph in scene units (pixels at zoom 1) and of the text around it."""

    node_w: float
    node_h: float
    slot_gap: float     # between a pre-activation and its value, side by side
    column_gap: float   # between time steps
    row_h: float
    layer_gap: float
    number_px: float    # node numbers at zoom 1
    label_px: float     # lane names and step numbers, in the margins (not zoomed)
    split: bool         # pre-activations on a row of their own, under their value (one node per column)


NORMAL = Geometry(62, 30, 14, 46, 52, 40, number_px=13, label_px=15, split=False)
# The lecture hall: twelve steps side by side across 1920 px with numbers 29 px tall.
PRESENTING = Geometry(126, 40, 0, 22, 46, 14, number_px=29, label_px=30, split=True)
MIN_NUMBER_PX = 8.5        # smaller than this on screen, nodes are drawn as a heat strip without numbers

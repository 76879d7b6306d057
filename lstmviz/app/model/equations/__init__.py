"""Why a number is what it is: each node's equation with its numbers, and its δ as a sum of terms (Qt-free).

Course notation (002 for the slides' presets, 001 for the vectorised ones), t 1-based (t = 1 reads the initial
state as h[0], c[0]). One derivative notation: σ̇(z) is the slope of whatever activation z goes through (the
gate's for a_i, the candidate's for a_c̃, the cell output's for c), taken as 0 on a CReLU/ReLU kink. The
candidate is c̃ everywhere (the engine's g). For layer l with gates k ∈ {i, o, f, c̃} (slide 52's order):

Forward
    a_k[t] = w_k·x[t] + u_k·h[t−1] + b_k   (+ p_k·c[t−1] for i, f and + p_o·c[t] with peepholes)
    i/f/o[t] = σ(a[t]),  c̃[t] = σ_c̃(a_c̃[t]),  c[t] = f[t]·c[t−1] + i[t]·c̃[t],  h[t] = o[t]·σ_out(c[t])
      (the slides' forget-gate RNN, i = o = 1 and c̃ = x: c[t] = x[t] + f[t]·h[t−1])
    RNN:  the excitation c[t] = w·x[t] + u·h[t−1] + b (trace key a; c[t] = x[t] + u·h[t−1] for the slides'
          one-node RNN),  h[t] = σ_h(c[t])
    head: ŷ[t] = h[t] or W_v·h[t] + b_v (001's v; the file's W_y, b_y), softmax(v[t]) for softmax_xent
          E[t] = ½·m[t]·(ŷ[t] − y[t])²  or  −m[t]·log ŷ[t][y[t]]

Backward: each δ is listed as the terms that add up to it (the slides' five δ's are δh, δc, δi, δo, δf)
    δh[t]  = εh[t] (top layer) or Σ_k W_kᵀ·δa_k[t] of the layer above
             + δi[t+1]·σ̇(a_i[t+1])·u_i + δo[t+1]·σ̇(a_o[t+1])·u_o + δf[t+1]·σ̇(a_f[t+1])·u_f
             + δc[t+1]·i[t+1]·σ̇(a_c̃[t+1])·u_c̃            (matrices: U_kᵀ·δa_k[t+1])
    δc[t]  = δh[t]·o[t]·σ̇(c[t]) + δa_o[t]·p_o + δc[t+1]·f[t+1] + δa_i[t+1]·p_i + δa_f[t+1]·p_f
    δo[t]  = δh[t]·σ_out(c[t]),  δi[t] = δc[t]·c̃[t],  δf[t] = δc[t]·c[t−1]
    δc̃[t] = δc[t]·i[t]   (an extra of the app, marked in the inspector: the slides fold it into δh)
    δa_k[t] = δk[t]·σ̇(a_k[t]),  δa_c̃[t] = δc[t]·i[t]·σ̇(a_c̃[t])
    RNN (top layer): εc[t] = ∂E/∂c[t] = εh[t]·σ̇(c[t]),  δc[t] = εc[t] + u·δc[t+1]·σ̇(c[t])
         (a lower layer: δc[t] = δh[t]·σ̇(c[t]))
    δx[t]  = Σ_k W_kᵀ·δa_k[t] (layer 0),  δv[t] = m[t]·(ŷ[t] − y[t])  (softmax: ŷ[t] − onehot(y[t])),
             written εŷ[t] for an identity head, where it is the course's ε
    dE/dw  = Σ_t δa[t]·(what w multiplies at step t), e.g. dE/du = Σ_t δc[t]·h[t−1]

The gradient mode cuts terms (they stay listed, with value 0 and a note): ``cec`` cuts
h[t−1] → gates and the c[t−1] → i/f peepholes, ``tbptt:K`` every term arriving at the first step
of a chunk. ``window:K`` cuts a term for some costs only: the terms from step t+1 are listed whole and
followed by one with a minus sign that takes out the share of E[t+K], whose window starts at t+1
(``− u·δc[t+1] of E[t+K]``, :mod:`.window`). A 1×1 weight gets the course's scalar name (w_i, u_i, b_i);
otherwise the matrix form is shown with the unit's row. Quantities from another layer carry its number as a
superscript (h⁽⁰⁾). Every number comes from the trace and the scenario's parameters.
"""
from .explain import explain
from .terms import Explanation, Term, WeightExplanation
from .weights import entry_label, explain_weight, weights_of

__all__ = ["Explanation", "Term", "WeightExplanation", "entry_label", "explain", "explain_weight", "weights_of"]

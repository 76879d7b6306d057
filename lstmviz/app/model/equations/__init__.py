"""Why a number is what it is: each node's equation with its numbers, and its δ as a sum of terms (Qt-free).

Course notation, t 1-based (t = 1 reads the initial state as h[0], c[0]); σ̇ is an activation's
derivative, taken as 0 on a CReLU/ReLU kink. For layer l with gates k ∈ {i, f, o, c̃}:

Forward
    a_k[t] = w_k·x[t] + u_k·h[t−1] + b_k   (+ p_k·c[t−1] for i, f and + p_o·c[t] with peepholes)
    i/f/o[t] = σ(a[t]),  c̃[t] = σ_c̃(a_c̃[t]),  c[t] = f[t]·c[t−1] + i[t]·c̃[t],  h[t] = o[t]·σ_out(c[t])
    RNN:  a[t] = w·x[t] + u·h[t−1] + b,  h[t] = act(a[t])
    head: ŷ[t] = h[t] or W_y·h[t] + b_y (softmax(v[t]) for softmax_xent)
          E[t] = ½·m[t]·(ŷ[t] − y[t])²  or  −m[t]·log ŷ[t][y[t]]

Backward: each δ is listed as the terms that add up to it
    δh[t]  = εh[t] (top layer) or Σ_k W_kᵀ·δa_k[t] of the layer above    + Σ_k U_kᵀ·δa_k[t+1]
    δc[t]  = δh[t]·o[t]·σ̇_out(c[t]) + δa_o[t]·p_o + δc[t+1]·f[t+1] + δa_i[t+1]·p_i + δa_f[t+1]·p_f
    δo[t]  = δh[t]·σ_out(c[t]),  δi[t] = δc[t]·c̃[t],  δf[t] = δc[t]·c[t−1],  δc̃[t] = δc[t]·i[t]
    δa_k[t] = δk[t]·σ̇(a_k[t]);  RNN: δa[t] = δh[t]·σ̇(a[t])
    δx[t]  = Σ_k W_kᵀ·δa_k[t] (layer 0),  δv[t] = m[t]·(ŷ[t] − y[t])  (softmax: ŷ[t] − onehot(y[t]))
    dE/dw  = Σ_t δa[t]·(what w multiplies at step t)

The gradient mode cuts terms (they stay listed, with value 0 and a note): ``cec`` cuts
h[t−1] → gates and the c[t−1] → i/f peepholes, ``tbptt:K`` every term arriving at the first step
of a chunk. A 1×1 weight gets the course's scalar name (w_i, u_i, b_i); otherwise the matrix
form is shown with the unit's row. Quantities from another layer carry its number as a
superscript (h⁽⁰⁾). Every number comes from the trace and the scenario's parameters.
"""
from .explain import explain
from .terms import Explanation, Term, WeightExplanation
from .weights import explain_weight, weights_of

__all__ = ["Explanation", "Term", "WeightExplanation", "explain", "explain_weight", "weights_of"]

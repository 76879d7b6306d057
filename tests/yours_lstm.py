"""A student's LSTM for the check-arrays tests: one layer, a linear head, squared error — written from
scratch with loops over time, NOT the engine, plus three deliberate mistakes.

    a_k[t] = W_k x[t] + U_k h[t-1] + b_k      (k = i, f, o, c̃)
    i, f, o = σ(a_i), σ(a_f), σ(a_o);  c̃ = tanh(a_c̃)
    c[t] = f[t] c[t-1] + i[t] c̃[t];  h[t] = o[t] tanh(c[t])
    v[t] = W_y h[t] + b_y;  E = Σ_t m[t] · ½‖v[t] − y[t]‖²

Backward (the course's recursions): ε_h[t] = W_yᵀ m[t](v[t] − y[t]), δh[t] = ε_h[t] + Σ_k U_kᵀ δa_k[t+1],
δc[t] = δh[t] o[t] (1 − tanh²c[t]) + δc[t+1] f[t+1], δo = δh tanh c, δi = δc c̃, δf = δc c[t-1], δc̃ = δc i,
δa = δ(gate) · σ'(a), dE/dW_k = Σ_t δa_k[t] x[t]ᵀ, dE/dU_k = Σ_t δa_k[t] h[t-1]ᵀ, dE/db_k = Σ_t δa_k[t].

``mistake`` is one of None, "forgets_f" (δc without δc[t+1] f[t+1]), "transposed_U" (uses U_kᵀ for U_k),
"db_sign" (dE/db = −Σ δa). ``arrays(layout)`` writes what it computed under the trace's keys or in
the pytorch, keras or karpathy layout as docs/check-arrays.md describes them (written here by hand).
"""
from __future__ import annotations

import numpy as np

NAMES = ("i", "f", "o", "g")  # g is the candidate c̃


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class StudentLSTM:
    def __init__(self, scenario, mistake=None):
        layer, head, data = scenario.model.layers[0], scenario.model.head, scenario.data
        p = layer.params
        self.W = {k: p["W_" + k] for k in NAMES}
        self.U = {k: (p["U_" + k].T if mistake == "transposed_U" else p["U_" + k]) for k in NAMES}
        self.b = {k: p["b_" + k] for k in NAMES}
        self.Wy, self.by = head.params["W_y"], head.params["b_y"]
        self.x, self.y, self.m = data.x, data.y, data.mask
        self.h0, self.c0 = layer.h0, layer.c0
        self.mistake = mistake
        self.forward()
        self.backward()

    def forward(self):
        T, H = len(self.x), len(self.h0)
        self.a = {k: np.zeros((T, H)) for k in NAMES}
        self.gate = {k: np.zeros((T, H)) for k in NAMES}
        self.c, self.h = np.zeros((T, H)), np.zeros((T, H))
        self.v, self.E_t = np.zeros((T, len(self.by))), np.zeros(T)
        h_prev, c_prev = self.h0, self.c0
        for t in range(T):
            for k in NAMES:
                self.a[k][t] = self.W[k] @ self.x[t] + self.U[k] @ h_prev + self.b[k]
                self.gate[k][t] = np.tanh(self.a[k][t]) if k == "g" else sigmoid(self.a[k][t])
            self.c[t] = self.gate["f"][t] * c_prev + self.gate["i"][t] * self.gate["g"][t]
            self.h[t] = self.gate["o"][t] * np.tanh(self.c[t])
            self.v[t] = self.Wy @ self.h[t] + self.by
            self.E_t[t] = self.m[t] * 0.5 * np.sum((self.v[t] - self.y[t]) ** 2)
            h_prev, c_prev = self.h[t], self.c[t]
        self.E = self.E_t.sum()

    def backward(self):
        T, H = self.h.shape
        r = self.m[:, None] * (self.v - self.y)          # dE/dv
        self.eps = r @ self.Wy                            # ε_h[t] = W_yᵀ r[t], row by row
        self.dh, self.dc = np.zeros((T, H)), np.zeros((T, H))
        self.dgate = {k: np.zeros((T, H)) for k in NAMES}
        self.da = {k: np.zeros((T, H)) for k in NAMES}
        for t in reversed(range(T)):
            self.dh[t] = self.eps[t]
            if t + 1 < T:
                for k in NAMES:
                    self.dh[t] += self.U[k].T @ self.da[k][t + 1]
            tc = np.tanh(self.c[t])
            self.dc[t] = self.dh[t] * self.gate["o"][t] * (1 - tc ** 2)
            if t + 1 < T and self.mistake != "forgets_f":
                self.dc[t] += self.dc[t + 1] * self.gate["f"][t + 1]
            c_prev = self.c[t - 1] if t > 0 else self.c0
            self.dgate["o"][t] = self.dh[t] * tc
            self.dgate["i"][t] = self.dc[t] * self.gate["g"][t]
            self.dgate["f"][t] = self.dc[t] * c_prev
            self.dgate["g"][t] = self.dc[t] * self.gate["i"][t]
            for k in NAMES:
                s = self.gate[k][t]
                self.da[k][t] = self.dgate[k][t] * ((1 - s ** 2) if k == "g" else s * (1 - s))
        h_prev = np.vstack([self.h0, self.h[:-1]])
        self.dW = {k: self.da[k].T @ self.x for k in NAMES}
        self.dU = {k: self.da[k].T @ h_prev for k in NAMES}
        self.db = {k: (-1 if self.mistake == "db_sign" else 1) * self.da[k].sum(axis=0) for k in NAMES}
        self.dWy, self.dby = r.T @ self.h, r.sum(axis=0)
        self.dx = sum(self.da[k] @ self.W[k] for k in NAMES)

    # -- what the student saves ----------------------------------------------------------------------
    def arrays(self, layout=None):
        return {None: self.trace_keys, "pytorch": self.pytorch, "keras": self.keras,
                "karpathy": self.karpathy}[layout]()

    def trace_keys(self):
        out = {"x": self.x, "y_hat": self.v, "loss_t": self.E_t, "loss": np.array(self.E), "dx": self.dx,
               "l0/c": self.c, "l0/h": self.h, "l0/h0": self.h0, "l0/c0": self.c0, "l0/eps_h": self.eps,
               "l0/delta_h": self.dh, "l0/delta_c": self.dc, "grad/head/W_y": self.dWy, "grad/head/b_y": self.dby}
        for k in NAMES:
            out.update({f"l0/a_{k}": self.a[k], f"l0/{k}": self.gate[k], f"l0/delta_{k}": self.dgate[k],
                        f"l0/delta_a_{k}": self.da[k], f"grad/l0/W_{k}": self.dW[k],
                        f"grad/l0/U_{k}": self.dU[k], f"grad/l0/b_{k}": self.db[k]})
        return out

    def pytorch(self):
        order = ("i", "f", "g", "o")  # PyTorch stacks the rows i, f, g, o
        rows = lambda d: np.concatenate([d[k] for k in order])  # noqa: E731
        return {"weight_ih_l0": rows(self.W), "weight_hh_l0": rows(self.U), "bias_ih_l0": rows(self.b),
                "bias_hh_l0": np.zeros(4 * len(self.h0)), "head.weight": self.Wy, "head.bias": self.by,
                "weight_ih_l0.grad": rows(self.dW), "weight_hh_l0.grad": rows(self.dU),
                "bias_ih_l0.grad": rows(self.db), "bias_hh_l0.grad": rows(self.db),
                "head.weight.grad": self.dWy, "head.bias.grad": self.dby, "output": self.h[:, None, :]}

    def keras(self):
        order = ("i", "f", "g", "o")  # Keras's columns i, f, c, o
        cols = lambda d: np.concatenate([d[k].T for k in order], axis=1)  # noqa: E731
        return {"layer0/kernel": cols(self.W), "layer0/recurrent_kernel": cols(self.U),
                "layer0/bias": np.concatenate([self.b[k] for k in order]), "dense/kernel": self.Wy.T,
                "dense/bias": self.by, "layer0/kernel.grad": cols(self.dW),
                "layer0/recurrent_kernel.grad": cols(self.dU),
                "layer0/bias.grad": np.concatenate([self.db[k] for k in order]),
                "dense/kernel.grad": self.dWy.T, "dense/bias.grad": self.dby, "output": self.h[None]}

    def karpathy(self):
        """As the gist's cache and backward: (T, 1, ·), WLSTM rows [bias; x; h], gate columns i, f, o, g."""
        T, H = self.h.shape
        ifog = lambda d: np.concatenate([d[k] for k in NAMES], axis=1)[:, None, :]  # noqa: E731
        wlstm = lambda W, U, b: np.vstack([np.concatenate([b[k] for k in NAMES])[None],  # noqa: E731
                                           np.hstack([W[k].T for k in NAMES]), np.hstack([U[k].T for k in NAMES])])
        hin = np.concatenate([np.ones((T, 1)), self.x, np.vstack([self.h0, self.h[:-1]])], axis=1)[:, None, :]
        return {"WLSTM": wlstm(self.W, self.U, self.b), "Hin": hin, "IFOG": ifog(self.a), "IFOGf": ifog(self.gate),
                "C": self.c[:, None], "Ct": np.tanh(self.c)[:, None], "Hout": self.h[:, None],
                "c0": self.c0[None], "h0": self.h0[None], "dHout_in": self.eps[:, None],
                "dHout": self.dh[:, None], "dC": self.dc[:, None], "dIFOGf": ifog(self.dgate), "dIFOG": ifog(self.da),
                "dWLSTM": wlstm(self.dW, self.dU, self.db), "dX": self.dx[:, None]}

"""A safe evaluator for watch expressions in the course's notation.

    delta_h[t]*o[t] + delta_c[t+1]*f[t+1]      i[t]*g[t]      W_i @ x[t]
    sum(delta_c[t]*c[t-1] for t)               l1.h[t][0]     dsigmoid(a_f[t])

An expression is parsed with :mod:`ast` and only a whitelist of nodes and names is accepted: no
attribute access (``l1.h`` is a layer qualifier, nothing else), no imports, no calls but the listed
functions, no strings; numbers are float64 (so ``9**9**9`` is ``inf``, at once). Length and size are
bounded. Errors name the column of the offending part.

Values are evaluated for every step at once: a name subscripted with ``[t]``, ``[t-1]``, ``[t+1]``
(or ``[t±k]``) is a (T, n) array; at t−1 = 0 the initial state h0/c0 is read (0 for the other
quantities), beyond T the value is 0. A second subscript picks a unit. ``sum(... for t)`` sums over
the steps; ``sum(v)`` over the units. Parameters (``W_i``, ``b_f``, ``W_y``…) are constants.
Names without a layer qualifier refer to the top layer.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..core import Trace
from ..core.activations import ACTIVATIONS

MAX_LENGTH = 2000
MAX_NODES = 400
MAX_CELLS = 10_000_000  # largest array an expression may build
MAX_EXPONENT = 100
MAX_INT_DIGITS = 300     # larger integers cannot become float64
MAX_INT_BITS = 996       # ≈ 300 decimal digits
STEP_VARS = ("a_i", "a_f", "a_o", "a_g", "i", "f", "o", "g", "c", "h", "a", "delta_h", "delta_c", "delta_i",
             "delta_f", "delta_o", "delta_g", "delta_a", "delta_a_i", "delta_a_f", "delta_a_o", "delta_a_g", "eps_h")
GLOBAL_STEP_VARS = ("x", "y_hat", "y", "loss", "dx")
INITIAL = {"h": "h0", "c": "c0"}
_QUALIFIER = re.compile(r"^l(\d+)$")
_SUM_FOR_T = re.compile(r"\bfor\s+t\s*\)")


def _d(name: str):
    act = ACTIVATIONS[name]
    return lambda a: act.df(a, act.f(a))


FUNCTIONS = {
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh,
    "sigmoid": ACTIVATIONS["sigmoid"].f, "crelu": ACTIVATIONS["crelu"].f, "relu": ACTIVATIONS["relu"].f,
    "dsigmoid": _d("sigmoid"), "dtanh": _d("tanh"), "dcrelu": _d("crelu"), "drelu": _d("relu"),
}
BINARY = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide, ast.Pow: np.power}
COMPARE = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal,
           ast.Eq: np.equal, ast.NotEq: np.not_equal}


class WatchError(ValueError):
    """A refused or failing expression: ``str()`` is ``column N: what is wrong``."""

    def __init__(self, message: str, column: int | None = None):
        self.column, self.message = column, message
        super().__init__(f"column {column}: {message}" if column is not None else message)


@dataclass
class Value:
    """An evaluated expression: ``data`` is (T, …) when ``timed`` (one entry per step), else a constant."""

    data: np.ndarray
    timed: bool

    def per_step(self, T: int) -> np.ndarray:
        """(T, n): the value at every step (a constant is repeated)."""
        d = np.asarray(self.data, dtype=float)
        if not self.timed:
            d = np.broadcast_to(d, (T,) + d.shape)
        return d.reshape(T, -1)


def parse(text: str) -> ast.Expression:
    """Parse and check an expression; raise WatchError pointing at the offending column. The tree is kept
    for the text (an edit evaluates every watch again, its text unchanged): nothing may change it."""
    if not isinstance(text, str) or not text.strip():
        raise WatchError("the expression is empty")
    return _parse(text)


@lru_cache(maxsize=256)
def _parse(text: str) -> ast.Expression:
    if len(text) > MAX_LENGTH:
        raise WatchError(f"the expression is {len(text)} characters long, more than {MAX_LENGTH}")
    source = _SUM_FOR_T.sub(lambda m: m.group(0)[:-1] + " in __steps__)", text)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        raise WatchError(f"not a valid expression ({e.msg.split(';')[0]})", e.offset) from None
    except (ValueError, RecursionError, MemoryError) as e:  # a 5,000-digit literal, nesting too deep for ast
        raise WatchError(f"not a valid expression ({type(e).__name__})") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise WatchError(f"the expression has {len(nodes)} parts, more than {MAX_NODES}")
    for node in nodes:
        _check_node(node)
    return tree


def _reason(error: Exception) -> str:
    """The first line of an error, at most 80 characters."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if len(text) <= 80 else text[:79] + "…"


def _column(node: ast.AST) -> int | None:
    return getattr(node, "col_offset", -1) + 1 if hasattr(node, "col_offset") else None


ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.Call, ast.Name, ast.Constant,
           ast.Subscript, ast.Attribute, ast.GeneratorExp, ast.comprehension, ast.Load, ast.Store, ast.USub,
           ast.UAdd, ast.Not, ast.And, ast.Or, ast.MatMult, *BINARY, *COMPARE)


def _check_node(node: ast.AST) -> None:
    """Refuse anything outside the whitelist, naming the column."""
    col = _column(node)
    if not isinstance(node, ALLOWED):
        raise WatchError(f"{type(node).__name__.lower()} is not allowed in a watch expression", col)
    check = _CHECKS.get(type(node))
    if check is not None:
        check(node, col)


def _check_constant(node: ast.Constant, col) -> None:
    if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
        raise WatchError(f"only numbers may appear as constants, not {node.value!r:.30}", col)
    if isinstance(node.value, int) and node.value.bit_length() > MAX_INT_BITS:
        raise WatchError(f"a number may have at most {MAX_INT_DIGITS} digits", col)


def _check_name(node: ast.Name, col) -> None:
    if node.id.startswith("_") and node.id != "__steps__":
        raise WatchError(f"unknown name {node.id!r}", col)


def _check_attribute(node: ast.Attribute, col) -> None:
    if not (isinstance(node.value, ast.Name) and _QUALIFIER.match(node.value.id)):
        raise WatchError("attribute access is not allowed (only a layer qualifier such as l1.h)", col)


def _check_call(node: ast.Call, col) -> None:
    if isinstance(node.func, ast.Attribute):
        raise WatchError("attribute access is not allowed (only a layer qualifier such as l1.h)", col)
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS and node.func.id != "sum":
        name = node.func.id if isinstance(node.func, ast.Name) else "this"
        raise WatchError(f"{name}() is not an allowed function (allowed: sum, {', '.join(FUNCTIONS)})", col)
    if node.keywords or len(node.args) != 1:
        raise WatchError(f"{node.func.id}() takes exactly one argument", col)


def _check_power(node: ast.BinOp, col) -> None:
    if not isinstance(node.op, ast.Pow):
        return
    exponent = node.right.operand if isinstance(node.right, ast.UnaryOp) else node.right
    if isinstance(exponent, ast.BinOp) and isinstance(exponent.op, ast.Pow):
        raise WatchError("a power of a power (like 9**9**9) is not allowed", col)
    if isinstance(exponent, ast.Constant) and isinstance(exponent.value, (int, float)) \
            and abs(exponent.value) > MAX_EXPONENT:
        raise WatchError(f"an exponent may be at most {MAX_EXPONENT}", col)


def _check_generator(node: ast.GeneratorExp, col) -> None:
    gen = node.generators
    if len(gen) != 1 or gen[0].ifs or not isinstance(gen[0].target, ast.Name) or gen[0].target.id != "t" \
            or not (isinstance(gen[0].iter, ast.Name) and gen[0].iter.id == "__steps__"):
        raise WatchError("only sum(… for t) may sum over the steps", col)


_CHECKS = {ast.Constant: _check_constant, ast.Name: _check_name, ast.Attribute: _check_attribute,
           ast.Call: _check_call, ast.BinOp: _check_power, ast.GeneratorExp: _check_generator}


def evaluate(text: str | ast.Expression, trace: Trace, watches: dict[str, Value] | None = None) -> Value:
    """Evaluate an expression over every step of ``trace``; ``watches`` are other watches by name.

    Raises WatchError, with the column where it can be told, for anything that does not evaluate:
    shapes that do not match, an index that is not a whole number (1/0, 0/0), an overflow."""
    tree = parse(text) if isinstance(text, str) else text
    with np.errstate(all="ignore"):
        return _Evaluator(trace, watches or {}).eval(tree.body)


class _Evaluator:
    def __init__(self, trace: Trace, watches: dict[str, Value]):
        self.trace, self.watches = trace, watches
        self.model = trace.scenario.model
        self.T = trace.steps

    def eval(self, node: ast.AST) -> Value:
        method = getattr(self, f"_{type(node).__name__}")
        try:
            value = method(node)
        except WatchError:
            raise
        except (ArithmeticError, ValueError, TypeError, IndexError) as e:  # numpy's refusals, at this node
            raise WatchError(f"cannot be evaluated here ({_reason(e)})", _column(node)) from None
        if np.size(value.data) > MAX_CELLS:
            raise WatchError("the expression builds an array that is too large", _column(node))
        return value

    # -- leaves ----------------------------------------------------------------------------------
    def _Constant(self, node: ast.Constant) -> Value:
        return Value(np.float64(node.value), False)

    def _Name(self, node: ast.Name) -> Value:
        return self._lookup(node.id, None, node)

    def _Attribute(self, node: ast.Attribute) -> Value:
        return self._lookup(node.attr, int(_QUALIFIER.match(node.value.id).group(1)), node)

    def _lookup(self, name: str, layer: int | None, node: ast.AST) -> Value:
        col = _column(node)
        if name == "t":
            return Value(np.arange(1, self.T + 1, dtype=float)[:, None], True)  # (T, 1): broadcasts over units
        if name == "T":
            return Value(np.float64(self.T), False)
        if name in self.watches and layer is None:
            return self.watches[name]
        top = len(self.model.layers) - 1
        n = top if layer is None else layer
        if not 0 <= n <= top:
            raise WatchError(f"there is no layer {n} (layers 0 to {top})", col)
        key = self._key(name, n, col)
        if key is None:
            raise WatchError(f"unknown name {name!r}", col)
        return key

    def _key(self, name: str, n: int, col) -> Value | None:
        tr, layer = self.trace, self.model.layers[n]
        if name in GLOBAL_STEP_VARS:
            data = {"x": tr["x"], "y_hat": tr["y_hat"], "loss": tr["loss_t"], "dx": tr["dx"],
                    "y": tr.scenario.data.targets}[name]
            return Value(data.reshape(self.T, -1), True)
        if name in STEP_VARS and f"l{n}/{name}" in tr:
            return Value(tr[f"l{n}/{name}"], True)
        if name.startswith("grad_"):
            key = f"grad/l{n}/{name[5:]}" if f"grad/l{n}/{name[5:]}" in tr else f"grad/head/{name[5:]}"
            return Value(tr[key], False) if key in tr else None
        if name in layer.params:
            return Value(layer.params[name], False)
        if name in self.model.head.params:
            return Value(self.model.head.params[name], False)
        if name in ("h0", "c0") and hasattr(layer, name):
            return Value(getattr(layer, name), False)
        return None

    # -- subscripts: [t±k] then [unit] ------------------------------------------------------------
    def _Subscript(self, node: ast.Subscript) -> Value:
        base = self.eval(node.value)
        col = _column(node.slice)
        if base.timed and self._is_time_index(node.slice):
            return self._shift(node.value, base, self._offset(node.slice))
        index = self._constant_int(node.slice, col)
        data = base.data
        if base.timed:  # a unit of every step
            if data.ndim < 2 or not -data.shape[1] <= index < data.shape[1]:
                raise WatchError(f"unit {index} is out of range", col)
            return Value(data[:, index], True)
        if data.ndim < 1 or not -data.shape[0] <= index < data.shape[0]:
            raise WatchError(f"index {index} is out of range", col)
        return Value(data[index], False)

    @staticmethod
    def _is_time_index(node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id == "t"
        return (isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub))
                and isinstance(node.left, ast.Name) and node.left.id == "t" and isinstance(node.right, ast.Constant))

    @staticmethod
    def _offset(node: ast.AST) -> int:
        if isinstance(node, ast.Name):
            return 0
        k = node.right.value
        if not isinstance(k, int) or abs(k) > 100_000:
            raise WatchError("a step offset must be a whole number", _column(node))
        return k if isinstance(node.op, ast.Add) else -k

    def _constant_int(self, node: ast.AST, col) -> int:
        value = self.eval(node)
        if value.timed or np.ndim(value.data) or not np.isfinite(value.data) or float(value.data) != int(value.data):
            raise WatchError("an index must be a whole number (or t, t-1, t+1)", col)
        return int(value.data)

    def _shift(self, name_node: ast.AST, base: Value, k: int) -> Value:
        """value[t+k] for every t: the initial state before t = 1 (h0, c0; else 0), 0 beyond T."""
        data, T = base.data, self.T
        out = np.zeros_like(data, dtype=float)
        if k == 0:
            return Value(data, True)
        if k > 0:
            if k < T:
                out[:T - k] = data[k:]
            return Value(out, True)
        k = -k
        if k < T:
            out[k:] = data[:T - k]
        name = name_node.attr if isinstance(name_node, ast.Attribute) else getattr(name_node, "id", "")
        if name in INITIAL and k <= T:
            layer = self.model.layers[int(name_node.value.id[1:])] if isinstance(name_node, ast.Attribute) \
                else self.model.layers[-1]
            out[k - 1] = getattr(layer, INITIAL[name])
        return Value(out, True)

    # -- operations ---------------------------------------------------------------------------------
    def _BinOp(self, node: ast.BinOp) -> Value:
        left, right = self.eval(node.left), self.eval(node.right)
        col = _column(node)
        if isinstance(node.op, ast.MatMult):
            return self._matmul(left, right, col)
        try:  # a constant broadcasts over the steps of a timed value
            data = BINARY[type(node.op)](left.data, right.data)
        except ValueError as e:
            raise WatchError(f"shapes do not match ({e})", col) from None
        return Value(data, left.timed or right.timed)

    def _matmul(self, left: Value, right: Value, col) -> Value:
        try:
            if right.timed and not left.timed:  # W @ x[t] for every t
                return Value(np.asarray(right.data, float).reshape(self.T, -1) @ np.asarray(left.data).T, True)
            if left.timed and not right.timed:
                return Value(np.asarray(left.data, float).reshape(self.T, -1) @ np.asarray(right.data), True)
            if left.timed and right.timed:
                return Value(np.einsum("ti,ti->t", left.data.reshape(self.T, -1), right.data.reshape(self.T, -1)),
                             True)
            return Value(np.asarray(left.data) @ np.asarray(right.data), False)
        except ValueError as e:
            raise WatchError(f"@: shapes do not match ({e})", col) from None

    def _UnaryOp(self, node: ast.UnaryOp) -> Value:
        v = self.eval(node.operand)
        op = {ast.USub: np.negative, ast.UAdd: np.positive, ast.Not: np.logical_not}[type(node.op)]
        return Value(op(v.data).astype(float), v.timed)

    def _Compare(self, node: ast.Compare) -> Value:
        left = self.eval(node.left)
        result, timed = None, left.timed
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator)
            part = COMPARE[type(op)](left.data, right.data)
            result = part if result is None else np.logical_and(result, part)
            timed = timed or right.timed
            left = right
        return Value(np.asarray(result, float), timed)

    def _BoolOp(self, node: ast.BoolOp) -> Value:
        values = [self.eval(v) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        data = values[0].data
        for v in values[1:]:
            data = combine(data, v.data)
        return Value(np.asarray(data, float), any(v.timed for v in values))

    def _Call(self, node: ast.Call) -> Value:
        name = node.func.id
        arg = node.args[0]
        if name == "sum":
            if isinstance(arg, ast.GeneratorExp):
                v = self.eval(arg.elt)
                return Value(np.sum(v.data, axis=0) if v.timed else v.data * self.T, False)
            v = self.eval(arg)
            return Value(np.sum(v.data, axis=-1) if v.timed and np.ndim(v.data) > 1 else np.sum(v.data), v.timed
                         and np.ndim(v.data) > 1)
        v = self.eval(arg)
        return Value(FUNCTIONS[name](np.asarray(v.data, float)), v.timed)

    def _GeneratorExp(self, node: ast.GeneratorExp) -> Value:
        raise WatchError("… for t may only appear inside sum()", _column(node))

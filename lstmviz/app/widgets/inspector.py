"""The inspector: why a number is what it is.

For a node: its name, value, equation in the course's notation and with the numbers substituted,
its ε and δ, and the δ broken into the terms that add up to it (each a link to its node). For a
weight: dE/dw and the per-step contributions that add up to it, accumulating in phase 4.
Everything shown respects the playhead: what is not computed yet is said to be so.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QUrl
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTextBrowser

from ...core.phases import Phase
from ...core.train import clip_scale
from .. import style
from ..model.equations import Term, entry_label, explain, explain_weight, weights_of
from ..model.equations.brief import node_brief, weight_brief
from ..model.equations.notation import bracket
from ..model.graph_model import watch_index
from ..model.quantities import NodeRef
from ..model.session import Session
from ..model.yours_rows import DIFFERS, NOT_SAVED, NodeCheck, Row, node_check, weight_check
from ..numbers import fmt, fmt_precise
from ..qt.binding import LazyPanel, observe


def css(scale: float = 1.0) -> str:
    """The inspector's style sheet, every size multiplied by ``scale``."""
    return _css(lambda n: f"{n * scale:.1f}pt")


def band_css(scale: float = 1.0) -> str:
    """The lecture hall's equation band: the equation as large as the graph's numbers."""
    px = style.PRESENTING.number_px * scale
    return _css(lambda n: f"{n / style.EQUATION_POINTS * px:.0f}px")


def _css(size) -> str:
    return f"""
body {{ font-family: '{style.FONT_FAMILY}'; font-size: {size(style.FONT_POINTS + 1)}; color: {style.TEXT}; }}
.title {{ font-family: '{style.MATH_FAMILY}'; font-size: {size(style.EQUATION_POINTS + 6)}; font-weight: bold;
          margin: 2px 0 0 0; }}
h3 {{ font-size: {size(style.FONT_POINTS + 2)}; color: {style.HEADING}; margin: 14px 0 4px 0; }}
.sub {{ color: {style.TEXT_DIM}; }}
.eq {{ font-family: '{style.MATH_FAMILY}'; font-size: {size(style.EQUATION_POINTS)}; margin: 4px 0; }}
.math {{ font-family: '{style.MATH_FAMILY}'; }}
.big {{ font-size: {size(style.EQUATION_POINTS + 3)}; font-weight: bold; }}
.note {{ color: {style.KINK}; }}
.future {{ color: {style.TEXT_DIM}; font-style: italic; }}
td {{ padding: 2px 8px 2px 0; }}
.nowrap {{ white-space: nowrap; }}
a {{ color: {style.LINK}; text-decoration: none; }}
"""


def node_href(node: NodeRef) -> str:
    layer = "-" if node.layer is None else str(node.layer)
    return f"node:{layer}/{node.var}/{node.t}/{node.unit}"


def weight_href(key: str, index: tuple[int, ...]) -> str:
    return f"weight:{key}/{','.join(map(str, index))}"


class Inspector(LazyPanel, QTextBrowser):
    """Rewrites its page for new numbers or a new playhead only while on screen (behind the Weights tab, say,
    an edit costs it nothing) and catches up when its tab comes up; a new selection it shows at once."""

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setOpenLinks(False)
        self.setFont(QFont(style.FONT_FAMILY, style.FONT_POINTS + 1))
        self.compact = False
        self._shown = None
        self.document().setDefaultStyleSheet(css())
        self.anchorClicked.connect(self._on_anchor)
        doc = session.document
        observe(self, *((signal, self.refresh) for signal in (
            doc.trace_changed, session.playback.playhead_changed,
            doc.structure_changed, doc.training_changed, session.comparison.changed, session.quiz.changed,
            session.yours.changed)),
            (session.view.selection_changed, self._on_selection_change),
            (doc.watches_changed, self._on_watches_change))
        self.refresh()

    def _on_selection_change(self) -> None:
        """Something chosen (a node, a weight): its page at once, wherever the inspector is."""
        self._stale = False
        self._update()

    def _on_watches_change(self) -> None:
        """Watches are re-evaluated on every recompute: only a selected watch needs the page again."""
        sel = self.session.view.selection
        if sel is not None and watch_index(sel.var) is not None:
            self.refresh()

    def set_scale(self, scale: float, compact: bool = False) -> None:
        """Bigger type; ``compact`` (presentation): the equation band, two or three lines as large as the
        graph's numbers about what the phase computes for the selection."""
        self.compact = compact
        self.document().setDefaultStyleSheet(band_css(scale) if compact else css(scale))
        self._shown = None
        self.refresh()

    def _update(self) -> None:
        """The page for the selection (or the welcome, or the lecture hall's band), set only when it changed."""
        view = self.session.view
        if self.compact:
            body = self._band_html()
        elif view.selected_weight is not None:
            body = self._weight_html(*view.selected_weight)
        elif view.selection is not None:
            body = self._node_html(view.selection)
        else:
            body = self._welcome_html()
        if body != self._shown:  # re-laying out the same page is most of an edit's cost here
            self._shown = body
            self.setHtml(f"<html><body>{body}</body></html>")

    # -- pages -------------------------------------------------------------------------------------
    def _welcome_html(self) -> str:
        scenario = self.session.document.scenario
        return (f"<p class='title'>{html.escape(scenario.name)}</p><p>{html.escape(scenario.description)}</p>"
                "<h3>How to read it</h3><p>Click any node of the graph to see its equation with the numbers "
                "substituted, its ε and δ, and the terms δ is made of; click an edge to see its weight's "
                "gradient. ← → step through the five phases of an epoch, Space plays, Home/End jump.</p>")

    def _band_html(self) -> str:
        view, doc, ph = self.session.view, self.session.document, self.session.playback.playhead
        quiz = self.session.quiz
        if quiz.on and quiz.question is not None:
            return self._question_html(quiz.question.brief)
        if quiz.on and quiz.last is not None and quiz.last.node.t == ph.current_t:
            return self._brief_html(quiz.last.brief) + self._guess_html(quiz.last)
        if view.selected_weight is not None:
            key, index = view.selected_weight
            if ph.phase == Phase.DESCENT:
                wx = explain_weight(doc.trace, key, index)
                label = html.escape(wx.label)
                return (f"<p class='eq'><b>{label}</b> ← {label} − η·dE/d{label} &nbsp; <span class='sub'>"
                        "(the next step applies it)</span></p>"
                        + self._descent_html(wx).replace("<h3>Gradient descent</h3>", ""))
            brief = weight_brief(doc.trace, ph, key, index)
        elif view.selection is not None and watch_index(view.selection.var) is None:
            brief = node_brief(doc.trace, ph, view.selection)
        elif view.selection is not None:
            return self._watch_html(watch_index(view.selection.var), view.selection.t)
        else:
            return (f"<p class='eq'><b>{html.escape(doc.scenario.name)}</b></p><p class='sub'>Click a node to see "
                    "its equation here · Page Down/Up: step · ↓ ↑: phase · B: blank · Esc: leave</p>")
        return self._brief_html(brief)

    @staticmethod
    def _brief_html(brief) -> str:
        value = fmt(brief.value) if brief.value is not None else ""
        shown = f" = <b>{html.escape(value)}</b>" if brief.computed and value else (" = ?" if value else "")
        lines = [f"<p class='eq'><b>{html.escape(brief.name)}</b>{shown} &nbsp; "
                 f"<span class='sub'>{html.escape(brief.equation)}</span></p>"]
        if brief.computed and brief.numbers:
            lines.append(f"<p class='eq'>{html.escape(brief.numbers)}</p>")
        elif not brief.computed:
            lines.append(f"<p class='future'>computed in {html.escape(brief.when)}</p>")
        return "".join(lines)

    @staticmethod
    def _question_html(brief) -> str:
        return (f"<p class='eq'><b>{html.escape(brief.name)} = ?</b> &nbsp; <span class='sub'>"
                f"{html.escape(brief.equation)}</span></p><p class='future'>Predict it, then R (or the next click) "
                "reveals it</p>")

    @staticmethod
    def _guess_html(result) -> str:
        if result.guess is None:
            return ""
        verdict = "close ✓" if result.close else f"off by {fmt(result.error)}"
        return f"<p class='sub'>the guess {html.escape(fmt(result.guess))}: {html.escape(verdict)}</p>"

    def _node_html(self, node: NodeRef) -> str:
        if watch_index(node.var) is not None:
            return self._watch_html(watch_index(node.var), node.t)
        doc = self.session.document
        ex = explain(doc.trace, node)
        ph = self.session.playback.playhead
        parts = [f"<p class='title'>{html.escape(node.label)}</p><div class='sub'>{html.escape(ex.title)}</div>"]
        if self.session.yours.on and self.session.yours.report is not None:  # Check my arrays
            parts.append(_yours_html(node_check(self.session.yours.report, doc.trace, node)))
        if node.var == "y" or ph.value_visible(node.t):
            parts.append(f"<p class='big'>{html.escape(fmt(ex.value))}</p>")
            parts.append(self._before(node, "value"))
            parts.append(f"<p class='eq'>{html.escape(ex.equation)}</p>")
            if ex.substituted and ex.substituted != ex.equation:
                parts.append(f"<p class='eq'>{html.escape(ex.substituted)}</p>")
        else:
            parts.append(f"<p class='future'>Not computed yet: forward propagation has reached t = {ph.k} "
                         f"of {ph.T}.</p><p class='eq'>{html.escape(ex.equation)}</p>")
        parts += [f"<p class='note'>{html.escape(n)}</p>" for n in ex.notes]
        parts.append("<h3>Backward</h3>")
        if ex.eps is not None:
            eps = fmt(ex.eps) if ph.eps_visible(node.t) else "not computed yet (phase 2)"
            parts.append(f"<p class='eq'>{html.escape(_eps_name(node))} = {html.escape(eps)}</p>")
        if ex.delta is None:
            parts.append("<p class='sub'>A target has no δ: nothing depends on it through the weights.</p>")
        elif not ph.delta_visible(node.t):
            parts.append(f"<p class='future'>δ not computed yet: back-propagation through time runs from "
                         f"t = {ph.T} down to 1 in phase 3.</p><p class='eq'>{html.escape(ex.delta_equation)}</p>")
        else:
            parts.append(f"<p class='eq'>{html.escape(ex.delta_equation)}</p>")
            parts.append(self._before(node, "delta"))
            if not self.compact:
                parts.append(self._terms_table(ex.delta_terms, ex.delta))
            parts.append(f"<p class='sub'>under the gradient mode <b>{doc.mode}</b></p>")
        weights = [] if self.compact else weights_of(doc.trace, node)
        if weights:
            model = doc.scenario.model
            links = ", ".join(f"<a href='{weight_href(k, i)}'>{html.escape(entry_label(model, k, i))}</a>"
                              for k, i in weights)
            parts.append(f"<h3>Weights into {html.escape(node.label)}</h3><p>{links}</p>")
        return "".join(parts)

    def _watch_html(self, n: int, t: int) -> str:
        """A watch: its expression, its value at step t, and its check."""
        doc = self.session.document
        w, watch = doc.scenario.watches[n], doc.watches[n]
        parts = [f"<p class='title'>w{n + 1}[{t}]</p><p class='eq'>{html.escape(w.expression)}</p>"]
        if watch.error:
            return "".join(parts) + f"<p class='note'>{html.escape(watch.error)}</p>"
        parts.append(f"<p class='big'>{html.escape(fmt(doc.watches.at(n, t)))}</p>")
        result = watch.check
        if result is not None:
            mark = "agrees" if result.agree else "differs"
            parts.append(f"<h3>Should equal {html.escape(w.equals)}: {mark}</h3><p>{html.escape(result.message)}</p>")
        return "".join(parts)

    def _before(self, node: NodeRef, kind: str) -> str:
        """``then → now`` against the compared snapshot, when there is one."""
        snap = self.session.comparison.compare
        if snap is None:
            return ""
        old = snap.at(node, kind)
        if old is None:
            return f"<p class='sub'>“{html.escape(snap.name)}” has no {html.escape(node.label)}</p>"
        q = self.session.document.quantities
        new = (q.value if kind == "value" else q.delta)(node)
        what = "value" if kind == "value" else "δ"
        return (f"<p class='sub'>{what} in “{html.escape(snap.name)}”: {html.escape(fmt(old))} → now "
                f"{html.escape(fmt(new))}</p>")

    def _terms_table(self, terms: list[Term], total) -> str:
        """One row per term: the term (a link to its node) over its numbers, and its value."""
        rows = []
        for term in terms:
            text = html.escape(term.text)
            if term.target is not None:
                text = f"<a href='{node_href(term.target)}'>{text}</a>"
            note = f"<br><span class='note'>{html.escape(term.note)}</span>" if term.note else ""
            rows.append(f"<tr><td class='math'>{text}<br><span class='sub'>= {html.escape(term.numbers)}</span>{note}"
                        f"</td><td align='right' valign='top'><b>{html.escape(fmt(term.value))}</b></td></tr>")
        rows.append("<tr><td><b>δ = sum of the terms</b></td>"
                    f"<td align='right'><b>{html.escape(fmt(total))}</b></td></tr>")
        return "<table width='100%'>" + "".join(rows) + "</table>"

    def _weight_html(self, key: str, index: tuple[int, ...]) -> str:
        doc = self.session.document
        wx = explain_weight(doc.trace, key, index)
        ph = self.session.playback.playhead
        k = ph.grad_steps
        parts = [f"<p class='title'>{html.escape(wx.label)}</p><div class='sub'>{html.escape(style.where(key))} — "
                 f"{html.escape(key)}[{', '.join(map(str, index))}]</div>",
                 f"<p class='big'>{html.escape(fmt(wx.value))}</p>",
                 f"<p class='eq'>{html.escape(wx.equation)}</p>"]
        if self.session.yours.on and self.session.yours.report is not None:  # Check my arrays
            parts.append(_yours_html(weight_check(self.session.yours.report, doc.trace, key, index)))
        if k == 0:
            parts.append("<p class='future'>The weight gradient accumulates in phase 4; it has not started.</p>")
        else:
            partial = float(wx.per_step[:k].sum())
            state = "complete" if k == ph.T else f"after {k} of {ph.T} steps"
            parts.append(f"<p class='eq'>dE/d{html.escape(wx.label)} = <b>{html.escape(fmt(partial))}</b> "
                         f"({state})</p>")
        rows = []
        running = 0.0
        for t, term in enumerate(wx.terms, start=1):
            if t > k:
                rows.append(f"<tr class='future'><td>t = {t}</td><td class='future'>{html.escape(term.text)}</td>"
                            "<td></td><td></td></tr>")
                continue
            running += float(term.value)
            text = f"<a href='{node_href(term.target)}'>{html.escape(term.text)}</a>" if term.target else term.text
            value = fmt(term.value)
            numbers = "" if term.numbers == value else html.escape(term.numbers)  # a bias's term is δ itself
            rows.append(f"<tr><td class='nowrap'>t = {t}</td><td class='math nowrap'>{text}</td>"
                        f"<td class='nowrap'>{numbers}</td>"
                        f"<td align='right' class='nowrap'>{html.escape(value)}</td>"
                        f"<td align='right' class='sub nowrap'>Σ {html.escape(fmt(running))}</td></tr>")
        parts.append("<h3>Per-step contributions</h3><table>" + "".join(rows) + "</table>")
        if ph.phase == Phase.DESCENT:
            parts.append(self._descent_html(wx))
        return "".join(parts)

    def _descent_html(self, wx) -> str:
        """Phase 5: the value the update gives this entry — the very update stepping on applies."""
        doc = self.session.document
        tr = doc.scenario.training
        if wx.key in tr.frozen:
            return (f"<h3>Gradient descent</h3><p class='eq'>{html.escape(wx.label)} = {html.escape(fmt(wx.value))}"
                    " (frozen: unchanged)</p>")
        new = float(doc.descent_update()[wx.key][wx.index])
        scale = clip_scale(doc.scenario, doc.trace, tr.clip_norm, tr.frozen)
        eta = fmt_precise(tr.learning_rate)
        grad = html.escape(bracket(fmt(wx.grad)))
        step = f"{eta}·{grad}"
        if scale != 1.0:
            step = (f"{eta}·{fmt_precise(scale, 3)}·{grad} "
                    f"(clipped to ‖g‖ = {fmt_precise(tr.clip_norm)})")
        return (f"<h3>Gradient descent</h3><p class='eq'>{html.escape(wx.label)} ← {html.escape(fmt(wx.value))}"
                f" − {step} = <b>{html.escape(fmt(new))}</b></p>" + _other_updates_note(tr.updates))

    def _on_anchor(self, url: QUrl) -> None:
        kind, _, rest = url.toString().partition(":")
        if kind == "node":
            layer, var, t, unit = rest.split("/")
            self.session.view.select(NodeRef(None if layer == "-" else int(layer), var, int(t), int(unit)))
        elif kind == "weight":
            key, _, idx = rest.rpartition("/")
            self.session.view.select_weight(key, tuple(int(i) for i in idx.split(",")))


def _yours_html(check: NodeCheck | None) -> str:
    """Check my arrays: their numbers beside the engine's, then the inputs of the equation as they saved them."""
    if check is None:
        return "<h3>Yours → engine</h3><p class='sub'>Your arrays do not hold this quantity.</p>"
    parts = ["<h3>Yours → engine</h3>", _rows_html(check.own)]
    for title, rows in (("inputs of the equation", check.value_inputs), ("δ of its terms", check.delta_inputs)):
        if rows:
            parts.append(f"<p class='sub'>{title}, yours → engine:</p>" + _rows_html(rows))
    if check.hint:
        parts.append(f"<p class='note'>{html.escape(check.hint)}</p>")
    return "".join(parts)


def _rows_html(rows: list[Row]) -> str:
    """One row per quantity: its name, yours → engine (and the difference), agrees ✓ or differs ✗."""
    cells = []
    for r in rows:
        mark = {DIFFERS: "✗ differs", NOT_SAVED: "not saved"}.get(r.status, "✓ agrees")
        colour = style.DIFFERS if r.status == DIFFERS else (style.TEXT_DIM if r.status == NOT_SAVED else style.AGREES)
        if r.yours is not None:
            numbers = (f"{html.escape(fmt(r.yours))} → {html.escape(fmt(r.engine))}"
                       + (f" (Δ {html.escape(fmt(r.difference))})" if r.status == DIFFERS else ""))
        else:
            numbers = html.escape(r.detail)
        cells.append(f"<tr><td class='math nowrap'>{html.escape(r.name)}</td><td class='nowrap'>{numbers}</td>"
                     f"<td class='nowrap' style='color:{colour}'>{mark}</td></tr>")
    return "<table>" + "".join(cells) + "</table>"


def _eps_name(node: NodeRef) -> str:
    return f"ε{node.label}"


def _other_updates_note(updates: str) -> str:
    """Phase 5 shows one update from the whole sequence's gradient; Train may move the weights more often."""
    if updates == "epoch":
        return ""
    when = {"chunk": "after every chunk of K steps", "step": "at every step (real-time RTRL)"}[updates]
    return (f"<p class='sub'>Phase 5 makes this one update from the whole sequence's gradient; Train is set "
            f"to update the weights {when}, so an epoch of training moves them differently.</p>")

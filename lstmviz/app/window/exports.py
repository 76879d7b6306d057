"""Pictures and files out of the window: the graph or any widget as PNG (2×) or SVG, the clipboard,
and a numbered PNG sequence of an epoch's phases for slides.

The graph's picture stands alone (pasted into slides, it still says what it is): a band with the
scenario's name, what the graph shows, where the playhead is and the colour scale, then the step
numbers above and the lane names left of the whole scene, painted by the same painters as the view's
margins (:mod:`..widgets.graph.headers`)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPaintDevice,
    QPainter,
    QPen,
    QTextDocumentFragment,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from .. import style
from ..model.graph_layout import PAD
from ..model.phase_view import view_title, watch_legend
from ..model.phases import Playhead
from ..model.playback import Playback
from ..numbers import fmt
from ..widgets.graph.headers import fitted_font, paint_lanes, paint_steps, placed_lanes
from ..widgets.graph.legend import BAR_EMS, scale_words

SCALE = 2  # PNGs at twice the screen resolution
MIN_WIDTH_EMS = 42  # a narrow graph still gets a title band this many text heights wide
NAME_SCALE = 1.3  # the scenario's name, relative to the step numbers


def plain(rich: str) -> str:
    """Rich text (the view's title) as the words it shows."""
    return QTextDocumentFragment.fromHtml(rich).toPlainText().replace("\xa0", " ")


class GraphPicture:
    """Where everything goes in the graph's standalone picture, in scene units (pixels at zoom 1):
    ``band`` (name, what is shown, the playhead, ``colour_bar``), ``steps`` (``t = 1`` …), ``lanes``
    (names) and ``scene`` (the whole unrolled graph); ``size`` is the whole picture."""

    def __init__(self, view):
        self.view = view
        s = view.session
        self.font = QFont(view.time_font)
        self.font.setBold(False)
        self.name_font = QFont(view.time_font)
        self.name_font.setPixelSize(round(view.time_font.pixelSize() * NAME_SCALE))
        following = s.follower.on  # the title then leaves the watches out: they go on the last line
        watches = plain(watch_legend(s.document.scenario.watches, width=200)) if following else ""
        self.texts = (s.document.scenario.name,
                      plain(view_title(s.view, s.playback.playhead, s.comparison, following)),
                      f"{s.playback.playhead.describe()}  ·  E = {fmt(s.document.trace.loss)}  ·  "
                      f"gradient: {s.document.mode}" + (f"  ·  {watches}" if watches else ""))
        self.words = scale_words(view)
        lane_w, header_h = view.margins.size  # the margins' own sizes: one rule on screen and on paper
        scene = view.scene().sceneRect()
        em = QFontMetricsF(self.font).height()
        self.pad = 0.8 * em
        width = max(lane_w + scene.width(), MIN_WIDTH_EMS * em)
        top = self._place_band(width, em)
        self.steps = QRectF(lane_w, top, scene.width(), header_h)
        self.scene = QRectF(lane_w, top + header_h, scene.width(), scene.height())
        self.lanes = QRectF(0, self.scene.top(), lane_w, scene.height())
        self.size = QSizeF(width, self.scene.bottom())

    def _place_band(self, width: float, em: float) -> float:
        """The title band's lines, and the colour scale right of the name (under the lines when the name
        needs the room); returns the band's height."""
        metrics, name_metrics, pad = QFontMetricsF(self.font), QFontMetricsF(self.name_font), self.pad
        what, low, _ = self.words
        self.scale_texts = metrics.horizontalAdvance(f"{what}   {low}") + 6, metrics.horizontalAdvance("  −0.00e-00")
        bar_w, bar_h = BAR_EMS * em, 0.8 * em
        legend_w, text_w = self.scale_texts[0] + bar_w + self.scale_texts[1], width - 2 * pad
        beside = name_metrics.horizontalAdvance(self.texts[0]) + pad + legend_w <= text_w
        self.text_rects, y = [], pad
        for n, text in enumerate(self.texts):
            rect = QRectF(pad, y, text_w - (legend_w + pad if n == 0 and beside else 0), 0)
            rect.setHeight((metrics if n else name_metrics).boundingRect(rect, Qt.TextFlag.TextWordWrap, text).height())
            self.text_rects.append(rect)
            y = rect.bottom() + (0.25 if n else 0.4) * pad
        if beside:
            self.colour_bar = QRectF(width - pad - legend_w + self.scale_texts[0],
                                     pad + (name_metrics.height() - bar_h) / 2, bar_w, bar_h)
        else:
            self.colour_bar = QRectF(pad + self.scale_texts[0], y + 0.3 * pad, bar_w, bar_h)
            y = self.colour_bar.bottom() + 0.3 * pad
        self.band = QRectF(0, 0, width, y + 0.75 * pad)
        return self.band.bottom()

    def paint(self, p: QPainter) -> None:
        """The whole picture onto ``p`` (scene units; scale the painter for more pixels)."""
        v = self.view
        text, layout = QColor(v.theme["text"]), v.layout
        p.fillRect(QRectF(QPointF(0, 0), self.size), QColor(v.theme["background"]))
        self._paint_band(p, text)
        centres = ((t, self.steps.left() + layout.step_centre(t)) for t in range(1, layout.steps + 1))
        paint_steps(p, self.steps, centres, layout.column_w, v.time_font, text, layout.steps)
        font = fitted_font(v.label_font, layout.g.row_h)
        placed = placed_lanes(v.lane_labels, font, self.lanes.top(), self.lanes.bottom(),
                              lambda y: self.lanes.top() + y)
        paint_lanes(p, self.lanes, placed, font, text, QColor(v.theme["layer_text"]))
        with v.numbers_shown():
            v.navigator.keep_titles_in_view(PAD)  # where each band starts, not where the view is
            v.scene().render(p, self.scene, v.scene().sceneRect())
        v.navigator.keep_titles_in_view()

    def _paint_band(self, p: QPainter, text: QColor) -> None:
        wrap = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        p.setPen(text)
        for font, rect, line in zip((self.name_font, self.font, self.font), self.text_rects, self.texts, strict=True):
            p.setFont(font)
            p.drawText(rect, int(wrap), line)
        what, low, high = self.words
        bar, centre = self.colour_bar, Qt.AlignmentFlag.AlignVCenter
        p.drawText(QRectF(bar.left() - self.scale_texts[0], bar.top() - bar.height(), self.scale_texts[0] - 6,
                          3 * bar.height()), centre | Qt.AlignmentFlag.AlignRight, f"{what}   {low}")
        p.drawText(QRectF(bar.right() + 6, bar.top() - bar.height(), self.scale_texts[1], 3 * bar.height()),
                   centre | Qt.AlignmentFlag.AlignLeft, high)
        grad = QLinearGradient(bar.left(), 0, bar.right(), 0)
        for pos, c in style.COLOUR_MAPS[self.view.colour_map]:
            grad.setColorAt(pos, QColor(c))
        p.setBrush(QBrush(grad))
        p.setPen(QPen(QColor(style.LEGEND_FRAME), 1))
        p.drawRect(bar)
        p.drawLine(QPointF(0, self.band.bottom() - 0.5), QPointF(self.band.right(), self.band.bottom() - 0.5))


def paint_graph(view, device: QPaintDevice, scale: float = 1.0) -> bool:
    """The graph's standalone picture onto ``device`` (an image, an SVG generator, a printer), ``scale``
    device pixels per scene unit."""
    p = QPainter(device)
    p.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    p.scale(scale, scale)
    GraphPicture(view).paint(p)
    return p.end()


def graph_image(view, scale: float = SCALE) -> QImage:
    """The whole unrolled graph (not just what is scrolled into view) with its labels, at ``scale``."""
    size = GraphPicture(view).size * scale
    image = QImage(QSize(round(size.width()), round(size.height())), QImage.Format.Format_ARGB32)
    image.fill(QColor(view.theme["background"]))
    paint_graph(view, image, scale)
    return image


def save_graph(view, path: str | Path) -> bool:
    """PNG (2×) or SVG, by the file's extension."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        size = GraphPicture(view).size
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(QSize(round(size.width()), round(size.height())))
        gen.setViewBox(QRectF(QPointF(0, 0), size))
        gen.setTitle(f"lstmviz graph: {view.session.document.scenario.name}")
        return paint_graph(view, gen)
    return graph_image(view).save(str(path))


def widget_image(widget: QWidget, scale: float = SCALE) -> QImage:
    """A widget (a plot, the whole window) as it looks, rendered at ``scale``."""
    size = widget.size() * scale
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    image.fill(QColor(style.EXPORT_BACKGROUND))
    painter = QPainter(image)
    QWidget.render(widget, painter, QPoint(0, 0))  # QGraphicsView (the plots) overrides render()
    painter.end()
    return image


def save_widget(widget: QWidget, path: str | Path) -> bool:
    path = Path(path)
    if path.suffix.lower() == ".svg":
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(widget.size())
        gen.setViewBox(widget.rect())
        painter = QPainter(gen)
        QWidget.render(widget, painter, QPoint(0, 0))  # QGraphicsView (the plots) overrides render()
        return painter.end()
    return widget_image(widget).save(str(path))


def copy_image(image: QImage) -> None:
    QGuiApplication.clipboard().setImage(image)


def export_frames(playback: Playback, grab, out_dir: str | Path, process_events) -> list[Path]:
    """One PNG per playhead position through phases 1–5 (the weights are not moved):
    ``frame_0001.png`` … in ``out_dir``. ``grab()`` returns the picture of the moment."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    ph: Playhead | None = Playhead.start(playback.playhead.T)
    while ph is not None:
        playback.set_playhead(ph)
        process_events()
        path = out / f"frame_{len(saved) + 1:04d}.png"
        if not grab().save(str(path)):
            raise OSError(f"{path}: cannot be written")
        saved.append(path)
        ph = ph.forward()
    return saved


"""Pictures and files out of the window: the graph or any widget as PNG (2×) or SVG, the clipboard,
and a numbered PNG sequence of an epoch's phases for slides."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRectF, QSize
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from .. import style
from ..model.phases import Playhead
from ..model.playback import Playback

SCALE = 2  # PNGs at twice the screen resolution


def graph_image(view, scale: float = SCALE) -> QImage:
    """The whole unrolled graph (not just what is scrolled into view), at ``scale`` pixels per unit."""
    scene = view.scene()
    rect = scene.sceneRect()
    image = QImage(QSize(int(rect.width() * scale), int(rect.height() * scale)), QImage.Format.Format_ARGB32)
    image.fill(view.backgroundBrush().color())
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(image.rect()), rect)
    painter.end()
    return image


def save_graph(view, path: str | Path) -> bool:
    """PNG (2×) or SVG, by the file's extension."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        rect = view.scene().sceneRect()
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(QSize(int(rect.width()), int(rect.height())))
        gen.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        gen.setTitle("lstmviz graph")
        painter = QPainter(gen)
        painter.fillRect(QRectF(0, 0, rect.width(), rect.height()), view.backgroundBrush().color())
        view.scene().render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
        return painter.end()
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


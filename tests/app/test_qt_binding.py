"""Guard against a Qt binding that corrupts reference counts (PySide6 6.12.0 on Python 3.11)."""
import gc
import sys

from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene, QLabel


def test_void_calls_keep_none_and_bools_alive(qapp):
    scene = QGraphicsScene()
    item = QGraphicsPathItem()
    scene.addItem(item)
    label = QLabel()
    gc.collect()
    before = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(300):
        item.update()
        item.setToolTip("x")
        label.setText("a")
        label.isVisible()
    gc.collect()
    after = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
    # a broken binding loses one reference per call and aborts the interpreter later
    assert all(a >= b - 50 for a, b in zip(after, before, strict=True)), (before, after)

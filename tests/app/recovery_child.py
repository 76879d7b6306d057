"""A child process for the crash-recovery test (not collected as a test).

``edit``: open the window on the calculator, make three edits, wait until the autosave has written
them, print "ready" and keep running until killed. ``start``: start lstmviz the usual way
(``lstmviz.app.launch.launch``) answering the recovery question with Restore, print what the window
shows, and quit.
"""
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402


def edit() -> None:
    from lstmviz.app.launch import open_for_window
    from lstmviz.app.qt.session import qt_session
    from lstmviz.app.window import MainWindow

    app = QApplication([])
    opened = open_for_window("calculator-lstm", None)
    session = qt_session(opened.scenario, None, opened.trace)
    window = MainWindow(session)
    window.show()
    doc = session.document
    doc.set_entry("l0/b_i", (0,), 0.9)
    doc.set_entry("data/x", (3, 0), 2.0)
    doc.set_mode("cec")
    while not window.autosaver.path.exists():
        app.processEvents()
        time.sleep(0.02)
    print("ready", window.autosaver.path, flush=True)
    while True:
        app.processEvents()
        time.sleep(0.02)


def start() -> None:
    from lstmviz.app.launch import launch

    def restore(box) -> int:
        print("asked:", box.text(), box.informativeText(), flush=True)
        next(b for b in box.buttons() if b.text() == "Restore").click()
        return 0

    def report() -> None:
        window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "main")
        s = window.session
        print("title:", window.windowTitle())
        print("history:", [s.history.text(i) for i in range(s.history.count())])
        print("b_i:", s.document.scenario.model.layers[0].params["b_i"][0], "mode:", s.document.mode, flush=True)
        QApplication.quit()

    def run_then_report() -> int:
        QTimer.singleShot(300, report)
        return run()

    run = QApplication.exec
    QApplication.exec = staticmethod(run_then_report)
    QMessageBox.exec = restore
    QMessageBox.question = lambda *a, **k: QMessageBox.StandardButton.Discard  # closing: do not ask
    sys.exit(launch("calculator-lstm"))


if __name__ == "__main__":
    {"edit": edit, "start": start}[sys.argv[1]]()

"""Start the Qt application on a scenario, or render it offscreen to a PNG (``--screenshot``)."""
from __future__ import annotations

import os
import sys


def _needs_offscreen() -> bool:
    """On Linux with no display at all, Qt's default platform cannot start."""
    return (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"))


def parse_size(text: str) -> tuple[int, int]:
    w, sep, h = text.lower().partition("x")
    if not (sep and w.isdigit() and h.isdigit() and 200 <= int(w) <= 8000 and 200 <= int(h) <= 8000):
        raise ValueError(f"--size must look like 1600x1000 (200 to 8000 pixels each), got {text!r}")
    return int(w), int(h)


def launch(spec: str, screenshot: str | None = None, size: str = "1600x1000") -> int:
    from ..cli import UsageError
    from ..io import load_scenario

    try:
        width, height = parse_size(size)
    except ValueError as e:
        raise UsageError(str(e)) from None
    scenario = load_scenario(spec)  # fails before any window opens
    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif _needs_offscreen():
        print("lstmviz: no display found (DISPLAY is not set); running offscreen. "
              "Use a desktop session or xvfb-run to see the window.", file=sys.stderr)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from PySide6.QtWidgets import QApplication

    from .window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("lstmviz")
    window = MainWindow(scenario)
    window.resize(width, height)
    if screenshot:
        window.show()
        app.processEvents()
        if not window.grab().save(screenshot):
            raise UsageError(f"{screenshot}: cannot be written as PNG")
        window.close()
        return 0
    window.show()
    return app.exec()

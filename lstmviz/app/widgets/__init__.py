"""Qt widgets, one file per panel. They observe the session and never compute gradients."""


def on_screen(widget) -> bool:
    """Whether any of the widget is actually shown: a dock behind another tab is 'visible' to Qt but
    has nothing on screen, and panels skip their refresh there (they refresh when their tab comes up)."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()

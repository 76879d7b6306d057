"""The main window: a composition of the panels, the actions table, the docks, file handling and
presentation mode."""
from .main_window import MainWindow

__all__ = ["MainWindow"]

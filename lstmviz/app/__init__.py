"""The Qt application: window, session and widgets. Imports Qt; the engine never does."""

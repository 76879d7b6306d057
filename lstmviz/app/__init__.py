"""The desktop application: the Qt-free model, the thin Qt layer, the panels and the window."""

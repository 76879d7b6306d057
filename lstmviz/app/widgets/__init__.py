"""Qt widgets, one module per panel. They observe the application model (lstmviz.app.model), call its
methods, and never compute gradients themselves; they do not import each other."""

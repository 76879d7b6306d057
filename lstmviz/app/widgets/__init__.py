"""Qt widgets, one file per panel. They observe the session and never compute gradients."""

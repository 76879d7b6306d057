"""The thin Qt layer under the widgets: the history on a QUndoStack, the timers (play, coalesced
recomputes), the training thread, and helpers that tie a widget's life to its model connections."""

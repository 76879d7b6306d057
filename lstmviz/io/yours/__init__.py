"""Check your own implementation: their arrays against the engine's trace (Qt-free).

:func:`check_arrays` → :class:`Report` (``ok``, ``first``, ``verdicts``, ``masks``, ``values``);
built-in layouts ``pytorch``, ``keras``, ``karpathy`` (:mod:`.layouts`), JSON mappings (:mod:`.mapping`).
See docs/check-arrays.md.
"""
from .check import ATOL, RTOL, check_arrays
from .layouts import LAYOUTS
from .report import ABSENT, AGREES, DIFFERS, NOT_COMPARED, Disagreement, Report, Verdict

__all__ = ["ABSENT", "AGREES", "ATOL", "DIFFERS", "LAYOUTS", "NOT_COMPARED", "RTOL", "Disagreement", "Report",
           "Verdict", "check_arrays"]

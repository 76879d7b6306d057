"""The fuzz suite: hypothesis mutations of every way in (scenario files, watch expressions, weight files).

Runs are derandomized (the same inputs on every run, so CI is reproducible) and bounded so that the
whole suite stays within seconds. Set LSTMVIZ_FUZZ_EXAMPLES to explore: that many examples per test,
drawn at random on each run.
"""
import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("LSTMVIZ_FUZZ_EXAMPLES", "0"))

FUZZ = settings(derandomize=not EXAMPLES, database=None, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.filter_too_much, HealthCheck.data_too_large])


def fuzz(default: int) -> settings:
    """The fuzz settings with ``default`` examples, or LSTMVIZ_FUZZ_EXAMPLES when set."""
    return settings(FUZZ, max_examples=EXAMPLES or default)

"""Does handling grow linearly with the size of a hostile input? For the tests of each scan over
mail text: a shape that restarts its scan at every match takes minutes on a megabyte."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T", str, bytes)

SMALL = 100_000
LARGE = 1_600_000
# Sixteen times the input may take at most three times sixteen times as long: room for noise
# (caches, the allocator) but not for a scan that grows with the square of the size.
SLACK = 3.0


def cpu_seconds(work: Callable[[], object], tries: int = 3, enough: float = 0.0) -> float:
    """The best of ``tries`` runs, in processor time (other processes on the machine do not count);
    the first run within ``enough`` seconds ends the tries, as no later one could change a verdict
    drawn against that bound."""
    best = float("inf")
    for _ in range(tries):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
        if best <= enough:
            break
    return best


def assert_linear(
    shape: Callable[[int], T], work: Callable[[T], object], small: int = SMALL, large: int = LARGE
) -> None:
    """``work`` on ``shape(large)`` takes at most about large/small times as long as on ``shape(small)``."""
    little, big = shape(small), shape(large)
    t_small = max(cpu_seconds(lambda: work(little)), 0.001)  # below a millisecond the clock is too coarse
    allowed = SLACK * large / small * t_small
    # The large input costs many times the small one: it is run again only when a run was
    # over the bound (noise), never once it is within it.
    t_large = cpu_seconds(lambda: work(big), enough=allowed)
    assert t_large <= allowed, (
        f"{len(big):,} characters took {t_large:.3f} s, {len(little):,} took {t_small:.4f} s: "
        f"{t_large / t_small:.0f} times as long for {large // small} times the size"
    )

from __future__ import annotations

import signal
import time

import pytest

from mailbot.pipeline.budget import BudgetExceeded, CpuBudget


def _spin(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_the_budget_stops_work_that_goes_over_it() -> None:
    budget = CpuBudget(0.05)
    budget.start()
    try:
        with pytest.raises(BudgetExceeded, match=r"0\.05 s"):
            _spin(5)
    finally:
        budget.stop()
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)


def test_a_stop_that_python_swallowed_comes_again() -> None:
    """Where Python cannot raise (a garbage-collector callback, a __del__) the exception is
    printed and dropped; the budget fires again until the work stops."""
    budget = CpuBudget(0.05)
    budget.start()
    stops = 0
    try:
        for _ in range(2):
            try:
                _spin(5)
            except BudgetExceeded:
                stops += 1  # the first one "swallowed": the work carries on
    finally:
        budget.stop()
    assert stops == 2


def test_work_within_the_budget_is_left_alone_and_the_timer_disarmed() -> None:
    before = signal.getsignal(signal.SIGPROF)
    budget = CpuBudget(5)
    budget.start()
    assert signal.getsignal(signal.SIGPROF) != before
    _spin(0.05)
    budget.stop()
    budget.stop()  # twice is fine
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) == before

"""A processor-time budget for handling one message: the second line of defence behind scans
that take time linear in a mail's size, for whatever a crafted mail still makes slow.

Signals reach the main thread only, so the budget is kept there; in any other thread (and with
a budget of 0) work runs without one.
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType
from typing import Any

RETRY_SECONDS = 0.2


class BudgetExceeded(BaseException):
    """The budget ran out. A BaseException, so that ``except Exception`` in the work it stops
    (a parser's fallback) cannot swallow it and carry on."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"more than {seconds:g} s of processor time")
        self.seconds = seconds


class CpuBudget:
    """Raises :class:`BudgetExceeded` in the main thread once it has spent ``seconds`` of
    processor time (user and system) between :meth:`start` and :meth:`stop`. :meth:`stop`
    disarms the timer and puts the previous handler back; it may be called more than once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False
        self.started = 0.0
        self.previous: Any = None

    def _expired(self, signum: int, frame: FrameType | None) -> None:
        if not self.armed:  # a signal that arrives as the work ends is too late to stop anything
            return
        # The timer counts the whole process; other threads (the sender, the lease keeper) may
        # have used some of it. Only this thread's own time is the message's.
        left = self.seconds - (time.thread_time() - self.started)
        if left > 0:
            signal.setitimer(signal.ITIMER_PROF, max(left, 0.01))
            return
        # The signal may land where Python cannot raise (a garbage-collector callback, a
        # __del__): the exception is then printed and dropped. Fire again shortly until stop().
        signal.setitimer(signal.ITIMER_PROF, RETRY_SECONDS)
        raise BudgetExceeded(self.seconds)

    def start(self) -> None:
        if self.seconds <= 0 or threading.current_thread() is not threading.main_thread():
            return
        self.previous = signal.signal(signal.SIGPROF, self._expired)
        self.armed = True
        self.started = time.thread_time()
        signal.setitimer(signal.ITIMER_PROF, self.seconds)

    def stop(self) -> None:
        if self.previous is None:
            return
        self.armed = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, self.previous)
        self.previous = None

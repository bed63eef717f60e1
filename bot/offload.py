"""Match long pastes in a separate, lower-priority process, so the serving process never waits.

A 20 KB paste costs tens of milliseconds of matching. On a thread of the serving process
that time is taken from the event loop that acknowledges Slack (the two share one
interpreter lock), and every I/O wait of the loop hands the lock to the matcher again.
In a process of its own, at the lowest scheduling priority, the matching takes only CPU
that the serving process does not need at that moment.

The process is forked at start, before the serving process starts threads or opens
database connections, and loads the knowledge base itself; it follows knowledge edits
as the serving process does, and dies with it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import concurrent.futures.process
import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal

from bot.config import Settings
from bot.matcher import MatchResult

log = logging.getLogger(__name__)

# It runs at the lowest priority (nice 19): it gets what CPU the serving process leaves.
NICENESS = 19
_PR_SET_PDEATHSIG = 1

_engine = None  # the matching process's own engine


def _become_matcher(settings: Settings) -> None:
    """Runs first in the matching process: low priority, no inherited signals, own engine."""
    os.nice(NICENESS)
    # Signals belong to the serving process: it stops this one when it stops.
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The pool that forked this process is the parent's: its wake-up pipe, inherited here,
    # must not be woken by this process's exit handler (a closed descriptor, and a
    # traceback in the shared log).
    getattr(concurrent.futures.process, "_threads_wakeups", {}).clear()
    with contextlib.suppress(OSError, AttributeError):  # Linux: end with the serving
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # process, even by SIGKILL
    from bot.engine import Engine  # imported here: the module imports this one

    global _engine
    _engine = Engine(settings, validate_cards=False)


def _match(text: str) -> MatchResult:
    return _engine.match(text)


class PasteProcess:
    """One lower-priority process that matches long pastes, one at a time, for its parent."""

    def __init__(self, settings: Settings):
        self._pool: concurrent.futures.ProcessPoolExecutor | None = (
            concurrent.futures.ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_become_matcher,
                initargs=(settings,),
            )
        )
        # Fork now, while this process has one thread and no database connection open:
        # the pool would otherwise fork at the first long paste, from a busy process.
        self._pool.submit(os.getpid).result(timeout=60)

    async def match(self, text: str) -> MatchResult | None:
        """The match made in the other process; None if that process is gone."""
        if self._pool is None:
            return None
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, _match, text)
        except concurrent.futures.BrokenExecutor:
            # Killed (out of memory, an operator): from now on this process matches itself.
            log.error("the matching process ended; long pastes are matched in-process now")
            self._pool = None
            return None

    def close(self) -> None:
        """Stop the matching process; waits for the paste it is on (bounded by the budget).

        Waiting matters: a pool left to stop by itself is woken again by the interpreter's
        exit handler through a pipe it has closed, which prints a traceback at exit.
        """
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

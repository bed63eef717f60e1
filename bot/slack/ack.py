"""Acknowledge Slack at once, then do the work as a task on the event loop."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncAck
from slack_bolt.kwargs_injection.async_args import AsyncArgs

log = logging.getLogger(__name__)

# Tasks still running; a reference keeps each alive until it ends (asyncio holds weak ones).
_running: set[asyncio.Task] = set()


async def acknowledge(ack: AsyncAck) -> None:
    """Answer Slack at once (well inside its 3 seconds); the work follows in a task."""
    await ack()


def _call_with(function: Callable, args: AsyncArgs) -> Awaitable:
    names = inspect.signature(function).parameters
    return function(**{name: getattr(args, name) for name in names})


def ack_then(work: Callable[..., Awaitable[None]], first: Callable = acknowledge) -> Callable:
    """A listener: `first` acknowledges (answers Slack), then `work` runs in the background.

    This is what Bolt's lazy listeners do, without their deep copy of the request: that
    copy would take the pooled HTTP session along (which cannot be copied) and costs
    more CPU than building the card.
    """

    async def listener(args: AsyncArgs) -> None:
        await _call_with(first, args)
        task = asyncio.create_task(_call_with(work, args), name=work.__name__)
        _running.add(task)
        task.add_done_callback(_finished)

    listener.__name__ = f"ack_then_{work.__name__}"
    return listener


def _finished(task: asyncio.Task) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        error = task.exception()
        log.error("%s failed: %s", task.get_name(), error, exc_info=error)


async def finish_running(timeout: float = 10.0) -> None:
    """Let answers already acknowledged reach Slack before the process stops."""
    if _running:
        await asyncio.wait(set(_running), timeout=timeout)

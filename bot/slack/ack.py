"""Acknowledge Slack at once, then do the work as a task on the event loop."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncAck
from slack_bolt.kwargs_injection.async_args import AsyncArgs

from bot.slack.posting import language_from, log_failure, tell_privately, where_from
from bot.store import StorageError

log = logging.getLogger(__name__)


# Tasks still running; a reference keeps each alive until it ends (asyncio holds weak ones).
_running: set[asyncio.Task] = set()


async def acknowledge(ack: AsyncAck) -> None:
    """Answer Slack at once (well inside its 3 seconds); the work follows in a task."""
    await ack()


def _caller(function: Callable) -> Callable[[AsyncArgs], Awaitable]:
    """Call `function` with the arguments it names, as Bolt does for listeners."""
    names = tuple(inspect.signature(function).parameters)  # once, not per request

    def call(args: AsyncArgs) -> Awaitable:
        return function(**{name: getattr(args, name) for name in names})

    return call


def ack_then(work: Callable[..., Awaitable[None]], first: Callable = acknowledge) -> Callable:
    """A listener: `first` acknowledges (answers Slack), then `work` runs in the background.

    When `first` returns True the acknowledgement was the whole answer and `work` is skipped.

    This is what Bolt's lazy listeners do, without their deep copy of the request: that
    copy would take the pooled HTTP session along (which cannot be copied) and costs
    more CPU than building the card.
    """

    call_first, call_work = _caller(first), _caller(work)

    async def guarded(args: AsyncArgs) -> None:
        try:
            await call_work(args)
        except StorageError as exc:
            # One line for the operator (/healthz says the same), and the person is told.
            log.error("%s: not stored: %s", work.__name__, exc)
            await _tell_not_stored(args, exc)

    async def listener(args: AsyncArgs) -> None:
        if await call_first(args):
            return
        task = asyncio.create_task(guarded(args), name=work.__name__)
        _running.add(task)
        task.add_done_callback(_finished)

    listener.__name__ = f"ack_then_{work.__name__}"
    return listener


def _finished(task: asyncio.Task) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log_failure(f"{task.get_name()} failed", task.exception())


async def finish_running(timeout: float = 10.0) -> None:
    """Let answers already acknowledged reach Slack before the process stops."""
    if _running:
        await asyncio.wait(set(_running), timeout=timeout)


async def _tell_not_stored(args: AsyncArgs, error: StorageError) -> None:
    """The person who acted hears that nothing was done; never raises (it runs after a fault)."""
    where = where_from(args.body or {})
    amz = args.context.get("amz") if args.context else None
    if amz is None or not where["user"]:
        return
    try:
        lang = language_from(args.body or {}, amz.settings.language)
        cards = amz.engine.request_cards.in_language(lang)
        card = cards.notice("action_not_stored", error=str(error))
        await tell_privately(args.client, card, **where)
    except Exception as exc:  # noqa: BLE001 - the last resort must not fail in turn
        log.warning("could not tell %s that nothing was stored: %s", where["user"], exc)

"""The reprocessing workflow in Slack: store a request, tell its thread, mark it done or failed.

The ops post and the webhook delivery are not here: they are stored with the request and sent
by the outbox (bot.slack.ops), so they happen even when the thread cannot be reached.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import replace

from slack_sdk.web.async_client import AsyncWebClient

from bot.knowledge import Entry
from bot.reprocess import Created, create_request, get_request, resolve
from bot.slack.ops import update_ops_message
from bot.slack.posting import CALL_ERRORS, log_failure, slack_error, tell_privately

log = logging.getLogger(__name__)


async def request_targets(
    amz,
    client: AsyncWebClient,
    *,
    entry: Entry,
    targets: Sequence[str],
    user: str,
    channel: str,
    thread_ts: str,
    response_url: str | None = None,
    lang: str = "en",
) -> Created:
    """One request for the targets not already open; the thread hears of it, and the person
    who asked is told privately whatever did not work, all in their language `lang`."""
    settings = amz.settings
    cards = amz.engine.request_cards.in_language(lang)
    outbox = amz.outbox
    where = {"user": user, "channel": channel, "thread_ts": thread_ts, "response_url": response_url}
    await amz.store.writable()
    try:
        created = create_request(
            amz.store,
            entry.id,
            entry.reprocess_target,
            targets,
            user,
            channel,
            thread_ts,
            ops=bool(settings.ops_channel),
            webhook=bool(settings.reprocess_webhook),
            claim=outbox.kinds if outbox is not None else (),
            lang=cards.lang,
        )
    except sqlite3.Error as exc:  # nothing was stored: say so rather than look done
        log.error("could not store a reprocessing request: %s", exc)
        await tell_privately(client, cards.notice("not_stored", error=str(exc)), **where)
        return Created(None)
    request = created.request
    if request is None:
        note = cards.notice(
            "already_open", target_kind=entry.reprocess_target, already_open=created.already_open
        )
        await tell_privately(client, note, **where)
        return created
    card = cards.requested(request, created.already_open, settings.ops_channel, entry)

    async def tell_thread() -> None:
        try:
            await client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, blocks=card.blocks, text=card.text
            )
        except CALL_ERRORS as exc:
            log_failure(f"thread note of request #{request.id}", exc)
            note = cards.notice(
                "thread_unreachable", channel=channel, error=slack_error(exc), request_id=request.id
            )
            await tell_privately(client, note, **where)

    # The ops post and the webhook go out now, beside the thread note and independent of it;
    # stored first, so a crash in between leaves them to the outbox loop of whichever process.
    sending = outbox.send_now(created.claimed) if outbox is not None else asyncio.sleep(0)
    await asyncio.gather(tell_thread(), sending)
    return created


async def mark(
    amz,
    client: AsyncWebClient,
    *,
    request_id: int,
    status: str,
    user: str,
    channel: str,
    message_ts: str = "",
    target: str | None = None,
    reason: str = "",
    lang: str = "en",
) -> None:
    """Ops mark a request (or one target) done or failed: the ops message changes in place (in
    the ops language) and the requester hears it in the thread, in the language they asked in
    (or directly, when the thread is out of reach). What went wrong is told to the one who
    marked, in `lang`."""
    before = get_request(amz.store, request_id)
    request = resolve(amz.store, request_id, status, user, target, reason)
    cards = amz.engine.request_cards.in_language(lang)
    if before is None:
        note = cards.notice("unknown_request", request_id=request_id)
        await tell_privately(client, note, user=user, channel=channel)
        return
    if request is None:
        note = cards.notice(
            "already_resolved",
            request_id=request_id,
            target=target,
            target_kind=before.target_kind,
            status=before.status,
        )
        await tell_privately(client, note, user=user, channel=channel)
        return
    if not request.ops_ts and message_ts:
        # Clicked on an ops message whose ts was never recorded (a crash in between): that one.
        request = replace(request, ops_channel=channel, ops_ts=message_ts)
    await update_ops_message(amz.engine, client, request)
    marked = [target] if target else [t.target for t in before.targets if t.status == "open"]
    requester = amz.engine.request_cards.in_language(request.lang or amz.settings.language)
    card = requester.resolved(request, status, marked, user, reason)
    if request.channel and request.thread_ts:
        try:
            await client.chat_postMessage(
                channel=request.channel,
                thread_ts=request.thread_ts,
                blocks=card.blocks,
                text=card.text,
            )
            return
        except CALL_ERRORS as exc:
            log_failure(f"thread note of request #{request.id}", exc)
    await tell_privately(client, card, user=request.requested_by)

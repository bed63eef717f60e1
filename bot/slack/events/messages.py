"""Plain messages: watched channels get a card only when sure; answered threads read on."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.activity import claim, thread_context
from bot.matcher import MATCH_THRESHOLD, MatchResult
from bot.slack.ack import ack_then
from bot.slack.events.followups import follow_up as follow_up_in_words
from bot.slack.events.mentions import message_key
from bot.slack.replies import answer_paste

log = logging.getLogger(__name__)

# Watched channels are busy: a card there must be a near-certain match, or it is noise.
WATCH_THRESHOLD = 90


def is_plain_human_message(event: dict, bot_user_id: str | None) -> bool:
    """Only people's new messages: no edits, deletions, joins, bots (ourselves included)."""
    if event.get("subtype") or event.get("bot_id") or event.get("bot_profile"):
        return False
    user = event.get("user")
    return bool(user) and user != bot_user_id


async def handle_message(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    amz = context["amz"]
    bot_user_id = context.get("bot_user_id")
    if not is_plain_human_message(event, bot_user_id):
        return
    text = event.get("text") or ""
    if bot_user_id and f"<@{bot_user_id}" in text:
        return  # the app_mention listener answers this one
    channel = event["channel"]
    thread_ts = event.get("thread_ts")
    followed = thread_context(amz.store, channel, thread_ts) if thread_ts else None
    if followed is not None:
        await follow_up(amz, client, event, followed)
        return
    settings = amz.settings
    if not (settings.watch_all or channel in settings.watch_channels):
        return
    if event.get("channel_type") == "im":
        return
    await answer_once(amz, client, event, "watch", thread_ts or event["ts"], WATCH_THRESHOLD)


async def answer_once(
    amz, client: AsyncWebClient, event: dict, surface: str, thread_ts: str, min_score: int
) -> None:
    """Claim the message first (durably), then match it; only a sure match is answered.

    Claiming before any work makes Slack's retries of a long paste cost one lookup.
    """
    if not await claim(amz.store, message_key(event)):
        return
    result = await amz.engine.match_soon(event.get("text") or "")
    await answer_if_sure(amz, client, event, surface, thread_ts, min_score, result)


async def answer_if_sure(
    amz,
    client: AsyncWebClient,
    event: dict,
    surface: str,
    thread_ts: str,
    min_score: int,
    result: MatchResult,
) -> None:
    if result.best is None or result.best.score < min_score:
        return  # chat: no answer
    await answer_paste(
        amz,
        client,
        channel=event["channel"],
        text=event.get("text") or "",
        user=event["user"],
        surface=surface,
        thread_ts=thread_ts,
        min_score=min_score,
        result=result,
    )


async def follow_up(amz, client: AsyncWebClient, event: dict, followed) -> None:
    """A later message in a thread amzerror answered: a request in plain words, or a new error.

    Claimed, then matched once (away from the event loop when long), for both readings.
    """
    if not await claim(amz.store, message_key(event)):
        return  # a retried event, answered already
    result = await amz.engine.match_soon(event.get("text") or "")
    if await follow_up_in_words(amz, client, event, followed, result):
        return
    # A new error in the thread gets a card; chat gets nothing.
    await answer_if_sure(amz, client, event, "thread", event["thread_ts"], MATCH_THRESHOLD, result)


def register(app: AsyncApp) -> None:
    # Every message event is acknowledged (an unhandled one would get 404 and be retried).
    app.event("message")(ack_then(handle_message))

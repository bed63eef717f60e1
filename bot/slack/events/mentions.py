"""`@amzerror <error>` anywhere: the card in that message's thread."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.activity import claim
from bot.slack.ack import ack_then
from bot.slack.people import language_for
from bot.slack.replies import answer_paste, post_card

MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def message_key(event: dict) -> str:
    """One answer per message, however many events describe it (retries, mention + message)."""
    return f"message:{event.get('channel')}:{event.get('ts')}"


async def handle_mention(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    amz = context["amz"]
    if event.get("bot_id"):
        return
    if not await claim(amz.store, message_key(event)):
        return
    channel = event["channel"]
    thread_ts = event.get("thread_ts") or event["ts"]
    text = MENTION.sub(" ", event.get("text") or "").strip()
    if not text:
        lang = await language_for(amz, client, event.get("user"))
        help_card = amz.engine.cards.in_language(lang).help_card()
        await post_card(client, channel, help_card, thread_ts)
        return
    await answer_paste(
        amz,
        client,
        channel=channel,
        text=text,
        user=event.get("user", ""),
        surface="mention",
        thread_ts=thread_ts,
    )


def register(app: AsyncApp) -> None:
    app.event("app_mention")(ack_then(handle_mention))

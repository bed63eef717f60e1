"""`@amzerror <error>` anywhere: the card in that message's thread."""

from __future__ import annotations

import re

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.activity import first_time
from bot.slack.ack import acknowledge
from bot.slack.replies import answer_paste, post_card

MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def message_key(event: dict) -> str:
    """One answer per message, however many events describe it (retries, mention + message)."""
    return f"message:{event.get('channel')}:{event.get('ts')}"


def handle_mention(event: dict, client: WebClient, context: BoltContext) -> None:
    amz = context["amz"]
    if event.get("bot_id") or not first_time(amz.store, message_key(event)):
        return
    channel = event["channel"]
    thread_ts = event.get("thread_ts") or event["ts"]
    text = MENTION.sub(" ", event.get("text") or "").strip()
    if not text:
        post_card(client, channel, amz.engine.cards.help_card(), thread_ts)
        return
    answer_paste(
        amz,
        client,
        channel=channel,
        text=text,
        user=event.get("user", ""),
        surface="mention",
        thread_ts=thread_ts,
    )


def register(app: App) -> None:
    app.event("app_mention")(ack=acknowledge, lazy=[handle_mention])

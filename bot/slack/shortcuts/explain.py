"""Message shortcut *Explain Amazon error*: the card in that message's thread."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.ack import ack_then
from bot.slack.replies import answer_paste

CALLBACK_ID = "explain_amazon_error"


async def handle_explain(
    shortcut: dict, client: AsyncWebClient, context: AsyncBoltContext, respond: AsyncRespond
) -> None:
    message = shortcut.get("message") or {}
    await answer_paste(
        context["amz"],
        client,
        channel=shortcut["channel"]["id"],
        text=message.get("text") or "",
        user=shortcut["user"]["id"],
        surface="shortcut",
        thread_ts=message.get("thread_ts") or message.get("ts"),
        respond=respond,
    )


def register(app: AsyncApp) -> None:
    app.shortcut(CALLBACK_ID)(ack_then(handle_explain))

"""Message shortcut *Explain Amazon error*: the card in that message's thread."""

from __future__ import annotations

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.ack import acknowledge
from bot.slack.replies import answer_paste

CALLBACK_ID = "explain_amazon_error"


def handle_explain(
    shortcut: dict, client: WebClient, context: BoltContext, respond: Respond
) -> None:
    message = shortcut.get("message") or {}
    answer_paste(
        context["amz"],
        client,
        channel=shortcut["channel"]["id"],
        text=message.get("text") or "",
        user=shortcut["user"]["id"],
        surface="shortcut",
        thread_ts=message.get("thread_ts") or message.get("ts"),
        respond=respond,
    )


def register(app: App) -> None:
    app.shortcut(CALLBACK_ID)(ack=acknowledge, lazy=[handle_explain])

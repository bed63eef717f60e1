"""*Helpful* / *Not helpful*: stored, and the card shows it was recorded."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.activity import record_feedback
from bot.slack.ack import ack_then
from bot.slack.actions.common import read_click
from bot.slack.actions.other_matches import post_other_matches

FEEDBACK_ACTIONS = ("feedback_helpful", "feedback_not_helpful")


async def handle_feedback(
    body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    amz = context["amz"]
    click = read_click(body, action)
    entry_id = click.value.get("e", "")
    if amz.engine.entry(entry_id) is None:
        return
    helpful = action["action_id"] == "feedback_helpful"
    record_feedback(amz.store, entry_id, click.user, helpful, click.channel, click.message_ts)
    blocks = [b for b in click.message.get("blocks", []) if b.get("block_id") != "feedback_note"]
    for block in blocks:
        if block.get("block_id") == "card_actions":
            block["elements"] = [
                e for e in block["elements"] if e.get("action_id") not in FEEDBACK_ACTIONS
            ]
    blocks = [b for b in blocks if b.get("type") != "actions" or b.get("elements")]
    note = amz.engine.cards.feedback_recorded(helpful, click.user).blocks
    for block in note:
        block["block_id"] = "feedback_note"
    actions_at = next(
        (i for i, b in enumerate(blocks) if b.get("block_id") == "card_actions"), len(blocks) - 1
    )
    blocks[actions_at + 1 : actions_at + 1] = note
    if click.message_ts:
        await client.chat_update(
            channel=click.channel,
            ts=click.message_ts,
            blocks=blocks,
            text=click.message.get("text") or "amzerror card",
        )
    if not helpful:
        await post_other_matches(amz, client, click)


def register(app: AsyncApp) -> None:
    for action_id in FEEDBACK_ACTIONS:
        app.action(action_id)(ack_then(handle_feedback))

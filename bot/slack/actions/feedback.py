"""*Helpful* / *Not helpful*: one vote per person, changeable; the card shows the counts."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.activity import first_time, others_key, record_feedback, vote_counts
from bot.slack.ack import ack_then
from bot.slack.actions.common import read_click
from bot.slack.actions.other_matches import post_other_matches

FEEDBACK_ACTIONS = ("feedback_helpful", "feedback_not_helpful")
NOTE_ID = "feedback_note"


async def handle_feedback(
    body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    amz = context["amz"]
    click = read_click(body, action)
    entry_id = click.value.get("e", "")
    if amz.engine.entry(entry_id) is None or not click.message_ts:
        return
    helpful = action["action_id"] == "feedback_helpful"
    record_feedback(amz.store, entry_id, click.user, helpful, click.channel, click.message_ts)
    yes, no = vote_counts(amz.store, click.channel, click.message_ts)
    # The buttons stay for everybody else; only the line with the counts changes.
    blocks = [b for b in click.message.get("blocks", []) if b.get("block_id") != NOTE_ID]
    note = amz.engine.cards.in_language(click.language).votes(yes, no, click.user).blocks
    for block in note:
        block["block_id"] = NOTE_ID
    actions_at = next(
        (i for i, b in enumerate(blocks) if b.get("block_id") == "card_actions"), len(blocks) - 1
    )
    blocks[actions_at + 1 : actions_at + 1] = note
    await client.chat_update(
        channel=click.channel,
        ts=click.message_ts,
        blocks=blocks,
        text=click.message.get("text") or "amzerror card",
    )
    if not helpful and first_time(amz.store, others_key(click.channel, click.message_ts)):
        await post_other_matches(amz, client, click)


def register(app: AsyncApp) -> None:
    for action_id in FEEDBACK_ACTIONS:
        app.action(action_id)(ack_then(handle_feedback))

"""*Request reprocessing* on a card; *Done* / *Failed* on the ops channel's message."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.reprocess import get_request, resolve
from bot.slack.ack import ack_then
from bot.slack.actions.common import read_click
from bot.slack.replies import modal_metadata, start_reprocess

log = logging.getLogger(__name__)


async def handle_request(
    body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    amz = context["amz"]
    click = read_click(body, action)
    entry = amz.engine.entry(click.value.get("e", ""))
    if entry is None or not entry.reprocessable:
        await client.chat_postEphemeral(
            channel=click.channel,
            user=click.user,
            text="This card's error is not fixed by reprocessing.",
        )
        return
    kind = entry.reprocess_target
    if kind == "sku":
        targets = click.value.get("skus") or [click.value.get("sku")]
    else:
        targets = [click.value.get("order")]
    targets = [t for t in targets if t]
    if not targets:
        # Nothing in the paste said which one: ask, in a modal that validates the id.
        view = amz.engine.cards.reprocess_modal(
            entry, kind, modal_metadata(entry.id, click.channel, click.thread_ts)
        )
        await client.views_open(trigger_id=click.trigger_id, view=view)
        return
    await start_reprocess(
        amz,
        client,
        entry_id=entry.id,
        kind=kind,
        targets=targets,
        user=click.user,
        channel=click.channel,
        thread_ts=click.thread_ts,
    )


async def handle_resolution(
    body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    amz = context["amz"]
    click = read_click(body, action)
    status = "done" if action["action_id"] == "reprocess_done" else "failed"
    request_id = click.value.get("request")
    if not isinstance(request_id, int):
        return
    if not await amz.is_ops(client, click.user):
        await client.chat_postEphemeral(
            channel=click.channel,
            user=click.user,
            text="Only members of the ops channel can mark reprocessing requests done or failed.",
        )
        return
    request = resolve(amz.store, request_id, status, click.user)
    if request is None:
        current = get_request(amz.store, request_id)
        state = current.status if current else "unknown"
        await client.chat_postEphemeral(
            channel=click.channel,
            user=click.user,
            text=f"Request #{request_id} is already {state}.",
        )
        return
    cards = amz.engine.cards
    entry = amz.engine.entry(request.entry_id)
    if entry is not None:
        ops_card = cards.ops_request_card(request, entry, None)
        await client.chat_update(
            channel=click.channel, ts=click.message_ts, blocks=ops_card.blocks, text=ops_card.text
        )
    if request.channel and request.thread_ts:
        status_card = cards.request_status_card(status, request, amz.settings.ops_channel)
        await client.chat_postMessage(
            channel=request.channel,
            thread_ts=request.thread_ts,
            blocks=status_card.blocks,
            text=status_card.text,
        )


def register(app: AsyncApp) -> None:
    app.action("reprocess_request")(ack_then(handle_request))
    app.action("reprocess_done")(ack_then(handle_resolution))
    app.action("reprocess_failed")(ack_then(handle_resolution))

"""The modal that asks which SKU or order to reprocess, validated before it closes."""

from __future__ import annotations

import json

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.knowledge import Entry
from bot.reprocess import validate_target
from bot.slack.ack import ack_then
from bot.slack.replies import start_reprocess


def read_submission(amz, view: dict) -> tuple[Entry | None, dict, str]:
    """The entry, where the card was (channel, thread), and what the person typed."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    entry = amz.engine.entry(meta.get("e", ""))
    typed = view["state"]["values"]["target"]["value"]["value"] or ""
    return entry, meta, typed


async def check_submission(ack: AsyncAck, view: dict, context: AsyncBoltContext) -> bool:
    """Answer in the modal itself: an error under the field (True: nothing follows), or close it."""
    entry, _, typed = read_submission(context["amz"], view)
    if entry is None or not entry.reprocessable:
        await ack(response_action="errors", errors={"target": "This error cannot be reprocessed."})
        return True
    try:
        validate_target(entry.reprocess_target, typed)
    except ValueError as exc:
        await ack(response_action="errors", errors={"target": str(exc)})
        return True
    await ack()
    return False


async def submit_request(
    body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    amz = context["amz"]
    entry, meta, typed = read_submission(amz, view)
    if entry is None or not entry.reprocessable:
        return
    try:
        target = validate_target(entry.reprocess_target, typed)
    except ValueError:
        return  # refused in the modal already
    await start_reprocess(
        amz,
        client,
        entry_id=entry.id,
        kind=entry.reprocess_target,
        targets=[target],
        user=body["user"]["id"],
        channel=meta.get("c", ""),
        thread_ts=meta.get("t", ""),
    )


def register(app: AsyncApp) -> None:
    app.view("reprocess_target")(ack_then(submit_request, first=check_submission))

"""The modal where ops say why reprocessing failed; the reason goes to the thread and requester."""

from __future__ import annotations

import json

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.language import choose_language
from bot.reprocess import is_request_id
from bot.requestcards import FAILED_MODAL
from bot.slack.ack import ack_then
from bot.slack.workflow import mark


async def submit_reason(
    body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    amz = context["amz"]
    try:
        where = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return
    user = body["user"]["id"]
    request_id = where.get("r")
    if not is_request_id(request_id) or not await amz.is_ops(client, user):
        return
    values = view.get("state", {}).get("values", {})
    reason = (values.get("reason", {}).get("value", {}) or {}).get("value") or ""
    await mark(
        amz,
        client,
        request_id=request_id,
        status="failed",
        user=user,
        channel=where.get("c", ""),
        message_ts=where.get("m", ""),
        target=where.get("t") if isinstance(where.get("t"), str) else None,
        reason=reason,
        lang=choose_language(chosen=where.get("l")),
    )


def register(app: AsyncApp) -> None:
    app.view(FAILED_MODAL)(ack_then(submit_reason))

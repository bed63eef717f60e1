"""*Request reprocessing* on a card; *Done* / *Failed* (whole request or one target) in ops."""

from __future__ import annotations

import logging
import re

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.cards import parse_button_value
from bot.reprocess import get_request, is_request_id, targets_from_value
from bot.slack.ack import ack_then
from bot.slack.actions.common import Click, read_click
from bot.slack.people import language_if_known
from bot.slack.posting import CALL_ERRORS, log_failure, slack_error, tell_privately
from bot.slack.workflow import mark, request_targets

log = logging.getLogger(__name__)


async def handle_request(
    body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    amz = context["amz"]
    click = read_click(body, action)
    response_url = body.get("response_url")
    # The modal, its notes and the thread note speak the clicker's language: their own choice
    # or Slack's locale when already known (a modal cannot wait), else the card's.
    lang = language_if_known(amz, click.user, fallback=click.language) or click.language
    cards = amz.engine.request_cards.in_language(lang)
    entry = amz.engine.entry(click.value.get("e", ""))
    if entry is None or not entry.reprocessable:
        note = (
            cards.notice("not_reprocessable", note=entry.reprocess_note)
            if entry
            else cards.notice("unknown_error")
        )
        await tell_privately(
            client,
            note,
            user=click.user,
            channel=click.channel,
            thread_ts=click.thread_ts,
            response_url=response_url,
        )
        return
    targets = targets_from_value(click.value, entry.reprocess_target)
    if len(targets) == 1 and not entry.reprocess_waits_for:
        await request_targets(
            amz,
            client,
            entry=entry,
            targets=targets,
            user=click.user,
            channel=click.channel,
            thread_ts=click.thread_ts,
            response_url=response_url,
            lang=lang,
        )
        return
    # Several targets (choose), none known (ask), or a fix to confirm first: a modal.
    total = click.value.get("n") if isinstance(click.value.get("n"), int) else len(targets)
    where = {
        "e": entry.id,
        "c": click.channel,
        "t": click.thread_ts,
        "u": response_url,
        "l": lang,
    }
    view = cards.request_modal(entry, targets, total, where)
    await open_modal(amz, client, click, view, response_url)


async def open_modal(amz, client, click: Click, view: dict, response_url: str | None) -> None:
    """Open a modal; if Slack will not (an expired trigger), the person hears why."""
    try:
        await client.views_open(trigger_id=click.trigger_id, view=view)
    except CALL_ERRORS as exc:
        log_failure("opening a modal", exc)
        cards = amz.engine.request_cards.in_language(click.language)
        note = cards.notice("error", error=slack_error(exc))
        await tell_privately(
            client,
            note,
            user=click.user,
            channel=click.channel,
            thread_ts=click.thread_ts,
            response_url=response_url,
        )


def _marking(click: Click, action: dict) -> tuple[int | None, str, str | None]:
    """(request id, "done" | "failed", target or None) from a button or a target's menu."""
    if action.get("type") == "overflow":
        value = parse_button_value((action.get("selected_option") or {}).get("value", ""))
        status = value.get("s")
        target = value.get("t") if isinstance(value.get("t"), str) else None
    else:
        value = click.value
        status = "done" if action["action_id"] == "reprocess_done" else "failed"
        target = None
    request_id = value.get("request")
    if not is_request_id(request_id) or status not in ("done", "failed"):
        return None, "", None
    return request_id, status, target


async def handle_resolution(
    body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    amz = context["amz"]
    click = read_click(body, action)
    request_id, status, target = _marking(click, action)
    if request_id is None:
        return
    # The ops message's buttons carry its language (the ops language): ops are answered in it.
    cards = amz.engine.request_cards.in_language(click.language)
    try:
        allowed = await amz.is_ops(client, click.user)
    except CALL_ERRORS as exc:  # the ops channel cannot be read: only AMZERROR_OPS_USERS count
        log_failure("reading the ops channel's members", exc)
        allowed = False
    if not allowed:
        await tell_privately(
            client,
            cards.notice("only_ops"),
            user=click.user,
            channel=click.channel,
        )
        return
    if status == "failed":
        request = get_request(amz.store, request_id)
        if request is not None:
            where = {
                "r": request_id,
                "t": target,
                "c": click.channel,
                "m": click.message_ts,
                "l": click.language,
            }
            view = cards.failed_modal(request, target, where)
            await open_modal(amz, client, click, view, body.get("response_url"))
            return
    await mark(
        amz,
        client,
        request_id=request_id,
        status=status,
        user=click.user,
        channel=click.channel,
        message_ts=click.message_ts,
        target=target,
        lang=click.language,
    )


def register(app: AsyncApp) -> None:
    app.action("reprocess_request")(ack_then(handle_request))
    app.action("reprocess_done")(ack_then(handle_resolution))
    app.action("reprocess_failed")(ack_then(handle_resolution))
    app.action(re.compile(r"^reprocess_target_\d+$"))(ack_then(handle_resolution))

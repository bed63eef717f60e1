"""The modal that chooses what to reprocess: the card's targets, unselected or added to,
every id checked before the modal closes."""

from __future__ import annotations

import json
from dataclasses import dataclass

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.knowledge import Entry
from bot.language import choose_language
from bot.reprocess import MAX_TARGETS, extract_targets, valid_targets
from bot.requestcards import REQUEST_MODAL
from bot.slack.ack import ack_then
from bot.slack.workflow import request_targets


@dataclass(frozen=True)
class Choice:
    """What the modal was opened for, what the person chose, and what is wrong with it."""

    entry: Entry | None
    where: dict
    targets: tuple[str, ...]
    errors: dict[str, str]
    lang: str = "en"  # of the person choosing (the card they clicked)


def read_choice(amz, view: dict) -> Choice:
    try:
        where = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        where = {}
    entry = amz.engine.entry(where.get("e", ""))
    lang = choose_language(chosen=where.get("l"))
    cards = amz.engine.request_cards.in_language(lang)
    if entry is None or not entry.reprocessable:
        return Choice(None, where, (), {"more": cards.notice_text("unknown_error")}, lang)
    kind = entry.reprocess_target
    values = view.get("state", {}).get("values", {})
    ticked = [
        option.get("value")
        for block_id, block in values.items()
        if block_id.startswith("targets_")
        for option in (block.get("selected", {}).get("selected_options") or [])
    ]
    typed = extract_targets(
        (values.get("more", {}).get("value", {}) or {}).get("value") or "", kind
    )
    targets = tuple(dict.fromkeys(valid_targets(kind, ticked) + typed.valid))
    errors = {}
    if typed.invalid:
        errors["more"] = cards.notice_text("bad_ids", target_kind=kind, ids=typed.invalid)
    elif not targets:
        errors["more"] = cards.notice_text("nothing_selected", target_kind=kind)
    elif len(targets) > MAX_TARGETS:
        errors["more"] = cards.notice_text("too_many", target_kind=kind, count=len(targets))
    return Choice(entry, where, targets, errors, lang)


async def check_choice(ack: AsyncAck, view: dict, context: AsyncBoltContext) -> bool:
    """Errors under the field keep the modal open (True: nothing follows); else it closes."""
    choice = read_choice(context["amz"], view)
    if choice.errors:
        await ack(response_action="errors", errors=choice.errors)
        return True
    await ack()
    return False


async def submit_choice(
    body: dict, view: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    amz = context["amz"]
    choice = read_choice(amz, view)
    if choice.errors or choice.entry is None:
        return
    await request_targets(
        amz,
        client,
        entry=choice.entry,
        targets=choice.targets,
        user=body["user"]["id"],
        channel=choice.where.get("c", ""),
        thread_ts=choice.where.get("t", ""),
        response_url=choice.where.get("u"),
        lang=choice.lang,
    )


def register(app: AsyncApp) -> None:
    app.view(REQUEST_MODAL)(ack_then(submit_choice, first=check_choice))

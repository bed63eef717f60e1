"""*Other matches* lists the next best entries; *Show fix* posts one entry's card."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.activity import first_time, others_key, record_answer
from bot.matcher import Match
from bot.slack.ack import ack_then
from bot.slack.actions.common import Click, read_click
from bot.slack.replies import post_card


async def post_other_matches(amz, client: AsyncWebClient, click: Click) -> None:
    entry_id = click.value.get("e", "")
    others = amz.engine.others_like(entry_id)
    context = {k: click.value[k] for k in ("sku", "order") if k in click.value}
    cards = amz.engine.cards.in_language(click.language)
    context = {**context, **({"l": click.language} if click.language != "en" else {})}
    card = cards.other_matches_card(entry_id, others, context)
    await post_card(client, click.channel, card, click.thread_ts)


async def handle_other_matches(
    body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    amz, click = context["amz"], read_click(body, action)
    # Asked for: always shown; and *Not helpful* will not offer them a second time.
    first_time(amz.store, others_key(click.channel, click.message_ts))
    await post_other_matches(amz, client, click)


async def handle_show_entry(
    body: dict, action: dict, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    amz = context["amz"]
    click = read_click(body, action)
    entry = amz.engine.entry(click.value.get("e", ""))
    if entry is None:
        return
    skus = tuple(click.value.get("skus") or ([click.value["sku"]] if "sku" in click.value else []))
    orders = (click.value["order"],) if "order" in click.value else ()
    slots = {k: click.value[k] for k in ("sku", "order") if k in click.value}
    match = Match(entry.id, entry.title, 100, slots, skus, orders)
    await post_card(
        client,
        click.channel,
        amz.engine.cards.in_language(click.language).entry_card(entry, match),
        click.thread_ts,
    )
    record_answer(amz.store, match, "show", click.channel, click.thread_ts or None, click.language)


def register(app: AsyncApp) -> None:
    app.action("other_matches")(ack_then(handle_other_matches))
    app.action(re.compile(r"^show_entry_\d+$"))(ack_then(handle_show_entry))

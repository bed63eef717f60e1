"""Turn core results into Web API calls: post cards, remember threads, run the reprocess workflow."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.activity import record_answer
from bot.cards import Card
from bot.engine import Explanation
from bot.matcher import MatchResult
from bot.reprocess import ReprocessRequest, request_reprocessing, update_request
from bot.store import StorageError

log = logging.getLogger(__name__)

# Where a post cannot go to the channel itself, a slash command's response_url still can.
_NOT_POSTABLE = {"not_in_channel", "channel_not_found", "is_archived"}


async def post_card(
    client: AsyncWebClient,
    channel: str,
    card: Card,
    thread_ts: str | None = None,
    respond: Callable | None = None,
) -> str | None:
    """Post a card; the message ts, or None when it went through response_url instead."""
    message = {"blocks": card.blocks, "text": card.text}
    try:
        try:
            response = await client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
                **message,
            )
        except SlackApiError as exc:
            if slack_error(exc) != "invalid_blocks":
                raise
            # A card Slack refuses still says what it found, as plain text.
            log.error("Slack refused a card's blocks (%s); posting its text", exc)
            message = {"text": card.text}
            response = await client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, **message
            )
        return response["ts"]
    except SlackApiError as exc:
        if respond is not None and slack_error(exc) in _NOT_POSTABLE:
            await respond(response_type="in_channel", **message)
            return None
        raise


async def answer_paste(
    services,
    client: AsyncWebClient,
    *,
    channel: str,
    text: str,
    user: str,
    surface: str,
    thread_ts: str | None = None,
    min_score: int | None = None,
    respond: Callable | None = None,
    result: MatchResult | None = None,
) -> Explanation | None:
    """Match pasted text (unless `result` is given) and post its card.

    Nothing is posted when the best match is below `min_score`.
    """
    explanation = await services.engine.explain_soon(text, result)
    best = explanation.result.best
    if min_score is not None and (best is None or best.score < min_score):
        return None
    card = explanation.card
    if surface == "command":
        # Nobody else sees the slash command itself: say who asked and what.
        card = services.engine.cards.with_question(card, user, text)
    if best is not None and thread_ts:
        # Known before posting, so a quick follow-up in the thread already finds it.
        _remember(services, best, surface, channel, thread_ts)
    ts = await post_card(client, channel, card, thread_ts, respond)
    if best is not None and not thread_ts:
        _remember(services, best, surface, channel, ts)
    return explanation


def _remember(services, best, surface: str, channel: str, thread_ts: str | None) -> None:
    """Keep the thread's context and the statistics; an unwritable database costs only those."""
    try:
        record_answer(services.store, best, surface, channel, thread_ts)
    except StorageError as exc:
        # The card still goes out; /healthz reports the database to the operator.
        log.warning(
            "could not store the answer in %s (%s); the card is posted anyway", channel, exc
        )


def slack_error(exc: Exception) -> str:
    """Slack's error code ("channel_not_found"), or what went wrong on the way there."""
    response = getattr(exc, "response", None)
    data = getattr(response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    status = getattr(response, "status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


def thread_link(channel: str, ts: str) -> str:
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


async def start_reprocess(
    services,
    client: AsyncWebClient,
    *,
    entry_id: str,
    kind: str,
    targets: Sequence[str],
    user: str,
    channel: str,
    thread_ts: str,
) -> list[ReprocessRequest]:
    """One request per target; an id that is not one gets a private line saying why."""
    requests = []
    for target in targets:
        try:
            requests.append(
                await _start_one(services, client, entry_id, kind, target, user, channel, thread_ts)
            )
        except ValueError as exc:
            await client.chat_postEphemeral(
                channel=channel, user=user, thread_ts=thread_ts, text=str(exc)
            )
    return requests


async def _start_one(
    services,
    client: AsyncWebClient,
    entry_id: str,
    kind: str,
    target: str,
    user: str,
    channel: str,
    thread_ts: str,
) -> ReprocessRequest:
    """Record the request first, then tell the thread and the ops channel."""
    settings = services.settings
    entry = services.engine.entry(entry_id)
    if entry is None:
        raise ValueError(f"unknown entry {entry_id!r}")
    request, created = request_reprocessing(
        services.store,
        entry_id,
        kind,
        target,
        user,
        channel,
        thread_ts,
        webhook=bool(settings.reprocess_webhook),
    )
    cards = services.engine.cards
    if not created:
        await client.chat_postEphemeral(
            channel=channel,
            user=user,
            thread_ts=thread_ts,
            **_card_args(cards.request_status_card("already_open", request, settings.ops_channel)),
        )
        return request
    await client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        **_card_args(cards.request_status_card("requested", request, settings.ops_channel)),
    )
    if settings.ops_channel:
        try:
            posted = await client.chat_postMessage(
                channel=settings.ops_channel,
                **_card_args(
                    cards.ops_request_card(request, entry, thread_link(channel, thread_ts))
                ),
            )
            request = update_request(
                services.store,
                request.id,
                ops_channel=posted["channel"],
                ops_ts=posted["ts"],
            )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            # The request stays recorded; ops can still see it with /amzerror requests.
            reason = slack_error(exc)
            update_request(services.store, request.id, last_error=f"ops post failed: {reason}")
            log.error("could not post request #%s to the ops channel: %s", request.id, exc)
    if services.webhook is not None:
        services.webhook.wake()
    return request


def _card_args(card: Card) -> dict:
    return {"blocks": card.blocks, "text": card.text}


def modal_metadata(entry_id: str, channel: str, thread_ts: str) -> str:
    return json.dumps({"e": entry_id, "c": channel, "t": thread_ts})

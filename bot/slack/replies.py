"""Turn core results into Web API calls: post cards and remember what each thread is about."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.activity import record_answer
from bot.cards import Card
from bot.engine import Explanation
from bot.language import choose_language
from bot.matcher import MatchResult
from bot.slack.people import language_for
from bot.slack.posting import slack_error
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
    if surface == "watch":
        # Posted unasked for the whole channel: in the paste's language, not one person's.
        lang = choose_language(text=text, default=services.settings.language)
    else:
        lang = await language_for(services, client, user, text=text)
    explanation = await services.engine.explain_soon(text, result, lang)
    best = explanation.result.best
    if min_score is not None and (best is None or best.score < min_score):
        return None
    card = explanation.card
    if surface == "command":
        # Nobody else sees the slash command itself: say who asked and what.
        card = services.engine.cards.in_language(lang).with_question(card, user, text)
    if best is not None and thread_ts:
        # Known before posting, so a quick follow-up in the thread already finds it.
        await _remember(services, best, surface, channel, thread_ts, lang)
    ts = await post_card(client, channel, card, thread_ts, respond)
    if best is not None and not thread_ts:
        await _remember(services, best, surface, channel, ts, lang)
    return explanation


async def _remember(
    services, best, surface: str, channel: str, thread_ts: str | None, lang: str
) -> None:
    """Keep the thread's context (its language too) and the statistics; an unwritable database
    costs only those."""
    await services.store.writable()
    try:
        record_answer(services.store, best, surface, channel, thread_ts, lang)
    except StorageError as exc:
        # The card still goes out; /healthz reports the database to the operator.
        log.warning(
            "could not store the answer in %s (%s); the card is posted anyway", channel, exc
        )

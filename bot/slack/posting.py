"""Slack's refusals in one place: which are normal life, how to log them, how to tell someone."""

from __future__ import annotations

import json
import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.cards import Card, parse_button_value
from bot.language import choose_language

log = logging.getLogger(__name__)

# Answers that are part of normal life (the bot was not invited, the channel went away, the
# message was deleted): one warning line each, never a traceback.
NORMAL_REFUSALS = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "message_not_found"}
)
# What a failed Web API call raises: Slack's refusal, or the network on the way there.
CALL_ERRORS = (SlackApiError, aiohttp.ClientError, TimeoutError, OSError)


def slack_error(exc: BaseException) -> str:
    """Slack's error code ("channel_not_found"), or what went wrong on the way there."""
    response = getattr(exc, "response", None)
    data = response if isinstance(response, dict) else getattr(response, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    status = getattr(response, "status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


def is_normal_refusal(exc: BaseException) -> bool:
    return isinstance(exc, SlackApiError) and slack_error(exc) in NORMAL_REFUSALS


def log_failure(what: str, exc: BaseException) -> None:
    """A normal refusal is one warning line; anything else keeps its traceback."""
    if is_normal_refusal(exc) or isinstance(exc, (aiohttp.ClientError, TimeoutError)):
        log.warning("%s: %s", what, slack_error(exc))
    else:
        log.error("%s: %s", what, slack_error(exc), exc_info=exc)


async def tell_privately(
    client: AsyncWebClient,
    card: Card,
    *,
    user: str,
    channel: str | None = None,
    thread_ts: str | None = None,
    response_url: str | None = None,
) -> bool:
    """Tell one person, privately: an ephemeral message where they are, else a direct message,
    else the `response_url` of what they clicked. False when no way worked (logged)."""
    message = {"blocks": card.blocks, "text": card.text}
    if channel:
        try:
            await client.chat_postEphemeral(
                channel=channel, user=user, thread_ts=thread_ts, **message
            )
            return True
        except CALL_ERRORS as exc:
            log_failure(f"ephemeral note to {user} in {channel}", exc)
    try:
        await client.chat_postMessage(channel=user, **message)
        return True
    except CALL_ERRORS as exc:
        log_failure(f"direct message to {user}", exc)
    if response_url:
        try:
            hook = AsyncWebhookClient(response_url, session=client.session, timeout=10)
            answer = await hook.send(response_type="ephemeral", replace_original=False, **message)
            if answer.status_code == 200:
                return True
            log.warning("response_url note to %s: HTTP %s", user, answer.status_code)
        except CALL_ERRORS as exc:
            log_failure(f"response_url note to {user}", exc)
    return False


def where_from(body: dict) -> dict:
    """Who acted and where, from an event, a slash command or an interaction, as the
    keyword arguments of `tell_privately`."""
    event = body.get("event")
    if isinstance(event, dict):
        return {
            "user": event.get("user"),
            "channel": event.get("channel"),
            "thread_ts": event.get("thread_ts") or event.get("ts"),
            "response_url": None,
        }
    message = body.get("message") or body.get("container") or {}
    return {
        "user": body.get("user_id") or (body.get("user") or {}).get("id"),
        "channel": body.get("channel_id") or (body.get("channel") or {}).get("id"),
        "thread_ts": message.get("thread_ts"),
        "response_url": body.get("response_url"),
    }


def language_from(body: dict, default: str = "en") -> str:
    """The language of whoever acted, as far as the payload says: the language a clicked
    button or an open modal carries, else the words of a message or slash command."""
    actions = body.get("actions")
    if isinstance(actions, list) and actions and isinstance(actions[0], dict):
        action = actions[0]
        value = action.get("value") or (action.get("selected_option") or {}).get("value")
        return choose_language(chosen=parse_button_value(value or "").get("l"))
    view = body.get("view")
    if isinstance(view, dict):
        try:
            where = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            where = {}
        return choose_language(chosen=where.get("l") if isinstance(where, dict) else None)
    event = body.get("event")
    text = event.get("text") if isinstance(event, dict) else body.get("text")
    return choose_language(text=text if isinstance(text, str) else None, default=default)

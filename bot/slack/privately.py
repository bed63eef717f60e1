"""Tell the person behind a request something only they see, wherever Slack allows it."""

from __future__ import annotations

import logging

from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def _who_and_where(body: dict) -> tuple[str | None, str | None, str | None]:
    """(user, channel, thread_ts) of an event, a slash command or an interaction."""
    event = body.get("event")
    if isinstance(event, dict):
        return event.get("user"), event.get("channel"), event.get("thread_ts") or event.get("ts")
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
    message = body.get("message") or body.get("container") or {}
    return user, channel, message.get("thread_ts")


async def tell_privately(args: AsyncArgs, text: str) -> None:
    """An ephemeral note in the channel; else the response_url; else a direct message.

    Never raises: this is what runs when something else already went wrong.
    """
    body = args.body or {}
    user, channel, thread_ts = _who_and_where(body)
    client = args.client
    try:
        if user and channel:
            try:
                await client.chat_postEphemeral(
                    channel=channel, user=user, thread_ts=thread_ts, text=text
                )
                return
            except SlackApiError as exc:
                log.warning("ephemeral note to %s in %s refused: %s", user, channel, exc)
        if body.get("response_url") and args.respond is not None:
            await args.respond(text=text, response_type="ephemeral", replace_original=False)
            return
        if user:
            await client.chat_postMessage(channel=user, text=text)
    except Exception as exc:  # noqa: BLE001 - the last resort must not fail in turn
        log.warning("could not tell %s privately: %s", user or "?", exc)

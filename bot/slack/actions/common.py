"""What every button handler reads from a block_actions payload."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cards import parse_button_value
from bot.language import LANGUAGES


@dataclass(frozen=True)
class Click:
    """A button click: who, where (channel, message, thread) and the button's value."""

    user: str
    channel: str
    message_ts: str
    thread_ts: str
    value: dict
    trigger_id: str
    message: dict

    @property
    def language(self) -> str:
        """The language of the card clicked, which its buttons carry (English if none)."""
        lang = self.value.get("l")
        return lang if lang in LANGUAGES else "en"


def read_click(body: dict, action: dict) -> Click:
    message = body.get("message") or {}
    container = body.get("container") or {}
    message_ts = message.get("ts") or container.get("message_ts") or ""
    return Click(
        user=(body.get("user") or {}).get("id", ""),
        channel=(body.get("channel") or {}).get("id") or container.get("channel_id", ""),
        message_ts=message_ts,
        thread_ts=message.get("thread_ts") or container.get("thread_ts") or message_ts,
        value=parse_button_value(action.get("value", "")),
        trigger_id=body.get("trigger_id", ""),
        message=message,
    )

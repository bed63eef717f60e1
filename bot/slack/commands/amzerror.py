"""`/amzerror`: explain a paste in the channel; help, search, requests and stats to the caller."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.activity import first_time, stats
from bot.language import choose_language
from bot.normalize import fold
from bot.reprocess import requests_to_list
from bot.slack.ack import ack_then
from bot.slack.replies import answer_paste

log = logging.getLogger(__name__)

# Each word people type after /amzerror: the subcommand it names, and the language it
# says (None: the words after it, or the configured default, decide). Accents are folded.
SUBCOMMANDS: dict[str, tuple[str, str | None]] = {
    "": ("help", None),
    "?": ("help", None),
    "help": ("help", "en"),
    "ajuda": ("help", "pt"),
    "ayuda": ("help", "es"),
    "search": ("search", None),
    "buscar": ("search", "pt"),
    "busca": ("search", "pt"),
    "requests": ("requests", None),
    "stats": ("stats", None),
    "estatisticas": ("stats", "pt"),
    "estadisticas": ("stats", "es"),
}


def _first_word(text: str) -> tuple[str, str]:
    word, _, rest = text.partition(" ")
    return fold(word.lower()), rest.strip()


def subcommand(text: str) -> tuple[str, str] | None:
    """("help" | "search" | "requests" | "stats", argument), or None for a paste."""
    word, rest = _first_word(text)
    name, _ = SUBCOMMANDS.get(word, (None, None))
    if name == "search":
        return ("search", rest) if rest else ("help", "")  # nothing to search: the usage
    if name == "help" or (name in ("requests", "stats") and not rest):
        return name, ""
    return None


def language_of_command(amz, text: str) -> str:
    """`/amzerror ajuda` is answered in Portuguese, `ayuda` in Spanish; otherwise the words
    after the subcommand, or the configured default, decide."""
    word, rest = _first_word(text)
    said = SUBCOMMANDS.get(word, (None, None))[1]
    return said or choose_language(text=rest or text, default=amz.settings.language)


def ephemeral_answer(amz, text: str):
    """The card for help, search, requests and stats (for the caller only), else None."""
    found = subcommand(text)
    if found is None:
        return None
    cards = amz.engine.cards.in_language(language_of_command(amz, text))
    name, argument = found
    if name == "search":
        return cards.search_card(argument, amz.store.search(argument))
    if name == "requests":
        listing = amz.engine.request_cards.in_language(cards.lang)
        return listing.requests_list(*requests_to_list(amz.store))
    if name == "stats":
        titles = {e.id: e.in_language(cards.lang).title for e in amz.engine.entries.values()}
        return cards.stats_card([stats(amz.store, 7), stats(amz.store, 30)], titles)
    return cards.help_card()


async def ack_command(ack: AsyncAck, command: dict, context: AsyncBoltContext) -> bool:
    """Help, search, requests and stats come back in the acknowledgement itself (True)."""
    card = ephemeral_answer(context["amz"], (command.get("text") or "").strip())
    if card is None:
        await ack()  # a paste: the card follows from answer_command
        return False
    await ack(blocks=card.blocks, text=card.text, response_type="ephemeral")
    return True


async def answer_command(
    command: dict, client: AsyncWebClient, context: AsyncBoltContext, respond: AsyncRespond
) -> None:
    # Each slash command has its own trigger_id: a signed request replayed within Slack's
    # five minutes carries the same one, and gets no second card.
    trigger = command.get("trigger_id")
    if trigger and not first_time(context["amz"].store, f"command:{trigger}"):
        log.warning("slash command %s received again; answered once", trigger)
        return
    await answer_paste(
        context["amz"],
        client,
        channel=command["channel_id"],
        text=(command.get("text") or "").strip(),
        user=command["user_id"],
        surface="command",
        respond=respond,
    )


def register(app: AsyncApp) -> None:
    app.command("/amzerror")(ack_then(answer_command, first=ack_command))

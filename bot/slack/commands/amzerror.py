"""`/amzerror`: explain a paste in the channel; help, search, requests, stats, lang to the caller."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.activity import claim, stats
from bot.normalize import fold
from bot.people import choose_language_for, person_language
from bot.reprocess import requests_to_list
from bot.slack.ack import ack_then
from bot.slack.people import language_for, language_if_known
from bot.slack.replies import answer_paste
from bot.store import StorageError

log = logging.getLogger(__name__)

# Each word people type after /amzerror: the subcommand it names, and the language it
# says (None: the person's language decides). Accents are folded.
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
    "lang": ("lang", None),
    "language": ("lang", None),
    "idioma": ("lang", None),
    "lingua": ("lang", None),
}
# `/amzerror lang <word>`: the language it names; AUTO goes back to Slack's locale.
AUTO = "auto"
LANGUAGE_WORDS = {
    "en": "en",
    "english": "en",
    "ingles": "en",
    "pt": "pt",
    "pt-br": "pt",
    "portugues": "pt",
    "portuguese": "pt",
    "es": "es",
    "espanol": "es",
    "spanish": "es",
    "castellano": "es",
    "auto": AUTO,
    "slack": AUTO,
}


def _first_word(text: str) -> tuple[str, str]:
    word, _, rest = text.partition(" ")
    return fold(word.lower()), rest.strip()


def subcommand(text: str) -> tuple[str, str] | None:
    """(help | search | requests | stats | lang, argument), or None for a paste."""
    word, rest = _first_word(text)
    name, _ = SUBCOMMANDS.get(word, (None, None))
    if name == "search":
        return ("search", rest) if rest else ("help", "")  # nothing to search: the usage
    if name == "lang" and len(rest.split()) <= 1:
        return name, rest
    if name == "help" or (name in ("requests", "stats") and not rest):
        return name, ""
    return None


def said_language(text: str) -> str | None:
    """The language the subcommand's own word says (`ajuda`: pt), if it says one."""
    return SUBCOMMANDS.get(_first_word(text)[0], (None, None))[1]


def language_choice(argument: str) -> tuple[str, str | None]:
    """What `/amzerror lang <argument>` asks: (chosen | auto | shown | unknown, language)."""
    if not argument:
        return "shown", None
    lang = LANGUAGE_WORDS.get(fold(argument.lower()))
    if lang is None:
        return "unknown", None
    return ("auto", None) if lang == AUTO else ("chosen", lang)


def ephemeral_answer(amz, name: str, argument: str, user: str, lang: str, state: str = ""):
    """The card for help, search, requests, stats and lang, shown to the caller only."""
    cards = amz.engine.cards.in_language(lang)
    if name == "search":
        return cards.search_card(argument, amz.store.search(argument))
    if name == "requests":
        listing = amz.engine.request_cards.in_language(cards.lang)
        return listing.requests_list(*requests_to_list(amz.store))
    if name == "stats":
        titles = {e.id: e.in_language(cards.lang).title for e in amz.engine.entries.values()}
        return cards.stats_card([stats(amz.store, 7), stats(amz.store, 30)], titles)
    if name == "lang":
        chosen = person_language(amz.store, user).chosen is not None
        return cards.language_card(state, chosen=chosen, word=argument)
    return cards.help_card()


async def ack_command(ack: AsyncAck, command: dict, context: AsyncBoltContext) -> bool:
    """Help, search, requests, stats and lang come back in the acknowledgement itself (True),
    unless Slack must first be asked the caller's language: then answer_command answers."""
    amz, text, user = context["amz"], (command.get("text") or "").strip(), command["user_id"]
    found = subcommand(text)
    if found is None:
        await ack()  # a paste: the card follows from answer_command
        return False
    name, argument = found
    state, chosen = language_choice(argument) if name == "lang" else ("", None)
    if state in ("chosen", "auto"):
        try:
            choose_language_for(amz.store, user, chosen)
        except StorageError as exc:  # the person hears it was not kept, in one line
            log.error("/amzerror lang: not stored: %s", exc)
            note = amz.engine.request_cards.in_language(chosen or "en")
            card = note.notice("action_not_stored", error=str(exc))
            await ack(blocks=card.blocks, text=card.text, response_type="ephemeral")
            return True
    # `/amzerror lang pt` answers in the language just chosen.
    lang = chosen or said_language(text) or language_if_known(amz, user, text=argument)
    if lang is None:
        await ack()
        return False
    card = ephemeral_answer(amz, name, argument, user, lang, state)
    await ack(blocks=card.blocks, text=card.text, response_type="ephemeral")
    return True


async def answer_command(
    command: dict, client: AsyncWebClient, context: AsyncBoltContext, respond: AsyncRespond
) -> None:
    amz, text, user = context["amz"], (command.get("text") or "").strip(), command["user_id"]
    # Each slash command has its own trigger_id: a signed request replayed within Slack's
    # five minutes carries the same one, and gets no second card.
    trigger = command.get("trigger_id")
    if trigger and not await claim(amz.store, f"command:{trigger}"):
        log.warning("slash command %s received again; answered once", trigger)
        return
    found = subcommand(text)
    if found is not None:  # acknowledged before the caller's language was known
        name, argument = found
        lang = said_language(text) or await language_for(amz, client, user, text=argument)
        state = language_choice(argument)[0] if name == "lang" else ""
        card = ephemeral_answer(amz, name, argument, user, lang, state)
        await respond(blocks=card.blocks, text=card.text, response_type="ephemeral")
        return
    await answer_paste(
        amz,
        client,
        channel=command["channel_id"],
        text=text,
        user=user,
        surface="command",
        respond=respond,
    )


def register(app: AsyncApp) -> None:
    app.command("/amzerror")(ack_then(answer_command, first=ack_command))

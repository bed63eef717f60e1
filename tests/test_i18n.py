"""The bot's sentences in Portuguese and Spanish: complete catalogs, the same placeholders, valid cards."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.cards import validate_blocks
from bot.config import PROJECT_ROOT
from bot.i18n import catalog_path
from bot.matcher import MatchResult
from bot.reprocess import ReprocessRequest, Target
from bot.requestcards import RequestCards
from tests.test_card_kinds import NOTICE_KINDS

LANGS = ("pt", "es")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]")


def ids_in_code() -> set:
    """Every sentence bot/ and templates/ ask to translate, as `make messages` finds them
    (the same babel.cfg, the same keywords)."""
    with (PROJECT_ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        str(PROJECT_ROOT),
        method_map,
        options_map=options_map,
        keywords={**DEFAULT_KEYWORDS, "N_": None},
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


@pytest.fixture(scope="module")
def catalogs():
    return {lang: read_po(catalog_path(lang).open("rb"), locale=lang) for lang in LANGS}


def test_every_sentence_is_translated_in_both_catalogs(catalogs):
    wanted = ids_in_code()
    assert len(wanted) > 50
    for lang, catalog in catalogs.items():
        have = {m.id: m for m in catalog if m.id}
        missing = [i for i in wanted if i not in have or not have[i].string or have[i].fuzzy]
        assert not missing, (lang, missing)
        unused = [i for i in have if i not in wanted]
        assert not unused, (lang, "ids nobody uses any more", unused)


def test_placeholders_are_the_same_in_every_language(catalogs):
    for lang, catalog in catalogs.items():
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            expected = sorted(PLACEHOLDER.findall(ids[-1]))
            for string in strings:
                assert sorted(PLACEHOLDER.findall(string)) == expected, (lang, message.id, string)
                assert string.count("%%") == ids[0].count("%%"), (lang, message.id)


@pytest.mark.parametrize("lang", ["en", "pt", "es"])
def test_every_card_renders_and_validates_in_every_language(
    renderer, matcher, by_id, entries, lang
):
    cards = renderer.in_language(lang)
    pastes = [
        "SKU 4410 and SKU 4411: The SKU you tried to submit is inactive on VTEX\nNo available sla to deliver this order",
        "nothing to see here",
        ("The SKU you tried to submit is inactive on VTEX\n" * 2) + "x" * 25_000,
    ]
    for paste in pastes:
        result = matcher.match(paste)
        for card in (
            cards.match_card(result, by_id),
            cards.with_question(cards.match_card(result, by_id), "U1", paste),
        ):
            validate_blocks(card.blocks)
            assert card.text
    incomplete = MatchResult([], [], incomplete=True, lines_read=1, lines_total=9)
    validate_blocks(cards.no_match_card(incomplete).blocks)
    for entry in entries:
        validate_blocks(cards.entry_card(entry).blocks)
    for card in (
        cards.help_card(),
        cards.search_card("cor planilha", entries[:3]),
        cards.search_card("nothing", []),
        cards.other_matches_card(entries[0].id, entries[1:4], {}),
        cards.other_matches_card(entries[0].id, [], {}),
        cards.votes(2, 1, "U1"),
    ):
        validate_blocks(card.blocks)


def test_a_portuguese_card_speaks_portuguese_and_keeps_the_platform_words(renderer, matcher, by_id):
    result = matcher.match("O SKU que você tentou enviar se encontra inativo na VTEX")
    card = renderer.in_language("pt").match_card(result, by_id)
    text = str(card.blocks)
    assert "O que aconteceu" in text and "Como corrigir" in text and "Pedir reprocessamento" in text
    assert by_id["sku-inactive"].translations["pt"].title in text
    assert "What happened" not in text and "Request reprocessing" not in text
    spanish = str(renderer.in_language("es").help_card().blocks)
    assert "Cómo" in spanish or "Pega el texto" in spanish


def test_an_unknown_language_is_english(renderer, entries):
    assert renderer.in_language("fr").lang == "en"
    assert "What happened" in str(renderer.in_language("fr").entry_card(entries[0]).blocks)


# Words that give an English sentence away: none is Portuguese or Spanish. The words both
# languages borrow ("thread", "card", "SKU", "ID", "webhook", "ops", "token", "Admin") are not here.
ENGLISH = frozenset(
    re.findall(
        r"\w+",
        """the and or of for with by to in on at it is are was were be not this that there here
        your you please only again already yet first why which should could would will keep
        request requests requested reprocess reprocessing done failed open waiting pending sent
        marked mark nothing newest attempt attempts order orders select add more cancel asked
        told recorded lists left out team channel""",
    )
)
# Every private note but already_resolved, which is rendered with and without a target.
NOTES = tuple(kind for kind in NOTICE_KINDS if kind != "already_resolved")
# What a card shows as given, not written by the bot: mentions, channels, links and dates
# (<...>), code and error codes (`...`), emoji codes (:...:).
_GIVEN = re.compile(r"<[^>]*>|`[^`]*`|:[a-z0-9_+-]+:")


def shown_words(blocks) -> list[str]:
    """Every word a person reads in blocks or a modal (texts, labels, hints, placeholders,
    options), without what the card only repeats (see _GIVEN)."""
    texts: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    texts.append(value)
                elif key not in ("value", "private_metadata"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    words = re.findall(r"[\w']+", _GIVEN.sub(" ", " ".join(texts)))
    # Identifiers (AMZERROR_OPS_CHANNEL) and ids are given too.
    return [w for w in words if w.replace("'", "").isalpha()]


def workflow(cards: RequestCards, by_id) -> dict[str, object]:
    """Each card of the reprocessing workflow, in each of its forms, as a person sees it."""
    shown = {
        **_workflow_of(cards, by_id["token-expired"], "sku", ("1202", "3001")),
        **_workflow_of(
            cards, by_id["order-no-sla"], "order", ("1391560531867-01", "702-1234567-1234567")
        ),
    }
    shown["no requests"] = cards.requests_list([], 0).blocks
    return shown


def _workflow_of(cards: RequestCards, entry, kind: str, ids: tuple[str, str]) -> dict:
    def request(status="open", targets=ids, **extra):
        return ReprocessRequest(
            id=7,
            entry_id=entry.id,
            target_kind=kind,
            status=status,
            requested_by="U1",
            channel="C1",
            thread_ts="1700000000.000100",
            created_at="2026-11-25T14:00:00+00:00",
            targets=tuple(t if isinstance(t, Target) else Target(t) for t in targets),
            **extra,
        )

    shown: dict[str, object] = {}
    context = {
        "note": entry.in_language(cards.lang).reprocess_note,
        "already_open": {ids[0]: 4, ids[1]: 5},
        "channel": "C1",
        "ops_channel": "COPS",
        "error": "not_in_channel",
        "request_id": 7,
        "ids": ["0123"],
        "status": "partial",
        "target_kind": kind,
        "count": 25,
        "total": 25,
        "taken": 20,
    }
    for note in NOTES:
        shown[f"{kind} note {note}"] = cards.notice(note, **context).blocks
    for target in (ids[0], None):
        note = cards.notice("already_resolved", **{**context, "target": target})
        shown[f"{kind} note already_resolved {target}"] = note.blocks
    for waits in ("token", "permissions", "configuration"):
        waiting = replace(entry, reprocess_waits_for=waits)
        shown[f"{kind} requested {waits}"] = cards.requested(
            request(targets=ids[:1]), {ids[1]: 4}, None, waiting
        ).blocks
        shown[f"{kind} modal {waits}"] = cards.request_modal(waiting, [], 1, {})
    shown[f"{kind} requested several"] = cards.requested(request(), {}, "COPS", entry).blocks
    shown[f"{kind} modal several"] = cards.request_modal(entry, list(ids), 30, {})
    one_each = (Target(ids[0], "done", "UOPS"), Target(ids[1], "failed", "UOPS", "—"))
    for status, targets in (("done", ids[:1]), ("failed", ids[:1]), ("partial", one_each)):
        finished = request(status, targets, resolved_by="UOPS", reason="—")
        marked = [t.target if isinstance(t, Target) else t for t in targets]
        shown[f"{kind} resolved {status}"] = cards.resolved(
            finished, "failed" if status == "partial" else status, marked, "UOPS", "—"
        ).blocks
        shown[f"{kind} ops {status}"] = cards.ops_message(finished, entry).blocks
    shown[f"{kind} ops open"] = cards.ops_message(request(), entry).blocks
    shown[f"{kind} ops open one"] = cards.ops_message(request(targets=ids[:1]), entry).blocks
    shown[f"{kind} ops open marked"] = cards.ops_message(
        request(targets=(Target(ids[0], "done", "UOPS"), ids[1])), entry
    ).blocks
    for target in (ids[0], None):
        shown[f"{kind} failed modal {target}"] = cards.failed_modal(request(), target, {})
    listed = [
        request(webhook_status="failed", webhook_attempts=40, last_error="HTTP 503"),
        request(targets=ids[:1], webhook_status="pending", webhook_attempts=1, ops_ts="1"),
        request(webhook_status="pending", ops_ts="1"),
        request("partial", webhook_status="sent", ops_ts="1"),
    ]
    shown[f"{kind} requests"] = cards.requests_list(listed, 30).blocks
    return shown


@pytest.mark.parametrize("lang", LANGS)
def test_the_reprocessing_workflow_speaks_no_english(renderer, by_id, lang):
    cards = RequestCards(renderer).in_language(lang)
    for name, blocks in workflow(cards, by_id).items():
        english = sorted({w for w in shown_words(blocks) if w.lower() in ENGLISH})
        assert not english, (lang, name, english)


def test_the_english_words_would_be_caught(renderer, by_id):
    """The same cards in English are full of those words: the list finds what it is for."""
    for name, blocks in workflow(RequestCards(renderer), by_id).items():
        assert {w.lower() for w in shown_words(blocks)} & ENGLISH, name

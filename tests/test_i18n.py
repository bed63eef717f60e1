"""The bot's sentences in Portuguese and Spanish: complete catalogs, the same placeholders, valid cards."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.cards import validate_blocks
from bot.config import PROJECT_ROOT
from bot.i18n import catalog_path
from bot.matcher import MatchResult

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

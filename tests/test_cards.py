"""Cards are valid Block Kit, carry the entry id in every button, and never trust pasted text."""

from __future__ import annotations

import json

import pytest

from bot.cards import MAX_BLOCKS, CardRenderer, parse_button_value, validate_blocks
from bot.matcher import Match
from bot.reprocess import ReprocessRequest, Target
from bot.requestcards import RequestCards
from bot.terminal import render_card
from tests.conftest import TEMPLATES

HOSTILE = [
    "<!channel> <!here> <!subteam^S123|@ops> <@U999>",
    '"}]} ,{"type": "section"',
    "{{ 7*7 }} {% for x in range(9) %}x{% endfor %}",
    "'; DROP TABLE reprocess_requests; --",
    "\x00\x07 null \u202e right-to-left \u200f مرحبا 🚨🔥",
    "&lt;!channel&gt; & < >",
]


def buttons(card):
    for block in card.blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                yield element


def test_every_entry_renders_a_valid_card(renderer, entries):
    for entry in entries:
        card = renderer.entry_card(entry)
        validate_blocks(card.blocks)
        assert card.text
        assert all(parse_button_value(b["value"])["e"] == entry.id for b in buttons(card))
        action_ids = {b["action_id"] for b in buttons(card)}
        assert {"other_matches", "feedback_helpful", "feedback_not_helpful"} <= action_ids
        assert ("reprocess_request" in action_ids) == entry.reprocessable


def test_the_card_shows_values_found_and_buttons_carry_the_sku(renderer, matcher, by_id):
    text = (
        "SKU 4410: The SKU already exists in the Amazon catalog and is ready for matching between "
        "VTEX and Amazon. However, the value of attribute (Color) for this SKU on VTEX is different "
        "from the value it has on Amazon. It has value (Azul) on VTEX and value (Blue) on Amazon."
    )
    card = renderer.match_card(matcher.match(text), by_id)
    shown = render_card(card)
    assert 'Color: VTEX "Azul" · Amazon "Blue"' in shown
    assert "SKU: 4410" in shown
    reprocess = next(b for b in buttons(card) if b["action_id"] == "reprocess_request")
    assert parse_button_value(reprocess["value"]) == {"e": "attribute-divergence", "sku": "4410"}


def test_an_unknown_sku_order_card_offers_no_reprocessing(renderer, matcher, by_id):
    text = "SKUs in the order don't belong to a VTEX Store, SKU ID is not an integer"
    card = renderer.match_card(matcher.match(text), by_id)
    assert "reprocess_request" not in {b["action_id"] for b in buttons(card)}
    assert "No reprocessing" in render_card(card)


def test_no_match_card_is_honest_and_offers_guesses(renderer, matcher, by_id):
    result = matcher.match("the mapping spreadsheet value for Color is wrong?")
    card = renderer.no_match_card(result, matcher.closest("mapping spreadsheet Color value"))
    validate_blocks(card.blocks)
    assert "don't recognise" in render_card(card)
    assert any(b["action_id"].startswith("show_entry") for b in buttons(card))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_pasted_text_is_escaped_and_cannot_break_json_or_ping(renderer, matcher, by_id, hostile):
    text = (
        f"SKU {hostile}\nThe SKU already exists in the Amazon catalog and is ready for matching "
        "between VTEX and Amazon. However, the value of attribute ("
        + hostile
        + ") for this SKU on "
        "VTEX is different from the value it has on Amazon. It has value (" + hostile + ") on VTEX "
        "and value (" + hostile + ") on Amazon."
    )
    for card in (
        renderer.match_card(matcher.match(text), by_id),
        renderer.search_card(hostile, []),
        renderer.no_match_card(matcher.match(hostile)),
    ):
        raw = json.dumps(card.blocks)
        validate_blocks(json.loads(raw))
        assert "<!channel>" not in raw and "<!here>" not in raw and "<@U999>" not in raw
        assert "<!subteam" not in raw
        assert "49" not in raw.replace("4410", "")  # Jinja syntax is shown, never evaluated


def test_a_paste_with_many_errors_stays_within_block_kit_limits(renderer, matcher, by_id, entries):
    paste = "\n".join(
        f"{i}\t{e.message.format(**dict.fromkeys(['attribute', 'value', 'vtex_value', 'amazon_value', 'sku', 'category', 'seller', 'sales_channel', 'order'], 'X'))}"
        for i, e in enumerate(entries)
    )
    result = matcher.match(paste)
    assert len(result.matches) >= 25
    card = renderer.match_card(result, by_id)
    validate_blocks(card.blocks)
    assert len(card.blocks) <= MAX_BLOCKS


def test_buttons_parse_back_to_nothing_when_tampered():
    assert parse_button_value("not json") == {}
    assert parse_button_value('{"e": 5}') == {}
    assert parse_button_value('{"e": "sku-inactive", "sku": "1"}')["sku"] == "1"


def test_the_found_values_are_listed_for_several_skus(renderer, by_id):
    from bot.matcher import MatchResult

    match = Match("sku-inactive", "t", 100, {"sku": "1"}, skus=("1", "2", "3"))
    card = renderer.match_card(MatchResult([match], []), by_id)
    assert "SKUs: 1, 2, 3" in render_card(card)
    value = parse_button_value(next(buttons(card))["value"])
    assert value["skus"] == ["1", "2", "3"]


def test_a_search_for_pings_pings_nobody_in_the_card_or_its_fallback(renderer, entries):
    card = renderer.search_card("<!channel> <@U999> color", entries[:2])
    raw = json.dumps({"blocks": card.blocks, "text": card.text})
    assert "<!channel>" not in raw and "<@U999>" not in raw
    assert "&lt;!channel&gt;" in card.text


# -- the card's language -----------------------------------------------------------------


def languages_carried(card) -> set:
    """The language each button hands to what its click answers (none: English)."""
    return {parse_button_value(b["value"]).get("l") for b in buttons(card)}


@pytest.mark.parametrize(("lang", "heading"), [("pt", "O que aconteceu"), ("es", "Qué pasó")])
def test_a_card_in_another_language_speaks_it_and_its_buttons_answer_in_it(
    renderer, by_id, lang, heading
):
    for cards in (renderer.in_language(lang), CardRenderer(TEMPLATES, lang=lang)):
        card = cards.entry_card(by_id["sku-inactive"])
        assert heading in render_card(card)
        assert "What happened" not in render_card(card)
        assert languages_carried(card) == {lang}
    assert renderer.in_language(lang) is renderer.in_language(lang)  # built once


def test_a_language_the_bot_does_not_speak_gets_english_cards(renderer, by_id):
    for cards in (CardRenderer(TEMPLATES, lang="de"), renderer.in_language("de")):
        card = cards.entry_card(by_id["sku-inactive"])
        assert "What happened" in render_card(card)
        # English is what a click answers in anyway: the buttons carry no language.
        assert languages_carried(card) == {None}
    assert renderer.in_language("de") is renderer.in_language("en")


def test_the_ops_message_links_each_sku_to_its_admin_page_in_every_language(renderer):
    request = ReprocessRequest(
        id=7,
        entry_id="sku-inactive",
        target_kind="sku",
        status="open",
        requested_by="U1",
        channel="CGENERAL",
        thread_ts="1700000000.000100",
        created_at="2026-11-25T14:00:00+00:00",
        targets=(Target("1202"), Target("3001")),
    )
    for lang in ("en", "pt", "es"):
        text = json.dumps(
            RequestCards(renderer.in_language(lang)).ops_message(request, None).blocks
        )
        for sku in ("1202", "3001"):
            assert f"<https://mystore.myvtex.com/admin/Site/SkuForm.aspx?IdSku={sku}|{sku}>" in text

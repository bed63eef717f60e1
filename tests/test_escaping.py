"""Pasted text is shown, never acted on: escaped for mrkdwn, cut to Slack's limits, carried intact."""

from __future__ import annotations

import dataclasses
import json

import jinja2
import pytest

from bot.cards import (
    Card,
    CardRenderer,
    button_value,
    escape_mrkdwn,
    limit,
    parse_button_value,
    validate_blocks,
)
from bot.matcher import Match, MatchResult
from bot.normalize import MAX_INPUT_CHARS
from bot.reprocess import MAX_TARGETS
from bot.terminal import render_card
from tests.conftest import TEMPLATES

INACTIVE = "The SKU you tried to submit is inactive on VTEX"


def all_text(card: Card) -> str:
    return json.dumps(card.blocks, ensure_ascii=False)


# -- escape_mrkdwn -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pasted", "shown"),
    [
        ("<!channel> ping", "&lt;!channel&gt; ping"),
        ("<@U999>", "&lt;@U999&gt;"),
        ("<https://evil.example|VTEX login>", "&lt;https://evil.example|VTEX login&gt;"),
        ("a & b", "a &amp; b"),
        # Already-escaped text stays visible as typed, not turned back into a ping.
        ("&lt;!here&gt;", "&amp;lt;!here&amp;gt;"),
        ("*bold* _it_ `code`", "*bold* _it_ `code`"),
        (404, "404"),
    ],
)
def test_mrkdwn_control_characters_are_escaped(pasted, shown):
    assert escape_mrkdwn(pasted) == shown


# -- limit -------------------------------------------------------------------------------


def test_text_within_the_limit_is_kept_whole():
    assert limit("abcde", 5) == "abcde"
    assert limit(12345, 5) == "12345"


def test_text_over_the_limit_ends_in_an_ellipsis_within_it():
    assert limit("abcdef", 5) == "abcd…"
    assert limit("abcd   efgh", 8) == "abcd…"  # no dangling spaces before the ellipsis
    assert len(limit("x" * 5000, 3000)) == 3000


# -- button values -----------------------------------------------------------------------


def test_a_button_carries_the_entry_id_alone_when_nothing_was_read():
    assert button_value("sku-inactive") == '{"e":"sku-inactive"}'


def test_a_button_carries_the_skus_and_order_read_from_the_paste():
    match = Match("sku-inactive", "t", 100, skus=("11", "22"), orders=("1391560531867-01",))
    assert parse_button_value(button_value("sku-inactive", match)) == {
        "e": "sku-inactive",
        "sku": "11",
        "skus": ["11", "22"],
        "order": "1391560531867-01",
    }
    one = Match("sku-inactive", "t", 100, skus=("11",))
    assert parse_button_value(button_value("sku-inactive", one)) == {
        "e": "sku-inactive",
        "sku": "11",
    }


def test_a_button_falls_back_to_the_slots_for_sku_and_order():
    match = Match(
        "x", "t", 90, slots={"sku": "77", "order": "702-1234567-1234567", "value": "Azul"}
    )
    assert parse_button_value(button_value("x", match)) == {
        "e": "x",
        "sku": "77",
        "order": "702-1234567-1234567",
    }


def test_a_button_carries_at_most_twenty_skus():
    skus = tuple(str(n) for n in range(100, 160))
    data = parse_button_value(button_value("x", Match("x", "t", 100, skus=skus)))
    assert data["skus"] == list(skus[:MAX_TARGETS]) and MAX_TARGETS == 20
    assert data["sku"] == "100"
    # The request's modal says how many the paste listed: 60, not the 20 carried.
    assert data["n"] == 60


def test_extra_button_fields_are_kept_unless_empty():
    value = button_value("x", None, kind="sku", thread=None)
    assert parse_button_value(value) == {"e": "x", "kind": "sku"}


def test_a_button_value_is_compact_unescaped_json_within_slacks_2000_characters():
    match = Match("x", "t", 100, slots={"order": "702-1234567-1234567"})
    assert button_value("x", match, note="ação") == (
        '{"e":"x","order":"702-1234567-1234567","note":"ação"}'
    )
    # Words are never carried as ids, whatever the paste called them.
    assert button_value("x", Match("x", "t", 100, slots={"order": "pedido-ação"})) == '{"e":"x"}'
    # Slack refuses a longer value (and with it the whole card).
    assert len(button_value("x", None, note="9" * 5000)) == 2000


@pytest.mark.parametrize(
    "value", ["", "not json", "[1, 2]", '{"sku": "1"}', '{"e": 5}', None, "null"]
)
def test_a_malformed_button_value_reads_as_nothing(value):
    assert parse_button_value(value) == {}


def test_a_well_formed_button_value_reads_back():
    assert parse_button_value('{"e": "sku-inactive", "sku": "1"}') == {
        "e": "sku-inactive",
        "sku": "1",
    }


# -- the mrkdwn filter and the fallback text, in rendered cards ---------------------------


@pytest.fixture
def hostile_entry(by_id):
    return dataclasses.replace(
        by_id["sku-inactive"],
        title="Inactive <!channel> SKU",
        meaning="Ping <!here> & <@U999> {{ 7*7 }}",
        fix=("Open <https://evil.example|the admin>",),
    )


def test_entry_text_in_a_card_is_escaped_for_mrkdwn(renderer, hostile_entry):
    card = renderer.entry_card(hostile_entry)
    text = all_text(card)
    assert "Ping &lt;!here&gt; &amp; &lt;@U999&gt; {{ 7*7 }}" in text
    assert "1. Open &lt;https://evil.example|the admin&gt;" in text
    assert "<!here>" not in text and "<@U999>" not in text and "<https://evil" not in text
    # The header is plain text: Slack shows it as typed, so it is not escaped.
    assert card.blocks[0]["text"] == {
        "type": "plain_text",
        "text": "Inactive <!channel> SKU",
        "emoji": False,
    }


def test_the_fallback_text_is_escaped_and_limited(renderer, hostile_entry):
    card = renderer.entry_card(hostile_entry)
    assert card.text.startswith("Inactive &lt;!channel&gt; SKU: Ping &lt;!here&gt;")
    long = dataclasses.replace(hostile_entry, meaning="<" * 5000)
    fallback = renderer.entry_card(long).text
    assert len(fallback) == 3000 and fallback.endswith("…") and "<" not in fallback


def test_a_card_that_slack_would_reject_is_caught_before_posting(tmp_path):
    (tmp_path / "bad.json.j2").write_text(
        '[{"type": "section", "text": {"type": "mrkdwn", "text": {{ "x" * 3001 }}}}]'
    )
    with pytest.raises(ValueError, match="section block"):
        CardRenderer(tmp_path).render("bad.json.j2", "fallback")
    (tmp_path / "notjson.json.j2").write_text("[{,}]")
    with pytest.raises(ValueError, match="did not render JSON"):
        CardRenderer(tmp_path).render("notjson.json.j2", "fallback")
    # The live bot skips the check (Slack itself refuses, and the bot falls back to text).
    unchecked = CardRenderer(tmp_path, validate=False).render("bad.json.j2", "fallback")
    assert len(unchecked.blocks[0]["text"]["text"]) == 3001


def test_pasted_quotes_and_template_syntax_cannot_break_the_card(tmp_path):
    (tmp_path / "echo.json.j2").write_text(
        '[{"type": "section", "text": {"type": "mrkdwn", "text": {{ text | mrkdwn }}}}]'
    )
    pasted = '"}]} ,{"type": "divider"} {{ 7*7 }} {% raw %} <!channel>'
    card = CardRenderer(tmp_path).render("echo.json.j2", pasted, text=pasted)
    assert len(card.blocks) == 1
    assert card.blocks[0]["text"]["text"] == escape_mrkdwn(pasted)


def test_a_template_naming_an_unknown_value_fails_loudly(tmp_path):
    (tmp_path / "typo.json.j2").write_text('[{"type": "divider", "x": {{ titel }}}]')
    with pytest.raises(TypeError, match="Undefined"):
        CardRenderer(tmp_path).render("typo.json.j2", "fallback", title="t")


def test_a_template_testing_an_unknown_value_fails_loudly(tmp_path):
    # A misspelt name in an `if` would otherwise hide its block on every card, silently.
    (tmp_path / "typo.json.j2").write_text('[{% if truncatd %}{"type": "divider"}{% endif %}]')
    with pytest.raises(jinja2.UndefinedError, match="truncatd"):
        CardRenderer(tmp_path).render("typo.json.j2", "fallback", truncated=True)


def test_the_admin_link_points_at_the_store(by_id):
    with_account = CardRenderer(TEMPLATES, vtex_account="mystore")
    assert "<https://mystore.myvtex.com/admin|Open the VTEX Admin>" in all_text(
        with_account.entry_card(by_id["sku-inactive"])
    )
    assert "myvtex.com" not in all_text(CardRenderer(TEMPLATES).entry_card(by_id["sku-inactive"]))


# -- notices a user must see ---------------------------------------------------------------


def test_a_cut_paste_says_so_on_the_card(renderer, matcher, by_id):
    paste = INACTIVE + "\n" + "filler line\n" * (MAX_INPUT_CHARS // 10)
    result = matcher.match(paste)
    assert result.truncated and result.best.id == "sku-inactive"
    shown = _shown(renderer.match_card(result, by_id))
    assert f"Only the first {MAX_INPUT_CHARS:,} characters of your message were read." in shown


def test_a_cut_paste_with_no_known_error_says_so_too(renderer, matcher, by_id):
    result = matcher.match("nothing to see here\n" * (MAX_INPUT_CHARS // 10))
    assert result.truncated and not result.matches
    shown = _shown(renderer.match_card(result, by_id))
    assert f"Only the first {MAX_INPUT_CHARS:,} characters" in shown


def test_a_paste_read_in_part_says_how_much(renderer, by_id):
    best = Match("sku-inactive", "t", 100)
    result = MatchResult([best], [], incomplete=True, lines_read=1200, lines_total=5000)
    shown = _shown(renderer.match_card(result, by_id))
    assert "covers its first 1,200 of 5,000 lines" in shown
    none = MatchResult([], [], incomplete=True, lines_read=7, lines_total=9000)
    assert "7 of 9,000 lines" in _shown(renderer.match_card(none, by_id))


def test_a_whole_paste_has_no_notice(renderer, matcher, by_id):
    shown = _shown(renderer.match_card(matcher.match(INACTIVE), by_id))
    assert "Only the first" not in shown and "too long" not in shown


def test_every_rendered_card_passes_block_kit_checks(renderer, hostile_entry):
    validate_blocks(renderer.entry_card(hostile_entry).blocks)


def _shown(card) -> str:
    """The card as a terminal shows it: its words, without Slack's markup."""
    return render_card(card, width=200)

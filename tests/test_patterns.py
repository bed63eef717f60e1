"""A message compiles to a pattern that finds it in folded text and reads its values back."""

from __future__ import annotations

import pytest

from bot.matching.patterns import Variant, compile_message, first_quoted, strip_value
from bot.normalize import fold


def test_placeholders_become_named_groups_and_the_words_a_skeleton():
    pattern, skeleton, names, _ = compile_message('The "{attribute}" value ({value}) is not valid')
    assert skeleton == "the value is not valid"
    assert names == ("attribute", "value")
    m = pattern.search(fold('The "Cor" value (Azul Royal) is not valid'))
    assert (m.group("attribute"), m.group("value")) == ("cor", "azul royal")


def test_a_value_named_twice_is_captured_once():
    _, _, names, anchored = compile_message("SKU {sku}, missing. SKU {sku} has no ASIN")
    assert names == ("sku", "sku")
    assert len(anchored) == 1


def test_an_anchored_pattern_finds_a_value_when_the_rest_is_cut_off():
    *_, anchored = compile_message("Specification ({attribute}) from the spreadsheet is missing")
    [by_its_words] = anchored
    assert by_its_words.search(fold("specification (Tamanho) from the sp")).group("attribute") == (
        "tamanho"
    )


def test_the_message_is_found_only_on_word_boundaries():
    variant = Variant.of("x", "en", "Inactive SKU")
    assert variant.pattern.search("inactive sku")
    assert not variant.pattern.search("inactive skus")


@pytest.mark.parametrize(
    ("words", "short"), [("Inactive SKU", True), ("The SKU you tried to submit is inactive", False)]
)
def test_a_message_of_four_words_or_fewer_is_short(words, short):
    assert Variant.of("x", "en", words).short is short


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ('"Azul Marinho".', "Azul Marinho"),
        ("(Azul)", "Azul"),
        (" P&B <Kids>) ", "P&B <Kids>"),
        ("(Tam (BR))", "Tam (BR)"),
        ("...", ""),
    ],
)
def test_a_value_loses_the_quotes_around_it_but_not_its_own_brackets(raw, value):
    assert strip_value(raw) == value


def test_a_value_that_opens_a_quote_ends_where_it_closes():
    assert first_quoted("'Mate' que cargamos") == "Mate"
    # The quote may have been read as the separator before the value.
    assert first_quoted("Mate' que cargamos", before="el valor '") == "Mate"
    assert first_quoted("Azul Royal") == "Azul Royal"

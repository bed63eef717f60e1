"""Retrieval picks, for a line, the few messages that share its rarest words."""

from __future__ import annotations

from bot.matching.index import CANDIDATES_PER_LINE, WordIndex
from bot.matching.patterns import Variant

MESSAGES = [
    "Inactive SKU",
    "The SKU you tried to submit is inactive on VTEX",
    "No available sla to deliver this order",
    "Token expired for seller",
]


def index() -> WordIndex:
    variants = [Variant.of(f"e{i}", "en", m) for i, m in enumerate(MESSAGES)]
    return WordIndex(variants, published=[0, 1, 2])


def test_the_message_sharing_the_rarest_words_comes_first():
    assert index().candidates(["no", "sla", "to", "deliver", "it"])[0] == 2
    assert index().candidates(["token", "expired"]) == [3]


def test_a_line_sharing_too_little_of_any_message_has_no_candidate():
    assert index().candidates(["hello", "there"]) == []


def test_a_misspelled_word_still_finds_its_message():
    assert index().candidates(["inactve", "sku"])[0] == 0


def test_no_more_than_a_few_candidates_per_line():
    variants = [Variant.of(f"e{i}", "en", "Inactive SKU") for i in range(30)]
    assert len(WordIndex(variants, []).candidates(["inactive", "sku"])) == CANDIDATES_PER_LINE


def test_guesses_come_from_published_messages_only():
    guessed = [vi for vi, _ in index().guesses("token expired seller", entries=4)]
    assert 3 not in guessed


def test_an_entry_with_many_messages_does_not_crowd_the_others_out_of_the_guesses():
    # Nine wordings of one error, all closer to the text than anything else: the guesses
    # still name three different errors, as the no-match card promises.
    many = [Variant.of("material", "en", f"Material value {i} not supported") for i in range(9)]
    others = [Variant.of(f"e{i}", "en", m) for i, m in enumerate(MESSAGES)]
    variants = many + others
    guesses = WordIndex(variants, published=range(len(variants))).guesses(
        "material value not supported sku", entries=3
    )
    named = {variants[vi].entry_id for vi, _ in guesses}
    assert len(named) >= 3


def test_the_messages_holding_a_phrase_as_written_are_found():
    assert index().containing(["available", "sla"]) == [2]
    assert sorted(index().containing(["inactive"])) == [0, 1]
    assert index().containing(["sla", "available"]) == []
    assert index().containing(["unknown", "word"]) == []

"""A line is read once: its folded words, and which of them say something beyond filler and ids."""

from __future__ import annotations

from bot.matching.lines import Line, core, is_core, quoted


def test_a_line_keeps_its_text_and_folds_its_words_with_their_places():
    line = Line.read("SKU 12: Não está ATIVO")
    assert line.text == "SKU 12: Não está ATIVO"
    assert line.words == ["sku", "12", "nao", "esta", "ativo"]
    assert [line.folded[s : s + len(w)] for s, w in zip(line.starts, line.words, strict=True)] == (
        line.words
    )
    assert line.skeleton == "sku 12 nao esta ativo"


def test_filler_and_ids_are_not_core_words():
    assert not is_core("sku") and not is_core("a1b2") and not is_core("pedido")
    assert is_core("inactive")
    assert core("sku 123 inactive again", keep=frozenset({"sku"})) == "sku inactive again"


def test_core_words_outside_a_span_are_counted():
    line = Line.read("sku 55 Inactive SKU again today")
    start = line.folded.index("inactive")
    end = start + len("inactive sku")
    assert line.core_outside(start, end) == 2  # "again", "today"
    assert line.core_outside(0, len(line.folded)) == 0


def test_core_words_count_within_the_part_punctuation_sets_apart():
    line = Line.read("chat before: Inactive SKU. chat after")
    start = line.folded.index("inactive")
    assert line.core_outside(start, start + len("inactive sku")) == 0


def test_what_a_line_quotes_is_read_between_its_quotation_marks():
    assert quoted("the 'token expired' thing again") == ["token expired"]
    assert quoted('o erro “SKU inativo” e o "Inactive SKU"') == ["SKU inativo", "Inactive SKU"]


def test_an_apostrophe_inside_a_word_neither_opens_nor_closes_a_quote():
    assert quoted("we keep getting 'doesn't belong to a store' and it's odd") == [
        "doesn't belong to a store"
    ]
    assert quoted("it's the seller's sku") == []


def test_the_clauses_of_a_line_open_after_a_mark_or_at_a_joining_word():
    line = Line.read("vtex, 110V and 127V. Done")
    assert line.clause_starts(frozenset({"and"}), ",.") == [1, 2, 4]
    assert line.clause_starts(frozenset(), ",") == [1]

"""A message lines up with a line exactly (values read) or fuzzily (typos, cuts, chatter)."""

from __future__ import annotations

import pytest

from bot.matching.align import exact_hits, fuzzy_hit, short_message_score
from bot.matching.lines import Line
from bot.matching.patterns import Variant

VALUE = Variant.of("v", "en", 'The "{attribute}" value ({value}) is not supported by Amazon')
INACTIVE = Variant.of("i", "en", "Inactive SKU")


def test_an_exact_hit_is_certain_and_reads_values_with_their_case():
    [hit] = exact_hits(
        VALUE, Line.read('SKU 9: The "Cor" value (Azul Marinho) is not supported by Amazon')
    )
    assert (hit.score, hit.exact) == (100.0, True)
    assert hit.slots == {"attribute": "Cor", "value": "Azul Marinho"}


def test_the_same_message_twice_on_a_line_is_two_hits_at_two_places():
    hits = exact_hits(INACTIVE, Line.read("Inactive SKU; Inactive SKU"))
    assert len(hits) == 2 and hits[0].start < hits[1].start


@pytest.mark.parametrize(
    ("extra", "as_printed", "score"),
    [(0, False, 100.0), (1, True, 96.0), (1, False, 88.0), (3, False, 64.0), (20, True, 40.0)],
)
def test_a_short_message_loses_confidence_with_every_other_word(extra, as_printed, score):
    assert short_message_score(extra, as_printed) == score


def test_chat_around_a_short_message_in_lower_case_costs_more():
    printed = exact_hits(INACTIVE, Line.read("Inactive SKU again"))[0].score
    chatted = exact_hits(INACTIVE, Line.read("inactive sku again"))[0].score
    assert printed > chatted


def test_a_misspelled_message_is_a_fuzzy_hit_below_certainty():
    line = Line.read("The Cor value Azul is not suported by Amazom")
    hit = fuzzy_hit(VALUE, line.skeleton)
    assert hit is not None and not hit.exact and 80 <= hit.score < 100


def test_a_message_cut_short_counts_for_the_part_that_is_there():
    whole = fuzzy_hit(VALUE, Line.read("The x value y is not supported by Amazon").skeleton)
    cut = fuzzy_hit(VALUE, Line.read("The x value y is not").skeleton)
    assert whole.score > cut.score


def test_a_short_message_lost_in_a_long_line_is_no_fuzzy_hit():
    assert fuzzy_hit(INACTIVE, Line.read("inactve sku and many other words here").skeleton) is None
    assert fuzzy_hit(INACTIVE, Line.read("inactve sku").skeleton).score >= 80


def test_a_short_message_set_apart_by_punctuation_is_as_printed(matcher):
    # The chat around it is another sentence: the message stands alone.
    [hit] = exact_hits(
        INACTIVE, Line.read("pedido 88 travou no painel: Inactive SKU. já ativei ontem")
    )
    assert hit.score == 100.0
    [inline] = exact_hits(INACTIVE, Line.read("pedido 88 travou no painel com Inactive SKU ontem"))
    assert inline.score < 100.0

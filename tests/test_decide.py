"""What a line reports among its candidates, and how a paste's findings come together."""

from __future__ import annotations

from bot.matching.align import Hit
from bot.matching.calibration import ALTERNATIVE_THRESHOLD, MATCH_THRESHOLD
from bot.matching.decide import (
    LOOK_ALIKE_GAP,
    MAX_ALTERNATIVES,
    NEAR_TIE,
    alternatives,
    choose,
    merge,
)
from bot.matching.patterns import Variant

SHORT = Variant.of("short", "en", "Inactive SKU")
LONG = Variant.of("long", "en", "The SKU you tried to submit is inactive on VTEX")
OTHER = Variant.of("other", "en", "No available sla to deliver this order")
TITLES = {"short": "Short", "long": "Long", "other": "Other"}


def hit(variant, score, exact=False, start=0, **slots):
    return Hit(variant, score, exact, start, slots)


def test_nothing_at_the_threshold_reports_nothing_and_offers_all():
    weak = [hit(SHORT, MATCH_THRESHOLD - 1), hit(LONG, 50)]
    assert choose(weak) == ([], weak)


def test_the_best_is_reported_and_a_look_alike_offered_well_below_it():
    chosen, rest = choose([hit(LONG, 90), hit(SHORT, 89)])
    assert [h.variant for h in chosen] == [LONG]
    assert rest[0].variant is SHORT and rest[0].score == 90 - LOOK_ALIKE_GAP


def test_among_near_ties_the_exact_hit_and_then_the_closest_fit_wins():
    assert choose([hit(SHORT, 90), hit(LONG, 88, exact=True)])[0][0].variant is LONG
    close, far = hit(SHORT, 88), hit(LONG, 90)
    close.fit, far.fit = 90, 40
    assert choose([far, close])[0][0].variant is SHORT


def test_two_exact_messages_at_two_places_are_two_errors():
    chosen, _ = choose([hit(LONG, 100, exact=True, start=0), hit(OTHER, 100, exact=True, start=60)])
    assert {h.variant.entry_id for h in chosen} == {"long", "other"}


def test_overlapping_exact_messages_are_one_error_the_longer_one():
    chosen, rest = choose(
        [hit(SHORT, 100, exact=True, start=4), hit(LONG, 100, exact=True, start=0)]
    )
    assert [h.variant for h in chosen] == [LONG] and rest[0].variant is SHORT


def test_messages_that_only_touch_are_two_errors():
    # One ends exactly where the other starts, after it or before it.
    end_of_long = len(LONG.skeleton)
    after = choose([hit(LONG, 100, exact=True), hit(OTHER, 100, exact=True, start=end_of_long)])
    assert {h.variant.entry_id for h in after[0]} == {"long", "other"}
    end_of_short = len(SHORT.skeleton)
    before = choose([hit(SHORT, 100, exact=True), hit(LONG, 100, exact=True, start=end_of_short)])
    assert {h.variant.entry_id for h in before[0]} == {"short", "long"}


def test_merging_keeps_one_match_per_error_with_every_sku_once():
    found = [
        (0, hit(LONG, 100, exact=True), {"sku": "1"}),
        (1, hit(LONG, 100, exact=True), {"sku": "2", "sku_list": ["2", "3"]}),
        (2, hit(OTHER, 80), {"order": "9-01"}),
        (3, hit(LONG, 100, exact=True), {"sku": "1"}),
    ]
    [first, second] = merge(found, TITLES)
    assert (first.id, first.skus, first.slots["sku"], first.exact) == (
        "long",
        ("1", "2", "3"),
        "1",
        True,
    )
    assert (second.id, second.orders, second.score) == ("other", ("9-01",), 80)


def test_alternatives_leave_out_what_was_reported_and_what_is_too_weak():
    hits = [hit(LONG, 70), hit(LONG, 60), hit(SHORT, ALTERNATIVE_THRESHOLD - 1), hit(OTHER, 50)]
    assert [(a.id, a.score) for a in alternatives(hits, {"other"}, TITLES)] == [("long", 70)]
    many = [hit(Variant.of(f"e{i}", "en", "x y"), 60 + i) for i in range(5)]
    assert len(alternatives(many, set(), {f"e{i}": "" for i in range(5)})) == MAX_ALTERNATIVES


def test_a_near_tie_three_points_down_still_wins_by_fitting_the_line_better():
    best, close = hit(LONG, 90), hit(SHORT, 90 - NEAR_TIE)
    best.fit, close.fit = 40, 90
    assert choose([best, close])[0][0].variant is SHORT


def test_a_clause_and_a_plain_guess_are_one_error_not_two():
    clause = Hit(LONG, 95, False, 0, {}, clause=True)
    plain = hit(OTHER, 94, start=30)
    chosen, rest = choose([clause, plain])
    assert [h.variant for h in chosen] == [LONG]
    assert [h.variant for h in rest] == [OTHER]


def test_two_clauses_are_two_errors_only_where_they_start_apart():
    first = Hit(LONG, 95, False, 0, {}, clause=True)
    apart = Hit(OTHER, 94, False, 1, {}, clause=True)
    assert {h.variant.entry_id for h in choose([first, apart])[0]} == {"long", "other"}
    same = Hit(OTHER, 94, False, 5, {}, clause=True)
    other_first = Hit(LONG, 95, False, 5, {}, clause=True)
    assert [h.variant for h in choose([other_first, same])[0]] == [LONG]


def test_a_second_error_exactly_at_the_threshold_is_reported():
    chosen, _ = choose(
        [hit(LONG, 100, exact=True), hit(OTHER, MATCH_THRESHOLD, exact=True, start=60)]
    )
    assert {h.variant.entry_id for h in chosen} == {"long", "other"}


def test_a_guess_elsewhere_on_the_line_is_ranked_a_look_alike_gap_below_the_error():
    _, rest = choose([hit(LONG, 100, exact=True), hit(OTHER, 95, start=60)])
    assert [(h.variant, h.score) for h in rest] == [(OTHER, 100 - LOOK_ALIKE_GAP)]


def test_alternatives_skip_what_is_taken_or_weak_and_go_on_with_the_rest():
    portuguese = Variant.of("other", "pt", "Nenhum sla disponível para entregar este pedido")
    hits = [
        hit(LONG, 90),  # reported already
        hit(SHORT, ALTERNATIVE_THRESHOLD - 1),  # too weak
        hit(portuguese, ALTERNATIVE_THRESHOLD),  # just strong enough
        hit(OTHER, ALTERNATIVE_THRESHOLD),  # as strong, in English: the first one stays
    ]
    [guess] = alternatives(hits, {"long"}, TITLES)
    assert (guess.id, guess.lang) == ("other", "pt")

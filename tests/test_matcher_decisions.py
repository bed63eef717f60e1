"""When the bot answers, how sure it says it is, what it guesses, and what `--json` prints."""

from __future__ import annotations

import pytest

from bot.matcher import MAX_ALTERNATIVES, Match, MatchResult

INACTIVE = "The SKU you tried to submit is inactive on VTEX"
DIVERGENCE = (
    "The SKU already exists in the Amazon catalog and is ready for matching between VTEX and "
    "Amazon. However, the value of attribute (Cor Principal) for this SKU on VTEX is different "
    "from the value it has on Amazon. It has value (Azul Royal) on VTEX and value (Royal Blue) "
    "on Amazon."
)


def answer(matcher, text: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    result = matcher.match(text)
    return [(m.id, m.score) for m in result.matches], [(a.id, a.score) for a in result.alternatives]


# -- a short message is an everyday phrase too -------------------------------------------


@pytest.mark.parametrize(
    ("text", "matches", "alternatives"),
    [
        # As the platform prints it, alone or beside ids and filler words: certain; the
        # product error's older wording, "Sku Inactive", is offered as a look-alike.
        ("Inactive SKU", [("order-inactive-sku", 100)], [("sku-inactive", 67)]),
        ("SKU 123: Inactive SKU", [("order-inactive-sku", 100)], [("sku-inactive", 86)]),
        ("1234567890123 | Inactive SKU", [("order-inactive-sku", 100)], [("sku-inactive", 67)]),
        # With the platform's capitals, each other word costs 4 points...
        ("Inactive SKU again today", [("order-inactive-sku", 92)], []),
        ("Inactive SKU again today please", [("order-inactive-sku", 88)], []),
        # ...and in chat's lower case 12: two words still answer, three only suggest...
        ("inactive sku again", [("order-inactive-sku", 88)], []),
        ("inactive sku again today", [("order-inactive-sku", 76)], []),
        ("we have an inactive sku", [("order-inactive-sku", 76)], []),
        (
            "inactive sku again today please",
            [],
            [("sku-inactive", 67), ("order-inactive-sku", 64)],
        ),
        # ...and a sentence that merely uses the words is at most a guess: without an
        # order named, the product's "Sku Inactive" is the likelier one.
        ("inactive sku again today please check this out now", [], [("sku-inactive", 54)]),
    ],
)
def test_how_sure_the_bot_is_of_a_short_message(matcher, text, matches, alternatives):
    assert answer(matcher, text) == (matches, alternatives)


def test_a_long_message_in_full_is_certain_and_in_part_less_so(matcher):
    assert answer(matcher, INACTIVE) == ([("sku-inactive", 100)], [])
    [(entry_id, score)], _ = answer(matcher, INACTIVE.replace("submit", "submti"))
    assert entry_id == "sku-inactive" and 72 <= score < 100


def test_the_language_of_the_message_found_is_kept(matcher):
    assert matcher.match("O SKU que você tentou enviar está inativo na VTEX").best.lang == "pt"
    assert matcher.match(INACTIVE).best.lang == "en"


# -- values ------------------------------------------------------------------------------


def test_values_in_parentheses_keep_their_spaces(matcher):
    slots = matcher.match(f"SKU 4410: {DIVERGENCE}").best.slots
    assert slots == {
        "sku": "4410",
        "attribute": "Cor Principal",
        "vtex_value": "Azul Royal",
        "amazon_value": "Royal Blue",
    }


def test_a_sku_in_the_message_stops_at_its_comma(matcher):
    paste = (
        "SKU 55, Missing Attributes. SKU 55, doesn't match any ASINs. Make sure that all "
        "standard product ids (such as UPC, ISBN, EAN, or JAN codes) are correct."
    )
    best = matcher.match(paste).best
    assert (best.id, best.slots) == ("no-asin-match", {"sku": "55"})


def test_the_closest_id_line_wins_and_a_tie_goes_to_the_smaller(matcher):
    far_and_near = f"sku 111\nfiller words here\n{INACTIVE}\nsku 222"
    assert matcher.match(far_and_near).best.skus == ("222",)
    tie = f"sku 333\n{INACTIVE}\nsku 222"
    assert matcher.match(tie).best.skus == ("222",)
    before_only = f"sku 444\nfiller words here\nmore words here\n{INACTIVE}"
    assert matcher.match(before_only).best.skus == ("444",)


def test_an_admin_row_gives_the_sku_from_its_own_cell(matcher):
    best = matcher.match(f"Camiseta 55 | 998877 | {INACTIVE}").best
    assert best.skus == ("998877",)
    # Thirteen digits are an order number's length, not a SKU id's.
    assert matcher.match(f"1234567890123 | {INACTIVE}").best.skus == ()


# -- guesses for a paste nothing matched ---------------------------------------------------


def test_guesses_are_at_most_three_distinct_entries_and_never_sure(matcher):
    guesses = matcher.closest("spreadsheet category mapping")
    assert [g.id for g in guesses] == [
        "global-category-id-not-in-spreadsheet",
        "global-category-not-completed",
        "spreadsheet-not-uploaded",
    ]
    assert [g.score for g in guesses] == [60, 60, 60]
    assert all(g.title for g in guesses) and {g.lang for g in guesses} == {"en"}
    assert len(matcher.closest("amazon order sku inactive stock", limit=5)) == 5
    assert MAX_ALTERNATIVES == 3


def test_guesses_are_made_in_the_language_of_the_paste(matcher):
    portuguese = matcher.closest("planilha de mapeamento categoria")
    assert [(g.id, g.lang) for g in portuguese][:2] == [
        ("global-category-id-not-in-spreadsheet", "pt"),
        ("global-category-not-completed", "pt"),
    ]
    assert {g.lang for g in matcher.closest("hoja de mapeo categoría global")} == {"es"}


def test_guesses_read_only_the_beginning_of_a_paste(matcher):
    chatter = "lorem ipsum dolor sit amet " * 80  # over 2,000 characters
    first = matcher.closest("global category spreadsheet mapping " + chatter)
    assert first[0].id == "global-category-id-not-in-spreadsheet"
    last = matcher.closest(chatter + "global category spreadsheet mapping")
    assert "global-category-id-not-in-spreadsheet" not in [g.id for g in last]


def test_nothing_to_go_on_gives_no_guesses(matcher):
    assert matcher.closest("") == []
    assert matcher.closest("<@U123> :fire: <!here>") == []
    assert matcher.closest("hello there") == []


# -- what `amzerror match --json` prints ---------------------------------------------------


def test_json_lists_every_sku_and_order_only_when_there_are_several():
    one = Match("sku-inactive", "Inactive", 100, {"sku": "1"}, ("1",), ("9-01",))
    assert one.as_dict() == {
        "id": "sku-inactive",
        "title": "Inactive",
        "score": 100,
        "slots": {"sku": "1"},
    }
    many = Match("sku-inactive", "Inactive", 90, {"sku": "1"}, ("1", "2"), ("9-01", "8-01"))
    assert many.as_dict()["slots"] == {"sku": "1", "skus": ["1", "2"], "orders": ["9-01", "8-01"]}
    assert one.slots == {"sku": "1"}  # printing does not change the match


def test_json_of_a_result_says_whether_it_was_cut_or_read_in_part():
    result = MatchResult([Match("a", "A", 80)], [Match("b", "B", 50)], truncated=True)
    assert result.as_dict() == {
        "matches": [{"id": "a", "title": "A", "score": 80, "slots": {}}],
        "alternatives": [{"id": "b", "title": "B", "score": 50, "slots": {}}],
        "truncated": True,
        "incomplete": False,
    }


# -- several errors, one paste ---------------------------------------------------------------

COLOR = (
    'The "Color" attribute value from the mapping spreadsheet is not an attribute/specification '
    "value supported by Amazon"
)
INACTIVE_ES = "El SKU que intentaste enviar está inactivo en VTEX"


def test_two_errors_on_one_line_are_both_reported(matcher):
    result = matcher.match(f"{INACTIVE}. {COLOR}")
    assert sorted((m.id, m.score) for m in result.matches) == [
        ("color-value-not-supported", 100),
        ("sku-inactive", 100),
    ]
    # Their look-alikes are offered as guesses, ten points under what was found at most.
    alternatives = [(a.id, a.score) for a in result.alternatives]
    assert alternatives[0] == ("spreadsheet-value-not-supported", 90)
    assert len(alternatives) >= 2 and all(score <= 90 for _, score in alternatives)
    assert not {"sku-inactive", "color-value-not-supported"} & {a for a, _ in alternatives}


def test_the_surest_error_comes_first_whatever_its_place(matcher):
    result = matcher.match(f"Inactive SKU again today please\n{INACTIVE}")
    assert [(m.id, m.score) for m in result.matches] == [
        ("sku-inactive", 100),
        ("order-inactive-sku", 88),
    ]
    assert [m.title for m in result.matches] == [
        matcher.entries["sku-inactive"].title,
        matcher.entries["order-inactive-sku"].title,
    ]


def test_an_error_said_twice_is_one_match_with_its_best_score_and_first_wording(matcher):
    typo_then_exact = matcher.match(f"{INACTIVE.replace('submit', 'sumbit')}\n{INACTIVE}")
    assert [(m.id, m.score) for m in typo_then_exact.matches] == [("sku-inactive", 100)]
    english_then_spanish = matcher.match(f"{INACTIVE}\n{INACTIVE_ES}")
    assert [(m.id, m.lang) for m in english_then_spanish.matches] == [("sku-inactive", "en")]


def test_every_order_of_an_error_said_twice_is_kept_in_order(matcher):
    paste = "order 1391560531867-01: Inactive SKU\norder 1391560531867-02: Inactive SKU"
    assert matcher.match(paste).best.orders == ("1391560531867-01", "1391560531867-02")


def test_guesses_are_ranked_surest_first(matcher):
    text = "The VTEX global category ID for this product was not found in the mapping spreadsheet"
    result = matcher.match(text)
    assert [(a.id, a.score) for a in result.alternatives] == [
        ("color-size-not-in-spreadsheet", 74),
        ("global-category-not-configured", 72),
        ("global-category-not-completed", 69),
    ]
    assert all(a.title == matcher.entries[a.id].title for a in result.alternatives)


def test_seventy_two_is_sure_enough_and_sixty_eight_only_a_guess(matcher):
    assert answer(matcher, "Inactive SKU aa bb cc dd ee ff gg") == (
        [("order-inactive-sku", 72)],
        [],
    )
    assert answer(matcher, "Inactive SKU alpha beta gamma delta epsilon zeta eta theta") == (
        [],
        [("order-inactive-sku", 68), ("sku-inactive", 67)],
    )


def test_a_chat_line_far_from_any_message_suggests_nothing(matcher):
    assert answer(matcher, "could someone look at the amazon thing today") == ([], [])


# -- messages wrapped over lines, long pastes ---------------------------------------------------


def wrapped(text: str, lines: int) -> str:
    words = text.split()
    cuts = [round(i * len(words) / lines) for i in range(lines + 1)]
    return "\n".join(" ".join(words[a:b]) for a, b in zip(cuts, cuts[1:], strict=False))


def test_a_message_wrapped_over_up_to_twelve_lines_is_read_as_one(matcher):
    for lines in (6, 12):
        paste = wrapped(COLOR, lines)
        assert len(paste.splitlines()) == lines
        assert answer(matcher, paste)[0] == [("color-value-not-supported", 100)], lines


def test_thirteen_short_lines_are_not_glued_together(matcher):
    assert answer(matcher, wrapped(COLOR, 13))[0] == []


def test_a_paste_read_in_full_says_so(matcher):
    result = matcher.match(f"{INACTIVE}\nthanks\n{COLOR}")
    assert (result.incomplete, result.lines_read, result.lines_total) == (False, 3, 3)
    assert (result.truncated, result.limit) == (False, 20_000)


def test_out_of_time_the_first_line_is_still_answered(matcher):
    result = matcher.match(f"{INACTIVE}\n{COLOR}\nthanks", budget=0)
    assert (result.incomplete, result.lines_read, result.lines_total) == (True, 1, 3)
    assert [m.id for m in result.matches] == ["sku-inactive"]


def test_a_smaller_limit_cuts_the_paste_there(matcher):
    result = matcher.match("x" * 50 + "\n" + INACTIVE, limit=30)
    assert (result.truncated, result.limit, result.matches) == (True, 30, [])


def test_a_twelve_digit_cell_is_a_sku(matcher):
    assert matcher.match("123456789012 | Inactive SKU").best.skus == ("123456789012",)

"""The matcher names the error people paste, reads its values, and abstains otherwise."""

from __future__ import annotations

import time

import pytest

from bot.evaluation import evaluate, read_cases
from bot.matcher import MATCH_THRESHOLD
from tests.conftest import DATA

COLOR_VALUE = (
    'The "Color" attribute value from the mapping spreadsheet is not an attribute/specification '
    "value supported by Amazon"
)
DIVERGENCE = (
    "The SKU already exists in the Amazon catalog and is ready for matching between VTEX and "
    "Amazon. However, the value of attribute (Cor) for this SKU on VTEX is different from the "
    "value it has on Amazon. It has value (Azul Royal) on VTEX and value (Royal Blue) on Amazon."
)


def best(matcher, text):
    result = matcher.match(text)
    return result.matches[0] if result.matches else None


@pytest.mark.parametrize("name", ["devset.jsonl", "holdout.jsonl", "retellings.jsonl"])
def test_labelled_sets_meet_the_accuracy_targets(matcher, name):
    report = evaluate(read_cases(DATA / name), matcher)
    assert report.positives.total >= 90 and report.negatives.total >= 35
    assert report.positives.rate >= 0.97, report.failures
    for lang in ("pt", "es"):
        assert report.by_lang[lang].rate >= 0.95, (lang, report.failures)
    assert report.false_match_rate <= 0.02, report.failures
    assert report.slots.rate is None or report.slots.rate >= 0.95


def test_the_fourth_development_set_holds_today_s_figures(matcher):
    """retellings-2 was written blind from the spec and first scored 80.5% top-1, 6.2% false
    matches, 77.4% of slots; the matcher has since been tuned looking at it, so it is a
    development set. Short of the targets on top-1 and slots: this holds today's figures."""
    cases = read_cases(DATA / "retellings-2.jsonl")
    assert (sum(1 for c in cases if c.expect), sum(1 for c in cases if not c.expect)) == (262, 81)
    report = evaluate(cases, matcher)
    assert report.positives.rate >= 0.938, report.failures
    assert report.by_lang["pt"].rate >= 0.948, ("pt", report.failures)
    assert report.by_lang["es"].rate >= 0.945, ("es", report.failures)
    assert report.by_lang["en"].rate >= 0.923, ("en", report.failures)
    assert report.false_match_rate <= 0.02, report.failures
    assert report.slots.rate >= 0.869


def test_the_blind_set_holds_its_first_figures(matcher):
    """retellings-3 was written blind from the spec and is committed as written; nobody has
    tuned the matcher to it. Its first run (README) is its floor: no change may go back."""
    cases = read_cases(DATA / "retellings-3.jsonl")
    assert (sum(1 for c in cases if c.expect), sum(1 for c in cases if not c.expect)) == (259, 82)
    report = evaluate(cases, matcher)
    assert report.positives.correct >= 209, report.failures  # 80.7%
    assert report.negatives.correct >= 74, report.failures  # 9.8% false matches
    assert report.slots.correct >= 179  # 84.8% of slots


def test_the_set_written_blind_is_kept_whole():
    """It is scored as written (see README): no case dropped, none added."""
    cases = read_cases(DATA / "retellings.jsonl")
    assert sum(1 for c in cases if c.expect) == 263
    assert sum(1 for c in cases if not c.expect) == 80


def test_development_set_is_large_and_varied():
    cases = read_cases(DATA / "devset.jsonl")
    kinds = {c.kind for c in cases}
    assert len(cases) >= 200
    assert sum(1 for c in cases if not c.expect) >= 50
    assert {
        "verbatim",
        "admin",
        "slack",
        "pt",
        "es",
        "truncated",
        "typo",
        "lookalike",
        "multi",
    } <= kinds


def test_values_are_read_with_their_case(matcher):
    match = best(matcher, DIVERGENCE)
    assert match.id == "attribute-divergence"
    assert match.score == 100
    assert match.slots == {
        "attribute": "Cor",
        "vtex_value": "Azul Royal",
        "amazon_value": "Royal Blue",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (COLOR_VALUE, "color-value-not-supported"),
        (COLOR_VALUE.replace('"Color"', '"Size"'), "size-value-not-supported"),
        (COLOR_VALUE.replace('"Color"', '"SizeMap"'), "sizemap-value-not-supported"),
        (
            COLOR_VALUE.replace('The "Color" attribute value', "Value (Azul)"),
            "spreadsheet-value-not-supported",
        ),
        (
            'The SKU does not have a value for the "Color" attribute or the mapping spreadsheet '
            "does not contain a value for it",
            "color-missing",
        ),
        (
            'The SKU does not have a value for the "author" attribute or the mapping spreadsheet '
            "does not contain a value for it",
            "author-missing",
        ),
        ("The SKU you tried to submit is inactive on VTEX", "sku-inactive"),
        ("Inactive SKU", "order-inactive-sku"),
        (
            "The VTEX global category for this SKU was not completed or was completed incorrectly "
            "in the mapping spreadsheet",
            "global-category-not-completed",
        ),
        (
            "The VTEX global category ID for this product was not found in the mapping spreadsheet",
            "global-category-id-not-in-spreadsheet",
        ),
        (
            "The VTEX global category (1187) for this SKU is not configured correctly in the integration",
            "global-category-not-configured",
        ),
    ],
)
def test_look_alikes_are_told_apart_by_their_detail(matcher, text, expected):
    assert best(matcher, text).id == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("O SKU que você tentou enviar se encontra inativo na VTEX", "sku-inactive"),
        ("El SKU que intentaste enviar está inactivo en VTEX", "sku-inactive"),
        ("The SKU you tried to sumbit is inactve on VTEX", "sku-inactive"),
        (
            "The SKU already exists in the Amazon catalog and is ready for matching betw…",
            "attribute-divergence",
        ),
        (
            "hey <!here> :fire: `Order with SKU out of stock` on 1391560531867-01",
            "order-out-of-stock",
        ),
    ],
)
def test_languages_typos_truncation_and_markup(matcher, text, expected):
    assert best(matcher, text).id == expected


def test_misspelled_message_still_gives_its_values(matcher):
    match = best(matcher, DIVERGENCE.replace("catalog", "catalgo").replace("However", "Howevr"))
    assert match.id == "attribute-divergence"
    assert match.score < 100
    assert match.slots["vtex_value"] == "Azul Royal"


def test_several_errors_in_one_paste_each_with_their_skus(matcher):
    paste = "\n".join(
        [
            "101\tCamiseta P\tAmazon\tThe SKU you tried to submit is inactive on VTEX",
            f"102\tCamiseta M\tAmazon\t{COLOR_VALUE}",
            "103\tCamiseta G\tAmazon\tThe SKU you tried to submit is inactive on VTEX",
        ]
    )
    result = matcher.match(paste)
    assert {m.id: m.skus for m in result.matches} == {
        "sku-inactive": ("101", "103"),
        "color-value-not-supported": ("102",),
    }


def test_order_and_sku_ids_around_the_message_are_extracted(matcher):
    assert (
        best(matcher, "order 1391560531867-01 - Inactive SKU").slots["order"] == "1391560531867-01"
    )
    assert best(matcher, '{"Message": "Inactive SKU", "SkuId": 5521}').slots["sku"] == "5521"


@pytest.mark.parametrize(
    "text",
    [
        "good morning team!",
        "can someone reprocess sku 123 please?",
        "we have an inactive sku here, I'll check",
        "Traceback (most recent call last):\n  File \"app.py\", line 3\nKeyError: 'sku'",
        "Mercado Livre: o anúncio não pode ser publicado na categoria selecionada",
        '{{ 7*7 }} <!channel> "}] DROP TABLE entries; --',
        "",
        "   \n\t ",
    ],
)
def test_abstains_on_text_that_reports_no_known_error(matcher, text):
    assert matcher.match(text).matches == []


def test_confidence_separates_exact_fuzzy_and_alternatives(matcher):
    exact = best(matcher, COLOR_VALUE)
    fuzzy = best(
        matcher, COLOR_VALUE.replace("spreadsheet", "spreadhseet").replace("Amazon", "Amazom")
    )
    alternatives = matcher.match(COLOR_VALUE).alternatives
    assert exact.score == 100
    assert MATCH_THRESHOLD <= fuzzy.score < 100
    assert alternatives and all(a.score < exact.score for a in alternatives)


def test_huge_input_is_capped_and_finishes_quickly(matcher):
    text = ("lorem ipsum dolor sit amet " * 40_000) + "Inactive SKU"
    started = time.perf_counter()
    result = matcher.match(text)
    assert time.perf_counter() - started < 2.0
    assert result.truncated
    # The error sits past the cap, so it is honestly not seen.
    assert result.matches == []


@pytest.mark.parametrize(
    "text",
    [
        "Value (P&amp;B &lt;Kids&gt;) from the mapping spreadsheet is not an attribute/specification value supported by Amazon",
        "Value (P&amp;B &lt;Kids&gt;) from the mapping spreadsheet is not an atribute/specification value suported by Amazon",
    ],
)
def test_a_value_keeps_the_brackets_it_contains(matcher, text):
    # Slack escapes <, > and & in what people type; the value is read after unescaping.
    assert best(matcher, text).slots["value"] == "P&B <Kids>"


@pytest.mark.parametrize(
    "text",
    [
        "SKUs 9001, 9002: The SKU you tried to submit is inactive on VTEX",
        "SKU 9001 y SKU 9002 - The SKU you tried to submit is inactive on VTEX",
        "SKUs 9001 e 9002 - O SKU que você tentou enviar se encontra inativo na VTEX",
        "SKUs 9001 and 9002: The SKU you tried to submit is inactive on VTEX",
        "SKU IDs: 9001, 9002 / The SKU you tried to submit is inactive on VTEX",
    ],
)
def test_a_list_of_skus_comes_out_whole(matcher, text):
    match = best(matcher, text)
    assert match.id == "sku-inactive"
    assert match.skus == ("9001", "9002")
    assert match.slots["sku"] == "9001"


def test_three_skus_and_an_order_id_that_is_not_one(matcher):
    match = best(matcher, "SKU 9001, 9002, 9003 - The SKU you tried to submit is inactive on VTEX")
    assert match.skus == ("9001", "9002", "9003")
    order = best(matcher, "order 1391560531867-01, sku 77: Inactive SKU")
    assert order.skus == ("77",) and order.orders == ("1391560531867-01",)

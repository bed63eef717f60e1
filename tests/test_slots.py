"""The values a card shows (SKU, order, attribute) are the ones in the paste, wherever they sit."""

from __future__ import annotations

import pytest

from bot.evaluation import evaluate, read_cases
from bot.matching.lines import Line
from bot.matching.patterns import Variant
from bot.matching.slots import MAX_TOLD_WORDS, LooseIds, fuzzy_slots
from tests.conftest import DATA

INACTIVE = "The SKU you tried to submit is inactive on VTEX"
NO_SLA = "No available sla to deliver this order"


def test_the_dev_set_is_answered_in_full_values_included(matcher):
    # `make eval` prints these figures; here a change that costs one of them fails. The
    # retellings are held to their own floor (test_matcher); every other kind, in full.
    cases = [c for c in read_cases(DATA / "devset.jsonl") if not c.kind.startswith("retelling")]
    report = evaluate(cases, matcher)
    assert report.slots.correct == report.slots.total >= 144
    assert report.positives.correct == report.positives.total >= 225
    assert (report.multi.correct, report.multi.total) == (15, 15)
    assert report.negatives.correct == report.negatives.total >= 67


@pytest.mark.parametrize(
    ("paste", "slots"),
    [
        (f"SKU 4410\n{INACTIVE}", {"sku": "4410"}),
        (f"{INACTIVE}\nsku: 4410", {"sku": "4410"}),
        (f"order 1391560531867-01\n{NO_SLA}", {"order": "1391560531867-01"}),
        (f"{NO_SLA}\npedido 702-1234567-1234567", {"order": "702-1234567-1234567"}),
        (f"{INACTIVE} (SKU 77)", {"sku": "77"}),
    ],
    ids=["sku-line-before", "sku-line-after", "order-before", "pedido-after", "same-line"],
)
def test_an_id_on_a_neighbouring_line_belongs_to_the_error(matcher, paste, slots):
    best = matcher.match(paste).best
    assert best is not None
    assert {k: v for k, v in best.slots.items() if k in ("sku", "order")} == slots


def test_two_errors_each_keep_their_own_sku(matcher):
    paste = f"SKU 111: {INACTIVE}\nSKU 222: {INACTIVE}"
    best = matcher.match(paste).best
    assert best.skus == ("111", "222")


def test_an_attribute_and_its_two_values_are_read(matcher):
    paste = (
        "The SKU already exists in the Amazon catalog and is ready for matching between VTEX "
        "and Amazon. However, the value of attribute (Color) for this SKU on VTEX is different "
        "from the value it has on Amazon. It has value (Azul) on VTEX and value (Blue) on Amazon."
    )
    slots = matcher.match(paste).best.slots
    assert (slots["attribute"], slots["vtex_value"], slots["amazon_value"]) == (
        "Color",
        "Azul",
        "Blue",
    )


def test_a_loose_id_goes_to_the_nearest_line_and_the_smaller_on_a_tie():
    loose = LooseIds(["sku 5", "error here", "sku 3", "order 1391560531867-01"], skip={1})
    assert loose.nearest("sku", 1) == "3"
    assert loose.nearest("sku", 0) == "5"
    assert loose.nearest("order", 0) == "1391560531867-01"
    assert LooseIds(["nothing"], skip=set()).nearest("sku", 0) is None


SPEC = "Specification ({attribute}) mapped not found in the catalog"
DIVERGING = "conflicting: {attribute} (Merchant: '{vtex_value}' / Amazon: '{amazon_value}')"


@pytest.mark.parametrize(
    ("template", "line", "slots"),
    [
        (SPEC, "Specificaton (Tamanho) maped not fuond", {"attribute": "Tamanho"}),
        # "vaule" is as far from "value" as a correction goes (ratio 80), and it is the word
        # the value hangs on; the first letters of the line stay as they were.
        (
            "It has value ({vtex_value}) on VTEX and value ({v2}) on Amazon",
            "It has vaule (Azul) on VTEX",
            {"vtex_value": "Azul"},
        ),
        # "Foundation" holds "found" whole: only a word like the message's, letter by letter,
        # is corrected; a value is never rewritten into a word of the message.
        (SPEC, "Specificaton (Foundation) maped not fuond", {"attribute": "Foundation"}),
        # A quoted value ends at its closing quote, even with words after it.
        (
            DIVERGING,
            "conflicting: Color (Mercahnt: ' Azul' (cor VTEX) / Amazon: 'Blue')",
            {"attribute": "Color", "vtex_value": "Azul", "amazon_value": "Blue"},
        ),
    ],
    ids=["misspelled", "swapped-letters", "value-holds-a-message-word", "quoted"],
)
def test_a_misspelled_message_gives_its_values_from_the_words_around_them(template, line, slots):
    assert fuzzy_slots(Variant.of("x", "en", template), line) == slots


def test_an_error_about_no_value_keeps_no_quoted_value(matcher):
    # A quoted product name beside an error that has no value to speak of is no value of it.
    best = matcher.match("pedido parado: SKU 'Camiseta Azul' sem estoque").best
    assert (best.id, best.slots) == ("order-out-of-stock", {})


def test_the_sku_the_platform_s_message_names_wins_over_a_list_said_around_it(matcher):
    paste = (
        "SKUs 9001, 9002: SKU MOL-42, Missing Attributes color. SKU MOL-42 doesn't match any "
        "ASINs. Make sure that all standard product ids (such as UPC, ISBN, EAN, or JAN codes) "
        "are correct."
    )
    best = matcher.match(paste).best
    assert (best.slots["sku"], best.skus) == ("MOL-42", ("MOL-42",))


def test_a_misspelled_message_whose_words_around_a_value_are_changed_still_gives_it(matcher):
    # "the spec" for "specification" leaves the anchored reading nothing to hang on: the
    # value is read as a retelling's would be, for the message's own placeholder.
    paste = (
        "The valeu of the spec (Voltagem) from the spredsheet does not exist in the VTEX "
        "product specification"
    )
    best = matcher.match(paste).best
    assert (best.id, best.slots) == ("spec-value-missing-on-product", {"attribute": "Voltagem"})


def test_values_are_read_from_a_retelling_up_to_its_longest(matcher):
    told = (
        "a amazon nao aceita o valor '127V' que a gente colocou na planilha de mapeamento, "
        "fala q nao eh valor de atributo suportado."
    )
    filler = MAX_TOLD_WORDS - len(Line.read(told).words)
    longest = f"{told} {' '.join(['ok'] * filler)}"
    assert matcher.match(longest).best.slots == {"value": "127V"}
    # One word more and it is pages, not a retelling: the values are not looked for.
    assert matcher.match(f"{longest} ok").best.slots == {}


def test_a_number_that_is_no_sku_is_never_taken_for_the_sku_nor_the_attribute(matcher):
    # SKU ids are read by their own rules ("SKU 123", a list, a cell), not as a retold value;
    # an attribute has a name, so a number alone is not one either.
    best = matcher.match(
        "o EAN 7891234567890 não bate com nenhum ASIN da amazon, faltam atributos"
    ).best
    assert (best.id, best.slots, best.skus) == ("no-asin-match", {}, ())
    # The attribute the line does name is still read, after the number.
    named = "EAN 7891234567890 doesn't match any ASINs, missing attribute Voltage"
    assert matcher.match(named).best.slots == {"attribute": "Voltage"}


def test_a_list_of_skus_gives_every_sku_and_the_first_as_the_sku(matcher):
    best = matcher.match(f"SKUs 9001, 9002: {INACTIVE}").best
    assert (best.slots, best.skus) == ({"sku": "9001"}, ("9001", "9002"))


def test_values_said_before_the_place_they_belong_to_are_read_for_it(matcher):
    paste = (
        "el sku ya esta en el catalogo de amazon, listo para el matching, pero el atributo "
        "Material no coincide: Cuero en vtex y Piel en amazon"
    )
    slots = matcher.match(paste).best.slots
    assert (slots["vtex_value"], slots["amazon_value"]) == ("Cuero", "Piel")

"""A retelling's values go to the placeholders whose names, in any language, stand nearest."""

from __future__ import annotations

import pytest

from bot.matching.concepts import Concepts
from bot.matching.lines import Line
from bot.matching.retold_values import Slot, assign, candidates, slots_of
from bot.vocabulary import load_vocabulary
from tests.conftest import KNOWLEDGE


@pytest.fixture(scope="module")
def concepts() -> Concepts:
    return Concepts(load_vocabulary(KNOWLEDGE)[0])


ATTRIBUTES = frozenset({"colour", "size", "material"})
DIVERGENCE = [
    (
        "en",
        "It has value ({vtex_value}) on VTEX and value ({amazon_value}) on Amazon, attribute ({attribute})",
    ),
]
# The same without the attribute: two values that "value" names alike.
TWO_VALUES = [("en", "It has value ({vtex_value}) on VTEX and value ({amazon_value}) on Amazon")]
UNAUTHORIZED = [
    ("en", "Unauthorized access from seller {seller} to sales channel {sales_channel}"),
    ("es", "Acceso no autorizado del seller {seller} a política comercial {sales_channel}"),
]


def values(concepts, texts, text, ids=frozenset(), lang="en", pseudo=(), joins=frozenset()):
    line = Line.read(text)
    slots = slots_of(texts, concepts, pseudo)
    found = candidates(line, concepts, lang, ATTRIBUTES, frozenset(), set(ids))
    return assign(slots, line, found, concepts, lang, joins)


def test_a_placeholder_is_known_by_its_name_and_the_words_before_it(concepts):
    slots = {s.name: s for s in slots_of(UNAUTHORIZED, concepts)}
    assert set(slots) == {"seller", "sales_channel"}
    assert "seller" in slots["seller"].ideas
    assert "trade-policy" in slots["sales_channel"].ideas  # "channel", "política comercial"
    # A name that means nothing to the vocabulary is matched as a word: "vtex" of vtex_value.
    assert {s.name: s.words for s in slots_of(DIVERGENCE, concepts)}["vtex_value"] == {"vtex"}


def test_each_value_goes_to_the_words_that_name_it(concepts):
    text = "order 702-9191919-2828282 blew up: seller 'megastore' unauthorized on sales channel 7"
    assert values(concepts, UNAUTHORIZED, text, ids={"702-9191919-2828282"}) == {
        "seller": "megastore",
        "sales_channel": "7",
    }
    spanish = "el pedido fallo, acceso no autorizado del seller al canal de ventas 6"
    assert values(concepts, UNAUTHORIZED, spanish, lang="es") == {"sales_channel": "6"}


def test_a_word_naming_one_slot_only_decides_between_two(concepts):
    text = "item already on amazon but the Voltage attribute differs, vtex says 110V and amazon has 127V"
    assert values(concepts, DIVERGENCE, text) == {
        "attribute": "Voltage",
        "vtex_value": "110V",
        "amazon_value": "127V",
    }


def test_what_can_be_a_value(concepts):
    line = Line.read(
        "sku 4410: the value ('100% cotton') and \"Kitchen Appliances\", 'VariationTheme selected "
        "it is invalid' for Cor, and the word Estampa"
    )
    found = candidates(
        line, concepts, "en", ATTRIBUTES, frozenset({"variationtheme", "selected"}), {"4410"}
    )
    assert [c.value for c in found] == ["100% cotton", "Kitchen Appliances", "Cor", "Estampa"]
    assert [c.named_attribute for c in found] == [False, False, True, False]


def test_quoted_words_of_the_message_itself_are_no_value(concepts):
    line = Line.read("A Amazon não aceita a(s) variação do SKU, colocamos (ColorSize)")
    found = candidates(line, concepts, "pt", ATTRIBUTES, frozenset({"a", "s", "variacao"}), set())
    assert [c.value for c in found] == ["ColorSize"]


def test_a_value_spoken_of_without_a_placeholder(concepts):
    value = Slot("value", frozenset({"value"}), frozenset())
    text = "o valor de TargetGender que colocamos na planilha ('Unissex') nao eh aceito"
    assert values(concepts, [("pt", "no placeholders here")], text, lang="pt", pseudo=[value]) == {
        "value": "Unissex"
    }
    # Where the messages have placeholders, those say what the error's values are.
    assert [s.name for s in slots_of(UNAUTHORIZED, concepts, [value])] == [
        "seller",
        "sales_channel",
    ]


def test_an_attribute_the_vocabulary_knows_is_the_attribute_and_never_a_value(concepts):
    text = (
        "item already on amazon but the Cor attribute differs, vtex says Azul and amazon has Blue"
    )
    assert values(concepts, DIVERGENCE, text) == {
        "attribute": "Cor",
        "vtex_value": "Azul",
        "amazon_value": "Blue",
    }


def test_a_lone_value_goes_to_the_one_slot_the_line_names(concepts):
    # Nothing names the seller here: the one value is the sales channel's.
    assert values(concepts, UNAUTHORIZED, "canal de ventas 6 bloqueado", lang="es") == {
        "sales_channel": "6"
    }


def test_the_word_right_after_an_id_or_a_quoted_value_can_be_a_value(concepts):
    line = Line.read('sku 4410 110V, vtex has "Azul" 127V')
    found = candidates(line, concepts, "en", ATTRIBUTES, frozenset(), {"4410"})
    assert [c.value for c in found] == ["Azul", "110V", "127V"]


def test_portuguese_no_inside_a_quoted_value_is_not_a_negation(concepts):
    # "no" is "in the" in Portuguese: 'Marca no peito' names one idea, so it is a value.
    line = Line.read("a estampa 'Marca no peito' nao foi aceita")
    found = candidates(line, concepts, "pt", ATTRIBUTES, frozenset(), set())
    assert "Marca no peito" in [c.value for c in found]


def candidate_values(concepts, text, message_words=frozenset(), lang="pt"):
    line = Line.read(text)
    return [c.value for c in candidates(line, concepts, lang, ATTRIBUTES, message_words, set())]


def test_a_quote_is_a_value_unless_it_is_a_number_long_or_the_message_s_own_words(concepts):
    # A quoted number is read where numbers are (after the quotes); later quotes still count.
    assert candidate_values(concepts, "valor '123' e 'Azul'") == ["Azul", "123"]
    # Four words can be a value; five are a sentence quoted.
    assert candidate_values(concepts, "valor 'um dois tres quatro'") == ["um dois tres quatro"]
    assert candidate_values(concepts, "valor 'um dois tres quatro cinco'") == []
    # Two words of the message, or only its words, or two words the vocabulary knows:
    # the message (or what it is about) quoted, no value.
    message = frozenset({"zork", "quux", "blip"})
    assert candidate_values(concepts, "it says 'zork quux xyz'", message, "en") == []
    assert candidate_values(concepts, "it says 'zork xyz'", message, "en") == ["zork xyz"]
    assert candidate_values(concepts, "it says (Spec) here", frozenset({"spec"}), "en") == []
    assert candidate_values(concepts, "faltam 'produto e pedido'") == []


def test_a_name_after_earlier_words_and_a_quote_are_both_read(concepts):
    assert candidate_values(concepts, "Estampa x 'Azul'") == ["Azul", "Estampa"]


def test_a_capitalised_word_that_starts_a_sentence_is_no_name(concepts):
    for stop in (".", "!", "?", ".   "):
        assert (
            candidate_values(concepts, f"the sku is broken{stop} Estampa is fine", lang="en") == []
        )
    # The line's first word, though, can be one; names side by side are one name.
    assert candidate_values(concepts, "Voltage and Kitchen Appliances", lang="en") == [
        "Voltage",
        "Kitchen Appliances",
    ]


def test_a_slot_nothing_names_takes_no_value_when_there_are_two(concepts):
    # Only the sales channel is named; 7 is no seller for it.
    text = "canal de ventas 6 y 7"
    assert values(concepts, UNAUTHORIZED, text, lang="es") == {"sales_channel": "6"}


def test_a_quote_right_before_an_id_is_still_a_value(concepts):
    line = Line.read("valor 'azul claro' 4410")
    found = candidates(line, concepts, "pt", ATTRIBUTES, frozenset(), {"4410"})
    assert [c.value for c in found] == ["azul claro"]


@pytest.mark.parametrize(
    "text",
    [
        # "value" names both values; only "vtex" and "amazon" tell them apart.
        "amazon's value is 127V but vtex has 110V",
        # 110V is as near to "vtex" (two words after) as to "amazon" (right before): the
        # message names the VTEX value first, and 127V follows "amazon".
        "vtex is 110V amazon has 127V",
        # Said before the place it belongs to: "127V on amazon" follows "vtex", but across a
        # comma or an "and", so it is Amazon's.
        "110V on vtex, 127V on amazon",
        "the value is 110V on vtex and 127V on amazon",
    ],
    ids=["shared-word", "tie", "before-comma", "before-and"],
)
def test_each_value_goes_to_its_own_place(concepts, text):
    assert values(concepts, TWO_VALUES, text, joins=frozenset({"and"})) == {
        "vtex_value": "110V",
        "amazon_value": "127V",
    }

"""Words become ideas: a stemmer folds their inflections, the vocabulary joins the three
languages, and phrases, words of two ideas and words of one language are read as meant."""

from __future__ import annotations

import pytest

from bot.matching.concepts import Concepts
from bot.normalize import fold, words
from bot.vocabulary import Vocabulary, load_vocabulary
from tests.conftest import KNOWLEDGE


@pytest.fixture(scope="module")
def concepts() -> Concepts:
    return Concepts(load_vocabulary(KNOWLEDGE)[0])


def test_inflections_and_languages_meet_in_one_idea(concepts):
    assert concepts.of("inativos") == concepts.of("inactive") == concepts.of("desactivado")
    assert concepts.of("planilha") == concepts.of("plantilla") == concepts.of("spreadsheet")
    assert concepts.of(fold("política")) == concepts.of("policy") == concepts.of("channel")
    assert concepts.of("the") == concepts.of("4410") == frozenset()
    # A word the vocabulary does not know is an idea of its own, its inflections folded.
    assert concepts.of("etiquetas") == concepts.of("etiqueta") != concepts.of("voltagem")


def test_a_word_in_two_groups_says_both(concepts):
    assert concepts.of("rejected") >= {"accepted", "negation"}
    assert concepts.of("unauthorized") >= {"permission", "negation"}


def test_a_word_can_mean_something_in_one_language_only(concepts):
    # Portuguese "no" is "in the"; Spanish and English "no" say no.
    assert concepts.of("no", "pt") == frozenset()
    assert concepts.of("no", "es") == concepts.of("no", "en") == concepts.of("not")
    # The language not told: the reading the languages that list the word agree on.
    assert concepts.of("no") == concepts.of("not")


def test_a_phrase_is_read_whole_and_its_words_not_alone():
    vocabulary = Vocabulary(
        concepts=(("differs", ("different", "não é igual")), ("same", ("igual",))),
        ignore=("sin embargo", "e"),
    )
    concepts = Concepts(vocabulary)
    assert concepts.of_words(words(fold("o valor não é igual ao da Amazon"))) >= {"differs"}
    assert "same" not in concepts.of_words(words(fold("o valor não é igual")))
    assert concepts.of_words(words(fold("sin embargo"))) == set()


def test_what_is_missing_is_not_found_in_every_language(concepts):
    for said in ("missing color", "falta el color", "a cor está faltando"):
        assert concepts.of_words(words(fold(said))) >= {"negation", "found", "colour"}, said
    # Having is no idea, but not having is what missing is.
    assert concepts.of("has") == concepts.of("tem") == frozenset()
    for said in ("the sku has no color", "o sku não tem cor", "el sku no tiene color"):
        assert concepts.of_words(words(fold(said)), "es") >= {"negation", "found", "colour"}, said


def test_a_contracted_negation_is_a_negation(concepts):
    assert "negation" in concepts.of_words(words(fold("the connector can't find it")))
    assert "negation" in concepts.of_words(words(fold("amazon doesn’t like the value")))
    assert concepts.of_words(words(fold("amazon doesn't like the value"))) >= {"accepted"}


def test_pronouns_say_nothing(concepts):
    # "them" once met "theme" in a stemmer and read as a variation theme.
    assert concepts.of("them") == concepts.of("their") == concepts.of("eu") == frozenset()


def test_saying_no_error_came_up_is_no_negation(concepts):
    for said in ("ainda não deu erro nenhum", "no dio ningún error", "no errors so far"):
        assert "negation" not in concepts.of_words(words(fold(said)), "pt"), said


def test_spanish_sale_is_something_showing_not_a_sale(concepts):
    assert "order" not in concepts.of("sale", "es") and "found" in concepts.of("salen", "es")
    assert "order" in concepts.of("sale", "en")

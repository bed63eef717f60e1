"""A message in an answered thread asks for reprocessing, for the card again, or for nothing."""

from __future__ import annotations

import pytest

from bot.intents import EXPLAIN, REPROCESS, read_intent


@pytest.mark.parametrize(
    "text",
    [
        "reprocess",
        "reprocess 5555",
        "reprocess please",
        "Reprocess this!",
        "reprocess again",
        "can you reprocess sku 5556 please?",
        "please reprocess the order",
        "pode reprocessar o sku 5556 por favor?",
        "reprocessar agora",
        "reprocessa aí",
        "reprocesar ahora",
        "reprocesen la orden 702-1234567-1234567",
        "¿pueden reprocesarlo?",
        "pueden reprocesar el sku 12?",
    ],
)
def test_asking_for_reprocessing_in_three_languages(text):
    assert read_intent(text) == REPROCESS


@pytest.mark.parametrize(
    "text",
    [
        "what does this error mean?",
        "what's this error?",
        "can you explain?",
        "o que significa esse erro?",
        "o que é esse erro?",
        "explica de novo",
        "¿qué significa?",
        "que quiere decir?",
    ],
)
def test_asking_what_the_error_means(text):
    assert read_intent(text) == EXPLAIN


@pytest.mark.parametrize(
    "text",
    [
        "thanks, looking into it",
        "don't reprocess yet",
        "não precisa reprocessar",
        "no reprocesen todavía",
        "was it reprocessed?",
        "did anyone reprocess it?",
        "reprocessing failed again",
        "já reprocessaram?",
        "ok",
        "",
        "reprocess " + "x" * 400,  # a paragraph is a conversation
    ],
)
def test_everything_else_is_people_talking(text):
    assert read_intent(text) is None

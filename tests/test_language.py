"""The bot answers in the person's language: their choice, what they wrote in, then Slack's locale."""

from __future__ import annotations

import pytest

from bot.language import choose_language, from_locale, language_of_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("O SKU que você tentou enviar se encontra inativo na VTEX", "pt"),
        ("gente, pedido da amazon parado com SKU sem estoque", "pt"),
        ("el pedido de Amazon no tiene SLA disponible para la entrega", "es"),
        ("Hola equipo, nos aparece esto en varios SKUs", "es"),
        # Everyday words tell a question that names only the Admin's English fields.
        ("onde eu vejo o SELLER ID? vou configurar hoje", "pt"),
        ("¿dónde veo el SELLER ID? quiero configurarlo hoy", "es"),
        ("amazon order stuck, admin only says Inactive SKU", "en"),
        ("Inactive SKU", None),
        ("1391560531867-01", None),
    ],
)
def test_the_language_a_paste_is_written_in(text, expected):
    assert language_of_text(text) == expected


def test_slack_locales_map_to_the_three_languages():
    assert from_locale("pt-BR") == "pt" and from_locale("es-LA") == "es"
    assert from_locale("en-US") == "en" and from_locale("fr-FR") is None
    assert from_locale(None) is None


def test_a_choice_wins_then_portuguese_or_spanish_text_then_the_locale():
    assert choose_language(chosen="es", text="o pedido não entrou", locale="pt-BR") == "es"
    assert choose_language(text="o pedido não entrou", locale="en-US") == "pt"
    # English platform text says little: Brazilians paste it too.
    assert (
        choose_language(text="The SKU you tried to submit is inactive on VTEX", locale="pt-BR")
        == "pt"
    )
    assert choose_language(text="Inactive SKU") == "en"
    assert choose_language(text="the order is stuck", default="es") == "en"
    assert choose_language(text="Inactive SKU", default="es") == "es"


def test_the_card_clicked_decides_when_neither_the_person_nor_slack_says():
    assert choose_language(fallback="es") == "es"
    assert choose_language(locale="pt-BR", fallback="es") == "pt"
    assert choose_language(text="please explain", fallback="pt") == "pt"
    assert choose_language(chosen="en", fallback="pt") == "en"
    assert choose_language(fallback="fr", default="pt") == "pt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("reprocessar", "pt"), ("reprocessa o 4410", "pt"), ("reprocesar", "es"), ("reprocess", "en")],
)
def test_the_word_asking_to_reprocess_says_the_language(text, expected):
    assert language_of_text(text) == expected

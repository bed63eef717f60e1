"""People are answered in the language they write in: Portuguese, Spanish or English."""

from __future__ import annotations

import json

import pytest

from tests.slackharness import (
    BotProcess,
    bot_env,
    button,
    mention_event,
    posted_message,
)

PT_INACTIVE = "O SKU que você tentou enviar se encontra inativo na VTEX"
ES_RETOLD = "el pedido de Amazon no tiene SLA disponible para la entrega"


@pytest.fixture
def bot(slack, tmp_path):
    process = BotProcess(bot_env(slack.url, tmp_path / "language.db")).start()
    yield process
    process.stop(kill=True)


def shown(call) -> str:
    return json.dumps(call.params.get("blocks"), ensure_ascii=False)


def test_a_portuguese_paste_gets_a_portuguese_card(send, slack):
    send.command(PT_INACTIVE)
    [post] = slack.wait_for("chat.postMessage")
    text = shown(post)
    assert "O que aconteceu" in text and "Como corrigir" in text and "SKU inativo na VTEX" in text
    assert "perguntou sobre" in text  # who asked, in Portuguese too
    assert "What happened" not in text


def test_a_spanish_retelling_gets_a_spanish_card(send, slack):
    send.event(mention_event(ES_RETOLD))
    [post] = slack.wait_for("chat.postMessage")
    assert "Qué pasó" in shown(post) and "Cómo corregirlo" in shown(post)


def test_help_in_the_word_asked_for(send):
    assert "Cole o texto do erro" in json.dumps(send.command("ajuda").json(), ensure_ascii=False)
    assert "Pega el texto del error" in json.dumps(send.command("ayuda").json(), ensure_ascii=False)
    assert "Paste the error text" in json.dumps(send.command("help").json())


def test_a_vote_on_a_portuguese_card_is_acknowledged_in_portuguese(send, slack):
    send.event(mention_event(f"SKU 4410: {PT_INACTIVE}"))
    [card] = slack.wait_for("chat.postMessage")
    send.click(posted_message(card), button(card.params["blocks"], "feedback_helpful"))
    [update] = slack.wait_for("chat.update")
    assert "seu voto foi registrado" in shown(update)


def test_an_english_paste_gets_english(send, slack):
    send.event(mention_event("The SKU you tried to submit is inactive on VTEX"))
    [post] = slack.wait_for("chat.postMessage")
    assert "What happened" in shown(post)

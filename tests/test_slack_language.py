"""People are answered in the language they write in: Portuguese, Spanish or English."""

from __future__ import annotations

import json
import time

import pytest

from tests.slackharness import (
    BotProcess,
    bot_env,
    button,
    mention_event,
    message_event,
    modal_choice,
    posted_message,
)
from tests.test_i18n import ENGLISH, shown_words

PT_INACTIVE = "O SKU que você tentou enviar se encontra inativo na VTEX"
ES_RETOLD = "el pedido de Amazon no tiene SLA disponible para la entrega"
OPS = "COPS"
OPS_LEAD = "UOPSLEAD"


@pytest.fixture
def bot(slack, tmp_path):
    # The ops team reads Spanish: neither the default (English) nor the Portuguese requester's.
    env = bot_env(
        slack.url,
        tmp_path / "language.db",
        AMZERROR_OPS_CHANNEL=OPS,
        AMZERROR_OPS_USERS=OPS_LEAD,
        AMZERROR_OPS_LANG="es",
        AMZERROR_WATCH_CHANNELS="CWATCH",
    )
    process = BotProcess(env).start()
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


ORDER_INACTIVE = "Inactive SKU"  # VTEX prints order errors in English in every locale


def english_in(blocks) -> list[str]:
    """The words of `blocks` that give English away (see tests/test_i18n.py)."""
    return sorted({w for w in shown_words(blocks) if w.lower() in ENGLISH})


def test_a_pt_br_user_gets_portuguese_for_the_english_error_vtex_prints(send, slack):
    slack.set_locale("UPT", "pt-BR")
    send.command(f"pedido 702-5551234-9876543: {ORDER_INACTIVE}", user="UPT")
    [post] = slack.wait_for("chat.postMessage")
    assert "O que aconteceu" in shown(post)
    assert english_in(post.params["blocks"]) == []


def test_an_es_la_user_mentioning_the_bot_gets_spanish(send, slack):
    slack.set_locale("UES", "es-LA")
    send.event(mention_event(f"SKU 4410: {ORDER_INACTIVE}", user="UES"))
    [post] = slack.wait_for("chat.postMessage")
    assert "Qué pasó" in shown(post)
    assert english_in(post.params["blocks"]) == []


def test_slack_is_asked_once_per_person(send, slack):
    slack.set_locale("UPT", "pt-BR")
    for n in range(3):
        send.event(mention_event(f"SKU 44{n}: {ORDER_INACTIVE}", user="UPT"))
    posts = slack.wait_for("chat.postMessage", count=3)
    assert all("O que aconteceu" in shown(p) for p in posts)
    assert len(slack.calls_to("users.info")) == 1


def test_help_follows_the_slack_locale_once_known(send, slack):
    slack.set_locale("UPT", "pt-BR")
    # Not known yet: acknowledged at once, the help follows through response_url.
    assert send.command("", user="UPT").status == 200
    [first] = slack.wait_for("/respond/CGENERAL")
    assert "Cole o texto do erro" in json.dumps(first.params, ensure_ascii=False)
    # Known now: in the acknowledgement itself.
    assert "Cole o texto do erro" in json.dumps(
        send.command("", user="UPT").json(), ensure_ascii=False
    )


def test_a_chosen_language_beats_slack_s_until_taken_back(send, slack):
    slack.set_locale("UPT", "pt-BR")
    chosen = json.dumps(send.command("lang es", user="UPT").json(), ensure_ascii=False)
    assert "Listo" in chosen and "Español" in chosen
    send.command(ORDER_INACTIVE, user="UPT")
    [post] = slack.wait_for("chat.postMessage")
    assert "Qué pasó" in shown(post)
    shown_now = json.dumps(send.command("idioma", user="UPT").json(), ensure_ascii=False)
    assert "elegiste" in shown_now  # says it is the person's own choice
    send.command("lang auto", user="UPT")
    send.command(ORDER_INACTIVE, user="UPT")
    posts = slack.wait_for("chat.postMessage", count=2)
    assert "O que aconteceu" in shown(posts[-1])


def private_answer(send, slack, text: str, user: str = "U1") -> str:
    """What the caller sees of `/amzerror <text>`: the acknowledgement, or what follows it
    through response_url while Slack is asked the caller's language."""
    acked = send.command(text, user=user).json()
    if acked:
        return json.dumps(acked, ensure_ascii=False)
    [answer] = slack.wait_for("/respond/CGENERAL")
    return json.dumps(answer.params, ensure_ascii=False)


def test_an_unknown_language_word_says_so_and_changes_nothing(send, slack):
    answer = private_answer(send, slack, "lang klingon")
    assert "klingon" in answer and "/amzerror lang pt" in answer
    send.command(ORDER_INACTIVE)
    [post] = slack.wait_for("chat.postMessage")
    assert "What happened" in shown(post)


def test_a_watched_channel_card_speaks_the_paste_s_language_not_the_poster_s(send, slack):
    slack.set_locale("UPT", "pt-BR")
    send.event(message_event(f"SKU 4410 - {ORDER_INACTIVE}", channel="CWATCH", user="UPT"))
    [post] = slack.wait_for("chat.postMessage")
    assert "What happened" in shown(post)


def test_without_users_read_answers_come_in_the_default_language(send, slack, bot):
    slack.fail("users.info", error="missing_scope", times=5)
    send.event(mention_event(ORDER_INACTIVE, user="UNEW"))
    [post] = slack.wait_for("chat.postMessage")
    assert "What happened" in shown(post)
    assert "missing_scope" in bot.log.read_text()


def in_channel(channel: str, containing: str):
    """A wait_for predicate: a post in `channel` whose text holds `containing`."""
    return lambda c: c.params.get("channel") == channel and containing in shown(c)


def test_a_portuguese_paste_is_reprocessed_in_portuguese_and_ops_read_their_language(send, slack):
    send.event(mention_event(f"SKU 4410: {PT_INACTIVE}\nSKU 4411: {PT_INACTIVE}"))
    [card] = slack.wait_for("chat.postMessage")
    send.click(posted_message(card), button(card.params["blocks"], "reprocess_request"))
    [opened] = slack.wait_for("views.open")
    view = opened.params["view"]
    modal = json.dumps(view, ensure_ascii=False)
    assert view["title"]["text"] == "Pedir reprocessamento"
    assert "Quais SKUs o time de ops deve reprocessar?" in modal and "Which" not in modal

    refused = send.submit_view(view, modal_choice(view, more="0123")).json()
    assert refused["errors"]["more"].startswith("Não são IDs de SKU: 0123.")
    send.submit_view(view, modal_choice(view))
    [note] = slack.wait_for(
        "chat.postMessage", predicate=in_channel("CGENERAL", "Reprocessamento solicitado por <@U1>")
    )
    assert "2 SKUs: 4410, 4411" in shown(note) and "Reprocessing" not in shown(note)
    [ops] = slack.wait_for("chat.postMessage", predicate=in_channel(OPS, "4411"))
    assert "Solicitud de reprocesamiento #" in shown(ops) and "SKU inactivo en VTEX" in shown(ops)
    assert "Reprocesa en el Admin VTEX" in shown(ops) and "Solicitação" not in shown(ops)

    # Ops mark it done in Spanish; the requester's thread hears it in Portuguese.
    done = button(ops.params["blocks"], "reprocess_done")
    send.click(posted_message(ops), done, user=OPS_LEAD, channel=OPS)
    [update] = slack.wait_for("chat.update")
    assert ":white_check_mark: *Completada*" in shown(update)
    [told] = slack.wait_for(
        "chat.postMessage", predicate=in_channel("CGENERAL", "foram reprocessados os 2 SKUs")
    )
    assert told.params["thread_ts"] == card.params["thread_ts"]


def test_reprocess_in_words_in_a_portuguese_thread_is_answered_in_portuguese(send, slack):
    root = mention_event(f"SKU 4420: {PT_INACTIVE}")
    send.event(root)
    slack.wait_for("chat.postMessage")
    send.event(message_event("reprocessar", thread_ts=root["ts"]))
    [note] = slack.wait_for(
        "chat.postMessage", predicate=in_channel("CGENERAL", "Reprocessamento solicitado")
    )
    assert "SKU 4420" in shown(note) and note.params["thread_ts"] == root["ts"]


def test_someone_who_chose_spanish_gets_the_modal_in_spanish_on_a_portuguese_card(send, slack):
    send.command("lang es", user="UES")
    send.event(mention_event(f"SKU 4410: {PT_INACTIVE}\nSKU 4411: {PT_INACTIVE}"))
    [card] = slack.wait_for("chat.postMessage")
    assert "O que aconteceu" in shown(card)  # the card speaks the paste's poster's language
    send.click(posted_message(card), button(card.params["blocks"], "reprocess_request"), user="UES")
    [opened] = slack.wait_for("views.open")
    assert opened.params["view"]["title"]["text"] == "Pedir reprocesamiento"


def test_a_slow_slack_holds_a_card_two_seconds_at_most(send, slack):
    slack.set_locale("USLOW", "pt-BR")
    slack.fail("users.info", status=200, delay=4.0)
    started = time.monotonic()
    send.event(mention_event(f"SKU 4410: {ORDER_INACTIVE}", user="USLOW"))
    [post] = slack.wait_for("chat.postMessage", timeout=3.5)
    assert time.monotonic() - started < 3.5
    assert "What happened" in shown(post)  # Slack had not said yet: the default language

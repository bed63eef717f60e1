"""The reprocessing workflow end to end: the real bot, signed requests, the fake Slack.

One request per paste, only real targets, nothing lost or silent, ops messages with the whole
story, plain-words follow-ups, and votes that count.
"""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from bot.cards import parse_button_value
from tests.fakeslack import FakeSlack
from tests.slackharness import (
    BotProcess,
    SlackSender,
    bot_env,
    button,
    mention_event,
    message_event,
    modal_choice,
    posted_message,
    text_input,
    wait_until,
)

OPS = "COPS"
OPS_LEAD = "UOPSLEAD"
INACTIVE = "The SKU you tried to submit is inactive on VTEX"
TOKEN = (
    "The token entered in the Amazon configuration form on VTEX expired or does not have "
    "permission to access the flow"
)
NO_SLA = "No available sla to deliver this order"
SEVEN = ("1202", "3001", "3002", "3003", "3004", "3005", "3006")


@pytest.fixture(scope="module")
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory):
    db = tmp_path_factory.mktemp("reprocess") / "amzerror.db"
    env = bot_env(
        slack.url,
        db,
        AMZERROR_OPS_CHANNEL=OPS,
        AMZERROR_OPS_USERS=OPS_LEAD,
        AMZERROR_REPROCESS_WEBHOOK=slack.base + "/hooks/reprocess",
        AMZERROR_VTEX_ACCOUNT="mystore",
        AMZERROR_WEBHOOK_RETRY_SECONDS="0.1",
        AMZERROR_WEBHOOK_RETRY_MAX_SECONDS="0.3",
    )
    process = BotProcess(env).start()
    yield process
    process.stop()


@pytest.fixture
def send(bot, slack) -> SlackSender:
    slack.reset()
    return SlackSender(bot.url, response_base=slack.base)


def rows(bot, sql, *args):
    with sqlite3.connect(bot.env["AMZERROR_DB"]) as conn:
        return conn.execute(sql, args).fetchall()


def text_of(call) -> str:
    return json.dumps(call.params.get("blocks") or call.params.get("text"), ensure_ascii=False)


def posts_in(slack, channel, containing: str = "") -> list:
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.params.get("channel") == channel and not c.failed and containing in text_of(c)
    ]


def answered(send, slack, event: dict):
    """Send `event` and wait for the card in its thread (other posts may still be arriving)."""
    send.event(event)
    [post] = slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == event["ts"]
    )
    return post


def card_for(send, slack, text, channel="CGENERAL") -> dict:
    event = mention_event(text, channel=channel)
    send.event(event)
    [post] = slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == event["ts"]
    )
    slack.reset()
    return posted_message(post)


def request_ids_for(bot, target: str) -> list[int]:
    return [
        r for (r,) in rows(bot, "select request_id from reprocess_targets where target=?", target)
    ]


def all_sent(bot) -> bool:
    """Everything the outbox holds went out (ops post and webhook delivery)."""
    return rows(bot, "select count(*) from outbox where status != 'sent'") == [(0,)]


def ops_message_for(slack, request_id: int) -> dict:
    """The ops message of a request, found by its metadata once it is in the channel."""

    def found() -> list[dict]:
        return [
            m
            for m in slack.history(OPS)
            if (m.get("metadata") or {}).get("event_payload", {}).get("request_id") == request_id
        ]

    [message] = wait_until(found, what=f"the ops message of request #{request_id}")
    return message


def seven_sku_paste() -> str:
    return "\n".join(f"SKU {sku}: {INACTIVE}" for sku in SEVEN)


# -- one request per paste --------------------------------------------------------------------


def test_a_seven_sku_card_opens_one_modal_and_makes_one_request(send, slack, bot):
    card = card_for(send, slack, seven_sku_paste())
    send.click(card, button(card["blocks"], "reprocess_request"))
    [opened] = slack.wait_for("views.open")
    view = opened.params["view"]
    ticked = [
        o["value"]
        for b in view["blocks"]
        if (b.get("element") or {}).get("type") == "checkboxes"
        for o in b["element"]["initial_options"]
    ]
    assert ticked == list(SEVEN)  # every SKU of the paste, all selected
    assert slack.calls_to("chat.postMessage") == []  # nothing until the modal is submitted

    assert send.submit_view(view, modal_choice(view)).status == 200
    wait_until(lambda: all_sent(bot) and posts_in(slack, OPS), what="the ops post")
    [request_id] = set(request_ids_for(bot, "3006"))
    assert sorted(
        t
        for (t,) in rows(bot, "select target from reprocess_targets where request_id=?", request_id)
    ) == sorted(SEVEN)
    [note] = posts_in(slack, "CGENERAL")
    assert note.params["thread_ts"] == card["thread_ts"]
    assert f"7 SKUs: {', '.join(SEVEN)}" in text_of(note) and f"request #{request_id}" in text_of(
        note
    )
    [ops] = posts_in(slack, OPS)
    assert ops.params["metadata"]["event_payload"] == {"request_id": request_id}
    for sku in SEVEN:
        assert f"SkuForm.aspx?IdSku={sku}" in text_of(ops)  # the SKU's page in the Admin
    [delivery] = slack.wait_for("/hooks/reprocess")
    assert delivery.params["targets"] == list(SEVEN)


def test_an_unselected_sku_is_left_out_and_added_ones_are_checked(send, slack, bot):
    skus = ("6101", "6102", "6103")
    card = card_for(send, slack, "\n".join(f"SKU {s}: {INACTIVE}" for s in skus))
    send.click(card, button(card["blocks"], "reprocess_request"))
    view = slack.wait_for("views.open")[0].params["view"]

    refused = send.submit_view(view, modal_choice(view, more="6200 please agora 0123")).json()
    assert refused["response_action"] == "errors"
    assert "please" not in refused["errors"]["more"]  # words are not ids, nor taken for them
    assert "0123" in refused["errors"]["more"]  # an id-like word that is not a SKU id is named
    nothing = send.submit_view(view, modal_choice(view, unselect=skus)).json()
    assert nothing["response_action"] == "errors"

    send.submit_view(view, modal_choice(view, unselect=("6102",), more="6200"))
    wait_until(lambda: posts_in(slack, OPS), what="the ops post")
    [request_id] = set(request_ids_for(bot, "6101"))
    listed = rows(
        bot, "select target from reprocess_targets where request_id=? order by position", request_id
    )
    assert [t for (t,) in listed] == ["6101", "6103", "6200"]
    assert request_ids_for(bot, "6102") == []


def test_a_target_already_requested_is_named_not_requested_twice(send, slack, bot):
    card = card_for(send, slack, "\n".join(f"SKU {s}: {INACTIVE}" for s in ("7101", "7102")))
    request = button(card["blocks"], "reprocess_request")
    send.click(
        card,
        {
            **request,
            "value": json.dumps(
                {**parse_button_value(request["value"]), "skus": ["7101"], "sku": "7101"}
            ),
        },
    )
    wait_until(lambda: request_ids_for(bot, "7101"), what="the first request")
    [first] = request_ids_for(bot, "7101")

    send.click(card, request)  # both SKUs: 7101 is open already
    view = slack.wait_for("views.open")[0].params["view"]
    send.submit_view(view, modal_choice(view))
    [note] = slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: "7102" in text_of(c) and c.params["channel"] == "CGENERAL",
    )
    assert f"left out: SKU 7101 (#{first})" in text_of(note)
    assert request_ids_for(bot, "7101") == [first]

    send.click(card, request, user="U2")  # everything open already: told privately, no post
    view = slack.wait_for("views.open", count=2)[1].params["view"]
    send.submit_view(view, modal_choice(view), user="U2")
    [private] = slack.wait_for("chat.postEphemeral", predicate=lambda c: c.params["user"] == "U2")
    assert "7101" in text_of(private) and "7102" in text_of(private)
    assert len(set(request_ids_for(bot, "7102"))) == 1


def test_one_target_requests_at_once_and_a_fix_first_entry_asks_to_confirm(send, slack, bot):
    card = card_for(send, slack, f"SKU 8801: {INACTIVE}")
    send.click(card, button(card["blocks"], "reprocess_request"))
    wait_until(lambda: request_ids_for(bot, "8801"), what="the request")
    assert slack.calls_to("views.open") == []

    gated = card_for(send, slack, f"SKU 8802: {TOKEN}")
    action = next(
        e
        for b in gated["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == "reprocess_request"
    )
    assert "style" not in action  # secondary: reprocessing waits for a new token
    send.click(gated, button(gated["blocks"], "reprocess_request"))
    view = slack.wait_for("views.open")[0].params["view"]
    assert "First fix a valid Amazon token" in json.dumps(view)
    assert request_ids_for(bot, "8802") == []
    send.submit_view(view, modal_choice(view))
    [ops] = wait_until(lambda: posts_in(slack, OPS, "8802"), what="the ops post")
    assert "Before reprocessing:" in text_of(ops) and "valid token" in text_of(ops)


# -- nothing lost, nothing silent ---------------------------------------------------------------


def test_an_unreachable_thread_tells_the_clicker_and_ops_still_get_it(send, slack, bot):
    card = card_for(send, slack, f"SKU 9901: {INACTIVE}", channel="CNOBOT")
    slack.fail("chat.postMessage", error="not_in_channel", channel="CNOBOT", times=5)
    slack.fail("chat.postEphemeral", error="not_in_channel", channel="CNOBOT", times=5)
    send.click(card, button(card["blocks"], "reprocess_request"), channel="CNOBOT")
    [direct] = slack.wait_for("chat.postMessage", predicate=lambda c: c.params["channel"] == "U1")
    assert "/invite @amzerror" in text_of(direct) and "request #" in text_of(direct)
    [ops] = wait_until(lambda: posts_in(slack, OPS, "9901"), what="the ops post")
    assert "Open the thread" in text_of(ops)
    log = bot.log.read_text()
    assert "not_in_channel" in log
    assert "Traceback" not in log  # normal life: one warning line


def test_a_failed_ops_post_is_retried_and_the_requester_told_once(send, slack, bot):
    card = card_for(send, slack, f"SKU 9902: {INACTIVE}")
    slack.fail("chat.postMessage", error="channel_not_found", channel=OPS, times=2)
    send.click(card, button(card["blocks"], "reprocess_request"))
    [ops] = wait_until(lambda: posts_in(slack, OPS, "9902"), what="the ops post")
    assert ops.params["metadata"]["event_type"] == "amzerror_reprocess_request"
    told = [c for c in slack.calls_to("chat.postEphemeral") if "could not post it to" in text_of(c)]
    assert len(told) == 1 and told[0].params["user"] == "U1"
    [request_id] = request_ids_for(bot, "9902")
    wait_until(
        lambda: rows(bot, "select ops_ts from reprocess_requests where id=?", request_id)[0][0]
    )
    # After a failed attempt the channel's history is read first, with the metadata.
    history = slack.calls_to("conversations.history")
    assert history and all(
        c.params.get("include_all_metadata") in (True, "1", "true") for c in history
    )
    assert len(posts_in(slack, OPS, "9902")) == 1


def test_the_webhook_receiver_down_for_a_long_while_still_gets_everything(send, slack, bot):
    # The schedule is shortened by configuration: 0.1 s doubling, capped at 0.3 s; the outage
    # outlasts the eight attempts after which deliveries used to fail for good.
    card = card_for(send, slack, f"SKU 9903: {INACTIVE}")
    slack.fail("/hooks/reprocess", status=503, times=10_000)
    send.click(card, button(card["blocks"], "reprocess_request"))
    slack.wait_for("/hooks/reprocess", count=12, timeout=15)
    [request_id] = request_ids_for(bot, "9903")
    assert rows(bot, "select webhook_status from reprocess_requests where id=?", request_id) == [
        ("pending",)
    ]
    slack.reset()  # the receiver is back
    [delivery] = slack.wait_for("/hooks/reprocess", predicate=lambda c: not c.failed, timeout=10)
    assert delivery.params["id"] == request_id
    assert delivery.headers["idempotency-key"] == f"amzerror-request-{request_id}"
    wait_until(
        lambda: (
            rows(bot, "select webhook_status from reprocess_requests where id=?", request_id)
            == [("sent",)]
        )
    )
    assert len(slack.calls_to("/hooks/reprocess")) == 1


# -- ops messages with the whole story ----------------------------------------------------------


def test_failed_asks_why_and_the_reason_reaches_the_thread(send, slack, bot):
    card = card_for(send, slack, f"order 1391560531867-01: {NO_SLA}")
    send.click(card, button(card["blocks"], "reprocess_request"))
    wait_until(lambda: all_sent(bot) and request_ids_for(bot, "1391560531867-01"))
    [request_id] = request_ids_for(bot, "1391560531867-01")
    ops = ops_message_for(slack, request_id)
    assert "mystore.myvtex.com/admin/orders/1391560531867-01" in json.dumps(ops["blocks"])

    send.click(ops, button(ops["blocks"], "reprocess_failed"), user="UOUTSIDER", channel=OPS)
    [refusal] = slack.wait_for("chat.postEphemeral")
    assert "Only members of the ops channel" in text_of(refusal)

    send.click(ops, button(ops["blocks"], "reprocess_failed"), user=OPS_LEAD, channel=OPS)
    view = slack.wait_for("views.open")[0].params["view"]
    reason = "the carrier still has no rate for this region"
    send.submit_view(view, {"reason": text_input(reason)}, user=OPS_LEAD)
    [update] = slack.wait_for("chat.update")
    assert update.params["ts"] == ops["ts"]
    assert "Failed" in text_of(update) and reason in text_of(update)
    assert "Open the thread" in text_of(update)  # the link stays at every stage
    [note] = slack.wait_for("chat.postMessage", predicate=lambda c: reason in text_of(c))
    assert note.params["channel"] == "CGENERAL"
    assert note.params["thread_ts"] == card["thread_ts"]
    assert "<@U1>" in text_of(note)
    assert rows(
        bot, "select status, resolved_by, reason from reprocess_requests where id=?", request_id
    ) == [("failed", OPS_LEAD, reason)]


def test_one_target_done_and_the_rest_failed_shows_a_request_partly_done(send, slack, bot):
    skus = ("5301", "5302")
    card = card_for(send, slack, "\n".join(f"SKU {s}: {INACTIVE}" for s in skus))
    send.click(card, button(card["blocks"], "reprocess_request"))
    view = slack.wait_for("views.open")[0].params["view"]
    send.submit_view(view, modal_choice(view))
    wait_until(lambda: all_sent(bot) and request_ids_for(bot, "5301"))
    [request_id] = request_ids_for(bot, "5301")
    ops = ops_message_for(slack, request_id)
    menu = next(
        b["accessory"]
        for b in ops["blocks"]
        if (b.get("accessory") or {}).get("type") == "overflow"
    )
    done = {
        "action_id": menu["action_id"],
        "block_id": "target_0",
        "type": "overflow",
        "selected_option": menu["options"][0],
    }
    send.interactive({**_click(ops, OPS_LEAD), "actions": [done]})
    slack.wait_for("chat.update")
    assert rows(
        bot,
        "select target, status from reprocess_targets where request_id=? order by position",
        request_id,
    ) == [("5301", "done"), ("5302", "open")]
    send.click(ops, button(ops["blocks"], "reprocess_failed"), user=OPS_LEAD, channel=OPS)
    view = slack.wait_for("views.open", count=2)[-1].params["view"]
    send.submit_view(view, {"reason": text_input("still inactive")}, user=OPS_LEAD)
    wait_until(
        lambda: (
            rows(bot, "select status from reprocess_requests where id=?", request_id)
            == [("partial",)]
        )
    )
    final = slack.wait_for("chat.update", count=2)[-1]
    assert "Partly done" in text_of(final)


def _click(message: dict, user: str) -> dict:
    return {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": OPS},
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": OPS},
        "message": message,
        "trigger_id": "trigger-overflow",
    }


# -- thread follow-ups in plain words -----------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "requested", "what"),
    [
        ("reprocess please", "Reprocessing requested", "order"),
        ("reprocessar agora", "Reprocessamento solicitado", "pedido"),  # in the words' language
        ("Reprocess this!", "Reprocessing requested", "order"),
        ("reprocesar ahora", "Reprocesamiento solicitado", "pedido"),
    ],
)
def test_everyday_words_in_an_order_thread_request_the_thread_order(
    send, slack, bot, words, requested, what
):
    order = f"{int(time.time() * 1000) % 10**13:013d}-01"
    root = mention_event(f"order {order}: {NO_SLA}")
    answered(send, slack, root)
    send.event(message_event(words, thread_ts=root["ts"]))
    [note] = slack.wait_for("chat.postMessage", predicate=lambda c: requested in text_of(c))
    assert f"{what} {order}" in text_of(note)
    word = words.split()[-1].strip("!")
    assert rows(bot, "select count(*) from reprocess_targets where target like ?", f"%{word}%") == [
        (0,)
    ]
    assert len(request_ids_for(bot, order)) == 1


@pytest.mark.parametrize(
    ("words", "target"),
    [
        ("pode reprocessar o sku 5556 por favor?", "5556"),
        ("can you reprocess sku 5557 please?", "5557"),
        ("reprocesen el sku 5558", "5558"),
        ("reprocess 5559", "5559"),
    ],
)
def test_plain_words_with_an_id_request_that_id(send, slack, bot, words, target):
    root = mention_event(f"SKU 4400: {INACTIVE}")
    answered(send, slack, root)
    send.event(message_event(words, thread_ts=root["ts"]))
    slack.wait_for("chat.postMessage", predicate=lambda c: f"SKU {target}" in text_of(c))
    assert len(request_ids_for(bot, target)) == 1


def test_an_order_named_in_spanish_is_requested(send, slack, bot):
    root = mention_event(f"Order 702-1234567-1234567 {NO_SLA}")
    answered(send, slack, root)
    send.event(message_event("reprocesen la orden 702-7654321-7654321", thread_ts=root["ts"]))
    slack.wait_for("chat.postMessage", predicate=lambda c: "702-7654321-7654321" in text_of(c))
    assert request_ids_for(bot, "702-1234567-1234567") == []


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        ("what does this error mean?", "What happened"),
        ("o que significa esse erro?", "O que aconteceu"),
        ("¿qué significa?", "Qué pasó"),
    ],
)
def test_asking_what_it_means_shows_the_card_again(send, slack, question, heading):
    root = mention_event(f"SKU 4401: {INACTIVE}")
    answered(send, slack, root)
    send.event(message_event(question, thread_ts=root["ts"]))
    [_, again] = slack.wait_for(
        "chat.postMessage", count=2, predicate=lambda c: c.params.get("thread_ts") == root["ts"]
    )
    assert heading in text_of(again) and "SKU: 4401" in text_of(again)


def test_talk_in_the_thread_stays_unanswered(send, slack, bot):
    root = mention_event(f"SKU 4402: {INACTIVE}")
    answered(send, slack, root)
    for words in (
        "thanks, I'll check the spreadsheet",
        "don't reprocess yet",
        "was it reprocessed?",
    ):
        send.event(message_event(words, thread_ts=root["ts"]))
    marker = message_event("what does this error mean?", thread_ts=root["ts"])
    send.event(marker)  # answered: so the messages before it were read too
    in_thread = {"predicate": lambda c: c.params.get("thread_ts") == root["ts"]}
    slack.wait_for("chat.postMessage", count=2, **in_thread)
    assert len(slack.wait_for("chat.postMessage", **in_thread)) == 2
    assert request_ids_for(bot, "4402") == []


def test_a_long_paste_is_requested_a_bounded_batch_at_a_time(send, slack, bot):
    skus = [str(20_000 + i) for i in range(25)]
    root = mention_event("\n".join(f"SKU {s}: {INACTIVE}" for s in skus))
    card = answered(send, slack, root)
    assert "SKUs (25):" in text_of(card) and "and 5 more" in text_of(card)
    send.event(message_event("reprocess", thread_ts=root["ts"]))
    [capped] = slack.wait_for("chat.postEphemeral", predicate=lambda c: "at most 20" in text_of(c))
    assert "25 SKUs" in text_of(capped)
    send.event(message_event("reprocess", thread_ts=root["ts"]))
    wait_until(lambda: request_ids_for(bot, skus[-1]), what="the second batch")
    batches = rows(
        bot,
        "select request_id, count(*) from reprocess_targets where target between ? and ? "
        "group by request_id order by request_id",
        skus[0],
        skus[-1],
    )
    assert [n for _, n in batches] == [20, 5]
    body = json.dumps(send.command("requests").json()["blocks"])
    [(total,)] = rows(bot, "select count(*) from reprocess_requests where status = 'open'")
    assert total >= 2
    assert f"*{total} reprocessing requests need attention*" in body
    assert ("(the newest 20 here)" in body) == (total > 20)


def test_a_tampered_button_value_is_never_a_target(send, slack, bot):
    card = card_for(send, slack, INACTIVE)
    action = button(card["blocks"], "reprocess_request")
    value = {**parse_button_value(action["value"]), "sku": "please", "skus": ["agora", "0042"]}
    send.click(card, {**action, "value": json.dumps(value)})
    view = slack.wait_for("views.open")[0].params["view"]  # no real id: the modal asks
    assert "checkboxes" not in json.dumps(view)
    assert rows(
        bot, "select count(*) from reprocess_targets where target in ('please', 'agora', '0042')"
    ) == [(0,)]


# -- votes ----------------------------------------------------------------------------------------


def test_two_people_vote_each_once_and_the_buttons_stay(send, slack, bot):
    card = card_for(send, slack, f"SKU 4403: {INACTIVE}")
    send.click(card, button(card["blocks"], "feedback_helpful"))
    [first] = slack.wait_for("chat.update")
    assert "1 helpful" in text_of(first) and "feedback_helpful" in text_of(first)
    after_first = {**card, "blocks": first.params["blocks"]}
    send.click(after_first, button(after_first["blocks"], "feedback_not_helpful"), user="U2")
    second = slack.wait_for("chat.update", count=2)[1]
    assert ":thumbsup: 1 helpful · :thumbsdown: 1 not helpful" in text_of(second)
    assert "feedback_not_helpful" in text_of(second)  # the buttons stay for everybody
    slack.wait_for("chat.postMessage", predicate=lambda c: "Other possible matches" in text_of(c))

    after_second = {**card, "blocks": second.params["blocks"]}
    send.click(after_second, button(after_second["blocks"], "feedback_not_helpful"))
    third = slack.wait_for("chat.update", count=3)[2]
    assert ":thumbsup: 0 helpful · :thumbsdown: 2 not helpful" in text_of(third)  # U1 changed
    assert rows(
        bot, "select user, helpful from feedback where message_ts=? order by user", card["ts"]
    ) == [
        ("U1", 0),
        ("U2", 0),
    ]
    # Other matches were offered once for this card; asking for them explicitly still works.
    send.click(card, button(card["blocks"], "other_matches"))
    offers = slack.wait_for(
        "chat.postMessage", count=2, predicate=lambda c: "Other possible matches" in text_of(c)
    )
    assert len(offers) == 2


def test_forged_or_unknown_request_ids_mark_nothing(send, slack, bot):
    card = card_for(send, slack, f"order 1391560539999-01: {NO_SLA}")
    send.click(card, button(card["blocks"], "reprocess_request"))
    wait_until(lambda: all_sent(bot) and request_ids_for(bot, "1391560539999-01"))
    [request_id] = request_ids_for(bot, "1391560539999-01")
    ops = ops_message_for(slack, request_id)
    done = button(ops["blocks"], "reprocess_done")
    slack.reset()
    # JSON's true is no request number: nothing happens, and nothing is said.
    send.click(
        ops,
        {**done, "value": json.dumps({"e": "order-no-sla", "request": True})},
        user=OPS_LEAD,
        channel=OPS,
    )
    # A request that does not exist is named as such.
    send.click(
        ops,
        {**done, "value": json.dumps({"e": "order-no-sla", "request": 999})},
        user=OPS_LEAD,
        channel=OPS,
    )
    [note] = slack.wait_for("chat.postEphemeral")
    assert "There is no reprocessing request #999" in text_of(note)
    assert not slack.calls_to("chat.update")
    assert rows(bot, "select status from reprocess_requests where id=?", request_id) == [("open",)]

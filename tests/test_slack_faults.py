"""When Slack, the webhook, the knowledge files or the process itself fail, nothing is lost."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading

import pytest

from bot.cards import validate_blocks
from tests.fakeslack import FakeSlack
from tests.slackharness import (
    BOT_TOKEN,
    SIGNING_SECRET,
    BotProcess,
    SlackSender,
    bot_env,
    button,
    mention_event,
    not_marker,
    posted_message,
    processed_so_far,
    wait_until,
)

OPS = "COPS"
INACTIVE = "The SKU you tried to submit is inactive on VTEX"


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def knowledge(knowledge_copy):
    return knowledge_copy


@pytest.fixture
def bot(slack, tmp_path, knowledge):
    env = bot_env(
        slack.url,
        tmp_path / "faults.db",
        AMZERROR_KNOWLEDGE_DIR=str(knowledge),
        AMZERROR_OPS_CHANNEL=OPS,
        AMZERROR_REPROCESS_WEBHOOK=slack.base + "/hooks/reprocess",
        AMZERROR_WEBHOOK_RETRY_SECONDS="0.2",
    )
    process = BotProcess(env).start()
    yield process
    process.close(kill=True)


@pytest.fixture
def send(bot, slack):
    return SlackSender(bot.url, response_base=slack.base)


def rows(bot, sql, *args):
    with sqlite3.connect(bot.env["AMZERROR_DB"]) as conn:
        return conn.execute(sql, args).fetchall()


def card_for(send, slack, text):
    send.event(mention_event(text))
    [post] = slack.wait_for("chat.postMessage")
    slack.reset()
    return posted_message(post)


def test_rate_limited_post_waits_and_arrives_once(send, slack):
    slack.fail("chat.postMessage", status=429, retry_after=1, times=1)
    send.event(mention_event(INACTIVE))
    posts = slack.wait_for("chat.postMessage", count=2, timeout=10)
    assert [p.failed for p in posts] == [True, False]
    assert posts[1].at - posts[0].at >= 1.0  # Retry-After honoured
    processed_so_far(send, slack)
    assert len(not_marker(slack.calls_to("chat.postMessage"))) == 2


def test_server_errors_are_retried_a_bounded_number_of_times_then_logged(send, slack, bot):
    slack.fail("chat.postMessage", status=503, times=10)
    send.event(mention_event(INACTIVE))
    failures = slack.wait_for("chat.postMessage", count=3, timeout=10)
    # The failure is logged for operators once the retries are spent.
    wait_until(lambda: "chat.postMessage" in bot.log.read_text(), what="the failure logged")
    assert len(slack.calls_to("chat.postMessage")) == 3  # first try + 2 retries
    assert all(f.failed for f in failures)
    slack.reset()
    send.event(mention_event(INACTIVE))  # the process is still up and answering
    slack.wait_for("chat.postMessage")


def test_a_card_slack_refuses_still_arrives_as_text(send, slack, bot):
    slack.fail("chat.postMessage", error="invalid_blocks")
    send.event(mention_event(f"sku 4410 {INACTIVE}"))
    refused, retried = slack.wait_for("chat.postMessage", count=2)
    assert refused.failed and refused.params.get("blocks")
    assert "blocks" not in retried.params and "inactive" in retried.params["text"].lower()
    assert retried.params["thread_ts"] == refused.params["thread_ts"]
    assert "invalid_blocks" in bot.log.read_text()


def test_a_failed_ops_post_keeps_the_request_and_says_why(send, slack, bot):
    card = card_for(send, slack, f"sku 1212 {INACTIVE}")
    slack.fail("chat.postMessage", error="channel_not_found", channel=OPS)
    send.click(card, button(card["blocks"], "reprocess_request"))
    slack.wait_for("chat.postMessage", count=2)
    recorded = wait_until(
        lambda: rows(
            bot,
            "select status, target, last_error from reprocess_requests "
            "where last_error is not null",
        ),
        what="the failed ops post to be recorded",
    )
    assert recorded == [("open", "1212", "ops post failed: channel_not_found")]


def test_the_webhook_being_down_keeps_requests_pending_across_a_restart(send, slack, bot):
    card = card_for(send, slack, f"sku 3434 {INACTIVE}")
    slack.fail("/hooks/reprocess", status=503, times=1000)
    send.click(card, button(card["blocks"], "reprocess_request"))
    slack.wait_for("/hooks/reprocess", count=2, timeout=10)
    [(status, attempts, error)] = rows(
        bot, "select webhook_status, webhook_attempts, last_error from reprocess_requests"
    )
    assert status == "pending" and attempts >= 1 and "503" in error
    bot.stop(kill=True)
    slack.reset()  # the receiver is back
    bot.start()
    # (a send cut off by the kill is retried when its lease ends)
    [delivery] = slack.wait_for("/hooks/reprocess", timeout=30)
    assert delivery.params["target"] == "3434"
    wait_until(
        lambda: rows(bot, "select webhook_status from reprocess_requests") == [("sent",)],
        what="the delivery to be recorded as sent",
    )
    assert len(slack.calls_to("/hooks/reprocess")) == 1


def test_killing_the_process_loses_no_confirmed_request(send, slack, bot):
    card = card_for(send, slack, f"sku 1 {INACTIVE}")
    action = button(card["blocks"], "reprocess_request")
    value = json.loads(action["value"])

    def click(i: int) -> None:
        # A request cut off by the kill was never confirmed: its error is expected.
        with contextlib.suppress(OSError):
            send.click(card, {**action, "value": json.dumps({**value, "sku": str(5000 + i)})})

    threads = [threading.Thread(target=click, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    slack.wait_for(
        "chat.postMessage",
        count=5,
        predicate=lambda c: "Reprocessing requested" in json.dumps(c.params.get("blocks")),
    )
    bot.stop(kill=True)  # SIGKILL mid-burst
    for t in threads:
        t.join()
    confirmed = {
        json.dumps(c.params["blocks"]).split("for SKU ")[1].split(" ")[0]
        for c in slack.calls_to("chat.postMessage")
        if "Reprocessing requested" in json.dumps(c.params.get("blocks"))
    }
    stored = {target for (target,) in rows(bot, "select target from reprocess_requests")}
    assert confirmed and confirmed <= stored


def test_a_broken_knowledge_file_at_start_keeps_the_last_good_base(send, slack, bot, knowledge):
    bot.stop()
    (knowledge / "sku-inactive.yml").write_text("id: sku-inactive\nscope: [broken\n")
    bot.start()
    send.event(mention_event(INACTIVE))
    [post] = slack.wait_for("chat.postMessage")
    assert "sku-inactive" in json.dumps(post.params["blocks"])
    assert "sku-inactive.yml: line" in bot.log.read_text()


def test_the_longest_hostile_message_gets_a_valid_answer_and_the_process_stays_up(send, slack, bot):
    # Slack cuts messages at 40,000 characters; escaped as JSON this one is ~180 KB.
    hostile = ('<!channel> {{ 7*7 }} "}] \x00 \u202e مرحبا 🚨 ' * 2_000)[:40_000]
    reply = send.event(mention_event(hostile))
    assert reply.status == 200
    [post] = slack.wait_for("chat.postMessage", timeout=10)
    validate_blocks(post.params["blocks"])
    assert "<!channel>" not in json.dumps(post.params)
    send.event(mention_event(INACTIVE))
    slack.wait_for("chat.postMessage", count=2)


def test_secrets_never_reach_the_log(send, slack, bot):
    send.event(mention_event(INACTIVE))
    slack.wait_for("chat.postMessage")
    send.command("help", signature="v0=bad")
    log = bot.log.read_text()
    assert BOT_TOKEN not in log and SIGNING_SECRET not in log

"""When Slack, the webhook, the knowledge files or the process itself fail, nothing is lost."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading

import pytest

from bot.cards import validate_blocks
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


def rows(bot, sql, *args):
    with sqlite3.connect(bot.env["AMZERROR_DB"]) as conn:
        return conn.execute(sql, args).fetchall()


def wait_for_rows(bot, sql, expected, timeout: float = 15.0) -> None:
    """Poll the bot's database until `sql` returns `expected`."""
    wait_until(lambda: rows(bot, sql) == expected, timeout, f"{sql} to give {expected}")


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


def test_an_ops_channel_out_of_reach_keeps_the_request_and_tells_the_requester(send, slack, bot):
    card = card_for(send, slack, f"sku 1212 {INACTIVE}")
    slack.fail("chat.postMessage", error="not_in_channel", channel=OPS, times=10_000)
    send.click(card, button(card["blocks"], "reprocess_request"))
    [told] = slack.wait_for(
        "chat.postEphemeral", predicate=lambda c: "could not post it to" in json.dumps(c.params)
    )
    assert told.params["user"] == "U1" and "/invite @amzerror" in json.dumps(told.params)
    slack.wait_for("chat.postMessage", count=4, predicate=lambda c: c.params["channel"] == OPS)
    [(status, ops_ts, error)] = rows(
        bot, "select status, ops_ts, last_error from reprocess_requests"
    )
    assert (status, ops_ts) == ("open", None) and "not_in_channel" in error
    listed = json.dumps(send.command("requests").json()["blocks"])
    assert "not in the ops channel yet" in listed
    told_again = [
        c for c in slack.calls_to("chat.postEphemeral") if "could not post" in str(c.params)
    ]
    assert len(told_again) == 1  # told once, not at every retry
    assert "Traceback" not in bot.log.read_text()


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
    [delivery] = slack.wait_for("/hooks/reprocess", timeout=30)
    assert delivery.params["targets"] == ["3434"]
    wait_for_rows(bot, "select webhook_status from reprocess_requests", [("sent",)])
    assert len(slack.calls_to("/hooks/reprocess")) == 1


def test_a_delivery_that_finally_fails_is_listed(slack, tmp_path):
    env = bot_env(
        slack.url,
        tmp_path / "gives-up.db",
        AMZERROR_REPROCESS_WEBHOOK=slack.base + "/hooks/reprocess",
        AMZERROR_WEBHOOK_RETRY_SECONDS="0.1",
        AMZERROR_WEBHOOK_RETRY_MAX_SECONDS="0.2",
        AMZERROR_WEBHOOK_GIVE_UP_HOURS="0.0003",  # about a second
    )
    process = BotProcess(env).start()
    try:
        send = SlackSender(process.url, response_base=slack.base)
        card = card_for(send, slack, f"sku 4545 {INACTIVE}")
        slack.fail("/hooks/reprocess", status=503, times=10_000)
        send.click(card, button(card["blocks"], "reprocess_request"))
        wait_for_rows(process, "select webhook_status from reprocess_requests", [("failed",)])
        listed = json.dumps(send.command("requests").json()["blocks"])
        assert "webhook failed for good after" in listed and "HTTP 503" in listed
    finally:
        process.stop(kill=True)


def test_killed_mid_burst_every_stored_request_reaches_ops_and_webhook_once(send, slack, bot):
    card = card_for(send, slack, f"sku 1 {INACTIVE}")
    action = button(card["blocks"], "reprocess_request")
    value = json.loads(action["value"])

    def click(i: int) -> None:
        # A request cut off by the kill was never confirmed: its error is expected.
        with contextlib.suppress(OSError):
            send.click(card, {**action, "value": json.dumps({**value, "sku": str(5000 + i)})})

    threads = [threading.Thread(target=click, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    slack.wait_for(
        "chat.postMessage",
        count=8,
        predicate=lambda c: "Reprocessing requested" in json.dumps(c.params.get("blocks")),
    )
    bot.stop(kill=True)  # SIGKILL to the master and every worker, mid-burst
    for t in threads:
        t.join()
    confirmed = {
        json.dumps(c.params["blocks"]).split("for SKU ")[1].split(" ")[0]
        for c in slack.calls_to("chat.postMessage")
        if "Reprocessing requested" in json.dumps(c.params.get("blocks"))
    }
    bot.start()  # whatever the dead processes left unsent goes out now
    wait_for_rows(bot, "select count(*) from outbox where status != 'sent'", [(0,)], timeout=30)

    stored = dict(rows(bot, "select target, request_id from reprocess_targets"))
    assert confirmed and confirmed <= set(stored)
    posted = [
        (m.get("metadata") or {}).get("event_payload", {}).get("request_id")
        for m in slack.history(OPS)
    ]
    assert sorted(posted) == sorted(stored.values())  # each stored request once, no more
    accepted = [c for c in slack.calls_to("/hooks/reprocess") if not c.failed]
    keys = [c.headers["idempotency-key"] for c in accepted]
    # Every stored request delivered; a delivery the kill cut off before it was recorded is sent
    # again with the same key, which the receiver ignores: each is acted on once.
    assert set(keys) == {f"amzerror-request-{r}" for r in stored.values()}
    assert {c.params["id"] for c in accepted} == set(stored.values())


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


def test_requests_an_older_version_never_posted_reach_ops_after_the_upgrade(slack, tmp_path):
    from tests.test_reprocess import OLD_SCHEMA

    db = tmp_path / "upgraded.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(OLD_SCHEMA)
    env = bot_env(slack.url, db, AMZERROR_OPS_CHANNEL=OPS)
    process = BotProcess(env).start()
    try:
        [post] = slack.wait_for(
            "chat.postMessage", predicate=lambda c: c.params["channel"] == OPS, timeout=15
        )
        assert post.params["metadata"]["event_payload"] == {"request_id": 2}
        assert "3001" in json.dumps(post.params["blocks"])
        wait_for_rows(
            process, "select ops_ts is not null from reprocess_requests where id = 2", [(1,)]
        )
        assert (
            len([c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == OPS]) == 1
        )
    finally:
        process.stop(kill=True)

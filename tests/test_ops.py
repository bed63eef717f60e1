"""The ops channel gets each request exactly once: tagged with its request id in the message
metadata, and looked for in the channel's history before any later attempt posts again; in the
ops channel's language, while the requester is told of trouble in theirs."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.engine import Engine
from bot.outbox import Item, Undelivered
from bot.reprocess import create_request, get_request
from bot.slack.ops import METADATA_EVENT, OpsHandler

OPS = "COPS"


def request_in(engine, target: str, lang: str = "en") -> int:
    created = create_request(
        engine.store,
        "sku-inactive",
        "sku",
        [target],
        "U1",
        "C1",
        "1.0",
        ops=True,
        webhook=False,
        lang=lang,
    )
    return created.request.id


def attempt(engine, slack, request_id: int, attempts: int, failed: str | None = None) -> None:
    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            client = AsyncWebClient(token="xoxb-test", base_url=slack.url, session=session)
            handler = OpsHandler(engine, client, OPS)
            item = Item(1, request_id, "ops", attempts, 0.0)
            try:
                finish = await handler.send(item)
            except Undelivered as exc:
                await handler.failed(item, str(exc), gave_up=False)
                raise
            with engine.store.db.conn as conn:  # as the outbox records "sent"
                finish(conn)

    asyncio.run(run())


def test_a_first_attempt_posts_tagged_with_the_request(engine, slack):
    request_id = request_in(engine, "1202")
    attempt(engine, slack, request_id, attempts=1)
    [post] = slack.calls_to("chat.postMessage")
    assert post.params["metadata"] == {
        "event_type": METADATA_EVENT,
        "event_payload": {"request_id": request_id},
    }
    assert slack.calls_to("conversations.history") == []  # nothing could be there yet
    assert get_request(engine.store, request_id).ops_ts == post.response["ts"]


def test_a_later_attempt_finds_the_earlier_post_instead_of_posting_again(engine, slack):
    request_id = request_in(engine, "1203")
    attempt(engine, slack, request_id, attempts=1)
    [first] = slack.calls_to("chat.postMessage")
    # The process died before recording it: the request still looks unposted.
    with engine.store.db.conn:
        engine.store.db.execute(
            "update reprocess_requests set ops_ts = null where id = ?", [request_id]
        )
    for i in range(250):  # later chatter in the channel: the post is on the second page
        slack.add_message(OPS, f"message {i}")
    attempt(engine, slack, request_id, attempts=2)
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.calls_to("conversations.history")) == 2
    assert get_request(engine.store, request_id).ops_ts == first.response["ts"]


def test_a_refused_post_is_a_failed_attempt_and_the_requester_is_told(engine, slack):
    request_id = request_in(engine, "1204")
    slack.fail("chat.postMessage", error="not_in_channel", channel=OPS)
    with pytest.raises(Undelivered, match="not_in_channel"):
        attempt(engine, slack, request_id, attempts=1)
    [note] = slack.calls_to("chat.postEphemeral")
    assert note.params["user"] == "U1" and "/invite @amzerror" in str(note.params["blocks"])
    assert "not_in_channel" in get_request(engine.store, request_id).last_error
    slack.fail("chat.postMessage", error="not_in_channel", channel=OPS)
    with pytest.raises(Undelivered):
        attempt(engine, slack, request_id, attempts=2)
    assert len(slack.calls_to("chat.postEphemeral")) == 1  # told once, not at every retry


def test_ops_read_their_language_and_the_requester_theirs(tmp_path, slack):
    settings = Settings.from_env(
        {"AMZERROR_DB": str(tmp_path / "ops.db"), "AMZERROR_OPS_LANG": "es"}
    )
    engine = Engine(settings)
    attempt(engine, slack, request_in(engine, "1205", lang="pt"), attempts=1)
    [post] = slack.calls_to("chat.postMessage")
    assert "Solicitud de reprocesamiento #" in str(post.params["blocks"])
    slack.fail("chat.postMessage", error="not_in_channel", channel=OPS)
    with pytest.raises(Undelivered):
        attempt(engine, slack, request_in(engine, "1206", lang="pt"), attempts=1)
    [note] = slack.calls_to("chat.postEphemeral")
    assert "não consegui publicá-la em <#COPS>" in note.params["text"]

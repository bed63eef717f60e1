"""Each request reaches the webhook as JSON with an Idempotency-Key; a failed attempt is kept
on the request (pending, then failed for good), never lost."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.outbox import Item, Undelivered
from bot.reprocess import create_request, get_request
from bot.store import Store
from bot.webhook import WebhookHandler
from tests.fakeslack import FakeSlack


@pytest.fixture
def receiver():
    with FakeSlack() as fake:
        yield fake


def deliver(store, receiver, item: Item, gave_up: bool | None = None) -> None:
    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            handler = WebhookHandler(store, receiver.base + "/hooks/reprocess", session, timeout=2)
            try:
                finish = await handler.send(item)
            except Undelivered as exc:
                await handler.failed(item, str(exc), bool(gave_up))
                raise
            with store.db.conn as conn:  # as the outbox records "sent"
                finish(conn)

    asyncio.run(run())


def test_a_request_is_posted_with_its_targets_and_a_key_to_ignore_repeats(tmp_path, receiver):
    store = Store(tmp_path / "w.db")
    request = create_request(
        store, "sku-inactive", "sku", ["1202", "3001"], "U1", "C1", "1.0", ops=False, webhook=True
    ).request
    deliver(store, receiver, Item(1, request.id, "webhook", 1, 0.0))
    [call] = receiver.calls_to("/hooks/reprocess")
    assert call.params["targets"] == ["1202", "3001"] and call.params["id"] == request.id
    assert call.headers["idempotency-key"] == f"amzerror-request-{request.id}"
    assert get_request(store, request.id).webhook_status == "sent"


def test_a_refused_delivery_is_kept_pending_then_failed_for_good(tmp_path, receiver):
    store = Store(tmp_path / "w.db")
    request = create_request(
        store, "sku-inactive", "sku", ["1"], "U1", "C1", "1.0", ops=False, webhook=True
    ).request
    receiver.fail("/hooks/reprocess", status=503, times=2)
    with pytest.raises(Undelivered, match="HTTP 503"):
        deliver(store, receiver, Item(1, request.id, "webhook", 1, 0.0), gave_up=False)
    pending = get_request(store, request.id)
    assert (pending.webhook_status, pending.webhook_attempts) == ("pending", 1)
    with pytest.raises(Undelivered):
        deliver(store, receiver, Item(1, request.id, "webhook", 2, 0.0), gave_up=True)
    failed = get_request(store, request.id)
    assert failed.webhook_status == "failed" and "HTTP 503" in failed.last_error


def test_an_unreachable_receiver_is_a_failed_attempt(tmp_path):
    store = Store(tmp_path / "w.db")
    request = create_request(
        store, "sku-inactive", "sku", ["1"], "U1", "C1", "1.0", ops=False, webhook=True
    ).request

    class Nowhere:
        base = "http://127.0.0.1:9"  # discard port: nothing listens

    with pytest.raises(Undelivered):
        deliver(store, Nowhere, Item(1, request.id, "webhook", 1, 0.0), gave_up=False)

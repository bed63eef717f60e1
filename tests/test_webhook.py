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


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "w.db")


@pytest.fixture
def owed(store):
    """A stored request for one SKU, owing its webhook delivery."""
    return create_request(
        store, "sku-inactive", "sku", ["1"], "U1", "C1", "1.0", ops=False, webhook=True
    ).request


def deliver(store, receiver, item: Item, gave_up: bool | None = None, timeout: float = 2) -> None:
    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            handler = WebhookHandler(
                store, receiver.base + "/hooks/reprocess", session, timeout=timeout
            )
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


def test_the_receiver_gets_every_field_of_the_request_under_its_documented_name(tmp_path, receiver):
    store = Store(tmp_path / "w.db")
    request = create_request(
        store,
        "order-no-sla",
        "order",
        ["702-1234567-1234567"],
        "U7",
        "C9",
        "1700000000.000100",
        ops=False,
        webhook=True,
    ).request
    deliver(store, receiver, Item(1, request.id, "webhook", 1, 0.0))
    [call] = receiver.calls_to("/hooks/reprocess")
    assert call.params == {
        "id": request.id,
        "entry_id": "order-no-sla",
        "target_kind": "order",
        "targets": ["702-1234567-1234567"],
        "requested_by": "U7",
        "channel": "C9",
        "thread_ts": "1700000000.000100",
        "created_at": request.created_at,
    }


def test_the_attempt_that_got_through_is_the_count_shown_on_the_request(store, owed, receiver):
    deliver(store, receiver, Item(1, owed.id, "webhook", 3, 0.0))
    delivered = get_request(store, owed.id)
    assert (delivered.webhook_status, delivered.webhook_attempts) == ("sent", 3)


@pytest.mark.parametrize("status", [200, 202, 204])
def test_any_2xx_answer_is_a_delivery(store, owed, receiver, status):
    receiver.fail("/hooks/reprocess", status=status, error="accepted, with a body")
    deliver(store, receiver, Item(1, owed.id, "webhook", 1, 0.0))
    assert get_request(store, owed.id).webhook_status == "sent"


@pytest.mark.parametrize("status", [300, 404, 500])
def test_any_other_answer_is_a_failed_attempt_that_names_it(store, owed, receiver, status):
    receiver.fail("/hooks/reprocess", status=status)
    with pytest.raises(Undelivered, match=f"^HTTP {status}$"):
        deliver(store, receiver, Item(1, owed.id, "webhook", 1, 0.0), gave_up=False)
    pending = get_request(store, owed.id)
    assert pending.webhook_status == "pending"
    assert pending.last_error == f"webhook attempt 1: HTTP {status}"


def test_a_receiver_slower_than_the_timeout_is_a_failed_attempt_called_a_timeout(
    store, owed, receiver
):
    # It would accept the request, but only long after the bot stopped waiting.
    receiver.fail("/hooks/reprocess", status=200, delay=5)
    with pytest.raises(Undelivered, match="^TimeoutError$"):
        deliver(store, receiver, Item(1, owed.id, "webhook", 1, 0.0), gave_up=False, timeout=0.3)
    late = get_request(store, owed.id)
    assert late.webhook_status == "pending"
    assert late.last_error == "webhook attempt 1: TimeoutError"


def test_the_reason_kept_for_a_failed_attempt_is_cut_to_500_characters(store, owed):
    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            handler = WebhookHandler(store, "http://127.0.0.1:9/hooks/reprocess", session)
            await handler.failed(Item(1, owed.id, "webhook", 2, 0.0), "x" * 2000, False)

    asyncio.run(run())
    kept = get_request(store, owed.id).last_error
    assert kept == ("webhook attempt 2: " + "x" * 2000)[:500] and len(kept) == 500


def test_a_refused_delivery_is_kept_pending_then_failed_for_good(store, owed, receiver):
    receiver.fail("/hooks/reprocess", status=503, times=2)
    with pytest.raises(Undelivered, match="HTTP 503"):
        deliver(store, receiver, Item(1, owed.id, "webhook", 1, 0.0), gave_up=False)
    pending = get_request(store, owed.id)
    assert (pending.webhook_status, pending.webhook_attempts) == ("pending", 1)
    with pytest.raises(Undelivered):
        deliver(store, receiver, Item(1, owed.id, "webhook", 2, 0.0), gave_up=True)
    failed = get_request(store, owed.id)
    assert failed.webhook_status == "failed" and "HTTP 503" in failed.last_error


def test_an_unreachable_receiver_is_a_failed_attempt(store, owed):

    class Nowhere:
        base = "http://127.0.0.1:9"  # discard port: nothing listens

    with pytest.raises(Undelivered, match="127.0.0.1:9"):
        deliver(store, Nowhere, Item(1, owed.id, "webhook", 1, 0.0), gave_up=False)
    assert "127.0.0.1:9" in get_request(store, owed.id).last_error  # where it tried

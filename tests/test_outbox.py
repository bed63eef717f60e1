"""What must still be sent is kept in SQLite and sent once by whichever process is up:
leased while sending, taken over when its sender died, retried with capped back-off."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time

import pytest

from bot.outbox import Backoff, Handler, Item, Outbox, OutboxSender, Undelivered
from bot.reprocess import create_request
from bot.store import Store


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "o.db")


def stored_request(store, target="1", webhook=True) -> int:
    created = create_request(
        store, "sku-inactive", "sku", [target], "U1", "C1", "1.0", ops=True, webhook=webhook
    )
    return created.request.id


def test_backoff_doubles_up_to_its_cap():
    backoff = Backoff(first=2, cap=300)
    assert [backoff.delay(n) for n in (1, 2, 3, 9, 50)] == [2, 4, 8, 300, 300]


def test_a_claimed_item_is_leased_to_one_sender(store):
    stored_request(store)
    outbox = Outbox(store)
    first = outbox.claim_due(("ops", "webhook"))
    assert sorted(i.kind for i in first) == ["ops", "webhook"]
    assert all(i.attempts == 1 for i in first)
    assert outbox.claim_due(("ops", "webhook")) == []  # another worker gets nothing
    assert Outbox(Store(store.path)).claim_due(("ops",)) == []


def test_an_item_whose_sender_died_is_taken_over_at_once(store):
    stored_request(store, webhook=False)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with store.db.conn:
        store.db.execute(
            "update outbox set attempts = 1, next_at = ?, owner = ?",
            [time.time() + 3600, f"{socket.gethostname()}:{dead.pid}"],
        )
    [item] = Outbox(store).claim_due(("ops",))
    assert item.attempts == 2  # the sender knows an earlier attempt may have got through


def test_a_failure_waits_longer_each_time_then_gives_up(store):
    stored_request(store, webhook=False)
    outbox = Outbox(store, Backoff(first=10, cap=20, give_up_after=3600))
    [item] = outbox.claim_due(("ops",))
    assert outbox.retry(item, "not_in_channel") is False
    (next_at, status, error) = store.db.execute(
        "select next_at, status, last_error from outbox"
    ).fetchone()
    assert status == "pending" and error == "not_in_channel"
    assert 9 < next_at - time.time() <= 10
    assert outbox.claim_due(("ops",)) == []  # not due yet
    late = Item(item.id, item.request_id, "ops", 5, created=time.time() - 7200)
    assert Outbox(store, Backoff(1, 2, give_up_after=3600)).retry(late, "still down") is True
    assert store.db.execute("select status from outbox").fetchone() == ("failed",)


class Flaky(Handler):
    """Fails the first `failures` attempts, records every item it was given."""

    def __init__(self, failures: int = 0, crash: bool = False):
        self.failures = failures
        self.crash = crash
        self.seen: list[Item] = []
        self.told: list[tuple[int, bool]] = []

    async def send(self, item: Item) -> None:
        self.seen.append(item)
        if len(self.seen) <= self.failures:
            if self.crash:
                raise RuntimeError("a bug")
            raise Undelivered("HTTP 503")

    async def failed(self, item: Item, reason: str, gave_up: bool) -> None:
        self.told.append((item.attempts, gave_up))


def test_the_sender_retries_until_it_gets_through_and_never_sends_twice(store):
    request_id = stored_request(store, webhook=False)
    handler = Flaky(failures=2)
    sender = OutboxSender(Outbox(store, Backoff(0.05, 0.1, 3600)), {"ops": handler})

    async def run() -> None:
        sender.start()  # the loop finds the item, and each retry as it falls due
        deadline = time.monotonic() + 5
        while len(handler.seen) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await sender.stop()
        assert await sender.send_due() == 0  # nothing left to send

    asyncio.run(run())
    assert [i.attempts for i in handler.seen] == [1, 2, 3]
    assert handler.told == [(1, False), (2, False)]
    status = store.db.execute("select status from outbox where request_id = ?", [request_id])
    assert status.fetchone() == ("sent",)


def test_a_bug_in_a_handler_is_one_failed_attempt_not_a_dead_loop(store):
    stored_request(store, webhook=False)
    handler = Flaky(failures=1, crash=True)
    outbox = Outbox(store, Backoff(0.01, 0.01, 3600))
    sender = OutboxSender(outbox, {"ops": handler})

    async def run() -> None:
        assert await sender.send_due() == 0
        await asyncio.sleep(0.05)
        assert await sender.send_due() == 1

    asyncio.run(run())
    assert Outbox(store).status(1) == {"ops": ("sent", 2)}


def test_a_kind_without_a_handler_waits_for_a_process_that_has_one(store):
    stored_request(store)
    sender = OutboxSender(Outbox(store), {"ops": Flaky()})
    assert asyncio.run(sender.send_due()) == 1
    assert Outbox(store).status(1)["webhook"] == ("pending", 0)


def test_an_item_claimed_when_stored_is_sent_at_once_by_the_process_that_stored_it(store):
    created = create_request(
        store,
        "sku-inactive",
        "sku",
        ["9"],
        "U1",
        "C1",
        "1.0",
        ops=True,
        webhook=True,
        claim=("ops",),
    )
    [item] = created.claimed
    assert (item.kind, item.attempts) == ("ops", 1)
    outbox = Outbox(store)
    assert [i.kind for i in outbox.claim_due(("ops", "webhook"))] == ["webhook"]  # not ops
    handler = Flaky()
    asyncio.run(OutboxSender(outbox, {"ops": handler}).send_now(created.claimed))
    assert handler.seen == [item]
    assert outbox.status(created.request.id)["ops"] == ("sent", 1)

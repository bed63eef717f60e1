"""What must still be sent is kept in SQLite and sent once by whichever process is up:
leased while sending, taken over when its sender died, retried with capped back-off."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pytest

from bot.outbox import Backoff, Handler, Item, Outbox, OutboxSender, Undelivered
from bot.reprocess import create_request, get_request, set_columns
from bot.store import Store
from tests.slackharness import wait_until

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "o.db")


def stored_request(store, target="1", webhook=True) -> int:
    created = create_request(
        store, "sku-inactive", "sku", [target], "U1", "C1", "1.0", ops=True, webhook=webhook
    )
    return created.request.id


async def until(condition, timeout: float = 5.0, what: str = ""):
    """`wait_until` from a coroutine: the event loop runs the sender meanwhile."""
    return await asyncio.to_thread(wait_until, condition, timeout, what)


def lease_to(store, owner: str) -> None:
    """As if `owner` had claimed every item a moment ago: its lease runs for an hour."""
    with store.db.conn:
        store.db.execute(
            "update outbox set attempts = 1, next_at = ?, owner = ?", [time.time() + 3600, owner]
        )


def dead_pid() -> int:
    """The pid of a process that has exited (and is not reused within a test)."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    return dead.pid


def test_backoff_doubles_up_to_its_cap():
    backoff = Backoff(first=2, cap=300)
    assert [backoff.delay(n) for n in (1, 2, 3, 9, 50)] == [2, 4, 8, 300, 300]


def test_a_claimed_item_is_leased_to_one_sender(store):
    stored_request(store)
    outbox = Outbox(store)
    first = outbox.claim_due(("ops", "webhook"))
    assert sorted((i.kind, i.request_id) for i in first) == [("ops", 1), ("webhook", 1)]
    assert all(i.attempts == 1 for i in first)
    assert outbox.claim_due(("ops", "webhook")) == []  # another worker gets nothing
    assert Outbox(Store(store.path)).claim_due(("ops",)) == []


def test_an_item_whose_sender_died_is_taken_over_at_once(store):
    stored_request(store, webhook=False)
    lease_to(store, f"{socket.gethostname()}:{dead_pid()}")
    [item] = Outbox(store).claim_due(("ops",))
    assert item.attempts == 2  # the sender knows an earlier attempt may have got through


def test_an_item_claimed_when_stored_is_left_to_its_process_while_it_lives(store):
    storing = (
        "import sys\n"
        "from bot.reprocess import create_request\n"
        "from bot.store import Store\n"
        "create_request(Store(sys.argv[1]), 'sku-inactive', 'sku', ['1'], 'U1', 'C1', '1.0',\n"
        "               ops=True, webhook=False, claim=('ops',))\n"
    )
    # A process stores a request, claims its ops post to send at once, and is gone.
    subprocess.run([sys.executable, "-c", storing, str(store.path)], cwd=ROOT, check=True)
    # This one, alive, stores another and is about to send it.
    create_request(
        store,
        "sku-inactive",
        "sku",
        ["2"],
        "U1",
        "C1",
        "1.0",
        ops=True,
        webhook=False,
        claim=("ops",),
    )
    [item] = Outbox(Store(store.path)).claim_due(("ops",))  # as a third process would
    assert (item.request_id, item.attempts) == (1, 2)


def test_an_item_leased_by_a_live_sender_is_left_to_it_and_the_sender_left_alone(store):
    stored_request(store, webhook=False)
    sender = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        lease_to(store, f"{socket.gethostname()}:{sender.pid}")
        assert Outbox(store).claim_due(("ops",)) == []
    finally:
        sender.communicate(timeout=10)  # its input closed: it ends, as it would have
    assert sender.returncode == 0  # looking at it did not stop it


def test_an_item_leased_on_another_host_is_left_until_its_lease_ends(store):
    # A pid is only known on its own host: one that does not exist here may live there.
    stored_request(store, webhook=False)
    lease_to(store, f"another-{socket.gethostname()}:{dead_pid()}")
    assert Outbox(store).claim_due(("ops",)) == []


def test_an_item_leased_by_a_process_this_user_may_not_signal_is_left_to_it(store, monkeypatch):
    # Another user's process: it exists, since the system refuses to let us signal it.
    stored_request(store, webhook=False)
    lease_to(store, f"{socket.gethostname()}:{dead_pid()}")

    def refused(pid: int, signal: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", refused)
    assert Outbox(store).claim_due(("ops",)) == []


def test_looking_for_due_items_when_none_are_due_never_waits_for_a_writer(store):
    stored_request(store, webhook=False)
    outbox = Outbox(store)
    assert len(outbox.claim_due(("ops",))) == 1  # leased now: nothing else is due
    writer = Store(store.path)  # another process storing a click, say
    with ThreadPoolExecutor(1) as pool, writer.write_lock():
        looking = pool.submit(outbox.claim_due, ("ops", "webhook"))
        wait_until(looking.done, timeout=5, what="claim_due to return beside a writer")
        assert looking.result() == []


def test_sending_one_kind_marks_only_those_items_sent(store):
    first, second = stored_request(store, "1"), stored_request(store, "2")
    assert asyncio.run(OutboxSender(Outbox(store), {"webhook": Flaky()}).send_due()) == 2
    for request_id in (first, second):
        assert Outbox(store).status(request_id) == {"ops": ("pending", 0), "webhook": ("sent", 1)}


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
    assert 9 < outbox.seconds_to_next(("ops",)) <= 10
    assert outbox.claim_due(("ops",)) == []  # not due yet
    late = Item(item.id, item.request_id, "ops", 5, created=time.time() - 7200)
    assert Outbox(store, Backoff(1, 2, give_up_after=3600)).retry(late, "still down") is True
    assert store.db.execute("select status from outbox").fetchone() == ("failed",)
    assert outbox.seconds_to_next(("ops",)) is None  # nothing left to try


def test_the_reason_kept_for_a_failed_attempt_is_cut_to_500_characters(store):
    stored_request(store, webhook=False)
    outbox = Outbox(store)
    [item] = outbox.claim_due(("ops",))
    outbox.retry(item, "x" * 2000)
    assert store.db.execute("select last_error from outbox").fetchone() == ("x" * 500,)


def test_the_next_try_is_the_soonest_of_every_kind_sent_and_an_overdue_one_is_now(store):
    stored_request(store)
    outbox = Outbox(store, Backoff(first=10, cap=20))
    assert outbox.seconds_to_next(("ops", "webhook")) == 0.0  # stored a moment ago: due
    assert outbox.seconds_to_next(()) is None
    items = {i.kind: i for i in outbox.claim_due(("ops", "webhook"))}
    outbox.retry(items["webhook"], "HTTP 503")  # in 10 s
    outbox.retry(Item(items["ops"].id, 1, "ops", 2, items["ops"].created), "ratelimited")  # 20 s
    assert 9 < outbox.seconds_to_next(("ops", "webhook")) <= 10
    assert 19 < outbox.seconds_to_next(("ops",)) <= 20


class Flaky(Handler):
    """Fails the first `failures` attempts, records every item it was given."""

    def __init__(self, failures: int = 0, crash: bool = False):
        self.failures = failures
        self.crash = crash
        self.seen: list[Item] = []
        self.told: list[tuple[int, str, bool]] = []

    async def send(self, item: Item) -> None:
        self.seen.append(item)
        if len(self.seen) <= self.failures:
            if self.crash:
                raise RuntimeError("a bug")
            raise Undelivered("HTTP 503")

    async def failed(self, item: Item, reason: str, gave_up: bool) -> None:
        self.told.append((item.attempts, reason, gave_up))


def test_the_sender_retries_until_it_gets_through_and_never_sends_twice(store):
    request_id = stored_request(store, webhook=False)
    handler = Flaky(failures=2)
    sender = OutboxSender(Outbox(store, Backoff(0.05, 0.1, 3600)), {"ops": handler})

    async def run() -> None:
        sender.start()  # the loop finds the item, and each retry as it falls due
        await until(lambda: len(handler.seen) >= 3, what="three attempts")
        await until(lambda: Outbox(store).status(request_id)["ops"][0] == "sent")
        await sender.stop()
        assert await sender.send_due() == 0  # nothing left to send

    asyncio.run(run())
    assert [i.attempts for i in handler.seen] == [1, 2, 3]
    assert handler.told == [(1, "HTTP 503", False), (2, "HTTP 503", False)]
    status = store.db.execute("select status from outbox where request_id = ?", [request_id])
    assert status.fetchone() == ("sent",)


def test_retries_due_before_the_idle_tick_are_each_sent_when_they_fall_due(store):
    stored_request(store, webhook=False)
    handler = Flaky(failures=3)
    outbox = Outbox(store, Backoff(0.05, 0.05, 3600))
    sender = OutboxSender(outbox, {"ops": handler}, idle_seconds=30)

    async def run() -> None:
        sender.start()
        # Three retries 0.05 s apart: well within 2 s, unless the loop sleeps past them.
        await until(lambda: len(handler.seen) == 4, timeout=2, what="the fourth attempt")
        await sender.stop()

    asyncio.run(run())
    assert Outbox(store).status(1) == {"ops": ("sent", 4)}


def test_each_failed_attempt_is_logged_with_its_request_and_reason(store, caplog):
    caplog.set_level(logging.WARNING, logger="bot.outbox")
    stored_request(store, webhook=False)
    handler = Flaky(failures=2)
    sender = OutboxSender(Outbox(store, Backoff(0, 0, give_up_after=3600)), {"ops": handler})
    assert asyncio.run(sender.send_due()) == 0
    last = Outbox(store, Backoff(0, 0, give_up_after=0))  # failing for too long now
    assert asyncio.run(OutboxSender(last, {"ops": handler}).send_due()) == 0
    assert [r.getMessage() for r in caplog.records] == [
        "ops for request #1, attempt 1: HTTP 503",
        "ops for request #1, attempt 2: HTTP 503 (giving up)",
    ]
    assert handler.told == [(1, "HTTP 503", False), (2, "HTTP 503", True)]
    row = store.db.execute("select status, last_error from outbox").fetchone()
    assert row == ("failed", "HTTP 503")


def test_a_bug_in_a_handler_is_one_failed_attempt_not_a_dead_loop(store, caplog):
    caplog.set_level(logging.WARNING, logger="bot.outbox")
    stored_request(store, webhook=False)
    handler = Flaky(failures=1, crash=True)
    outbox = Outbox(store, Backoff(0.01, 0.01, 3600))
    sender = OutboxSender(outbox, {"ops": handler})

    assert asyncio.run(sender.send_due()) == 0
    [bug, _] = caplog.records
    assert bug.getMessage() == "ops for request #1 failed" and bug.exc_info[0] is RuntimeError
    assert handler.told == [(1, "RuntimeError: a bug", False)]
    wait_until(lambda: outbox.seconds_to_next(("ops",)) == 0, what="the retry to fall due")
    assert asyncio.run(sender.send_due()) == 1
    assert Outbox(store).status(1) == {"ops": ("sent", 2)}


def test_what_sending_produced_is_recorded_with_the_item_sent(store):
    request_id = stored_request(store, webhook=False)

    class Posting(Handler):
        async def send(self, item: Item):
            return partial(set_columns, request_id=item.request_id, ops_channel="C", ops_ts="7.7")

    assert asyncio.run(OutboxSender(Outbox(store), {"ops": Posting()}).send_due()) == 1
    posted = get_request(store, request_id)
    assert (posted.ops_channel, posted.ops_ts) == ("C", "7.7")
    assert Outbox(store).status(request_id) == {"ops": ("sent", 1)}


def test_a_pass_that_fails_is_logged_and_the_loop_goes_on(store, caplog):
    caplog.set_level(logging.WARNING, logger="bot.outbox")
    stored_request(store, webhook=False)

    class LockedOnce(Outbox):
        failed = False

        def claim_due(self, kinds, limit=50):
            if not self.failed:
                self.failed = True
                raise sqlite3.OperationalError("database is locked")
            return super().claim_due(kinds, limit)

    handler = Flaky()
    sender = OutboxSender(LockedOnce(store), {"ops": handler}, idle_seconds=0.05)

    async def run() -> None:
        sender.start()
        await until(lambda: handler.seen, what="the item sent after the failed pass")
        await sender.stop()

    asyncio.run(run())
    [failed_pass] = [r for r in caplog.records if r.exc_info]
    assert failed_pass.getMessage() == "outbox pass"
    assert failed_pass.exc_info[0] is sqlite3.OperationalError


def test_the_sender_is_one_task_that_stop_ends_and_start_runs_again(store):
    stored_request(store, webhook=False)
    handler = Flaky()
    sender = OutboxSender(Outbox(store), {"ops": handler})

    def running() -> list[str]:
        return [t.get_name() for t in asyncio.all_tasks() if t is not asyncio.current_task()]

    async def run() -> None:
        sender.start()
        sender.start()  # already running: still one loop
        assert running() == ["outbox"]
        await until(lambda: handler.seen, what="the first item sent")
        await sender.stop()
        assert running() == []
        stored_request(store, "2", webhook=False)
        sender.start()
        assert running() == ["outbox"]
        await until(lambda: len(handler.seen) == 2, what="the item stored while stopped")
        await sender.stop()

    asyncio.run(run())


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
    assert (item.kind, item.request_id, item.attempts) == ("ops", created.request.id, 1)
    outbox = Outbox(store)
    assert [i.kind for i in outbox.claim_due(("ops", "webhook"))] == ["webhook"]  # not ops
    handler = Flaky()
    asyncio.run(OutboxSender(outbox, {"ops": handler}).send_now(created.claimed))
    assert handler.seen == [item]
    assert outbox.status(created.request.id)["ops"] == ("sent", 1)


def test_a_first_attempt_made_at_once_that_fails_is_left_to_the_retries(store):
    created = create_request(
        store,
        "sku-inactive",
        "sku",
        ["9"],
        "U1",
        "C1",
        "1.0",
        ops=True,
        webhook=False,
        claim=("ops",),
    )
    handler = Flaky(failures=1)
    outbox = Outbox(store, Backoff(first=10, cap=10, give_up_after=3600))
    asyncio.run(OutboxSender(outbox, {"ops": handler}).send_now(created.claimed))
    assert handler.told == [(1, "HTTP 503", False)]
    assert outbox.status(created.request.id) == {"ops": ("pending", 1)}
    assert 9 < outbox.seconds_to_next(("ops",)) <= 10

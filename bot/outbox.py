"""What must still be sent for each request (its ops post, its webhook delivery), and the loop
that sends it from whichever process is up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from bot.store import Store, now_iso

log = logging.getLogger(__name__)

# A claimed item is leased to one process for this long; a process that dies mid-send is
# noticed sooner (its pid is gone), so the lease only matters for a process that hangs.
LEASE_SECONDS = 120.0
BATCH = 50


@dataclass(frozen=True)
class Backoff:
    """Retry schedule: `first` seconds, doubling up to `cap`, until `give_up_after` has passed."""

    first: float = 2.0
    cap: float = 300.0
    give_up_after: float = 24 * 3600.0

    def delay(self, attempts: int) -> float:
        return min(self.first * 2 ** max(attempts - 1, 0), self.cap)


@dataclass(frozen=True)
class Item:
    """One thing to send for one request: `kind` is "ops" (the ops post) or "webhook"."""

    id: int
    request_id: int
    kind: str
    attempts: int  # including the one now under way
    created: float
    last_error: str | None = None


class Undelivered(Exception):
    """This attempt did not get through; the message is the reason, in one line."""


# Called inside the transaction that marks an item sent, to record what sending produced
# (the ops message's ts): both are written, or neither.
Finish = Callable[[sqlite3.Connection], None]


def enqueue(
    conn: sqlite3.Connection, request_id: int, kind: str, stamp: str, claim: bool = False
) -> Item | None:
    """Add an item inside the caller's transaction (the one that stores the request).

    With `claim` the item is leased to this process at once, for its first attempt: the
    caller sends it straight away instead of waiting for the loop (and if this process dies
    first, another takes it over like any item whose sender died).
    """
    now = time.time()
    cursor = conn.execute(
        "insert or ignore into outbox (request_id, kind, status, attempts, next_at, created, "
        "owner, updated_at) values (?, ?, 'pending', ?, ?, ?, ?, ?)",
        [
            request_id,
            kind,
            1 if claim else 0,
            now + LEASE_SECONDS if claim else now,
            now,
            _owner() if claim else None,
            stamp,
        ],
    )
    if not claim or cursor.rowcount != 1:
        return None
    return Item(cursor.lastrowid, request_id, kind, 1, now)


_HOST = socket.gethostname()


def _owner() -> str:
    return f"{_HOST}:{os.getpid()}"


def _owner_is_gone(owner: str | None) -> bool:
    """True when the process that leased an item ran on this host and no longer exists."""
    host, _, pid = (owner or "").rpartition(":")
    if host != _HOST or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Outbox:
    """The outbox table: claim what is due, then mark it sent or schedule the next try."""

    def __init__(self, store: Store, backoff: Backoff | None = None):
        self.store = store
        self.backoff = backoff or Backoff()

    def claim_due(self, kinds: tuple[str, ...], limit: int = BATCH) -> list[Item]:
        """Lease the items due now (or held by a process that died) to this process."""
        if not kinds or not self._due(kinds, limit):
            return []  # the common case, a read: no write lock taken
        with self.store.write_lock(), self.store.db.conn as conn:
            due = self._due(kinds, limit)  # again: another process may have taken them
            lease, me = time.time() + LEASE_SECONDS, _owner()
            conn.executemany(
                "update outbox set attempts = attempts + 1, next_at = ?, owner = ? where id = ?",
                [(lease, me, row[0]) for row in due],
            )
        return [Item(r[0], r[1], r[2], r[3] + 1, r[4], r[5]) for r in due]

    def _due(self, kinds: tuple[str, ...], limit: int) -> list[tuple]:
        now = time.time()
        rows = self.store.db.execute(
            "select id, request_id, kind, attempts, created, last_error, next_at, owner "
            f"from outbox where status = 'pending' and kind in ({', '.join('?' for _ in kinds)}) "
            "order by next_at limit ?",
            [*kinds, limit * 4],
        ).fetchall()
        return [r for r in rows if r[6] <= now or _owner_is_gone(r[7])][:limit]

    def sent(self, item: Item, finish: Finish | None = None) -> None:
        with self.store.write_lock(), self.store.db.conn as conn:
            conn.execute(
                "update outbox set status = 'sent', owner = null, updated_at = ? where id = ?",
                [now_iso(), item.id],
            )
            if finish is not None:
                finish(conn)

    def retry(self, item: Item, reason: str) -> bool:
        """Schedule the next attempt; True when the item has been failing too long and is dropped."""
        now = time.time()
        gave_up = now - item.created >= self.backoff.give_up_after
        with self.store.write_lock(), self.store.db.conn as conn:
            conn.execute(
                "update outbox set status = ?, next_at = ?, owner = null, last_error = ?, "
                "updated_at = ? where id = ?",
                [
                    "failed" if gave_up else "pending",
                    now + self.backoff.delay(item.attempts),
                    reason[:500],
                    now_iso(),
                    item.id,
                ],
            )
        return gave_up

    def seconds_to_next(self, kinds: tuple[str, ...]) -> float | None:
        if not kinds:
            return None
        row = self.store.db.execute(
            f"select min(next_at) from outbox where status = 'pending' and kind in "
            f"({', '.join('?' for _ in kinds)})",
            list(kinds),
        ).fetchone()
        return None if row[0] is None else max(row[0] - time.time(), 0.0)

    def status(self, request_id: int) -> dict[str, tuple[str, int]]:
        """kind -> (status, attempts) for one request."""
        rows = self.store.db.execute(
            "select kind, status, attempts from outbox where request_id = ?", [request_id]
        )
        return {kind: (status, attempts) for kind, status, attempts in rows}


class Handler:
    """How to send one kind of item. `send` raises Undelivered when it did not get through."""

    async def send(self, item: Item) -> Finish | None:
        """Send it; what to record with "sent", in the same transaction, if anything."""
        raise NotImplementedError

    async def failed(self, item: Item, reason: str, gave_up: bool) -> None:
        """Told after each failed attempt (e.g. to tell someone, once, or record the outcome)."""


class OutboxSender:
    """Sends due items on the running event loop: at start, when woken, and as retries fall due."""

    def __init__(
        self, outbox: Outbox, handlers: Mapping[str, Handler], idle_seconds: float = 5.0
    ) -> None:
        self.outbox = outbox
        self.handlers = dict(handlers)
        self.idle_seconds = idle_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.handlers)

    def wake(self) -> None:
        """Something new was stored: look now rather than at the next tick."""
        self._wake.set()

    async def send_due(self) -> int:
        """One pass over what is due; returns how many items got through."""
        items = self.outbox.claim_due(self.kinds)
        if not items:
            return 0
        results = await asyncio.gather(*(self._send(item) for item in items))
        return sum(results)

    async def _send(self, item: Item) -> bool:
        handler = self.handlers[item.kind]
        try:
            finish = await handler.send(item)
        except Undelivered as exc:
            reason = str(exc)
        except Exception as exc:  # a bug must not stop the others; the next try may work
            log.exception("%s for request #%s failed", item.kind, item.request_id)
            reason = f"{type(exc).__name__}: {exc}"
        else:
            self.outbox.sent(item, finish)
            return True
        gave_up = self.outbox.retry(item, reason)
        self.wake()  # the loop may be idle: let it see when this retry falls due
        log.warning(
            "%s for request #%s, attempt %d: %s%s",
            item.kind,
            item.request_id,
            item.attempts,
            reason,
            " (giving up)" if gave_up else "",
        )
        await handler.failed(item, reason, gave_up)
        return False

    async def send_now(self, items: Iterable[Item]) -> None:
        """Send items this process claimed when it stored them (see `enqueue`)."""
        await asyncio.gather(*(self._send(i) for i in items if i.kind in self.handlers))

    async def run(self) -> None:
        while True:
            try:
                await self.send_due()
                wait = self.outbox.seconds_to_next(self.kinds)
            except Exception:  # keep the loop alive (a locked or unwritable file passes)
                log.exception("outbox pass")
                wait = self.idle_seconds
            wait = self.idle_seconds if wait is None else min(wait, self.idle_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(wait, 0.05))
            self._wake.clear()

    def start(self) -> None:
        """Run on the current event loop until `stop`; what is left from a restart goes first."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run(), name="outbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

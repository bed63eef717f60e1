"""What happened in Slack, kept in SQLite: answered messages, threads, feedback, statistics."""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.matcher import Match
from bot.store import StorageError, Store, now_iso

log = logging.getLogger(__name__)

SEEN_KEEP_DAYS = 3
# While the database cannot be written, messages are remembered here instead, so that
# Slack's retries of a message this process answered are still answered once.
_MEMORY_KEYS = 10_000
_seen_in_memory: OrderedDict[str, None] = OrderedDict()


@dataclass(frozen=True)
class ThreadContext:
    """What a thread amzerror answered in is about, so follow-ups need no mention."""

    channel: str
    thread_ts: str
    entry_id: str
    skus: tuple[str, ...] = ()
    orders: tuple[str, ...] = ()
    lang: str | None = None  # the language it was answered in, when known


def first_time(store: Store, key: str) -> bool:
    """True once per key, across retries and restarts (Slack redelivers events).

    When the database cannot be written the answer comes from this process's memory:
    better a rare second answer after a restart than no answer at all.
    """
    try:
        with store.write_lock(), store.db.conn:
            cursor = store.db.execute(
                "insert or ignore into events_seen (key, seen_at) values (?, ?)", [key, now_iso()]
            )
    except StorageError as exc:
        log.warning("could not store that %s was answered (%s); remembered in memory", key, exc)
        if key in _seen_in_memory:
            return False
        _seen_in_memory[key] = None
        while len(_seen_in_memory) > _MEMORY_KEYS:
            _seen_in_memory.popitem(last=False)
        return True
    return cursor.rowcount == 1 and key not in _seen_in_memory


async def claim(store: Store, key: str) -> bool:
    """`first_time`, from the event loop: waits for another worker's write without
    stopping the loop (`Store.writable`), then claims `key`."""
    await store.writable()
    return first_time(store, key)


def forget_old_events(store: Store, days: int = SEEN_KEEP_DAYS) -> None:
    cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with store.write_lock(), store.db.conn:
        store.db.execute("delete from events_seen where seen_at < ?", [cutoff])


def record_answer(
    store: Store,
    match: Match,
    surface: str,
    channel: str,
    thread_ts: str | None = None,
    lang: str | None = None,
) -> None:
    """Count an answer for the statistics and, with `thread_ts`, remember what its thread is about
    (and the language it was answered in).

    One transaction, in plain SQL: this runs for every answer, and sqlite-utils'
    table introspection on each insert cost more than the writes themselves.
    """
    now = now_iso()
    with store.write_lock(), store.db.conn as conn:
        conn.execute(
            "insert into match_log (entry_id, score, surface, channel, created_at) "
            "values (?, ?, ?, ?, ?)",
            [match.id, match.score, surface, channel, now],
        )
        if thread_ts:
            conn.execute(
                "insert into threads (channel, thread_ts, entry_id, skus, orders, updated_at, "
                "lang) values (?, ?, ?, ?, ?, ?, ?) on conflict (channel, thread_ts) do update "
                "set entry_id = excluded.entry_id, skus = excluded.skus, "
                "orders = excluded.orders, updated_at = excluded.updated_at, "
                "lang = coalesce(excluded.lang, threads.lang)",
                [
                    channel,
                    thread_ts,
                    match.id,
                    json.dumps(list(match.skus)),
                    json.dumps(list(match.orders)),
                    now,
                    lang,
                ],
            )


def thread_context(store: Store, channel: str, thread_ts: str) -> ThreadContext | None:
    row = next(
        store.db.query(
            "select * from threads where channel = ? and thread_ts = ?", [channel, thread_ts]
        ),
        None,
    )
    if row is None:
        return None
    return ThreadContext(
        channel,
        thread_ts,
        row["entry_id"],
        tuple(json.loads(row["skus"] or "[]")),
        tuple(json.loads(row["orders"] or "[]")),
        row.get("lang"),
    )


def record_feedback(
    store: Store, entry_id: str, user: str, helpful: bool, channel: str, message_ts: str
) -> None:
    """One vote per person and card; voting again replaces the earlier vote."""
    with store.write_lock(), store.db.conn:
        store.db.execute(
            "delete from feedback where entry_id = ? and user = ? and message_ts = ?",
            [entry_id, user, message_ts],
        )
        store.db["feedback"].insert(
            {
                "entry_id": entry_id,
                "user": user,
                "helpful": int(helpful),
                "channel": channel,
                "message_ts": message_ts,
                "created_at": now_iso(),
            }
        )


def vote_counts(store: Store, channel: str, message_ts: str) -> tuple[int, int]:
    """(helpful, not helpful) votes on one card, one per person."""
    rows = dict(
        store.db.execute(
            "select helpful, count(*) from feedback where channel = ? and message_ts = ? "
            "group by helpful",
            [channel, message_ts],
        ).fetchall()
    )
    return rows.get(1, 0), rows.get(0, 0)


def others_key(channel: str, message_ts: str) -> str:
    """The `first_time` key of a card's other matches: offered once per card."""
    return f"others:{channel}:{message_ts}"


@dataclass(frozen=True)
class Stats:
    days: int
    answers: int
    top_errors: list[tuple[str, int]]
    requests: dict[str, int]
    helpful: int
    not_helpful: int


def stats(store: Store, days: int) -> Stats:
    since = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    db = store.db
    top = db.execute(
        "select entry_id, count(*) from match_log where created_at >= ? "
        "group by entry_id order by count(*) desc, entry_id limit 5",
        [since],
    ).fetchall()
    answers = db.execute("select count(*) from match_log where created_at >= ?", [since]).fetchone()
    requests = dict(
        db.execute(
            "select status, count(*) from reprocess_requests where created_at >= ? group by status",
            [since],
        ).fetchall()
    )
    votes = dict(
        db.execute(
            "select helpful, count(*) from feedback where created_at >= ? group by helpful", [since]
        ).fetchall()
    )
    return Stats(
        days, answers[0], [(e, n) for e, n in top], requests, votes.get(1, 0), votes.get(0, 0)
    )

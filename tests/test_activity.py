"""Each Slack message is answered once, votes replace each other, statistics keep their window."""

from __future__ import annotations

import asyncio
import errno
from datetime import UTC, datetime, timedelta

import pytest

from bot import activity
from bot.activity import (
    ThreadContext,
    claim,
    first_time,
    forget_old_events,
    record_answer,
    record_feedback,
    stats,
    thread_context,
)
from bot.matcher import Match
from bot.slack.events.mentions import message_key
from bot.store import Store
from tests.slackharness import mention_event, message_event

NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@pytest.fixture
def clock(monkeypatch):
    """activity's clock, stopped at NOW, on a server whose local time is São Paulo's."""

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            # Stored times are UTC: a local time read by mistake is three hours off.
            return NOW.astimezone(tz) if tz else (NOW - timedelta(hours=3)).replace(tzinfo=None)

    monkeypatch.setattr(activity, "datetime", Frozen)
    monkeypatch.setattr(activity, "now_iso", lambda: iso(NOW))
    return NOW


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "activity.db")


@pytest.fixture(autouse=True)
def no_memory(monkeypatch):
    """Each test starts with the process's in-memory fallback empty."""
    monkeypatch.setattr(activity, "_seen_in_memory", type(activity._seen_in_memory)())


def broken_disk(monkeypatch, store: Store) -> None:
    def refuse():
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(store, "_process_lock_file", refuse)


# -- answered once ------------------------------------------------------------------------


def test_a_message_is_answered_once_across_retries_and_restarts(tmp_path):
    first = Store(tmp_path / "a.db")
    assert first_time(first, "message:C1:1.0") is True
    assert first_time(first, "message:C1:1.0") is False
    restarted = Store(tmp_path / "a.db")
    assert first_time(restarted, "message:C1:1.0") is False
    assert first_time(restarted, "message:C1:2.0") is True


def test_a_mention_and_its_message_event_claim_the_same_key(store):
    # Slack sends both an app_mention and a message event for one message in a watched
    # channel: whichever arrives second must find the message already claimed.
    mention = mention_event("Inactive SKU", channel="CWATCH", ts="1700000000.000100")
    message = message_event(mention["text"], channel="CWATCH", ts="1700000000.000100")
    assert message_key(mention) == message_key(message)
    assert first_time(store, message_key(mention)) is True
    assert first_time(store, message_key(message)) is False
    other = message_event("x", channel="COTHER", ts="1700000000.000100")
    assert first_time(store, message_key(other)) is True


def test_with_the_disk_refusing_writes_a_message_is_still_answered_once(monkeypatch, store):
    broken_disk(monkeypatch, store)
    assert first_time(store, "message:C1:5.0") is True
    assert first_time(store, "message:C1:5.0") is False
    assert first_time(store, "message:C1:6.0") is True


def test_the_operator_is_told_which_message_could_not_be_stored_and_why(monkeypatch, store, caplog):
    broken_disk(monkeypatch, store)
    first_time(store, "message:C1:8.0")
    [record] = caplog.records
    assert record.levelname == "WARNING"
    assert record.getMessage() == (
        "could not store that message:C1:8.0 was answered "
        f"({store.path}.lock: Read-only file system); remembered in memory"
    )


def test_a_message_answered_while_the_disk_was_broken_stays_answered_after(monkeypatch, store):
    with monkeypatch.context() as broken:
        broken_disk(broken, store)
        assert first_time(store, "message:C1:7.0") is True
    # The database takes the key now, but this process already answered it.
    assert first_time(store, "message:C1:7.0") is False


def test_the_memory_fallback_keeps_only_the_latest_keys(monkeypatch, store):
    monkeypatch.setattr(activity, "_MEMORY_KEYS", 3)
    broken_disk(monkeypatch, store)
    for n in range(4):
        assert first_time(store, f"k{n}") is True
    assert first_time(store, "k0") is True  # the oldest was let go
    assert [first_time(store, f"k{n}") for n in (2, 3)] == [False, False]
    assert len(activity._seen_in_memory) == 3


def test_the_memory_fallback_holds_ten_thousand_messages(monkeypatch, store):
    broken_disk(monkeypatch, store)
    for n in range(10_000):
        first_time(store, f"k{n}")
    assert first_time(store, "k0") is False
    assert first_time(store, "k10000") is True  # the ten thousand and first: k0 goes
    assert first_time(store, "k1") is False
    assert first_time(store, "k0") is True


# -- old keys cleaned up ----------------------------------------------------------------


def seen(store: Store, key: str, when: datetime) -> None:
    with store.db.conn:
        store.db.execute("insert into events_seen (key, seen_at) values (?, ?)", [key, iso(when)])


def keys(store: Store) -> set[str]:
    return {row[0] for row in store.db.execute("select key from events_seen").fetchall()}


def test_keys_older_than_three_days_are_forgotten_and_newer_kept(clock, store):
    seen(store, "old", NOW - timedelta(days=3, seconds=1))
    seen(store, "edge", NOW - timedelta(days=3))
    seen(store, "recent", NOW - timedelta(days=2))
    forget_old_events(store)
    assert keys(store) == {"edge", "recent"}
    assert first_time(store, "recent") is False


def test_the_keep_period_can_be_shortened(clock, store):
    seen(store, "yesterday", NOW - timedelta(days=1, seconds=1))
    seen(store, "today", NOW - timedelta(hours=1))
    forget_old_events(store, days=1)
    assert keys(store) == {"today"}


# -- votes -------------------------------------------------------------------------------


def votes(store: Store) -> tuple[int, int]:
    result = stats(store, 7)
    return result.helpful, result.not_helpful


def test_voting_again_on_a_card_replaces_the_earlier_vote(clock, store):
    record_feedback(store, "sku-inactive", "U1", True, "C1", "1.0")
    record_feedback(store, "sku-inactive", "U1", False, "C1", "1.0")
    record_feedback(store, "sku-inactive", "U1", False, "C1", "1.0")
    assert votes(store) == (0, 1)
    row = store.db.execute("select entry_id, user, channel, message_ts from feedback").fetchall()
    assert row == [("sku-inactive", "U1", "C1", "1.0")]


def test_each_person_and_each_card_has_its_own_vote(clock, store):
    record_feedback(store, "sku-inactive", "U1", True, "C1", "1.0")
    record_feedback(store, "sku-inactive", "U2", True, "C1", "1.0")
    record_feedback(store, "sku-inactive", "U1", False, "C1", "2.0")
    record_feedback(store, "order-no-sla", "U1", True, "C1", "1.0")
    assert votes(store) == (3, 1)


# -- statistics --------------------------------------------------------------------------


def answered(store: Store, entry_id: str, when: datetime, times: int = 1) -> None:
    with store.db.conn:
        for _ in range(times):
            store.db.execute(
                "insert into match_log (entry_id, score, surface, channel, created_at) "
                "values (?, 100, 'command', 'C1', ?)",
                [entry_id, iso(when)],
            )


def test_stats_count_only_what_happened_within_their_window(clock, store):
    answered(store, "sku-inactive", NOW - timedelta(days=1), times=2)
    answered(store, "order-no-sla", NOW - timedelta(days=7))  # on the edge: counted
    answered(store, "token-expired", NOW - timedelta(days=7, seconds=1), times=5)
    week, month = stats(store, 7), stats(store, 30)
    assert (week.days, week.answers) == (7, 3)
    assert week.top_errors == [("sku-inactive", 2), ("order-no-sla", 1)]
    assert (month.days, month.answers) == (30, 8)
    assert month.top_errors[0] == ("token-expired", 5)


def test_the_top_errors_are_the_five_most_frequent_ties_by_id(clock, store):
    for n, entry_id in enumerate(["f", "e", "d", "c", "b", "a"]):
        answered(store, entry_id, NOW, times=1 + (n == 0))
    assert stats(store, 7).top_errors == [("f", 2), ("a", 1), ("b", 1), ("c", 1), ("d", 1)]


def test_stats_count_requests_by_status_and_votes_within_the_window(clock, store):
    with store.db.conn:
        for status, when in [
            ("open", NOW),
            ("open", NOW - timedelta(days=2)),
            ("done", NOW - timedelta(days=3)),
            ("failed", NOW - timedelta(days=20)),
        ]:
            store.db["reprocess_requests"].insert(
                {
                    "entry_id": "sku-inactive",
                    "target_kind": "sku",
                    "status": status,
                    "requested_by": "U1",
                    "created_at": iso(when),
                },
                alter=False,
            )
        for user, helpful, when in [
            ("U1", 1, NOW),
            ("U2", 0, NOW - timedelta(days=6)),
            ("U3", 0, NOW - timedelta(days=8)),
        ]:
            store.db["feedback"].insert(
                {
                    "entry_id": "sku-inactive",
                    "user": user,
                    "helpful": helpful,
                    "channel": "C1",
                    "message_ts": "1.0",
                    "created_at": iso(when),
                }
            )
    week = stats(store, 7)
    assert week.requests == {"open": 2, "done": 1}
    assert (week.helpful, week.not_helpful) == (1, 1)
    month = stats(store, 30)
    assert month.requests == {"open": 2, "done": 1, "failed": 1}
    assert (month.helpful, month.not_helpful) == (1, 2)


def test_stats_of_a_quiet_period_are_zero(clock, store):
    quiet = stats(store, 7)
    assert (quiet.answers, quiet.top_errors, quiet.requests) == (0, [], {})
    assert (quiet.helpful, quiet.not_helpful) == (0, 0)


# -- threads ----------------------------------------------------------------------------------


def test_a_thread_remembers_the_language_it_was_answered_in(store):
    match = Match("sku-inactive", "SKU inactive", 100, {"sku": "1202"}, ("1202",))
    record_answer(store, match, "mention", "C1", "1.0", "pt")
    assert thread_context(store, "C1", "1.0").lang == "pt"
    record_answer(store, match, "show", "C1", "1.0")  # a later card that does not say
    assert thread_context(store, "C1", "1.0") == ThreadContext(
        "C1", "1.0", "sku-inactive", ("1202",), (), "pt"
    )


def test_a_key_is_claimed_once_from_the_event_loop_too(tmp_path):
    store = Store(tmp_path / "claims.db")
    store.ensure_state_tables()
    assert asyncio.run(claim(store, "message:C1:1.0")) is True
    assert asyncio.run(claim(store, "message:C1:1.0")) is False
    assert first_time(store, "message:C1:1.0") is False  # one key, whichever way it is asked

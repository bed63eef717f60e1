"""The SQLite file: knowledge rebuilt from files, state never touched by rebuilds."""

from __future__ import annotations

import asyncio
import fcntl
import multiprocessing
import os
import shutil
import sqlite3
import time

from bot.activity import first_time, record_answer, thread_context
from bot.matcher import Match
from bot.reprocess import create_request, get_request
from bot.store import Store, ensure_knowledge, fingerprint
from tests.conftest import KNOWLEDGE
from tests.slackharness import wait_until


def test_build_then_load_gives_the_same_entries(tmp_path, entries):
    store = Store(tmp_path / "kb.db")
    status = ensure_knowledge(store, KNOWLEDGE)
    assert status.rebuilt and status.serving == "fresh"
    assert {e.id: e for e in store.load_entries()} == {e.id: e for e in entries}


def test_full_text_search_ignores_accents_and_language(tmp_path):
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, KNOWLEDGE)
    assert "token-expired" in [e.id for e in store.search("token")]
    assert "color-value-not-supported" in [e.id for e in store.search("especificacao Color")]
    assert store.search("") == []


def test_rebuilding_knowledge_keeps_the_state_tables(tmp_path):
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, KNOWLEDGE)
    store.db["feedback"].insert({"entry_id": "sku-inactive", "user": "U1", "helpful": 1})
    ensure_knowledge(store, KNOWLEDGE, force=True)
    assert store.db["feedback"].count == 1


def test_an_edited_file_triggers_a_rebuild(tmp_path, knowledge_copy):
    knowledge = knowledge_copy
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, knowledge)
    assert not ensure_knowledge(store, knowledge).rebuilt
    path = knowledge / "sku-inactive.yml"
    path.write_text(path.read_text().replace("SKU is inactive on VTEX", "SKU switched off in VTEX"))
    later = time.time() + 5
    os.utime(path, (later, later))
    status = ensure_knowledge(store, knowledge)
    assert status.rebuilt
    assert {e.id: e.title for e in status.entries}["sku-inactive"] == "SKU switched off in VTEX"


def test_a_broken_file_keeps_the_last_good_base_serving(tmp_path, knowledge_copy):
    knowledge = knowledge_copy
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, knowledge)
    (knowledge / "sku-inactive.yml").write_text("id: sku-inactive\nscope: [broken\n")
    status = ensure_knowledge(store, knowledge)
    assert (status.serving, status.rebuilt) == ("cached", False)
    assert len(status.entries) == 31
    assert [str(p).split(":")[0] for p in status.problems] == ["sku-inactive.yml"]
    # The fingerprint of what was read: the same broken files are not read again.
    assert status.fingerprint == fingerprint(knowledge)
    assert any(str(p).startswith("sku-inactive.yml: line ") for p in status.problems)


def test_with_no_good_base_yet_the_valid_files_still_serve(tmp_path, knowledge_copy):
    knowledge = knowledge_copy
    (knowledge / "sku-inactive.yml").write_text("nonsense: true\n")
    status = ensure_knowledge(Store(tmp_path / "kb.db"), knowledge)
    assert (status.serving, status.rebuilt) == ("partial", False)
    assert len(status.entries) == 30
    assert {str(p).split(":")[0] for p in status.problems} == {"sku-inactive.yml"}
    assert status.fingerprint == fingerprint(knowledge)


def _open_and_build(db: str, start_at: float, results) -> None:
    while time.time() < start_at:  # line the processes up on the same instant
        pass
    try:
        ensure_knowledge(Store(db), KNOWLEDGE)
        results.put("ok")
    except Exception as error:  # reported to the test, which names it
        results.put(repr(error))


def test_workers_starting_together_on_a_new_file_all_come_up(tmp_path):
    # gunicorn starts its workers at once; each opens the store and builds the knowledge.
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        db, results = str(tmp_path / f"kb{attempt}.db"), context.Queue()
        start_at = time.time() + 0.2
        workers = [
            context.Process(target=_open_and_build, args=(db, start_at, results)) for _ in range(3)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert [results.get(timeout=1) for _ in workers] == ["ok"] * 3
        assert len(Store(db).load_entries()) == 31


def _answer_once(db: str, key: str, done) -> None:
    done.put(first_time(Store(db), key))


def waiting_on_a_lock(pid: int) -> bool:
    """True while `pid` is blocked on a file lock (Linux lists waiters with `->`)."""
    with open("/proc/locks") as locks:
        return any(line.split()[1:2] == ["->"] and line.split()[5] == str(pid) for line in locks)


def test_a_second_process_writes_as_soon_as_the_first_is_done(tmp_path):
    # Gunicorn workers share the file. A writer waits on the store's lock, not in SQLite's
    # busy handler, whose sleeps would stall the waiting worker's event loop.
    db = str(tmp_path / "kb.db")
    store = Store(db)
    context = multiprocessing.get_context("fork")
    done = context.Queue()
    with store.write_lock():
        other = context.Process(target=_answer_once, args=(db, "event-1", done))
        other.start()
        wait_until(lambda: waiting_on_a_lock(other.pid), what="the other process to wait")
        assert done.empty(), "the other process wrote while this one held the lock"
    assert done.get(timeout=5) is True
    other.join(timeout=5)
    assert store.db.execute("select count(*) from events_seen").fetchone()[0] == 1


def test_a_base_compiled_by_an_older_version_is_rebuilt_with_the_new_fields(tmp_path):
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, KNOWLEDGE)
    with store.db.conn:  # as an older version left it: no column, another fingerprint
        store.db.execute("alter table entries drop column reprocess_waits_for")
        store.db.execute("update kb_meta set value = 'older' where key = 'fingerprint'")
    status = ensure_knowledge(Store(tmp_path / "kb.db"), KNOWLEDGE)
    assert status.rebuilt
    assert {e.id: e for e in status.entries}["token-expired"].reprocess_waits_for == "token"


def test_the_fingerprint_changes_with_any_added_edited_or_removed_file(knowledge_copy):
    knowledge = knowledge_copy
    first = fingerprint(knowledge)
    assert fingerprint(knowledge) == first and len(first) == 64
    path = knowledge / "sku-inactive.yml"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # saved again, same size
    touched = fingerprint(knowledge)
    assert touched != first
    shutil.copy(path, knowledge / "sku-inactive-copy.yml")
    added = fingerprint(knowledge)
    assert added not in (first, touched)
    (knowledge / "sku-inactive-copy.yml").unlink()
    assert fingerprint(knowledge) == touched
    (knowledge / "notes.txt").write_text("not a knowledge file")
    assert fingerprint(knowledge) == touched


def test_a_file_renamed_changes_the_fingerprint(knowledge_copy):
    before = fingerprint(knowledge_copy)
    (knowledge_copy / "sku-inactive.yml").rename(knowledge_copy / "sku-inactive-2.yml")
    assert fingerprint(knowledge_copy) != before


def test_a_second_worker_uses_the_base_the_first_built(tmp_path):
    first = ensure_knowledge(Store(tmp_path / "kb.db"), KNOWLEDGE)
    second = ensure_knowledge(Store(tmp_path / "kb.db"), KNOWLEDGE)
    assert (first.rebuilt, first.serving, first.problems) == (True, "fresh", [])
    assert (second.rebuilt, second.serving, second.problems) == (False, "fresh", [])
    assert second.entries == first.entries and len(second.entries) == 31
    assert second.fingerprint == first.fingerprint == fingerprint(KNOWLEDGE)
    assert Store(tmp_path / "kb.db").knowledge_fingerprint() == first.fingerprint


def test_a_worker_that_waited_while_another_built_does_not_build_again(tmp_path, monkeypatch):
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, KNOWLEDGE)
    # As seen by a worker that checked before the other's build and got the lock after.
    real, calls = store.knowledge_fingerprint, []

    def seen_before_and_after_the_lock() -> str | None:
        calls.append(1)
        return None if len(calls) == 1 else real()

    monkeypatch.setattr(store, "knowledge_fingerprint", seen_before_and_after_the_lock)
    built = []
    monkeypatch.setattr(store, "build_knowledge", lambda *a: built.append(a))
    assert ensure_knowledge(store, KNOWLEDGE).serving == "fresh"
    assert built == [] and len(calls) == 2


def test_a_forced_build_repairs_tampered_tables(tmp_path):
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, KNOWLEDGE)
    with store.db.conn:
        store.db.execute("delete from messages")
        store.db.execute("delete from entries")
    assert ensure_knowledge(store, KNOWLEDGE).entries == []  # unchanged files: not rebuilt
    repaired = ensure_knowledge(store, KNOWLEDGE, force=True)
    assert len(repaired.entries) == 31 and len(store.load_entries()) == 31


def test_a_forced_build_rebuilds_unchanged_files(tmp_path):
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, KNOWLEDGE)
    again = ensure_knowledge(store, KNOWLEDGE, force=True)
    assert again.rebuilt and again.serving == "fresh" and len(again.entries) == 31


def test_waiting_for_another_process_s_write_keeps_the_event_loop_running(tmp_path):
    """A worker waits for the other's write with its event loop free to answer Slack."""
    store = Store(tmp_path / "shared.db")
    other = open(f"{store.path}.lock", "a")  # another process's descriptor: its own lock  # noqa: SIM115
    fcntl.flock(other, fcntl.LOCK_EX)

    async def scenario() -> list[str]:
        seen: list[str] = []

        async def writer() -> None:
            await store.writable()
            seen.append("written")

        async def other_request() -> None:
            seen.append("acked")
            await asyncio.sleep(0.02)
            fcntl.flock(other, fcntl.LOCK_UN)  # the other process's write ends

        await asyncio.gather(writer(), other_request())
        return seen

    assert asyncio.run(scenario()) == ["acked", "written"]
    other.close()


def test_a_database_from_before_languages_gains_their_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "create table threads (channel text, thread_ts text, entry_id text, skus text, "
            "orders text, updated_at text, primary key (channel, thread_ts))"
        )
        conn.execute("insert into threads values ('C1', '1.0', 'sku-inactive', '[]', '[]', '')")
        conn.execute(
            "create table reprocess_requests (id integer primary key, entry_id text not null, "
            "target_kind text not null default 'sku', status text not null default 'open', "
            "requested_by text, channel text, thread_ts text, ops_channel text, ops_ts text, "
            "resolved_by text, reason text, webhook_status text, webhook_attempts integer "
            "default 0, last_error text, created_at text not null, updated_at text)"
        )
        conn.execute(
            "insert into reprocess_requests (id, entry_id, requested_by, created_at) "
            "values (1, 'sku-inactive', 'U1', '2026-01-01T00:00:00+00:00')"
        )
    store = Store(path)
    thread = thread_context(store, "C1", "1.0")
    assert (thread.entry_id, thread.lang) == ("sku-inactive", None)
    assert (get_request(store, 1).requested_by, get_request(store, 1).lang) == ("U1", None)
    # New answers and requests keep their language in the old file.
    record_answer(store, Match("sku-inactive", "", 100, {}), "mention", "C1", "2.0", "pt")
    assert thread_context(store, "C1", "2.0").lang == "pt"
    created = create_request(
        store, "sku-inactive", "sku", ["7"], "U2", "C1", "2.0", ops=False, webhook=False, lang="es"
    )
    assert get_request(store, created.request.id).lang == "es"

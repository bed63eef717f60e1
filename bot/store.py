"""The SQLite file: the compiled knowledge base (rebuildable) and the bot's state (never rebuilt)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import sqlite_utils

from bot.knowledge import (
    Entry,
    Link,
    Localized,
    Problem,
    Wording,
    knowledge_files,
    load_knowledge,
)
from bot.vocabulary import vocabulary_files

log = logging.getLogger(__name__)

KNOWLEDGE_TABLES = ("entries", "messages", "kb_meta")
# Part of the fingerprint: when the compiled form of an entry changes, every file is rebuilt.
KNOWLEDGE_FORMAT = "4"
FTS_COLUMNS = ["title", "messages_text", "meaning", "fix_text", "keywords_text", "id"]


# Errors of the statement, not of the file: they keep their own type.
_NOT_STORAGE = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)


class StorageError(sqlite3.OperationalError):
    """The SQLite file could not be written (disk full, read-only or immutable file, ...).

    An OperationalError, so code that already handles SQLite's own errors handles it too.
    """


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class KnowledgeStatus:
    """What `ensure_knowledge` did and what the bot now serves."""

    entries: list[Entry]
    problems: list[Problem]
    rebuilt: bool
    serving: str  # "fresh", "cached" (last good base kept), or "partial" (no good base yet)
    fingerprint: str = ""  # of the knowledge files this status was made from

    def summary(self) -> str:
        """What is served, in a few words for a start-up line: "31 knowledge entries"."""
        served = f"{len(self.entries)} knowledge entries"
        rejected = f"{len(self.problems)} knowledge files rejected, see the log"
        if self.serving == "cached":
            return f"{served} (the last good base: {rejected})"
        if self.problems:
            return f"{served} ({rejected})"
        return served


class Store:
    """One SQLite file; a connection per thread, WAL so readers never wait for the writer."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._shared = str(path) != ":memory:"
        if self._shared:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._thread_lock = threading.RLock()
        self._depth = 0  # write_lock nesting, changed only by the thread holding _thread_lock
        self._lock_file: TextIO | None = None
        self._lock_pid = 0
        with self.write_lock():
            # WAL is a property of the file: switched once, under the lock, because two
            # processes switching a new file at once get "database is locked".
            self.db.execute("PRAGMA journal_mode=WAL")
            self.ensure_state_tables()

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(str(self.path), timeout=10, check_same_thread=False)
            db = sqlite_utils.Database(conn)
            db.execute("PRAGMA busy_timeout=10000")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return db

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Be the only writer: against other threads, and other processes sharing the file.

        Every write transaction runs under it. SQLite alone would make a second writer
        (another gunicorn worker) sleep in its busy handler, 1, 2, 5, 10... ms at a time,
        and that sleep stops the worker's event loop; a lock waiter instead wakes the moment
        the writer is done. It also covers schema changes and knowledge rebuilds, where the
        busy timeout does not help two processes that each see a table missing.
        Reentrant within a thread.
        """
        with self._thread_lock:
            try:
                outermost = self._depth == 0 and self._shared
                lock_file = self._process_lock_file() if outermost else None
                if lock_file is not None:
                    fcntl.flock(lock_file, fcntl.LOCK_EX)
            except OSError as exc:
                raise StorageError(f"{self.path}.lock: {exc.strerror or exc}") from exc
            self._depth += 1
            try:
                yield
            except (sqlite3.Error, OSError) as exc:
                # One exception for "the write did not happen", whatever the cause below.
                if self._depth > 1 or isinstance(exc, (StorageError, *_NOT_STORAGE)):
                    raise
                raise StorageError(f"{self.path}: {exc}") from exc
            finally:
                self._depth -= 1
                if lock_file is not None:
                    fcntl.flock(lock_file, fcntl.LOCK_UN)

    async def writable(self, longest_wait: float = 0.005) -> None:
        """Return once no other process is writing, without stopping the event loop.

        `write_lock` waits for another worker's transaction in `flock`, which stops this
        worker's event loop for as long; on a busy machine the writer may be descheduled
        mid-transaction, and every request this worker holds waits with it. Awaited just
        before a write, this waits with the loop running instead: the write that follows
        (no await in between) then finds the lock free but for a rare race.
        """
        if not self._shared:
            return
        try:
            lock_file = self._process_lock_file()
        except OSError:
            return  # write_lock reports it
        delay = 0.0002
        while not self._free_now(lock_file):
            await asyncio.sleep(delay)
            delay = min(delay * 2, longest_wait)

    def _free_now(self, lock_file: TextIO) -> bool:
        """Whether nobody, in this process or another, is writing at this moment."""
        if not self._thread_lock.acquire(blocking=False):
            return False  # another thread of this process is writing
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError:
            return True  # write_lock reports it
        else:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
            return True
        finally:
            self._thread_lock.release()

    def _process_lock_file(self) -> TextIO:
        # Opened once per process: a descriptor inherited across fork would share its lock
        # with the parent, so a forked worker opens its own.
        if self._lock_file is None or self._lock_pid != os.getpid():
            self._lock_file = open(f"{self.path}.lock", "a")  # noqa: SIM115 - kept open
            self._lock_pid = os.getpid()
        return self._lock_file

    def check_writable(self) -> str | None:
        """None when a write goes through now; otherwise why not, in a few words."""
        try:
            with self.write_lock(), self.db.conn:
                self.db.execute(
                    "insert or replace into health (key, value) values ('write_probe', ?)",
                    [now_iso()],
                )
        except (StorageError, sqlite3.Error, OSError) as exc:
            return str(exc)
        return None

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None
        with self._thread_lock:
            if self._depth == 0 and self._lock_file is not None:
                self._lock_file.close()
                self._lock_file = None

    # -- knowledge -------------------------------------------------------------------

    def build_knowledge(self, entries: list[Entry], fingerprint: str = "") -> None:
        """Replace the knowledge tables in one transaction; the state tables are not touched."""
        rows = [_entry_row(e) for e in entries]
        messages = [
            {"entry_id": e.id, "lang": lang, "position": i, "message": m}
            for e in entries
            for i, (lang, m) in enumerate(e.all_messages())
        ]
        with self.write_lock():
            db = self.db
            with db.conn:
                for table in ("messages", "entries"):
                    if db[table].exists():
                        db[table].delete_where()
                db["entries"].insert_all(rows, pk="id", replace=True, alter=True)
                db["messages"].insert_all(
                    messages,
                    pk=("entry_id", "lang", "position"),
                    foreign_keys=[("entry_id", "entries")],
                )
                db["kb_meta"].upsert_all(
                    [
                        {"key": "fingerprint", "value": fingerprint},
                        {"key": "built_at", "value": now_iso()},
                        {"key": "entries", "value": str(len(rows))},
                    ],
                    pk="key",
                )
            if not db["entries_fts"].exists():
                db["entries"].enable_fts(FTS_COLUMNS, tokenize="unicode61 remove_diacritics 2")
            else:
                db["entries"].rebuild_fts()

    def knowledge_fingerprint(self) -> str | None:
        if not self.db["kb_meta"].exists():
            return None
        rows = list(self.db["kb_meta"].rows_where("key = ?", ["fingerprint"]))
        return rows[0]["value"] if rows else None

    def load_entries(self) -> list[Entry]:
        if not self.db["entries"].exists():
            return []
        return [_entry_from_row(row) for row in self.db["entries"].rows_where(order_by="id")]

    def search(self, query: str, limit: int = 10) -> list[Entry]:
        """Entries whose text matches the words, best first (SQLite FTS5, accents ignored)."""
        if not self.db["entries_fts"].exists():
            return []
        terms = [t for t in "".join(c if c.isalnum() else " " for c in query).split() if t]
        if not terms:
            return []
        # Every word as a prefix ("categ" finds "category"), any of them may match.
        fts_query = " OR ".join(f'"{t}"*' for t in terms)
        rows = self.db["entries"].search(fts_query, limit=limit, order_by="rank")
        return [_entry_from_row(row) for row in rows]

    # -- state -------------------------------------------------------------------------

    def ensure_state_tables(self) -> None:
        """Create the state tables if missing; knowledge rebuilds never drop these."""
        db = self.db
        with self.write_lock():
            self._ensure_request_tables()
            db["feedback"].create(
                {
                    "id": int,
                    "entry_id": str,
                    "user": str,
                    "helpful": int,
                    "channel": str,
                    "message_ts": str,
                    "created_at": str,
                },
                pk="id",
                if_not_exists=True,
            )
            db["threads"].create(
                {
                    "channel": str,
                    "thread_ts": str,
                    "entry_id": str,
                    "skus": str,
                    "orders": str,
                    "updated_at": str,
                    "lang": str,
                },
                pk=("channel", "thread_ts"),
                if_not_exists=True,
            )
            # The language the thread was answered in; a file from before it gets the column.
            if "lang" not in db["threads"].columns_dict:
                db["threads"].add_column("lang", str)
            db["events_seen"].create({"key": str, "seen_at": str}, pk="key", if_not_exists=True)
            # A row rewritten by every health check: proof that a write goes through.
            db["health"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
            db["match_log"].create(
                {
                    "id": int,
                    "entry_id": str,
                    "score": int,
                    "surface": str,
                    "channel": str,
                    "created_at": str,
                },
                pk="id",
                if_not_exists=True,
            )
            db["match_log"].create_index(["created_at"], if_not_exists=True)
            # Each person's language: the one they chose, and the locale Slack last gave.
            db["people"].create(
                {"user": str, "chosen": str, "locale": str, "locale_checked": float},
                pk="user",
                if_not_exists=True,
            )

    def _ensure_request_tables(self) -> None:
        """Requests, their targets and their outbox; a file from before targets is migrated."""
        db = self.db
        requests = db["reprocess_requests"]
        migrate = requests.exists() and "target" in requests.columns_dict
        with db.conn:  # one transaction: a crash mid-migration leaves the old schema whole
            db.execute("BEGIN IMMEDIATE")  # DDL too: sqlite3 opens none by itself before it
            if migrate:
                log.warning("migrating reprocessing requests to requests with targets")
                db.execute("ALTER TABLE reprocess_requests RENAME TO reprocess_requests_v1")
                db.execute("DROP INDEX IF EXISTS reprocess_one_open")
            db.execute(
                "CREATE TABLE IF NOT EXISTS reprocess_requests (id INTEGER PRIMARY KEY, "
                "entry_id TEXT NOT NULL, target_kind TEXT NOT NULL, "
                "status TEXT NOT NULL DEFAULT 'open', requested_by TEXT, channel TEXT, "
                "thread_ts TEXT, ops_channel TEXT, ops_ts TEXT, resolved_by TEXT, reason TEXT, "
                "webhook_status TEXT, webhook_attempts INTEGER DEFAULT 0, last_error TEXT, "
                "created_at TEXT NOT NULL, updated_at TEXT, lang TEXT)"
            )
            # The language of the person who asked (their thread hears of the outcome in it):
            # a file from before it gets the column, and its requests speak English.
            if "lang" not in db["reprocess_requests"].columns_dict:
                db["reprocess_requests"].add_column("lang", str)
            db.execute(
                "CREATE TABLE IF NOT EXISTS reprocess_targets (request_id INTEGER NOT NULL "
                "REFERENCES reprocess_requests(id), position INTEGER, entry_id TEXT NOT NULL, "
                "kind TEXT NOT NULL, target TEXT NOT NULL, status TEXT NOT NULL, "
                "resolved_by TEXT, reason TEXT, updated_at TEXT, "
                "PRIMARY KEY (request_id, target))"
            )
            # A target is in at most one open request of an error, however many clicks.
            db.execute(
                "CREATE UNIQUE INDEX IF NOT EXISTS reprocess_target_open "
                "ON reprocess_targets(entry_id, kind, target) WHERE status = 'open'"
            )
            db.execute(
                "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, "
                "request_id INTEGER NOT NULL REFERENCES reprocess_requests(id), "
                "kind TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
                "next_at REAL, created REAL, owner TEXT, last_error TEXT, updated_at TEXT)"
            )
            db.execute(
                "CREATE UNIQUE INDEX IF NOT EXISTS outbox_one_per_kind ON outbox(request_id, kind)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_at)")
            if migrate:
                _migrate_single_target_requests(db.conn)


def _migrate_single_target_requests(conn: sqlite3.Connection) -> None:
    """Before targets, each request row held one target. Each row keeps its id and becomes a
    request with that one target; what it still owed goes to the outbox: the ops post of an open
    request that never reached the ops channel, and a webhook delivery still pending."""
    now, stamp = time.time(), now_iso()
    conn.execute(
        "insert into reprocess_requests (id, entry_id, target_kind, status, requested_by, "
        "channel, thread_ts, ops_channel, ops_ts, resolved_by, webhook_status, webhook_attempts, "
        "last_error, created_at, updated_at) select id, entry_id, target_kind, status, "
        "requested_by, channel, thread_ts, ops_channel, ops_ts, resolved_by, webhook_status, "
        "webhook_attempts, last_error, created_at, updated_at from reprocess_requests_v1"
    )
    conn.execute(
        "insert into reprocess_targets (request_id, position, entry_id, kind, target, status, "
        "resolved_by, updated_at) select id, 0, entry_id, target_kind, target, status, "
        "resolved_by, coalesce(updated_at, created_at) from reprocess_requests_v1"
    )
    conn.execute(
        "insert into outbox (request_id, kind, status, attempts, next_at, created, updated_at) "
        "select id, 'ops', 'pending', 0, ?, ?, ? from reprocess_requests_v1 "
        "where status = 'open' and ops_ts is null",
        [now, now, stamp],
    )
    conn.execute(
        "insert into outbox (request_id, kind, status, attempts, next_at, created, last_error, "
        "updated_at) select id, 'webhook', 'pending', coalesce(webhook_attempts, 0), ?, ?, "
        "last_error, ? from reprocess_requests_v1 where webhook_status = 'pending'",
        [now, now, stamp],
    )
    conn.execute("DROP TABLE reprocess_requests_v1")


def _entry_row(entry: Entry) -> dict:
    return {
        "id": entry.id,
        "scope": entry.scope,
        "category": entry.category,
        "title": entry.title,
        "message": entry.message,
        "messages_json": json.dumps(entry.messages, ensure_ascii=False),
        "messages_text": "\n".join(m for _, m in entry.all_texts()),
        "translations_json": json.dumps(
            {lang: local.as_dict() for lang, local in entry.translations.items()},
            ensure_ascii=False,
        ),
        "wordings_json": json.dumps(
            [[w.lang, w.text, w.source] for w in entry.wordings], ensure_ascii=False
        ),
        "meaning": entry.meaning,
        "fix_json": json.dumps(entry.fix, ensure_ascii=False),
        "fix_text": "\n".join(entry.fix),
        "admin_path": entry.admin_path,
        "links_json": json.dumps([[link.title, link.url] for link in entry.links]),
        "reprocess_target": entry.reprocess_target,
        "reprocess_note": entry.reprocess_note,
        "reprocess_waits_for": entry.reprocess_waits_for,
        "keywords_text": " ".join(entry.keywords),
        "keywords_json": json.dumps(entry.keywords, ensure_ascii=False),
        "source": entry.source,
    }


def _entry_from_row(row: dict) -> Entry:
    return Entry(
        id=row["id"],
        scope=row["scope"],
        category=row["category"],
        title=row["title"],
        messages={k: tuple(v) for k, v in json.loads(row["messages_json"]).items()},
        meaning=row["meaning"],
        fix=tuple(json.loads(row["fix_json"])),
        admin_path=row["admin_path"],
        links=tuple(Link(t, u) for t, u in json.loads(row["links_json"])),
        reprocess_target=row["reprocess_target"],
        reprocess_note=row["reprocess_note"] or "",
        reprocess_waits_for=row.get("reprocess_waits_for") or "",
        keywords=tuple(json.loads(row["keywords_json"] or "[]")),
        source=row["source"] or "",
        wordings=tuple(Wording(*w) for w in json.loads(row.get("wordings_json") or "[]")),
        translations={
            lang: Localized.from_dict(data)
            for lang, data in json.loads(row.get("translations_json") or "{}").items()
        },
    )


def fingerprint(directory: Path) -> str:
    """Changes whenever a knowledge file is added, removed or edited (or the format changes)."""
    digest = hashlib.sha256(f"format {KNOWLEDGE_FORMAT}\n".encode())
    for path in [*knowledge_files(directory), *vocabulary_files(directory)]:
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_mtime_ns}:{stat.st_size}\n".encode())
    return digest.hexdigest()


def ensure_knowledge(store: Store, directory: Path, force: bool = False) -> KnowledgeStatus:
    """Rebuild the knowledge tables when the files changed, keeping the last good base on errors.

    A broken file never takes the bot down: its problems are logged and returned, and
    the base that was last built from valid files keeps serving.
    """
    current = fingerprint(directory) if directory.is_dir() else ""
    if not force and current and store.knowledge_fingerprint() == current:
        return KnowledgeStatus(store.load_entries(), [], False, "fresh", current)
    loaded = load_knowledge(directory)
    for problem in loaded.problems:
        log.error("knowledge file rejected: %s", problem)
    if loaded.ok:
        with store.write_lock():
            # Another worker may have built these very files while this one waited.
            if force or not current or store.knowledge_fingerprint() != current:
                store.build_knowledge(loaded.entries, current)
        return KnowledgeStatus(store.load_entries(), [], True, "fresh", current)
    cached = store.load_entries()
    if cached:
        log.error("keeping the last good knowledge base (%d entries)", len(cached))
        return KnowledgeStatus(cached, loaded.problems, False, "cached", current)
    # Nothing good was ever built: serve the valid files rather than nothing.
    return KnowledgeStatus(loaded.entries, loaded.problems, False, "partial", current)

"""The SQLite file: the compiled knowledge base (rebuildable) and the bot's state (never rebuilt)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import sqlite_utils

from bot.knowledge import Entry, Link, Problem, Wording, knowledge_files, load_knowledge
from bot.vocabulary import vocabulary_files

log = logging.getLogger(__name__)

KNOWLEDGE_TABLES = ("entries", "messages", "kb_meta")
FTS_COLUMNS = ["title", "messages_text", "meaning", "fix_text", "keywords_text", "id"]


# Errors of the statement, not of the file: they keep their own type.
_NOT_STORAGE = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)


class StorageError(Exception):
    """The SQLite file could not be written (disk full, read-only or immutable file, ...)."""


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
            db["reprocess_requests"].create(
                {
                    "id": int,
                    "entry_id": str,
                    "target_kind": str,
                    "target": str,
                    "status": str,
                    "requested_by": str,
                    "channel": str,
                    "thread_ts": str,
                    "ops_channel": str,
                    "ops_ts": str,
                    "resolved_by": str,
                    "webhook_status": str,
                    "webhook_attempts": int,
                    "webhook_next_at": str,
                    "last_error": str,
                    "created_at": str,
                    "updated_at": str,
                },
                pk="id",
                not_null={"entry_id", "target_kind", "target", "status", "created_at"},
                defaults={"status": "open", "webhook_attempts": 0},
                if_not_exists=True,
            )
            # One open request per error and target, however many clicks.
            db.execute(
                "CREATE UNIQUE INDEX IF NOT EXISTS reprocess_one_open "
                "ON reprocess_requests(entry_id, target_kind, target) WHERE status = 'open'"
            )
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
                },
                pk=("channel", "thread_ts"),
                if_not_exists=True,
            )
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


def _entry_row(entry: Entry) -> dict:
    return {
        "id": entry.id,
        "scope": entry.scope,
        "category": entry.category,
        "title": entry.title,
        "message": entry.message,
        "messages_json": json.dumps(entry.messages, ensure_ascii=False),
        "messages_text": "\n".join(m for _, m in entry.all_texts()),
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
        keywords=tuple(json.loads(row["keywords_json"] or "[]")),
        source=row["source"] or "",
        wordings=tuple(Wording(*w) for w in json.loads(row.get("wordings_json") or "[]")),
    )


# Bumped when the rows built from the files change shape: a new version rebuilds them.
KNOWLEDGE_FORMAT = "2"


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

"""Reprocessing requests: one open request per error and target, kept in SQLite."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, fields

from bot.store import Store, now_iso

TARGET_LABELS = {"sku": "SKU", "order": "order"}
_SKU_ID = re.compile(r"^\d{1,12}$")
_ORDER_ID = re.compile(r"^(?:\d{13}-\d{2}|\d{3}-\d{7}-\d{7}|[A-Za-z0-9][A-Za-z0-9-]{3,40})$")


@dataclass(frozen=True)
class ReprocessRequest:
    """A request that the ops team reprocess one SKU or order after a fix."""

    id: int
    entry_id: str
    target_kind: str
    target: str
    status: str
    requested_by: str
    channel: str = ""
    thread_ts: str = ""
    ops_channel: str | None = None
    ops_ts: str | None = None
    resolved_by: str | None = None
    webhook_status: str | None = None
    webhook_attempts: int = 0
    webhook_next_at: str | None = None
    last_error: str | None = None
    created_at: str = ""
    updated_at: str = ""

    @property
    def label(self) -> str:
        """`SKU 1234` or `order 1391560531867-01`."""
        return f"{TARGET_LABELS.get(self.target_kind, self.target_kind)} {self.target}"

    @classmethod
    def from_row(cls, row: dict) -> ReprocessRequest:
        return cls(**{k: v for k, v in row.items() if k in _COLUMNS})


# Every column of reprocess_requests. The per-click path below is plain SQL: sqlite-utils'
# Table.insert/update/rows_where read the schema on every call, which cost more than the
# writes. Column names in the SQL come only from this set, never from input.
_COLUMNS = frozenset(f.name for f in fields(ReprocessRequest))


def validate_target(kind: str, value: str) -> str:
    """The cleaned id, or ValueError with a sentence for the person who typed it."""
    value = (value or "").strip().strip("#")
    if kind == "sku":
        if not _SKU_ID.match(value):
            raise ValueError("A SKU id is the number VTEX shows for the SKU, like 1234.")
        return value
    if kind == "order":
        if not _ORDER_ID.match(value):
            raise ValueError("An order id looks like 1391560531867-01 or 702-1234567-1234567.")
        return value
    raise ValueError(f"nothing to reprocess for a {kind!r} target")


def _first(store: Store, where: str, params: list) -> ReprocessRequest | None:
    rows = store.db.query(f"select * from reprocess_requests where {where} limit 1", params)
    row = next(rows, None)
    return ReprocessRequest.from_row(row) if row else None


def get_request(store: Store, request_id: int) -> ReprocessRequest | None:
    return _first(store, "id = ?", [request_id])


def find_open(store: Store, entry_id: str, kind: str, target: str) -> ReprocessRequest | None:
    return _first(
        store,
        "entry_id = ? and target_kind = ? and target = ? and status = 'open'",
        [entry_id, kind, target],
    )


def request_reprocessing(
    store: Store,
    entry_id: str,
    kind: str,
    target: str,
    user: str,
    channel: str,
    thread_ts: str,
    webhook: bool = False,
) -> tuple[ReprocessRequest, bool]:
    """Record a request (committed before anyone is told); `False` when one was already open."""
    target = validate_target(kind, target)
    stamp = now_iso()
    row = {
        "entry_id": entry_id,
        "target_kind": kind,
        "target": target,
        "status": "open",
        "requested_by": user,
        "channel": channel,
        "thread_ts": thread_ts,
        "webhook_status": "pending" if webhook else None,
        "webhook_attempts": 0,
        "webhook_next_at": stamp if webhook else None,
        "created_at": stamp,
        "updated_at": stamp,
    }
    with store.write_lock():
        try:
            with store.db.conn:
                cursor = store.db.execute(
                    f"insert into reprocess_requests ({', '.join(row)}) "
                    f"values ({', '.join('?' for _ in row)})",
                    list(row.values()),
                )
            request_id = cursor.lastrowid
        except sqlite3.IntegrityError:
            # Two clicks, or two people: the unique index keeps one open request.
            existing = find_open(store, entry_id, kind, target)
            if existing is None:
                raise
            return existing, False
    return get_request(store, request_id), True


def update_request(store: Store, request_id: int, **changes: object) -> ReprocessRequest | None:
    changes = {**changes, "updated_at": now_iso()}
    refused = set(changes) - (_COLUMNS - {"id"})
    if refused:
        raise ValueError(f"not a column to update: {', '.join(sorted(refused))}")
    with store.write_lock(), store.db.conn:
        store.db.execute(
            f"update reprocess_requests set {', '.join(f'{k} = ?' for k in changes)} where id = ?",
            [*changes.values(), request_id],
        )
    return get_request(store, request_id)


def resolve(store: Store, request_id: int, status: str, user: str) -> ReprocessRequest | None:
    """Mark an open request done or failed; None when it was not open (already resolved)."""
    if status not in ("done", "failed"):
        raise ValueError(f"unknown status {status!r}")
    with store.write_lock(), store.db.conn:
        cursor = store.db.execute(
            "update reprocess_requests set status = ?, resolved_by = ?, updated_at = ? "
            "where id = ? and status = 'open'",
            [status, user, now_iso(), request_id],
        )
    return get_request(store, request_id) if cursor.rowcount == 1 else None


def open_requests(store: Store, limit: int = 20) -> list[ReprocessRequest]:
    rows = store.db["reprocess_requests"].rows_where(
        "status = 'open'", order_by="id desc", limit=limit
    )
    return [ReprocessRequest.from_row(r) for r in rows]

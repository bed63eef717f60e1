"""Reprocessing requests and their targets: which ids are real, one open request per target."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields

from bot.normalize import ORDER_ID_SHAPE
from bot.outbox import Item, enqueue
from bot.store import Store, now_iso

# One request lists at most this many targets, whatever made it (button, modal, thread words):
# the ops message shows each with its own actions, and Slack allows 50 blocks a message.
MAX_TARGETS = 20
TARGET_KINDS = ("sku", "order")

# VTEX SKU ids are positive integers written without a leading zero (VTEX help center,
# "How to find an SKU ID"); orders are VTEX's `1391560531867-01` or Amazon's `702-1234567-1234567`.
_SKU_ID = re.compile(r"^[1-9]\d{0,11}$")
_ORDER_ID = re.compile(rf"^(?:{ORDER_ID_SHAPE})$")
_EDGES = ".,;:!?()[]{}<>\"'`*_~#"
# "reprocess the 3 skus", "again in 2 hours": a number before these words counts things or
# time, it names nothing.
_COUNTED = re.compile(
    r"^(?:skus|items|itens|itemes|produtos|productos|products|orders|pedidos|ordenes|órdenes"
    r"|h|min|mins|minutes|minutos|hours|horas|days|dias|días|times|vezes|veces)$",
    re.IGNORECASE,
)


def is_target(kind: str, value: str) -> bool:
    """True when `value` is an id of that kind as VTEX or Amazon writes it."""
    pattern = {"sku": _SKU_ID, "order": _ORDER_ID}.get(kind)
    return bool(pattern and pattern.match(value))


@dataclass(frozen=True)
class Extracted:
    """The ids of one kind found in some text, and the id-like words that are not ids."""

    valid: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()


def extract_targets(text: str, kind: str) -> Extracted:
    """Every id of `kind` in free text (thread words, a modal field), in order, once each.

    A word counts as an attempt at an id when it holds a digit; words like "please" or
    "agora" never do. Times, decimals, links and percentages ("10:30", "2.5", "50%") are
    not ids, and neither is a number that counts things ("3 skus").
    """
    valid: list[str] = []
    invalid: list[str] = []
    words = (text or "").split()
    for i, raw in enumerate(words):
        word = raw.strip(_EDGES)
        if not any(c.isdigit() for c in word) or any(c in word for c in ":/%.,"):
            continue
        following = words[i + 1].strip(_EDGES) if i + 1 < len(words) else ""
        if word.isdigit() and _COUNTED.match(following):
            continue
        bucket = valid if is_target(kind, word) else invalid
        if word not in bucket:
            bucket.append(word)
    return Extracted(tuple(valid), tuple(invalid))


def valid_targets(kind: str, values: Iterable[object]) -> tuple[str, ...]:
    """The values that are ids of `kind`, in order, once each (button values, thread memory)."""
    seen: dict[str, None] = {}
    for value in values:
        if isinstance(value, str) and is_target(kind, value.strip()):
            seen.setdefault(value.strip(), None)
    return tuple(seen)


def targets_from_value(value: Mapping[str, object], kind: str) -> tuple[str, ...]:
    """The targets a card's button names: its SKU list (or SKU), or its order."""
    if kind == "sku":
        listed = value.get("skus")
        candidates = listed if isinstance(listed, list) else [value.get("sku")]
    else:
        candidates = [value.get("order")]
    return valid_targets(kind, candidates)


@dataclass(frozen=True)
class Target:
    """One SKU or order of a request, with its own outcome."""

    target: str
    status: str = "open"  # open | done | failed
    resolved_by: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ReprocessRequest:
    """A request that the ops team reprocess some SKUs or orders of one error, after a fix."""

    id: int
    entry_id: str
    target_kind: str
    status: str  # open | done | failed | partial (some done, some failed)
    requested_by: str
    channel: str = ""
    thread_ts: str = ""
    ops_channel: str | None = None
    ops_ts: str | None = None
    resolved_by: str | None = None
    reason: str | None = None
    webhook_status: str | None = None  # pending | sent | failed
    webhook_attempts: int = 0
    last_error: str | None = None
    created_at: str = ""
    updated_at: str = ""
    lang: str | None = None  # of the person who asked; None when asked before it was stored
    targets: tuple[Target, ...] = field(default=(), compare=False)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.target for t in self.targets)

    def count(self, status: str) -> int:
        return sum(1 for t in self.targets if t.status == status)

    @classmethod
    def from_row(cls, row: Mapping, targets: Sequence[Target] = ()) -> ReprocessRequest:
        return cls(**{k: v for k, v in row.items() if k in _COLUMNS}, targets=tuple(targets))


# Columns of reprocess_requests. The click path is plain SQL: sqlite-utils' Table methods read
# the schema on every call, which cost more than the writes. Names in SQL come only from here.
_COLUMNS = frozenset(f.name for f in fields(ReprocessRequest)) - {"targets"}


@dataclass(frozen=True)
class Created:
    """What a click asked for: the new request (None if nothing was new), and the targets
    that were left out because an open request already has them (target -> request id)."""

    request: ReprocessRequest | None
    already_open: dict[str, int] = field(default_factory=dict)
    claimed: tuple[Item, ...] = ()  # what the caller is to send now (see `claim`)


def open_requests_for(store: Store, entry_id: str, kind: str, targets: Iterable[str]) -> dict:
    """target -> id of the open request that already holds it, for those that one does."""
    wanted = list(dict.fromkeys(targets))
    if not wanted:
        return {}
    rows = store.db.execute(
        "select target, request_id from reprocess_targets where entry_id = ? and kind = ? "
        f"and status = 'open' and target in ({', '.join('?' for _ in wanted)})",
        [entry_id, kind, *wanted],
    ).fetchall()
    return dict(rows)


def create_request(
    store: Store,
    entry_id: str,
    kind: str,
    targets: Sequence[str],
    user: str,
    channel: str,
    thread_ts: str,
    *,
    ops: bool,
    webhook: bool,
    claim: Iterable[str] = (),
    lang: str = "en",
) -> Created:
    """One request for every target not already in an open one, with what must still be sent
    (the ops post, the webhook delivery) in the same transaction: stored means sent, eventually.

    The outbox kinds in `claim` are leased to this process, to be sent at once (returned in
    `claimed`). `lang` is the language of the person asking, for what they hear later.
    Raises ValueError for a target that is not an id of `kind`, or more than
    MAX_TARGETS.
    """
    if kind not in TARGET_KINDS:
        raise ValueError(f"nothing to reprocess for a {kind!r} target")
    targets = list(dict.fromkeys(t.strip() for t in targets))
    bad = [t for t in targets if not is_target(kind, t)]
    if bad or not targets or len(targets) > MAX_TARGETS:
        raise ValueError(f"not a list of 1 to {MAX_TARGETS} {kind} ids: {bad or len(targets)}")
    stamp = now_iso()
    # Under the write lock no other process writes, so what is open now stays so until commit.
    with store.write_lock():
        already = open_requests_for(store, entry_id, kind, targets)
        new = [t for t in targets if t not in already]
        if not new:
            return Created(None, already)
        with store.db.conn as conn:
            cursor = conn.execute(
                "insert into reprocess_requests (entry_id, target_kind, status, requested_by, "
                "channel, thread_ts, webhook_status, webhook_attempts, created_at, updated_at, "
                "lang) values (?, ?, 'open', ?, ?, ?, ?, 0, ?, ?, ?)",
                [entry_id, kind, user, channel, thread_ts, "pending" if webhook else None]
                + [stamp, stamp, lang],
            )
            request_id = cursor.lastrowid
            conn.executemany(
                "insert into reprocess_targets (request_id, position, entry_id, kind, target, "
                "status, updated_at) values (?, ?, ?, ?, ?, 'open', ?)",
                [(request_id, i, entry_id, kind, t, stamp) for i, t in enumerate(new)],
            )
            claimed = []
            for wanted, what in ((ops, "ops"), (webhook, "webhook")):
                if wanted:
                    item = enqueue(conn, request_id, what, stamp, claim=what in claim)
                    claimed += [item] if item else []
    return Created(get_request(store, request_id), already, tuple(claimed))


def get_request(store: Store, request_id: int) -> ReprocessRequest | None:
    row = next(store.db.query("select * from reprocess_requests where id = ?", [request_id]), None)
    if row is None:
        return None
    return ReprocessRequest.from_row(row, _targets_of(store, [request_id]).get(request_id, ()))


def _targets_of(store: Store, request_ids: Sequence[int]) -> dict[int, list[Target]]:
    found: dict[int, list[Target]] = {}
    if not request_ids:
        return found
    rows = store.db.execute(
        "select request_id, target, status, resolved_by, reason from reprocess_targets "
        f"where request_id in ({', '.join('?' for _ in request_ids)}) "
        "order by request_id, position",
        list(request_ids),
    )
    for request_id, *values in rows:
        found.setdefault(request_id, []).append(Target(*values))
    return found


def _requests(store: Store, where: str, params: list, limit: int) -> list[ReprocessRequest]:
    rows = list(
        store.db.query(
            f"select * from reprocess_requests where {where} order by id desc limit ?",
            [*params, limit],
        )
    )
    targets = _targets_of(store, [r["id"] for r in rows])
    return [ReprocessRequest.from_row(r, targets.get(r["id"], ())) for r in rows]


# What `/amzerror requests` lists: still open, or something that never reached its receiver.
_ATTENTION = (
    "status = 'open' or webhook_status = 'failed' "
    "or id in (select request_id from outbox where status = 'failed')"
)


def requests_to_list(store: Store, limit: int = 20) -> tuple[list[ReprocessRequest], int]:
    """The newest requests that need someone (open, or undelivered), and how many there are."""
    total = store.db.execute(f"select count(*) from reprocess_requests where {_ATTENTION}")
    return _requests(store, _ATTENTION, [], limit), total.fetchone()[0]


def update_request(store: Store, request_id: int, **changes: object) -> None:
    with store.write_lock(), store.db.conn as conn:
        set_columns(conn, request_id, **changes)


def set_columns(conn: sqlite3.Connection, request_id: int, **changes: object) -> None:
    """Change a request's columns inside the caller's transaction."""
    changes = {**changes, "updated_at": now_iso()}
    refused = set(changes) - (_COLUMNS - {"id"})
    if refused:
        raise ValueError(f"not a column to update: {', '.join(sorted(refused))}")
    conn.execute(
        f"update reprocess_requests set {', '.join(f'{k} = ?' for k in changes)} where id = ?",
        [*changes.values(), request_id],
    )


def resolve(
    store: Store,
    request_id: int,
    status: str,
    user: str,
    target: str | None = None,
    reason: str = "",
) -> ReprocessRequest | None:
    """Mark the open targets (or one of them) done or failed; None when none was open.

    The request is done or failed once every target is, "partial" when they differ.
    """
    if status not in ("done", "failed"):
        raise ValueError(f"unknown status {status!r}")
    stamp = now_iso()
    reason = reason.strip()[:1000] or None
    with store.write_lock(), store.db.conn as conn:
        which = "" if target is None else " and target = ?"
        cursor = conn.execute(
            "update reprocess_targets set status = ?, resolved_by = ?, reason = ?, updated_at = ? "
            f"where request_id = ? and status = 'open'{which}",
            [status, user, reason, stamp, request_id, *([target] if target else [])],
        )
        if cursor.rowcount == 0:
            return None
        counts = dict(
            conn.execute(
                "select status, count(*) from reprocess_targets where request_id = ? "
                "group by status",
                [request_id],
            ).fetchall()
        )
        if not counts.get("open"):
            overall = "partial" if counts.get("done") and counts.get("failed") else status
            conn.execute(
                "update reprocess_requests set status = ?, resolved_by = ?, reason = ?, "
                "updated_at = ? where id = ?",
                [overall, user, reason, stamp, request_id],
            )
    return get_request(store, request_id)


def is_request_id(value: object) -> bool:
    """A request id as a button or a modal carries it back: a positive integer.

    JSON's `true` is an int to Python; a forged `{"request": true}` must not mean #1.
    """
    return isinstance(value, int) and not isinstance(value, bool) and value > 0

"""Requests and their targets: only real ids, one open request per target, outcomes per target,
and databases from before targets migrated without losing or re-sending anything."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.reprocess import (
    MAX_TARGETS,
    create_request,
    extract_targets,
    get_request,
    is_target,
    requests_to_list,
    resolve,
    targets_from_value,
    update_request,
)
from bot.store import Store


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "r.db")


def new(store, targets, entry="sku-inactive", kind="sku", user="U1", **kw):
    kw = {"ops": True, "webhook": True, **kw}
    return create_request(store, entry, kind, targets, user, "C1", "1.0", **kw)


# -- which ids are real -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "5556", "999999999999"])
def test_a_sku_id_is_a_number_without_a_leading_zero(value):
    assert is_target("sku", value)


@pytest.mark.parametrize(
    "value", ["0", "0123", "1234567890123", "12a", "please", "", "-5", "1391560531867-01"]
)
def test_anything_else_is_not_a_sku_id(value):
    assert not is_target("sku", value)


@pytest.mark.parametrize("value", ["1391560531867-01", "702-1234567-1234567"])
def test_an_order_id_has_the_shape_vtex_or_amazon_gives_it(value):
    assert is_target("order", value)


@pytest.mark.parametrize(
    "value",
    ["please", "again", "this", "agora", "ahora", "1391560531867", "702-123-1234567", "5556"],
)
def test_words_and_other_numbers_are_not_order_ids(value):
    assert not is_target("order", value)


@pytest.mark.parametrize(
    ("text", "kind", "valid", "invalid"),
    [
        ("pode reprocessar o sku 5556 por favor?", "sku", ("5556",), ()),
        ("reprocess 5555, 5556 and #5557.", "sku", ("5555", "5556", "5557"), ()),
        ("reprocess please", "order", (), ()),
        ("reprocessar agora", "order", (), ()),
        ("reprocesen la orden 702-1234567-1234567", "order", ("702-1234567-1234567",), ()),
        ("reprocess the 3 skus at 10:30, 50% done", "sku", (), ()),
        ("reprocess 5556 again in 2 hours", "sku", ("5556",), ()),
        ("reprocess 0123 and abc1", "sku", (), ("0123", "abc1")),
        ("reprocess 5556 please", "order", (), ("5556",)),
        ("can you reprocess these 2 skus?", "sku", (), ()),
        ("reprocess the 2 skus 5556 and 5557", "sku", ("5556", "5557"), ()),
        ("reprocess 5556 and X5557", "sku", ("5556",), ("X5557",)),
    ],
)
def test_ids_are_read_from_plain_words(text, kind, valid, invalid):
    found = extract_targets(text, kind)
    assert (found.valid, found.invalid) == (valid, invalid)


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=200))
def test_text_without_digits_never_names_a_target(text):
    assert extract_targets(text, "sku").valid == () == extract_targets(text, "order").valid


def test_a_button_value_gives_only_its_real_ids():
    value = {"e": "x", "sku": "please", "skus": ["1202", "agora", "0042", "3001"]}
    assert targets_from_value(value, "sku") == ("1202", "3001")
    assert targets_from_value({"e": "x", "order": "again"}, "order") == ()


def test_a_button_for_one_sku_or_one_order_gives_that_id():
    assert targets_from_value({"e": "x", "sku": "1202"}, "sku") == ("1202",)
    order = {"e": "x", "order": "702-1234567-1234567"}
    assert targets_from_value(order, "order") == ("702-1234567-1234567",)


# -- one request per paste, one open request per target -----------------------------------------


def test_one_request_holds_every_target(store):
    created = new(store, ["1202", "3001", "3002"])
    request = created.request
    assert request.ids == ("1202", "3001", "3002") and request.status == "open"
    assert created.already_open == {}
    assert get_request(store, request.id) == request


def test_a_target_already_open_is_named_and_left_out(store):
    first = new(store, ["1", "2"]).request
    second = new(store, ["2", "3"], user="U2")
    assert second.already_open == {"2": first.id}
    assert second.request.ids == ("3",)
    nothing = new(store, ["1", "3"])
    assert nothing.request is None and nothing.already_open == {
        "1": first.id,
        "3": second.request.id,
    }
    # Another error may ask for the same SKU: it is a different fix.
    assert new(store, ["1"], entry="color-missing").request is not None


def test_a_request_is_bounded_and_holds_only_real_ids(store):
    with pytest.raises(ValueError, match=f"1 to {MAX_TARGETS} sku ids: {MAX_TARGETS + 1}$"):
        new(store, [str(i) for i in range(1, MAX_TARGETS + 2)])
    with pytest.raises(ValueError, match=r"order ids: \['please'\]$"):
        new(store, ["please"], kind="order")
    with pytest.raises(ValueError, match="nothing to reprocess for a 'color' target"):
        new(store, ["1"], kind="color")
    assert store.db.execute("select count(*) from reprocess_requests").fetchone() == (0,)


def test_a_request_may_hold_exactly_the_most_targets_allowed(store):
    targets = [str(i) for i in range(1, MAX_TARGETS + 1)]
    assert new(store, targets).request.ids == tuple(targets)


def test_a_request_shows_its_webhook_pending_only_when_there_is_one_to_deliver(store):
    assert new(store, ["1"], webhook=True).request.webhook_status == "pending"
    assert new(store, ["2"], webhook=False).request.webhook_status is None


def test_what_must_still_be_sent_is_stored_with_the_request(store):
    request = new(store, ["1"]).request
    rows = store.db.execute(
        "select kind, status from outbox where request_id = ? order by kind", [request.id]
    ).fetchall()
    assert rows == [("ops", "pending"), ("webhook", "pending")]
    stamps = store.db.execute("select distinct updated_at from outbox").fetchall()
    assert stamps == [(request.created_at,)]  # stored in the same moment as the request
    bare = new(store, ["2"], ops=False, webhook=False).request
    assert store.db.execute(
        "select count(*) from outbox where request_id = ?", [bare.id]
    ).fetchone() == (0,)


# -- outcomes -------------------------------------------------------------------------------------


def test_targets_resolve_one_by_one_and_a_mixed_end_is_partial(store):
    request = new(store, ["1", "2", "3"]).request
    assert resolve(store, request.id, "done", "UOPS", target="1").status == "open"
    assert resolve(store, request.id, "done", "UOPS", target="1") is None  # not open any more
    final = resolve(store, request.id, "failed", "UOPS", reason="still inactive")
    assert [(t.target, t.status) for t in final.targets] == [
        ("1", "done"),
        ("2", "failed"),
        ("3", "failed"),
    ]
    assert final.status == "partial" and final.reason == "still inactive"
    assert (final.count("done"), final.count("failed"), final.count("open")) == (1, 2, 0)
    assert resolve(store, request.id, "done", "UOPS") is None
    # Resolved targets may be requested again.
    assert new(store, ["2"]).request is not None


@pytest.mark.parametrize(("outcome", "reason"), [("done", ""), ("failed", "still inactive")])
def test_a_request_whose_targets_all_end_alike_ends_that_way(store, outcome, reason):
    request = new(store, ["1", "2"]).request
    first = resolve(store, request.id, outcome, "UOPS", target="2", reason=reason)
    assert first.status == "open"
    final = resolve(store, request.id, outcome, "UOPS", reason=reason)
    assert (final.status, final.resolved_by, final.reason) == (outcome, "UOPS", reason or None)
    assert [t.status for t in final.targets] == [outcome, outcome]
    assert final.updated_at >= request.created_at  # when it ended is recorded


def test_marking_done_without_a_reason_records_none(store):
    request = new(store, ["1"]).request
    final = resolve(store, request.id, "done", "UOPS")
    assert final.reason is None and final.targets[0].reason is None


def test_a_long_reason_is_kept_to_its_first_thousand_characters(store):
    request = new(store, ["1"]).request
    final = resolve(store, request.id, "failed", "UOPS", reason="  " + "why " * 600)
    assert final.reason == ("why " * 600)[:1000] and len(final.reason) == 1000


def test_an_outcome_is_done_or_failed_and_nothing_else(store):
    request = new(store, ["1"]).request
    with pytest.raises(ValueError, match="unknown status 'maybe'"):
        resolve(store, request.id, "maybe", "UOPS")
    assert get_request(store, request.id).targets[0].status == "open"


def test_a_request_that_does_not_exist_is_not_found_and_cannot_be_marked(store):
    assert get_request(store, 999) is None
    assert resolve(store, 999, "done", "UOPS") is None


def test_only_the_columns_of_a_request_may_be_changed_and_never_its_id(store):
    request = new(store, ["1"]).request
    with pytest.raises(ValueError, match="^not a column to update: id$"):
        update_request(store, request.id, id=99)
    with pytest.raises(ValueError, match="^not a column to update: status = 'done' --, x$"):
        update_request(store, request.id, **{"status = 'done' --": 1, "x": 2})
    unchanged = get_request(store, request.id)
    assert (unchanged.id, unchanged.status) == (request.id, "open")
    update_request(store, request.id, ops_channel="COPS", ops_ts="9.9")
    changed = get_request(store, request.id)
    assert (changed.ops_channel, changed.ops_ts) == ("COPS", "9.9")


def test_the_list_counts_everything_that_needs_someone(store):
    for i in range(25):
        new(store, [str(100 + i)])
    listed, total = requests_to_list(store)  # as /amzerror requests asks
    assert total == 25 and len(listed) == 20
    assert listed[0].ids == ("124",)  # newest first


# -- migration ------------------------------------------------------------------------------------

OLD_SCHEMA = """
create table reprocess_requests (id integer primary key, entry_id text not null,
  target_kind text not null, target text not null, status text not null default 'open',
  requested_by text, channel text, thread_ts text, ops_channel text, ops_ts text,
  resolved_by text, webhook_status text, webhook_attempts integer default 0,
  webhook_next_at text, last_error text, created_at text not null, updated_at text);
create unique index reprocess_one_open on reprocess_requests(entry_id, target_kind, target)
  where status = 'open';
insert into reprocess_requests (id, entry_id, target_kind, target, status, requested_by,
  ops_ts, resolved_by, webhook_status, webhook_attempts, created_at) values
  (1, 'sku-inactive', 'sku', '1202', 'done', 'U1', '1.1', 'UOPS', 'sent', 1, '2026-01-01T00:00:00+00:00'),
  (2, 'sku-inactive', 'sku', '3001', 'open', 'U1', null, null, 'pending', 3, '2026-01-01T00:00:00+00:00'),
  (3, 'order-no-sla', 'order', '1391560531867-01', 'open', 'U2', '1.2', null, null, 0, '2026-01-01T00:00:00+00:00');
"""


def test_a_database_with_one_target_per_row_is_migrated_in_place(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
    store = Store(path)
    done, open_unposted, open_posted = (get_request(store, i) for i in (1, 2, 3))
    assert (done.ids, done.status, done.targets[0].resolved_by) == (("1202",), "done", "UOPS")
    assert open_unposted.ids == ("3001",) and open_posted.target_kind == "order"
    owed = store.db.execute(
        "select request_id, kind, attempts from outbox order by request_id, kind"
    )
    # The request that never reached ops is posted now; its pending delivery keeps its count.
    assert owed.fetchall() == [(2, "ops", 0), (2, "webhook", 3)]
    assert new(store, ["3001"]).already_open == {"3001": 2}  # still one open request per target
    assert new(store, ["4000"]).request.id == 4  # ids go on from where they were
    Store(path)  # opening it again changes nothing
    assert store.db.execute("select count(*) from reprocess_targets").fetchone() == (4,)


def test_a_request_keeps_the_language_of_the_person_who_asked(store):
    assert get_request(store, new(store, ["1202"], lang="pt").request.id).lang == "pt"
    assert get_request(store, new(store, ["1203"]).request.id).lang == "en"


def test_a_database_from_before_languages_gets_the_column_and_keeps_its_requests(tmp_path):
    path = tmp_path / "before-languages.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:  # the file as the previous version left it
        conn.execute("ALTER TABLE reprocess_requests DROP COLUMN lang")
        conn.execute("ALTER TABLE threads DROP COLUMN lang")
        conn.execute(
            "insert into reprocess_requests (entry_id, target_kind, status, requested_by, "
            "created_at) values ('sku-inactive', 'sku', 'open', 'U1', '2026-01-01T00:00:00+00:00')"
        )
    store = Store(path)
    assert get_request(store, 1).lang is None  # spoken to in English, as before
    assert get_request(store, new(store, ["1202"], lang="es").request.id).lang == "es"
    Store(path)  # opening it again changes nothing


def test_only_positive_integers_are_request_ids():
    from bot.reprocess import is_request_id

    assert is_request_id(7) and is_request_id(1)
    assert not any(is_request_id(v) for v in (True, False, 0, -1, "7", 7.0, None))

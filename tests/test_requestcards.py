"""The workflow's messages are valid Block Kit, tell the whole story, and name the real ids."""

from __future__ import annotations

import json

import pytest
from slack_sdk.models.views import View

from bot.cards import validate_blocks
from bot.reprocess import MAX_TARGETS, ReprocessRequest, Target
from bot.requestcards import RequestCards, thread_link
from bot.terminal import render_card


@pytest.fixture(scope="module")
def cards(renderer) -> RequestCards:
    return RequestCards(renderer)


def request(kind="sku", targets=("1202",), status="open", **extra) -> ReprocessRequest:
    return ReprocessRequest(
        id=7,
        entry_id="sku-inactive" if kind == "sku" else "order-no-sla",
        target_kind=kind,
        status=status,
        requested_by="U1",
        channel="CGENERAL",
        thread_ts="1700000000.000100",
        created_at="2026-11-25T14:00:00+00:00",
        targets=tuple(t if isinstance(t, Target) else Target(t) for t in targets),
        **extra,
    )


def test_the_ops_message_carries_thread_entry_precondition_targets_and_requester(cards, by_id):
    card = cards.ops_message(request(targets=("1202", "3001")), by_id["token-expired"])
    validate_blocks(card.blocks)
    text = json.dumps(card.blocks)
    assert thread_link("CGENERAL", "1700000000.000100") in text
    assert by_id["token-expired"].title in text
    assert "Before reprocessing:" in text and "valid token" in text
    assert "https://mystore.myvtex.com/admin/Site/SkuForm.aspx?IdSku=3001" in text
    assert "<@U1>" in text and "<!date^1795615200^" in text
    actions = [e.get("action_id") for b in card.blocks for e in b.get("elements", [])]
    assert {"reprocess_done", "reprocess_failed"} <= set(actions)
    menus = [b["accessory"] for b in card.blocks if "accessory" in b]
    assert len(menus) == 2  # one per target: ops may mark each on its own


def test_order_links_go_to_the_order_page_or_the_order_list(cards, by_id):
    vtex = json.dumps(
        cards.ops_message(request("order", ("1391560531867-01",)), by_id["order-no-sla"]).blocks
    )
    assert "mystore.myvtex.com/admin/orders/1391560531867-01" in vtex
    amazon = json.dumps(
        cards.ops_message(request("order", ("702-1234567-1234567",)), by_id["order-no-sla"]).blocks
    )
    assert "mystore.myvtex.com/admin/orders|702-1234567-1234567" in amazon


def test_a_finished_request_keeps_its_story_and_loses_its_buttons(cards, by_id):
    done = request(
        targets=(Target("1", "done", "UOPS"), Target("2", "failed", "UOPS", "still inactive")),
        status="partial",
        resolved_by="UOPS",
    )
    card = cards.ops_message(done, by_id["sku-inactive"])
    validate_blocks(card.blocks)
    shown = render_card(card, width=200)
    assert "Partly done" in shown and "still inactive" in shown and "Open the thread" in shown
    assert not [b for b in card.blocks if b["type"] == "actions" or "accessory" in b]


def test_the_request_modal_lists_every_target_selected_and_chunks_past_ten(cards, by_id):
    targets = [str(100 + i) for i in range(MAX_TARGETS)]
    view = cards.request_modal(by_id["sku-inactive"], targets, 359, {"e": "sku-inactive"})
    View(**view).validate_json()
    boxes = [b for b in view["blocks"] if (b.get("element") or {}).get("type") == "checkboxes"]
    assert [len(b["element"]["initial_options"]) for b in boxes] == [10, 10]
    assert "The paste lists 359 SKUs" in json.dumps(view)


def test_a_fix_first_entry_shows_the_fix_in_its_modal(cards, by_id):
    view = cards.request_modal(by_id["token-expired"], ["1"], 1, {})
    View(**view).validate_json()
    assert "First fix a valid Amazon token" in json.dumps(view)


def test_the_failed_modal_asks_for_a_reason(cards):
    view = cards.failed_modal(request(), "1202", {"r": 7})
    View(**view).validate_json()
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == ["reason"]


@pytest.mark.parametrize(
    ("kind", "context", "expected"),
    [
        (
            "thread_unreachable",
            {"channel": "C1", "error": "not_in_channel", "request_id": 3},
            "/invite @amzerror",
        ),
        (
            "ops_unreachable",
            {"ops_channel": "COPS", "error": "not_in_channel", "request_id": 3},
            "/invite @amzerror",
        ),
        ("already_open", {"target_kind": "sku", "already_open": {"1": 4}}, "SKU 1 (request #4)"),
        ("bad_ids", {"target_kind": "order", "ids": ["agora"]}, "Not order ids: agora"),
        ("not_stored", {"error": "database is locked"}, "could not be recorded"),
        (
            "already_resolved",
            {"target_kind": "sku", "target": "1", "request_id": 3, "status": "open"},
            "SKU 1 of request #3 is marked already",
        ),
        (
            "capped",
            {"target_kind": "sku", "total": 359, "taken": 20, "request_id": 9},
            "at most 20",
        ),
    ],
)
def test_private_notes_say_what_to_do(cards, kind, context, expected):
    card = cards.notice(kind, **context)
    validate_blocks(card.blocks)
    assert expected in card.text


def test_thread_notes_name_the_targets_and_the_reason(cards, by_id):
    new = cards.requested(request(targets=("1", "2")), {"3": 4}, "COPS")
    assert "2 SKUs: 1, 2" in new.text and "left out: SKU 3 (#4)" in new.text
    waits = cards.requested(request(), {}, "COPS", by_id["token-expired"])
    assert "works only once a valid Amazon token is in place" in waits.text
    failed = cards.resolved(request(), "failed", ["1202"], "UOPS", "still inactive")
    assert "<@U1>" in failed.text and "still inactive" in failed.text


def test_the_requests_list_says_how_many_there_are(cards):
    stuck = request(
        webhook_status="failed", webhook_attempts=40, last_error="webhook attempt 40: HTTP 503"
    )
    card = cards.requests_list([stuck], 359)
    validate_blocks(card.blocks)
    shown = render_card(card, width=200)
    assert "359 reprocessing requests need attention" in shown
    assert "webhook failed for good after 40 attempts" in shown

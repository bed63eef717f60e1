"""Every kind of card the bot posts is one Slack accepts, filled to its worst case, in every
language it speaks.

Each card goes through slack_sdk's Block Kit models (`validate_blocks`: field lengths,
element counts, at most 50 blocks) and the rules the models do not check: block and
action ids unique within a message, a fallback text for notifications, button values
within 2,000 characters. The inputs are the largest and most hostile the bot allows, and
every test runs in English, Portuguese and Spanish (a translation is often longer).
"""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from slack_sdk.models.views import View

from bot.activity import Stats
from bot.cards import Card, CardRenderer, parse_button_value, validate_blocks
from bot.config import PROJECT_ROOT
from bot.language import LANGUAGES
from bot.matcher import Match, MatchResult
from bot.normalize import MAX_INPUT_CHARS
from bot.reprocess import MAX_TARGETS, ReprocessRequest, Target
from bot.requestcards import RequestCards

# The notes `RequestCards.notice` writes, each one rendered below.
NOTICE_KINDS = (
    "not_reprocessable",
    "already_open",
    "thread_unreachable",
    "ops_unreachable",
    "ops_gave_up",
    "which_target",
    "bad_ids",
    "nothing_selected",
    "too_many",
    "capped",
    "only_ops",
    "already_resolved",
    "not_stored",
    "unknown_request",
    "action_not_stored",
    "unknown_error",
    "error",
)
HOSTILE = '<!channel> "}]} {{ 7*7 }} & <@U999> ' + "ção 🚨 " * 300
USER = "U0123456789"


def check(card: Card) -> list[dict]:
    """Fail unless Slack would take `card`; its blocks, for further checks."""
    validate_blocks(card.blocks)
    assert card.text.strip(), "a card needs a fallback text for notifications"
    assert len(card.text) <= 3000
    block_ids = [b["block_id"] for b in card.blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), block_ids
    elements = [
        e
        for b in card.blocks
        for e in [*b.get("elements", []), b.get("accessory") or {}]
        if e.get("action_id")
    ]
    action_ids = [e["action_id"] for e in elements]
    assert len(action_ids) == len(set(action_ids)), action_ids
    for element in elements:
        if element.get("type") == "button":
            assert len(element["value"]) <= 2000
            assert parse_button_value(element["value"])["e"]
    raw = json.dumps(card.blocks)
    assert "<!channel>" not in raw and "<@U999>" not in raw
    return card.blocks


@pytest.fixture(params=LANGUAGES)
def renderer(request, renderer) -> CardRenderer:
    """The shared renderer, speaking each language in turn."""
    return renderer.in_language(request.param)


def request(n: int, status: str = "open", kind: str = "sku") -> ReprocessRequest:
    """A reprocessing request at its largest: as many targets as one may hold, each as long
    as an id may be, every one with a reason."""
    ids = [
        str(10**11 + i) if kind == "sku" else f"{10**12 + i:013d}-01" for i in range(MAX_TARGETS)
    ]
    per_target = "open" if status == "open" else ("done", "failed")
    targets = tuple(
        Target(
            t,
            per_target if isinstance(per_target, str) else per_target[i % 2],
            None if status == "open" else "U0OPS",
            None if status == "open" else HOSTILE[:300],
        )
        for i, t in enumerate(ids)
    )
    return ReprocessRequest(
        id=n,
        entry_id="sku-inactive" if kind == "sku" else "order-no-sla",
        target_kind=kind,
        status=status,
        requested_by=USER,
        channel="C0123456789",
        thread_ts="1700000000.000100",
        resolved_by=None if status == "open" else "U0OPS",
        reason=None if status == "open" else HOSTILE[:500],
        webhook_status=("failed", "pending", "sent", None)[n % 4],
        webhook_attempts=40 if n % 4 else 1,
        last_error=HOSTILE[:500],
        created_at="2026-03-10T12:00:00+00:00",
        targets=targets,
    )


@pytest.fixture
def worst(by_id):
    """The longest entry texts, made hostile, in every language."""
    entry = by_id["attribute-divergence"]
    hostile = {
        "title": ("Título " * 40)[:200],
        "meaning": HOSTILE,
        "fix": tuple(HOSTILE for _ in range(12)),
        "reprocess_note": HOSTILE,
    }
    translations = {
        lang: dataclasses.replace(local, **hostile) for lang, local in entry.translations.items()
    }
    return dataclasses.replace(entry, **hostile, translations=translations)


def test_help(renderer):
    blocks = check(renderer.help_card())
    assert "/amzerror search" in json.dumps(blocks)


@pytest.mark.parametrize("found", [0, 1, 10])
def test_search_results(renderer, entries, found):
    card = renderer.search_card(HOSTILE, entries[:found])
    blocks = check(card)
    assert len([b for b in blocks if b.get("accessory")]) == found


def test_search_never_lists_more_than_ten(renderer, entries):
    blocks = check(renderer.search_card("sku", entries))
    assert len([b for b in blocks if b.get("accessory")]) == 10


@pytest.fixture
def request_cards(renderer) -> RequestCards:
    return RequestCards(renderer)


@pytest.mark.parametrize("count", [0, 1, 20])
def test_requests_list(request_cards, count):
    requests = [request(n, kind=("sku", "order")[n % 2]) for n in range(count)]
    check(request_cards.requests_list(requests, 359 if count else 0))


@pytest.mark.parametrize("status", ["open", "done", "failed", "partial"])
@pytest.mark.parametrize("kind", ["sku", "order"])
def test_ops_request(request_cards, worst, status, kind):
    card = request_cards.ops_message(request(7, status, kind), worst)
    actions = {e.get("action_id") for b in check(card) for e in b.get("elements", [])}
    assert ({"reprocess_done", "reprocess_failed"} <= actions) == (status == "open")


@pytest.mark.parametrize("waits_for", ["", "token", "permissions", "configuration"])
@pytest.mark.parametrize("ops_channel", [None, "COPS"])
def test_request_status(request_cards, worst, ops_channel, waits_for):
    already = {str(10**11 + i): i for i in range(MAX_TARGETS)}
    entry = dataclasses.replace(worst, reprocess_waits_for=waits_for)
    check(request_cards.requested(request(3), already, ops_channel, entry))
    for status in ("done", "failed"):
        targets = [t.target for t in request(3, status).targets]
        check(request_cards.resolved(request(3, status), status, targets, "U0OPS", HOSTILE))


@pytest.mark.parametrize("target", [None, "9" * 40])
@pytest.mark.parametrize("target_kind", ["sku", "order"])
@pytest.mark.parametrize("kind", NOTICE_KINDS)
def test_private_notes(request_cards, kind, target_kind, target):
    card = request_cards.notice(
        kind,
        note=HOSTILE,
        already_open={str(10**11 + i): i for i in range(MAX_TARGETS)},
        channel="C0123456789",
        ops_channel="C0OPS",
        error=HOSTILE[:300],
        request_id=10**9,
        ids=[HOSTILE[:40]] * 20,
        target=target,
        status="partial",
        target_kind=target_kind,
        count=10**6,
        total=10**6,
        taken=MAX_TARGETS,
    )
    check(card)


def test_every_kind_of_note_is_rendered_here():
    """A note added to the template without being added here would go unchecked."""
    source = (PROJECT_ROOT / "templates" / "notice.json.j2").read_text(encoding="utf-8")
    assert set(re.findall(r'kind == "(\w+)"', source)) | {"error"} == set(NOTICE_KINDS)


def test_stats(renderer, by_id):
    busy = Stats(
        7,
        10**6,
        [(entry_id, 10**5) for entry_id in list(by_id)[:5]],
        {"open": 3, "done": 10**4, "failed": 1},
        10**5,
        10**4,
    )
    quiet = Stats(30, 0, [], {}, 0, 0)
    titles = {entry_id: HOSTILE for entry_id in by_id}
    text = json.dumps(check(renderer.stats_card([busy, quiet], titles)), ensure_ascii=False)
    last = {"en": "Last %s days", "pt": "Últimos %s dias", "es": "Últimos %s días"}[renderer.lang]
    assert last % 7 in text and last % 30 in text


@pytest.mark.parametrize(("helpful", "not_helpful"), [(0, 1), (10**6, 10**6)])
def test_votes(renderer, helpful, not_helpful):
    check(renderer.votes(helpful, not_helpful, USER))


@pytest.mark.parametrize("how_many", [0, 3])
def test_other_matches(renderer, entries, how_many):
    context = {"sku": "9" * 60, "order": "1" * 13 + "-01"}
    card = renderer.other_matches_card("sku-inactive", entries[:how_many], context)
    buttons = [b["accessory"] for b in check(card) if b.get("accessory")]
    assert [parse_button_value(b["value"])["sku"] for b in buttons] == ["9" * 60] * how_many


def test_no_match_with_guesses_and_both_notices(renderer, matcher):
    guesses = matcher.closest("inactive sku order stock", 3)
    result = MatchResult([], guesses, truncated=True, incomplete=True, lines_read=9, lines_total=10)
    check(renderer.no_match_card(result, guesses))
    check(renderer.no_match_card(MatchResult([], []), []))


def test_match_with_every_part_filled(renderer, worst, by_id, entries):
    slots = {
        "attribute": HOSTILE[:100],
        "vtex_value": HOSTILE[:100],
        "amazon_value": HOSTILE[:100],
    }
    skus = tuple(str(10**11 + n) for n in range(200))
    best = Match(worst.id, worst.title, 100, slots, skus, ("1391560531867-01",) * 50)
    others = [Match(e.id, e.title, 80, {"sku": "1"}) for e in entries[:12]]
    result = MatchResult(
        [best, *others], others[:3], truncated=True, incomplete=True, lines_read=1, lines_total=2
    )
    blocks = check(renderer.match_card(result, {**by_id, worst.id: worst}))
    assert len([b for b in blocks if b.get("accessory")]) == 10  # ten others at most


def test_every_entry_as_a_card_with_the_question_above_it(renderer, entries):
    for entry in entries:
        check(renderer.with_question(renderer.entry_card(entry), USER, HOSTILE * 20))


def test_the_reprocessing_modals(request_cards, worst):
    for entry in (worst, dataclasses.replace(worst, reprocess_waits_for="token")):
        for targets in ([], [str(10**11 + i) for i in range(MAX_TARGETS)]):
            view = request_cards.request_modal(
                entry, targets, 359, {"e": entry.id, "x": "y" * 4000}
            )
            View(**view).validate_json()
            assert len(view["private_metadata"]) <= 3000
            assert len(view["blocks"]) <= 100
            assert "<!channel>" not in json.dumps(view)
    for target in (None, "9" * 40):
        failed = request_cards.failed_modal(request(9, "open"), target, {"r": 9, "x": "y" * 4000})
        View(**failed).validate_json()
    for waits in ("permissions", "configuration"):
        entry = dataclasses.replace(worst, reprocess_target="order", reprocess_waits_for=waits)
        View(**request_cards.request_modal(entry, [], 1, {})).validate_json()


def test_a_paste_at_the_size_limit_still_gets_a_valid_card(renderer, matcher, by_id):
    paste = ("The SKU you tried to submit is inactive on VTEX " + HOSTILE + "\n") * (
        MAX_INPUT_CHARS // 500
    )
    check(renderer.match_card(matcher.match(paste), by_id))

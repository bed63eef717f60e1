"""Decisions: which candidates a line reports, look-alikes, several errors per paste, abstention."""

from __future__ import annotations

from collections.abc import Mapping

from bot.matching.align import Hit
from bot.matching.calibration import ALTERNATIVE_THRESHOLD, MATCH_THRESHOLD, confidence
from bot.matching.results import Match

NEAR_TIE = 3  # points between two candidates that count as a tie
MAX_ALTERNATIVES = 3
# How far below what a line was found to say a look-alike of it is ranked.
LOOK_ALIKE_GAP = 10


def choose(hits: list[Hit]) -> tuple[list[Hit], list[Hit]]:
    """The hits a line reports, and the rest as alternatives.

    Exact hits at different places in the line are all reported (two errors on one
    line), and so are the errors two clauses of a line retell; where two messages
    overlap, the more specific (longer) one wins.
    """
    if not hits:
        return [], []
    ordered = sorted(hits, key=lambda h: (-h.score, -len(h.variant.skeleton)))
    chosen: list[Hit] = []
    rest: list[Hit] = []
    best = ordered[0]
    if best.score < MATCH_THRESHOLD:
        return [], ordered
    # Among near-ties ("Size" and "SizeMap" with a typo), prefer the message that
    # resembles the line as a whole, not just in part.
    near = [h for h in ordered if best.score - h.score <= NEAR_TIE]
    best = max(near, key=lambda h: (h.exact, h.fit, h.score))
    chosen.append(best)
    for hit in ordered:
        if hit is best:
            continue
        separate = (hit.exact and best.exact) or (hit.clause and best.clause)
        separate = separate and abs(hit.start - best.start) > 0
        overlaps = (hit.exact and any(overlap(hit, other) for other in chosen)) or (
            hit.variant.entry_id in {c.variant.entry_id for c in chosen}
        )
        if separate and not overlaps and hit.score >= MATCH_THRESHOLD:
            chosen.append(hit)
        elif overlap(hit, best) or not hit.exact:
            # A look-alike of what the line was found to say is a weaker guess than it.
            weaker = min(hit.score, best.score - LOOK_ALIKE_GAP)
            rest.append(Hit(hit.variant, weaker, False, hit.start, {}))
        else:
            rest.append(hit)
    return chosen, rest


def overlap(a: Hit, b: Hit) -> bool:
    """The two hits cover some of the same stretch of their line."""
    a_end = a.start + len(a.variant.skeleton)
    b_end = b.start + len(b.variant.skeleton)
    return a.start < b_end and b.start < a_end


def merge(found: list[tuple[int, Hit, dict]], titles: Mapping[str, str]) -> list[Match]:
    """One match per error found, best first, with the values and ids of all its lines."""
    by_id: dict[str, dict] = {}
    for order, (index, hit, slot_values) in enumerate(found):
        entry_id = hit.variant.entry_id
        acc = by_id.setdefault(
            entry_id,
            {"hit": hit, "slots": {}, "skus": {}, "orders": {}, "first": (index, order)},
        )
        if hit.score > acc["hit"].score:
            acc["hit"] = hit
        for key, value in slot_values.items():
            if key != "sku_list":
                acc["slots"].setdefault(key, value)
        for sku in slot_values.get("sku_list") or [slot_values.get("sku")]:
            if sku is not None:
                acc["skus"][sku] = None  # a dict keeps order, without repeats
        if "order" in slot_values:
            acc["orders"][slot_values["order"]] = None
    ranked = sorted(by_id.values(), key=lambda a: (-round(a["hit"].score), a["first"]))
    return [
        Match(
            id=a["hit"].variant.entry_id,
            title=titles[a["hit"].variant.entry_id],
            score=confidence(a["hit"].score),
            slots=a["slots"],
            skus=tuple(a["skus"]),
            orders=tuple(a["orders"]),
            lang=a["hit"].variant.lang,
            exact=a["hit"].exact,
        )
        for a in ranked
    ]


def alternatives(hits: list[Hit], taken: set[str], titles: Mapping[str, str]) -> list[Match]:
    """The best few errors not reported, each once, strong enough to be worth offering."""
    best: dict[str, Hit] = {}
    for hit in hits:
        entry_id = hit.variant.entry_id
        if entry_id in taken or hit.score < ALTERNATIVE_THRESHOLD:
            continue
        if entry_id not in best or hit.score > best[entry_id].score:
            best[entry_id] = hit
    ranked = sorted(best.values(), key=lambda h: -h.score)[:MAX_ALTERNATIVES]
    return [
        Match(
            id=h.variant.entry_id,
            title=titles[h.variant.entry_id],
            score=confidence(h.score),
            lang=h.variant.lang,
        )
        for h in ranked
    ]

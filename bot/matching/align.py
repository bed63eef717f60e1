"""Verification: how well one message lines up with one line, exactly (with its values) or fuzzily."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from bot.matching.lines import Line, core
from bot.matching.patterns import Variant, strip_value

# The paste holds only part of a message (cut off, or quoted in part): some 90
# characters of it are as telling as the whole.
TELLING_LENGTH = 90
# The same message printed over and over on one line is one error: a few occurrences tell
# all there is to know, and reading every one of them would cost time for nothing.
MAX_HITS_PER_VARIANT = 8
# A fuzzy alignment below this similarity is no candidate at all.
MIN_SIMILARITY = 60


@dataclass
class Hit:
    """A message found on a line: how surely, where, and the values its placeholders hold."""

    variant: Variant
    score: float
    exact: bool
    start: int
    slots: dict[str, str]
    fit: float = 0.0  # similarity of the whole line to the message: the tie-breaker
    retold: bool = False  # found by the ideas the line shares with it, not its words
    clause: bool = False  # retold by one clause of a line that tells two errors ("start": its word)


def exact_hits(variant: Variant, line: Line) -> list[Hit]:
    """Every place the message's regex matches the line, each with the values it read."""
    hits = []
    text = line.text
    as_printed = variant.short and variant.template.replace("{", "").replace("}", "") in text
    for m in itertools.islice(variant.pattern.finditer(line.folded), MAX_HITS_PER_VARIANT):
        slots = {
            name: strip_value(text[m.start(name) : m.end(name)])
            for name in variant.placeholders
            if name in m.groupdict() and m.group(name) is not None
        }
        score = 100.0
        if variant.short:
            score = short_message_score(line.core_outside(m.start(), m.end()), as_printed)
        hits.append(Hit(variant, score, True, m.start(), {k: v for k, v in slots.items() if v}))
    return hits


def fuzzy_hit(variant: Variant, line_skeleton: str) -> Hit | None:
    """The message aligned with the line's words, typos, chatter and truncation absorbed."""
    skeleton = variant.skeleton
    if variant.short:
        # Short messages must be (nearly) the whole line, ids and filler aside.
        kept = core(line_skeleton, keep=frozenset(skeleton.split()))
        if len(kept) > 2 * len(skeleton):
            return None
        score = Indel.normalized_similarity(skeleton, kept) * 100
        return Hit(variant, score, False, 0, {}) if score >= MIN_SIMILARITY else None
    alignment = fuzz.partial_ratio_alignment(skeleton, line_skeleton, score_cutoff=MIN_SIMILARITY)
    if alignment is None:
        return None
    if len(line_skeleton) >= len(skeleton):
        coverage = 1.0
        start = alignment.dest_start
    else:
        coverage = min(1.0, len(line_skeleton) / min(len(skeleton), TELLING_LENGTH))
        start = 0
    score = alignment.score * (0.55 + 0.45 * coverage)
    return Hit(variant, score, False, start, {})


def short_message_score(extra: int, as_printed: bool) -> float:
    """A short message found inside a longer line: is it the platform's text or chat?

    `extra` counts the line's other meaningful words; `as_printed` says the message
    appears with the platform's own capitals.
    """
    if extra == 0:
        return 100.0
    # The platform capitalises its messages; chat about "an inactive sku" does not.
    penalty = 4 * extra if as_printed else 12 * extra
    return max(0.0, 100.0 - min(penalty, 60))


def says_any(message_words: frozenset[str], line_words: list[str]) -> bool:
    """The line has one of these words of a message, or a misspelling of it; none asked, yes."""
    if not message_words:
        return True
    return any(
        process.extractOne(word, line_words, scorer=fuzz.ratio, score_cutoff=80) is not None
        for word in message_words
    )

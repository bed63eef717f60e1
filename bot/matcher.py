"""Recognise known errors in pasted text and pull out their values (SKU, attribute, ...).

The facade over `bot.matching`, one step per module. Per line of the paste:

1. *Retrieve* (`index`): the few messages (entry x language) that share the most
   rare words with the line.
2. *Verify* (`align`): each candidate's regex, whose placeholders are named groups,
   gives full confidence and the values; otherwise rapidfuzz aligns the message with
   the line, absorbing typos, truncation and chatter.
3. *Retellings* (`reading`, `retelling`, `concepts`): a line no message matches exactly
   is compared with every message by the ideas they share, in any language; what such
   a line quotes is read on its own first (`quotes`).
4. *Decide* (`decide`): the best candidate at or above `MATCH_THRESHOLD` wins, look-alikes
   are told apart, weaker candidates become alternatives; nothing above it is an honest
   "no match". The values come from `slots`, the confidence from `calibration`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from rapidfuzz import fuzz

from bot.knowledge import Entry
from bot.matching.align import Hit, exact_hits, fuzzy_hit
from bot.matching.calibration import ALTERNATIVE_THRESHOLD, MATCH_THRESHOLD, confidence
from bot.matching.decide import MAX_ALTERNATIVES, NEAR_TIE, alternatives, choose, merge
from bot.matching.index import WordIndex
from bot.matching.lines import Line
from bot.matching.patterns import Variant
from bot.matching.quotes import QuoteReader
from bot.matching.reading import Reader
from bot.matching.results import Match, MatchResult
from bot.matching.slots import LooseIds, SlotReader
from bot.normalize import MAX_INPUT_CHARS, clean_paste, fold, words
from bot.vocabulary import Vocabulary

__all__ = [
    "ALTERNATIVE_THRESHOLD",
    "MATCH_BUDGET_SECONDS",
    "MATCH_THRESHOLD",
    "MAX_ALTERNATIVES",
    "Match",
    "MatchResult",
    "Matcher",
]

# Work per paste is bounded: past this many seconds the paste is answered with the lines
# read so far, and the card says so. A typical paste takes well under a millisecond.
MATCH_BUDGET_SECONDS = 0.05
# "Did you mean" guesses for a paste nothing matched read only its beginning.
CLOSEST_CHARS = 2000
# A message wrapped over several lines, or broken up by chatter, is looked for in the
# lines joined when the paste has at most this many and none matched alone.
MAX_JOINED_LINES = 12


class Matcher:
    """An index over the knowledge entries, ready to match pastes."""

    def __init__(self, entries: Sequence[Entry], vocabulary: Vocabulary | None = None):
        self.entries = {entry.id: entry for entry in entries}
        self.vocabulary = vocabulary or Vocabulary()
        self.variants: list[Variant] = []
        published: list[int] = []
        for entry in entries:
            messages = set(entry.all_messages())
            for lang, message in entry.all_texts():
                variant = Variant.of(entry.id, lang, message)
                if variant.skeleton:
                    # Guesses for a paste nothing matched come from the published messages
                    # only: the short older wordings ("Feed rejected") look like any chat.
                    if (lang, message) in messages:
                        published.append(len(self.variants))
                    self.variants.append(variant)
        self._index = WordIndex(self.variants, published)
        # Lines that are not the platform's text, read by the ideas they share with it.
        self._reader = Reader(entries, self.variants, self.vocabulary)
        self._quotes = QuoteReader(self._index, self.variants)
        self._slots = SlotReader(
            self.vocabulary, self._reader.concepts, self._reader.texts, self._reader.ideas
        )
        self._titles = {entry.id: entry.title for entry in entries}

    def _line_hits(self, line: Line, quotes: bool = True) -> list[Hit]:
        """Every candidate a line could be, scored; near-ties carry their tie-breaker."""
        if not line.words or self.vocabulary.about_another_marketplace(line.folded):
            return []
        hits: list[Hit] = []
        fuzzy: list[Hit] = []
        for vi in self._index.candidates(line.words):
            variant = self.variants[vi]
            exact = exact_hits(variant, line)
            if exact:
                hits.extend(exact)
                continue
            hit = fuzzy_hit(variant, line.skeleton)
            if hit is not None:
                fuzzy.append(hit)
        if max((hit.score for hit in hits), default=0.0) < MATCH_THRESHOLD:
            # Not the platform's words: perhaps the error retold in the writer's own.
            fuzzy.extend(self._reader.hits(line, fuzzy))
        found = hits + fuzzy
        if quotes and max((hit.score for hit in hits), default=0.0) < MATCH_THRESHOLD:
            found = self._quotes.hits(line, found, lambda part: self._line_hits(part, False))
        top = max((hit.score for hit in found), default=0.0)
        for hit in found:
            if top - hit.score <= NEAR_TIE:  # only near-ties need the tie-breaker
                hit.fit = fuzz.ratio(hit.variant.skeleton, line.skeleton)
        return found

    def match(
        self, text: str, limit: int = MAX_INPUT_CHARS, budget: float = MATCH_BUDGET_SECONDS
    ) -> MatchResult:
        """Every known error in `text`, best first, and the next best guesses.

        Time grows with the length of the paste, and stops growing at `budget` seconds:
        then the lines read so far are answered and the result says `incomplete`.
        """
        deadline = time.perf_counter() + budget
        cleaned = clean_paste(text, limit)
        lines = all_lines = cleaned.lines()
        found: list[tuple[int, Hit, Line]] = []
        others: list[Hit] = []
        read = len(lines)
        # Pasted tables repeat lines word for word: each distinct line is read once.
        seen: dict[str, tuple[Line, list[Hit], list[Hit]]] = {}
        for index, text_line in enumerate(lines):
            if index and time.perf_counter() > deadline:
                read = index
                break
            if text_line not in seen:
                line = Line.read(text_line)
                seen[text_line] = (line, *choose(self._line_hits(line)))
            line, chosen, rest = seen[text_line]
            found.extend((index, hit, line) for hit in chosen)
            others.extend(rest)
        lines = lines[:read]
        if not found and 1 < len(lines) <= MAX_JOINED_LINES:
            # A message wrapped over several lines, or broken up by chatter.
            joined = Line.read(" ".join(lines))
            chosen, rest = choose(self._line_hits(joined))
            found.extend((0, hit, joined) for hit in chosen)
            others.extend(rest)
        loose = LooseIds(lines, {index for index, _, _ in found})
        with_slots = [
            (index, hit, self._slots.read(hit, line, index, loose)) for index, hit, line in found
        ]
        return MatchResult(
            merge(with_slots, self._titles),
            alternatives(others, {h.variant.entry_id for _, h, _ in found}, self._titles),
            cleaned.truncated,
            limit,
            incomplete=read < len(all_lines),
            lines_read=read,
            lines_total=len(all_lines),
        )

    def closest(self, text: str, limit: int = MAX_ALTERNATIVES) -> list[Match]:
        """The entries whose messages look most like `text`, however weakly (for no-match cards)."""
        skeleton = " ".join(words(fold(clean_paste(text, CLOSEST_CHARS).text)))
        if not skeleton:
            return []
        seen: dict[str, Match] = {}
        for vi, score in self._index.guesses(skeleton, entries=limit):
            variant = self.variants[vi]
            if variant.entry_id not in seen:
                seen[variant.entry_id] = Match(
                    variant.entry_id,
                    self._titles[variant.entry_id],
                    confidence(score * 0.6),
                    lang=variant.lang,
                )
        return list(seen.values())[:limit]

"""Quotes: what a line quotes is what the platform said, read on its own before the talk.

"the 'mapping spreadsheet not uploaded' error again, I just uploaded the sheet": the
quoted words name the error; the talk around them ("uploaded the sheet") names no other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.matching.align import Hit
from bot.matching.calibration import MATCH_THRESHOLD
from bot.matching.decide import LOOK_ALIKE_GAP
from bot.matching.index import WordIndex
from bot.matching.lines import Line, is_core, quoted
from bot.matching.patterns import Variant

# What a line quotes is what the platform said, in full or in part, when it is this many
# words at least; a stretch of this many words of the messages of one error only, quoted
# as written ("'doesn't match any ASINs'"), is that error at this score.
QUOTED_WORDS = 3
QUOTED_FRAGMENT_SCORE = 80.0
# Quotes are read on lines of a sentence or two (a retelling), the first few of them,
# each no longer than a message: a long paste full of quotation marks costs no more.
QUOTED_LINE_WORDS = 60
QUOTED_SPANS = 3
QUOTED_SPAN_WORDS = 40


class QuoteReader:
    """Finds the error a line quotes, and ranks what the rest of the line says below it."""

    def __init__(self, index: WordIndex, variants: Sequence[Variant]):
        self._index = index
        self._variants = variants

    def hits(self, line: Line, found: list[Hit], read: Callable[[Line], list[Hit]]) -> list[Hit]:
        """`found` (the line's own hits) with what its quotes say (each read by `read`):
        when a quote names an error, the others rank a look-alike's gap below it."""
        if len(line.words) > QUOTED_LINE_WORDS:
            return found
        from_quotes: list[Hit] = []
        for text in quoted(line.text)[:QUOTED_SPANS]:
            part = Line.read(text)
            if not QUOTED_WORDS <= len(part.words) <= QUOTED_SPAN_WORDS:
                continue
            offset = line.text.find(text)
            for hit in [*read(part), *self._fragment(part)]:
                hit.start += offset
                from_quotes.append(hit)
        top = max(from_quotes, key=lambda h: h.score, default=None)
        if top is None or top.score < MATCH_THRESHOLD:
            return found
        for hit in found:
            if hit.variant.entry_id != top.variant.entry_id:
                hit.score = min(hit.score, top.score - LOOK_ALIKE_GAP)
        return from_quotes + found

    def _fragment(self, part: Line) -> list[Hit]:
        """A quoted stretch of words found as written in the messages of one error only."""
        if sum(map(is_core, part.words)) < QUOTED_WORDS - 1:
            return []
        holding = self._index.containing(part.words)
        if len({self._variants[vi].entry_id for vi in holding}) != 1:
            return []
        return [Hit(self._variants[holding[0]], QUOTED_FRAGMENT_SCORE, False, 0, {})]

"""Lines that are not the platform's text: retold errors, statements, two errors in one sentence.

A statement only shares a message's words ("I uploaded the mapping spreadsheet").
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from bot.knowledge import Entry
from bot.matching.align import Hit, says_any
from bot.matching.calibration import MATCH_THRESHOLD
from bot.matching.concepts import Concepts
from bot.matching.lines import Line
from bot.matching.patterns import Variant
from bot.matching.retelling import (
    STATEMENT_FACTOR,
    UNSAID_SCOPE_FACTOR,
    RetellingIndex,
    Told,
)
from bot.vocabulary import Vocabulary

RETOLD_PER_LINE = 3
# A message found misspelled or cut short this surely is the platform's text, not retold.
AS_WRITTEN = 85
# A line that leaves this share of what it says unexplained by the error it retells best
# may tell a second one; it is split, between this many words, into clauses of at least
# this many words, where a clause ends (a comma, a semicolon, a parenthesis, or a word
# that joins clauses: `joining_words` in the vocabulary).
UNEXPLAINED = 0.25
SPLIT_WORDS = (14, 60)
CLAUSE_WORDS = 5
CLAUSE_MARKS = ",;()"
# Where a message's sentences end ("... any ASINs. Make sure ...", "... occurred - Unauthorized").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s+-\s+")


class Reader:
    """Reads lines by the ideas they share with the messages, in any language."""

    def __init__(
        self, entries: Sequence[Entry], variants: Sequence[Variant], vocabulary: Vocabulary
    ):
        """`variants` are the messages and wordings of `entries`, as the matcher indexed them."""
        self.variants = variants
        self.vocabulary = vocabulary
        self.concepts = Concepts(vocabulary)
        self._problems = vocabulary.problem_ideas
        self._joins = frozenset(vocabulary.joining_words)
        scopes = {entry.id: entry.scope for entry in entries}
        # What each error's messages go without saying (an order error is about an order).
        self._implied: dict[str, frozenset[str]] = {}
        published = {(e.id, lang, m) for e in entries for lang, m in e.all_messages()}
        told: list[Told] = []
        self._told_variant: list[int] = []  # the message each telling is (a part) of
        for at, variant in enumerate(variants):
            # An order message is about an order even when it says only "Inactive SKU".
            implied = frozenset({"order"}) if scopes[variant.entry_id] == "order" else frozenset()
            self._implied[variant.entry_id] = implied
            is_published = (variant.entry_id, variant.lang, variant.template) in published
            told.append(
                Told(
                    variant.template,
                    variant.entry_id,
                    variant.lang,
                    is_published,
                    implied,
                    variant.placeholders,
                )
            )
            self._told_variant.append(at)
            # A long message says several things, and a retelling may tell just one of
            # them ("the SKU doesn't match any ASIN"): each sentence of a published
            # message is compared with a line on its own too.
            parts = [p for p in _SENTENCE_END.split(variant.template) if p.strip()]
            whole = len(told) - 1
            for part in parts if is_published and len(parts) > 1 else ():
                names = tuple(n for _, n, _, _ in string.Formatter().parse(part) if n)
                told.append(
                    Told(part, variant.entry_id, variant.lang, False, implied, names, whole)
                )
                self._told_variant.append(at)
        self._retellings = RetellingIndex(
            told,
            self.concepts,
            self._problems,
            vocabulary.attribute_ideas,
            vocabulary.specific_problems,
        )
        # What each message and wording says, for the values a line names.
        self.texts: dict[str, list[tuple[str, str]]] = {}
        self.ideas: dict[str, list[frozenset[str]]] = {}
        for t, said in zip(told, self._retellings.ideas_of, strict=True):
            if t.part_of < 0:
                self.texts.setdefault(t.entry, []).append((t.lang, t.text))
                self.ideas.setdefault(t.entry, []).append(said)
        # The words of a message that say what is wrong, read when first needed.
        self._problem_words: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {}

    def hits(self, line: Line, fuzzy: list[Hit]) -> list[Hit]:
        """The retellings a line may be, best first; `fuzzy` (the messages aligned with it)
        lose confidence where the line only states what they say is wrong."""
        ideas = self.concepts.of_words(line.words, line.lang)
        if not self._retellings.states_a_problem(ideas):
            # "We re-uploaded the mapping spreadsheet" is most of "The mapping spreadsheet
            # was not uploaded", but without the "not" it reports nothing.
            for hit in fuzzy:
                if self._states_nothing_wrong(hit.variant, line):
                    hit.score *= STATEMENT_FACTOR
        for hit in fuzzy:
            if (
                not hit.exact
                and self._implied[hit.variant.entry_id] - ideas
                and len(line.words) > len(hit.variant.skeleton.split())
            ):
                # A line that says more than an order error's message and shares some of its
                # words but speaks of no order ("the out-of-stock SKUs are hidden on the
                # site") is talk, not that error's text misspelled or cut short.
                hit.score *= UNSAID_SCOPE_FACTOR
        # An error whose message the line has, misspelled or cut, is read from it instead.
        as_written = {h.variant.entry_id for h in fuzzy if h.score >= AS_WRITTEN}
        found: list[Hit] = []
        seen: set[int] = set()
        told = self._retellings.retold(ideas, RETOLD_PER_LINE * 3)
        for retold in told:
            at = self._told_variant[retold.variant]
            variant = self.variants[at]
            if at in seen or variant.entry_id in as_written:
                continue
            seen.add(at)
            found.append(Hit(variant, retold.confidence, False, 0, {}, retold=True))
            if len(found) == RETOLD_PER_LINE:
                break
        if told and self._retellings.unexplained(ideas, told[0].variant) >= UNEXPLAINED:
            # Much of the line is about something else: perhaps a second error, and then
            # the two clauses say better than the whole line what it tells.
            return self._two_errors(line) or found
        return found

    def _two_errors(self, line: Line) -> list[Hit]:
        """Two errors told one after the other in one sentence ("a especificação TargetGender
        é obrigatória, e o valor de Color não é aceito"), split where a clause ends."""
        count = len(line.words)
        if not SPLIT_WORDS[0] <= count <= SPLIT_WORDS[1]:
            return []
        cuts = [
            k
            for k in line.clause_starts(self._joins, CLAUSE_MARKS)
            if CLAUSE_WORDS <= k <= count - CLAUSE_WORDS
        ]
        best: tuple[float, Hit, Hit] | None = None
        for k in cuts:
            left = self._best(line.words[:k], line.lang)
            right = self._best(line.words[k:], line.lang)
            if left is None or right is None or left[0].entry_id == right[0].entry_id:
                continue
            # The cut whose weaker clause is surest, told apart where both reach the cap.
            weaker = min(left[2], right[2])
            if min(left[1], right[1]) >= MATCH_THRESHOLD and (best is None or weaker > best[0]):
                first = Hit(left[0], left[1], False, 0, {}, retold=True, clause=True)
                second = Hit(right[0], right[1], False, k, {}, retold=True, clause=True)
                best = (weaker, first, second)
        return [best[1], best[2]] if best else []

    def _best(self, words: Sequence[str], lang: str | None) -> tuple[Variant, float, float] | None:
        told = self._retellings.retold(self.concepts.of_words(words, lang), 1)
        if not told:
            return None
        variant = self.variants[self._told_variant[told[0].variant]]
        return variant, told[0].confidence, told[0].strength

    def _problem_words_of(self, variant: Variant) -> tuple[frozenset[str], frozenset[str]]:
        """The words of a message that say what is wrong ("not", "inactive"), and the words
        that mean something it says only after the last of them ("uploaded")."""
        key = (variant.skeleton, variant.lang)
        if key not in self._problem_words:
            of = self.concepts.of
            words = variant.skeleton.split()
            said = [i for i, w in enumerate(words) if of(w, variant.lang) & self._problems]
            problem: frozenset[str] = frozenset(words[i] for i in said)
            after: frozenset[str] = frozenset()
            if said:
                before = set(words[: said[-1]])
                after = frozenset(
                    w
                    for w in words[said[-1] + 1 :]
                    if w not in before and any(not i.startswith("=") for i in of(w, variant.lang))
                )
            self._problem_words[key] = (problem, after - problem)
        return self._problem_words[key]

    def _states_nothing_wrong(self, variant: Variant, line: Line) -> bool:
        """The line says what the message says around its "not" (or "inactive"), but not
        that: "we re-uploaded the mapping spreadsheet" for "... spreadsheet was not
        uploaded". A line cut before the message's "not" is only cut short."""
        problem, after = self._problem_words_of(variant)
        if not after or says_any(problem, line.words):
            return False
        return says_any(after, line.words)

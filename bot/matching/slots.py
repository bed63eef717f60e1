"""The values a matched line gives: ids around it, misspelled placeholders, values retold.

Retold values are the attribute a line names and the values it quotes or names beside
the words of a placeholder (`retold_values`).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz, process

from bot.matching.align import Hit
from bot.matching.concepts import Concepts
from bot.matching.lines import WORD, Line
from bot.matching.patterns import PLACEHOLDER, Variant, first_quoted, strip_value
from bot.matching.retold_values import Slot, assign, candidates, slots_of
from bot.normalize import context_slots, fold, sku_list, words
from bot.vocabulary import Vocabulary


class LooseIds:
    """SKU and order ids said on lines of their own, found by the nearest line in log time."""

    def __init__(self, lines: list[str], skip: set[int]):
        self._at: dict[str, list[tuple[int, str]]] = {"sku": [], "order": []}
        for index, line in enumerate(lines):
            if index in skip:
                continue
            for key, value in context_slots(line).items():
                self._at[key].append((index, value))
        self._positions = {key: [i for i, _ in found] for key, found in self._at.items()}

    def nearest(self, key: str, index: int) -> str | None:
        found, positions = self._at[key], self._positions[key]
        if not found:
            return None
        after = bisect.bisect_left(positions, index)
        # Closest first; between two equally close lines, the smaller value, as before.
        near = [found[i] for i in (after - 1, after) if 0 <= i < len(found)]
        return min(near, key=lambda f: (abs(f[0] - index), f[1]))[1]


def fuzzy_slots(variant: Variant, line: str) -> dict[str, str]:
    """Values of a misspelled or cut-off message: fix the words, then read around them."""
    if not variant.anchored:
        return {}
    folded = fold(line)
    spans = [(m.start(), m.end()) for m in WORD.finditer(folded)]
    if not spans:
        return {}
    vocabulary = sorted(set(variant.skeleton.split()))
    found = [folded[a:b] for a, b in spans]
    scores = process.cdist(found, vocabulary, scorer=fuzz.ratio, score_cutoff=80)
    pieces, pos = [], 0
    for (a, b), row, word in zip(spans, scores, found, strict=True):
        best = int(row.argmax())
        # Short words are too often values ("Cor" is not a typo of "or").
        if row[best] and len(word) >= 5 and vocabulary[best] != word:
            pieces.append(line[pos:a] + vocabulary[best])
            pos = b
    corrected = "".join(pieces) + line[pos:]
    corrected_folded = fold(corrected)
    slots: dict[str, str] = {}
    for pattern in variant.anchored:
        m = pattern.search(corrected_folded)
        if m:
            name = next(iter(m.groupdict()))
            raw = corrected[m.start(name) : m.end(name)]
            value = strip_value(first_quoted(raw, corrected[: m.start(name)].rstrip()))
            if value:
                slots[name] = value
    return slots


# The longest line whose values are read from its own words (a retelling is a sentence or two).
MAX_TOLD_WORDS = 150
# What a quoted value starts with.
_QUOTE_MARKS = frozenset("\"'(")


class SlotReader:
    """Reads every value a matched line holds, for the card and the reprocessing button."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        concepts: Concepts,
        texts: Mapping[str, Sequence[tuple[str, str]]],
        ideas: Mapping[str, Sequence[frozenset[str]]],
    ):
        """`texts` are each error's messages and wordings as `(lang, text)`, `ideas` what
        each of them says."""
        self.vocabulary = vocabulary
        self.concepts = concepts
        self.texts = texts
        self._ideas_of_texts = ideas
        self._ideas: dict[str, frozenset[str]] = {}
        # Read from the messages the first time an error is found (a base of 10,000 errors
        # needs few of them).
        self._slots: dict[str, tuple[Slot, ...]] = {}
        self._words: dict[str, frozenset[str]] = {}
        self._joins = frozenset(vocabulary.joining_words)

    def ideas_of(self, entry: str) -> frozenset[str]:
        """What an error says in any of its messages and wordings."""
        if entry not in self._ideas:
            self._ideas[entry] = frozenset().union(*self._ideas_of_texts[entry])
        return self._ideas[entry]

    def slots_of(self, entry: str) -> tuple[Slot, ...]:
        """The placeholders of an error, and the value it speaks of without one."""
        if entry not in self._slots:
            # An error about a value (a value, a variation) whose messages have no
            # placeholder for it takes the value a line quotes.
            about = self.ideas_of(entry) & self.vocabulary.value_ideas
            pseudo = [Slot("value", about, frozenset())] if about else []
            self._slots[entry] = slots_of(self.texts[entry], self.concepts, pseudo)
        return self._slots[entry]

    def words_of(self, entry: str) -> frozenset[str]:
        """The words of an error's messages, which a quoted value is not."""
        if entry not in self._words:
            self._words[entry] = frozenset(
                w for _, text in self.texts[entry] for w in words(fold(PLACEHOLDER.sub(" ", text)))
            )
        return self._words[entry]

    def read(self, hit: Hit, read_line: Line, index: int, loose: LooseIds) -> dict:
        """The values for `hit`, found on the line (line `index` of the paste) or near it."""
        line = read_line.text
        slots: dict = context_slots(line)
        for key in ("sku", "order"):
            if key not in slots:
                # "sku 123" said on a line of its own, next to the error.
                near = loose.nearest(key, index)
                if near is not None:
                    slots[key] = near
        if not hit.exact and not hit.retold:
            slots.update(fuzzy_slots(hit.variant, line))
        found = {**slots, **hit.slots}
        listed = sku_list(line)
        self.named_slots(hit.variant, read_line, found)
        self.told_slots(hit, read_line, found, set(listed))
        if len(listed) > 1 and found.get("sku") in (None, *listed):
            # "SKUs 9001, 9002: ...": every one of them, the first as "the" SKU.
            found["sku"] = listed[0]
            found["sku_list"] = listed
        return found

    def named_slots(self, variant: Variant, line: Line, slots: dict) -> None:
        """The attribute a message names, as the line writes it.

        "o valor "Azul Marinho" de Cor não é aceito": the attribute is the word that says
        what the message's attribute says (Cor for Color).
        """
        if "attribute" in slots:
            return
        named = self.ideas_of(variant.entry_id) & self.vocabulary.attribute_ideas
        for word, start in zip(line.words, line.starts, strict=True) if named else ():
            if self.concepts.of(word) & named:
                slots["attribute"] = line.text[start : start + len(word)]
                break

    def told_slots(self, hit: Hit, line: Line, slots: dict, ids: set[str]) -> None:
        """The values a line names in its own words, for the placeholders not read yet."""
        variant = hit.variant
        open_slots = [s for s in self.slots_of(variant.entry_id) if s.name not in slots]
        if hit.exact:
            # The platform's text has its values where its placeholders are; a value the
            # line quotes beside it ("pusimos 'Niña'") is one its message speaks of.
            open_slots = [s for s in open_slots if s.name not in variant.placeholders]
        elif not hit.retold:
            # A misspelled message holds the values of its own placeholders, no others.
            open_slots = [s for s in open_slots if s.name in variant.placeholders]
        if not open_slots or (hit.exact and not _QUOTE_MARKS.intersection(line.text)):
            return
        if len(line.words) > MAX_TOLD_WORDS:
            return  # a retelling is a sentence or two, not pages
        lang = line.lang
        taken = {str(v) for k, v in slots.items() if k != "sku_list"} | ids
        found = candidates(
            line,
            self.concepts,
            lang,
            self.vocabulary.attribute_ideas,
            self.words_of(variant.entry_id),
            taken,
            quoted_only=hit.exact,
        )
        found = [c for c in found if c.value not in taken]
        slots.update(assign(open_slots, line, found, self.concepts, lang, self._joins))

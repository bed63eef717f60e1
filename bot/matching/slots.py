"""The values a matched line gives: ids around the message, misspelled placeholders, and the
attribute and value a retelling names."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping

from rapidfuzz import fuzz, process

from bot.matching.align import Hit
from bot.matching.concepts import Concepts
from bot.matching.lines import WORD
from bot.matching.patterns import Variant, strip_value
from bot.normalize import context_slots, fold, sku_list
from bot.vocabulary import Vocabulary

# A value quoted in a retelling: "Azul Marinho", 'Azul', (Azul); not an apostrophe.
_QUOTED = re.compile(
    r'"([^"\n]{1,80})"|(?<![A-Za-z])\'([^\'\n]{1,80})\'(?![A-Za-z])|\(([^()\n]{1,80})\)'
)


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
            value = strip_value(corrected[m.start(name) : m.end(name)])
            if value:
                slots[name] = value
    return slots


class SlotReader:
    """Reads every value a matched line holds, for the card and the reprocessing button."""

    def __init__(
        self, vocabulary: Vocabulary, concepts: Concepts, ideas_of: Mapping[str, frozenset[str]]
    ):
        """`ideas_of` maps each message (template) to the ideas it says."""
        self.vocabulary = vocabulary
        self.concepts = concepts
        self.ideas_of = ideas_of

    def read(self, hit: Hit, line: str, index: int, loose: LooseIds) -> dict:
        """The values for `hit`, found on `line` (line `index` of the paste) or near it."""
        slots: dict = context_slots(line)
        for key in ("sku", "order"):
            if key not in slots:
                # "sku 123" said on a line of its own, next to the error.
                near = loose.nearest(key, index)
                if near is not None:
                    slots[key] = near
        if not hit.exact:
            slots.update(fuzzy_slots(hit.variant, line))
        found = {**slots, **hit.slots}
        self.named_slots(hit.variant, line, found, read_exactly=hit.exact)
        listed = sku_list(line)
        if len(listed) > 1 and found.get("sku") in (None, *listed):
            # "SKUs 9001, 9002: ...": every one of them, the first as "the" SKU.
            found["sku"] = listed[0]
            found["sku_list"] = listed
        return found

    def named_slots(
        self, variant: Variant, line: str, slots: dict, read_exactly: bool = False
    ) -> None:
        """The attribute a message names, and a value quoted beside it, as the line writes them.

        "o valor "Azul Marinho" de Cor não é aceito": the attribute is the word that says
        what the message's attribute says (Cor for Color), the value what is quoted.
        """
        ideas = self.ideas_of[variant.template]
        if "attribute" not in slots:
            named = ideas & self.vocabulary.attribute_ideas
            folded = fold(line)
            for m in WORD.finditer(folded) if named else ():
                if self.concepts.of(m.group()) & named:
                    slots["attribute"] = line[m.start() : m.end()]
                    break
        # A message read exactly has its values where its placeholders are, and nowhere else.
        values_read = read_exactly and any(p not in ("sku", "order") for p in variant.placeholders)
        if "value" not in slots and "value" in ideas and not values_read:
            attribute = str(slots.get("attribute", "")).lower()
            for m in _QUOTED.finditer(line):
                quoted = next(g for g in m.groups() if g is not None).strip()
                if quoted and quoted.lower() != attribute and not quoted.isdigit():
                    slots["value"] = quoted
                    break

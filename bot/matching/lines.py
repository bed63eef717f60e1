"""A line of a paste read once (folded, split into words) and the filler words around messages."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from dataclasses import dataclass

from bot.language import language_of_words
from bot.normalize import fold

WORD = re.compile(r"[a-z0-9]+")
# What sets a part of a line apart: a colon, a full stop, a semicolon, a bar, quotes, brackets.
_SEGMENT_END = re.compile(r"[:.;|\"'`()\[\]]")
# Words that admin rows and chat put around a message without changing its meaning.
FILLER = frozenset(
    [
        "sku",
        "skus",
        "id",
        "ids",
        "order",
        "orders",
        "pedido",
        "pedidos",
        "orden",
        "ordenes",
        "error",
        "erro",
        "errors",
        "erros",
        "status",
        "amazon",
        "vtex",
        "marketplace",
        "failed",
        "falha",
        "fallo",
        "integration",
        "integracao",
        "integracion",
        "msg",
        "message",
        "mensagem",
        "mensaje",
        "the",
        "a",
        "an",
        "o",
        "el",
        "la",
        "de",
        "do",
        "da",
        "del",
        "en",
        "em",
        "in",
        "on",
        "with",
        "com",
        "con",
        "and",
        "e",
        "y",
        "for",
        "para",
        "por",
        "product",
        "produto",
        "producto",
        "is",
        "esta",
    ]
)


def is_core(word: str) -> bool:
    """A word that says something of its own: not filler, no digits."""
    return word not in FILLER and not any(c.isdigit() for c in word)


def core(line_skeleton: str, keep: frozenset[str] = frozenset()) -> str:
    """The line without the filler words and ids that surround a short message."""
    return " ".join(w for w in line_skeleton.split() if w in keep or is_core(w))


# Quotation marks people put around what the platform said.
_QUOTES = re.compile("[\"'\u2018\u2019\u201c\u201d\u00ab\u00bb`]")


def quoted(text: str) -> list[str]:
    """The stretches of `text` between quotation marks: "the 'SKU inactive' error" gives
    "SKU inactive". An apostrophe inside a word ("doesn't") neither opens nor closes one."""
    spans: list[str] = []
    opened = -1
    for mark in _QUOTES.finditer(text):
        at = mark.start()
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        if opened < 0:
            if not before.isalnum() and not after.isspace():
                opened = at + 1
        elif not after.isalnum() and not before.isspace():
            spans.append(text[opened:at])
            opened = -1
    return spans


@dataclass
class Line:
    """One line of a paste, folded and split into words once, for every candidate to share."""

    text: str
    folded: str
    words: list[str]
    starts: list[int]  # where each word starts in `folded`

    @classmethod
    def read(cls, text: str) -> Line:
        folded = fold(text)
        found = [(m.start(), m.group()) for m in WORD.finditer(folded)]
        return cls(text, folded, [w for _, w in found], [a for a, _ in found])

    @functools.cached_property
    def lang(self) -> str | None:
        """The language the line is written in, when its words say (`bot.language`)."""
        return language_of_words(self.words, "¿" in self.text or "¡" in self.text)

    def clause_starts(self, joins: frozenset[str], marks: str) -> list[int]:
        """The words that open a clause: a joining word ("and", "e", "y"), or the word after
        one of `marks` (",;" and the like)."""
        return [
            k
            for k in range(1, len(self.words))
            if self.words[k] in joins
            or not set(marks).isdisjoint(self.text[self.starts[k - 1] : self.starts[k]])
        ]

    @functools.cached_property
    def skeleton(self) -> str:
        return " ".join(self.words)

    @functools.cached_property
    def core_before(self) -> list[int]:
        """How many core words (not filler, no digits) come before word i."""
        return list(itertools.accumulate(map(is_core, self.words), initial=0))

    def core_outside(self, start: int, end: int) -> int:
        """How many core words lie outside folded[start:end] (a span on word boundaries),
        in the part of the line around it that punctuation sets apart ("...: Sku Inactive.
        mas eu ativei ele" counts none: the message is a sentence of its own)."""
        before = _SEGMENT_END.search(self.text[:start][::-1])
        after = _SEGMENT_END.search(self.text, end)
        lo = start - before.start() if before else 0
        hi = after.start() if after else len(self.text)
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end)
        seg_first = bisect.bisect_left(self.starts, lo)
        seg_last = bisect.bisect_left(self.starts, hi)
        core = self.core_before
        return (core[first] - core[seg_first]) + (core[seg_last] - core[last])

"""Recognise an error told in other words: the ideas a line shares with a message, in any language.

People do not paste the platform's text; they retell it ("a planilha manda um valor de
Size que a Amazon não aceita"), in Portuguese or Spanish about an English-only order
message, with the words in another order. Here each word becomes an idea: its
inflections are folded by a Snowball stemmer, and the vocabulary
(`knowledge/vocabulary/concepts.yml`) maps the words of the three languages that mean
the same to one idea. A message and a line are then compared by the ideas they share,
each weighted by how rare it is among the messages, so that what tells errors apart
(the attribute, the field, product or order) counts most.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import snowballstemmer

from bot.matching.calibration import MAX_RETOLD_CONFIDENCE as MAX_CONFIDENCE
from bot.normalize import fold, words
from bot.vocabulary import Vocabulary

# A line must share at least this many ideas with a message to retell it.
MIN_SHARED = 2
# How much of a message a line must say (in weight of shared ideas) to be sure of it:
# less is a passing mention of a word or two of the message.
ENOUGH_WEIGHT = 7.0
# Words the vocabulary does not know tell less: each language words a message its own
# way, and an untranslated word is often just that.
UNKNOWN_WORD_WEIGHT = 0.3
STEMMERS = ("portuguese", "spanish", "english")


class Concepts:
    """Words to ideas: the vocabulary's groups, inflections folded, function words dropped."""

    def __init__(self, vocabulary: Vocabulary):
        self._stemmers = [snowballstemmer.stemmer(lang) for lang in STEMMERS]
        self._ignore = {fold(w) for w in vocabulary.ignore}
        self._exact: dict[str, str] = {}
        self._stems: dict[str, str] = {}
        for name, group in vocabulary.concepts:
            for word in group:
                folded = fold(word)
                self._exact.setdefault(folded, name)
                for stem in self._stems_of(folded):
                    self._stems.setdefault(stem, name)
        self._cache: dict[str, str | None] = {}
        self.known_ideas = frozenset(name for name, _ in vocabulary.concepts)

    def _stems_of(self, word: str) -> list[str]:
        return [stemmer.stemWord(word) for stemmer in self._stemmers]

    def of(self, word: str) -> str | None:
        """The idea a folded word stands for; None for function words and numbers."""
        if word in self._cache:
            return self._cache[word]
        idea: str | None
        if word in self._ignore or len(word) < 2 or any(c.isdigit() for c in word):
            idea = None
        elif word in self._exact:
            idea = self._exact[word]
        else:
            stems = self._stems_of(word)
            idea = next((self._stems[s] for s in stems if s in self._stems), None)
            # A word the vocabulary does not know is an idea of its own, inflections folded.
            idea = idea or "=" + min(stems, key=len)
        if len(self._cache) < 50_000:
            self._cache[word] = idea
        return idea

    def of_words(self, folded_words: Sequence[str]) -> set[str]:
        """The ideas of a text's folded words (`bot.normalize.words`)."""
        return {idea for word in folded_words if (idea := self.of(word)) is not None}


@dataclass(frozen=True)
class Retold:
    """A message a line retells, and how surely (0-100)."""

    variant: int
    confidence: float


class RetellingIndex:
    """The ideas of every message, weighted by rarity, ready to compare with a line."""

    def __init__(self, texts: Sequence[str], implied: Sequence[frozenset[str]], concepts: Concepts):
        """`texts[i]` is message i (placeholders removed); `implied[i]` are ideas it goes
        without saying (an order message is about an order even when it says only
        "Inactive SKU")."""
        self.concepts = concepts
        sets = [
            concepts.of_words(words(fold(t))) | set(extra)
            for t, extra in zip(texts, implied, strict=True)
        ]
        # What each message says, for the slots a retelling names (its attribute, a value).
        self.ideas_of: list[frozenset[str]] = [frozenset(found) for found in sets]
        ideas: dict[str, int] = {}
        postings: list[list[int]] = []
        for vi, found in enumerate(sets):
            for idea in found:
                index = ideas.setdefault(idea, len(ideas))
                if index == len(postings):
                    postings.append([])
                postings[index].append(vi)
        n = max(len(sets), 1)
        self._ideas = ideas
        known = set(concepts.known_ideas)
        self._idf = np.array(
            [
                math.log((n + 1) / (len(p) + 0.5)) * (1.0 if idea in known else UNKNOWN_WORD_WEIGHT)
                for idea, p in zip(ideas, postings, strict=True)
            ]
        )
        self._postings = [np.array(p, dtype=np.int64) for p in postings]
        self._totals = np.zeros(len(sets))
        for index, plist in enumerate(postings):
            self._totals[plist] += self._idf[index]
        self._totals = np.maximum(self._totals, 1e-9)

    def retold(self, line_words: Sequence[str], limit: int = 5) -> list[Retold]:
        """The messages a line (its folded words) most likely retells, best first."""
        known = [self._ideas[i] for i in self.concepts.of_words(line_words) if i in self._ideas]
        if len(known) < 2:
            return []
        matched = np.zeros(len(self._totals))
        shared = np.zeros(len(self._totals), dtype=np.int64)
        for index in known:
            matched[self._postings[index]] += self._idf[index]
            shared[self._postings[index]] += 1
        said = float(self._idf[known].sum())
        recall = matched / self._totals  # how much of the message the line says
        precision = matched / said  # how much of what the line says is in the message
        score = (0.6 * recall + 0.4 * precision) * np.minimum(1.0, matched / ENOUGH_WEIGHT)
        score = np.where(shared >= MIN_SHARED, score, 0.0)
        top = np.argsort(-score)[:limit]
        return [
            Retold(int(v), float(min(MAX_CONFIDENCE, 100 * score[v]))) for v in top if score[v] > 0
        ]

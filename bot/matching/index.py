"""Retrieval: which messages a line could be, by the rare words they share (IDF-weighted)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

from bot.matching.patterns import Variant

CANDIDATES_PER_LINE = 8
MAX_CORRECTED_WORDS = 6
# A message must share this much of its word weight with a line to be verified against it.
MIN_COVERAGE = 0.25


class WordIndex:
    """An inverted index of the messages' words, and the published messages for guesses.

    Retrieval keeps a 10,000-entry base as fast as the real one: only the few messages
    that share the most (rare) words with a line are verified against it.
    """

    def __init__(self, variants: Sequence[Variant], published: Sequence[int]):
        """`published[i]` are the indexes of the variants that are published messages:
        guesses for a paste nothing matched come from those only."""
        self.variants = variants
        vocab: dict[str, int] = {}
        postings: list[list[int]] = []
        for vi, variant in enumerate(variants):
            for word in set(variant.skeleton.split()):
                wi = vocab.setdefault(word, len(vocab))
                if wi == len(postings):
                    postings.append([])
                postings[wi].append(vi)
        n = max(len(variants), 1)
        self._vocab = vocab
        self._guess_variants = list(published)
        self._skeletons = [variants[vi].skeleton for vi in self._guess_variants]
        per_entry = Counter(variants[vi].entry_id for vi in self._guess_variants)
        self._most_per_entry = max(per_entry.values(), default=1)
        self._vocab_words = list(vocab)
        self._idf = np.array([math.log((n + 1) / (len(p) + 0.5)) for p in postings])
        self._offsets = np.cumsum([0] + [len(p) for p in postings])
        self._postings = np.array([vi for p in postings for vi in p], dtype=np.int64)
        totals = np.zeros(len(variants))
        for wi, plist in enumerate(postings):
            totals[plist] += self._idf[wi]
        self._totals = np.maximum(totals, 1e-9)

    def known_words(self, line_words: list[str]) -> set[int]:
        """Vocabulary ids of the line's words; on short lines, misspelled words too."""
        ids = {self._vocab[w] for w in line_words if w in self._vocab}
        unknown = [w for w in set(line_words) if w not in self._vocab and len(w) >= 4]
        if unknown and len(unknown) <= MAX_CORRECTED_WORDS:
            # A typo in a two-word message ("Inactve SKU") would otherwise hide it.
            scores = process.cdist(
                unknown, self._vocab_words, scorer=fuzz.ratio, score_cutoff=80, dtype=np.uint8
            )
            best = scores.argmax(axis=1)
            ids.update(int(wi) for row, wi in zip(scores, best, strict=True) if row[wi])
        return ids

    def candidates(self, line_words: list[str]) -> list[int]:
        """The variants (indexes) most worth verifying against a line, best first."""
        ids = sorted(self.known_words(line_words))
        if not ids:
            return []
        starts, ends = self._offsets[ids], self._offsets[np.array(ids) + 1]
        lengths = ends - starts
        idx = np.concatenate([self._postings[s:e] for s, e in zip(starts, ends, strict=True)])
        weights = np.repeat(self._idf[ids], lengths)
        coverage = np.bincount(idx, weights=weights, minlength=len(self.variants)) / self._totals
        k = min(CANDIDATES_PER_LINE, len(coverage))
        top = np.argpartition(-coverage, k - 1)[:k]
        return [int(i) for i in top[np.argsort(-coverage[top])] if coverage[i] >= MIN_COVERAGE]

    def containing(self, phrase_words: Sequence[str]) -> list[int]:
        """The variants whose words hold `phrase_words` one after the other, as written."""
        ids = [self._vocab.get(w) for w in set(phrase_words)]
        if not phrase_words or None in ids:
            return []
        rarest = min(ids, key=lambda wi: self._offsets[wi + 1] - self._offsets[wi])
        phrase = f" {' '.join(phrase_words)} "
        return [
            int(vi)
            for vi in self._postings[self._offsets[rarest] : self._offsets[rarest + 1]]
            if phrase in f" {self.variants[vi].skeleton} "
        ]

    def guesses(self, skeleton: str, entries: int) -> list[tuple[int, float]]:
        """(variant, score) of the published messages most like a text, however weakly:
        enough of them to name `entries` different entries, if that many are like it at all."""
        # An entry with many published messages must not crowd the others out.
        limit = entries * self._most_per_entry
        return [
            (self._guess_variants[gi], score)
            for _, score, gi in process.extract(
                skeleton, self._skeletons, scorer=fuzz.token_set_ratio, limit=limit, score_cutoff=30
            )
        ]

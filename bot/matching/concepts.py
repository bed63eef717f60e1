"""Words to ideas: the vocabulary's groups in three languages, inflections folded by a stemmer."""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence

import snowballstemmer

from bot.normalize import fold, words
from bot.vocabulary import IGNORE, Vocabulary

STEMMERS = ("portuguese", "spanish", "english")
_NOTHING: frozenset[str] = frozenset()
_STEMMERS = [snowballstemmer.stemmer(lang) for lang in STEMMERS]
# A stemmer keeps the word it works on in itself: one thread at a time (a knowledge
# reload builds its matcher on a thread while the event loop matches).
_STEMMING = threading.Lock()


@functools.lru_cache(maxsize=20_000)
def stems_of(word: str) -> tuple[str, ...]:
    """A folded word's stems in Portuguese, Spanish and English.

    Shared by every matcher the process builds: stemming the vocabulary and the messages
    is most of the time a matcher takes to build, and a knowledge edit builds a new one.
    """
    with _STEMMING:
        return tuple(stemmer.stemWord(word) for stemmer in _STEMMERS)


class Concepts:
    """Words to ideas: the vocabulary's groups, inflections folded, function words dropped."""

    def __init__(self, vocabulary: Vocabulary):
        self._ignore = {fold(w) for w in vocabulary.ignore if len(words(fold(w))) == 1}
        exact: dict[str, set[str]] = {}
        phrases: dict[tuple[str, ...], set[str]] = {}
        for name, group in vocabulary.concepts:
            for word in group:
                split = tuple(words(fold(word)))
                if len(split) > 1:
                    phrases.setdefault(split, set()).add(name)
                elif split:
                    exact.setdefault(split[0], set()).add(name)
        for phrase in vocabulary.ignore:
            if len(split := tuple(words(fold(phrase)))) > 1:
                phrases.setdefault(split, set())
        # Several words that say one idea ("sin embargo" says none, "não autorizado" one),
        # longest first, by their first word.
        self._phrases: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = {}
        for split, ideas in sorted(phrases.items(), key=lambda p: -len(p[0])):
            self._phrases.setdefault(split[0], []).append((split, frozenset(ideas)))
        # A word listed in two groups says both ("inválido": accepted, negation).
        self._exact = {word: frozenset(ideas) for word, ideas in exact.items()}
        self._stems: dict[str, frozenset[str]] = {}
        for word, ideas in self._exact.items():
            for stem in stems_of(word):
                self._stems.setdefault(stem, ideas)
        local: dict[str | None, dict[str, set[str]]] = {}
        for lang, idea, group in vocabulary.in_language:
            for word in group:
                ideas = local.setdefault(lang, {}).setdefault(fold(word), set())
                if idea != IGNORE:
                    ideas.add(idea)
        self._local: dict[str | None, dict[str, frozenset[str]]] = {
            lang: {word: frozenset(ideas) for word, ideas in found.items()}
            for lang, found in local.items()
        }
        # Where the line's language cannot be told, a word two languages read alike is read
        # their way ("no" is a negation in Spanish and in English).
        readings: dict[str, list[frozenset[str]]] = {}
        for found in self._local.values():
            for word, ideas in found.items():
                readings.setdefault(word, []).append(ideas)
        self._local[None] = {
            word: said[0]
            for word, said in readings.items()
            if len(said) >= 2 and all(ideas == said[0] for ideas in said)
        }
        self._cache: dict[str, frozenset[str]] = {}
        self.known_ideas = frozenset(name for name, _ in vocabulary.concepts)

    def of(self, word: str, lang: str | None = None) -> frozenset[str]:
        """The ideas a folded word stands for in `lang` (None: a language not told); none
        for function words and numbers."""
        if word in (local := self._local.get(lang, {})):
            return local[word]
        if word in self._cache:
            return self._cache[word]
        ideas: frozenset[str]
        if word in self._ignore or len(word) < 2 or any(c.isdigit() for c in word):
            ideas = _NOTHING
        elif word in self._exact:
            ideas = self._exact[word]
        else:
            stems = stems_of(word)
            ideas = next((self._stems[s] for s in stems if s in self._stems), _NOTHING)
            # A word the vocabulary does not know is an idea of its own, inflections folded.
            ideas = ideas or frozenset({"=" + min(stems, key=len)})
        if len(self._cache) < 50_000:
            self._cache[word] = ideas
        return ideas

    def of_words(self, folded_words: Sequence[str], lang: str | None = None) -> set[str]:
        """The ideas of a text's folded words (`bot.normalize.words`), phrases read whole."""
        found: set[str] = set()
        if self._phrases.keys().isdisjoint(folded_words):
            for word in set(folded_words):
                found |= self.of(word, lang)
            return found
        alone: set[str] = set()  # words read on their own: each once, however often said
        i = 0
        while i < len(folded_words):
            word = folded_words[i]
            for phrase, ideas in self._phrases.get(word, ()):
                if tuple(folded_words[i : i + len(phrase)]) == phrase:
                    found |= ideas
                    i += len(phrase)
                    break
            else:
                alone.add(word)
                i += 1
        for word in alone:
            found |= self.of(word, lang)
        return found

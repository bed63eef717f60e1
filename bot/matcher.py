"""Recognise known errors in pasted text and pull out their values (SKU, attribute, ...).

Three passes per line of the paste:

1. *Retrieve*: an inverted index of the message words (IDF-weighted) picks the few
   message variants (entry x language) that share the most words with the line.
   This keeps a 10,000-entry base as fast as the real one.
2. *Verify exactly*: each candidate's message is compiled to a regular expression in
   which placeholders are wildcards; a hit gives full confidence and the slot values.
3. *Verify fuzzily*: otherwise rapidfuzz aligns the message with the line
   (`partial_ratio_alignment`), which absorbs typos, truncation and chatter around it.

A line yields its best candidate when the confidence reaches `MATCH_THRESHOLD`;
weaker candidates become alternatives. A paste with nothing above the threshold is
an honest "no match".
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import string
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from bot.knowledge import Entry
from bot.normalize import MAX_INPUT_CHARS, clean_paste, context_slots, fold, sku_list, words
from bot.retelling import Concepts, RetellingIndex
from bot.vocabulary import Vocabulary

MATCH_THRESHOLD = 72
ALTERNATIVE_THRESHOLD = 45
CANDIDATES_PER_LINE = 8
MAX_CORRECTED_WORDS = 6
TELLING_LENGTH = 90
NEAR_TIE = 3  # points between two candidates that count as a tie
MAX_ALTERNATIVES = 3
RETOLD_PER_LINE = 3
# Work per paste is bounded: past this many seconds the paste is answered with the lines
# read so far, and the card says so. A typical paste takes well under a millisecond.
MATCH_BUDGET_SECONDS = 0.05
# The same message printed over and over on one line is one error: a few occurrences tell
# all there is to know, and reading every one of them would cost time for nothing.
MAX_HITS_PER_VARIANT = 8
# "Did you mean" guesses for a paste nothing matched read only its beginning.
CLOSEST_CHARS = 2000
# Messages of this many words or fewer ("Inactive SKU") are everyday phrases too:
# they count only when the line is mostly the message itself.
SHORT_MESSAGE_WORDS = 4
# Words that admin rows and chat put around a message without changing its meaning.
_FILLER = frozenset(
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
_SLOT_PATTERNS = {
    "sku": r"[^\s,;]{1,40}?",
    "order": r"[^\s,;]{1,40}?",
    "seller": r"[^\s,;]{1,60}",
    "sales_channel": r"[^\s,;.]{1,40}",
}
_DEFAULT_SLOT = r".{1,100}?"
_SEP = r"[^a-z0-9]{0,12}"
_STRIP_VALUE = " \"'()[]{}<>.,;:|"
_OPENER_OF = {")": "(", "]": "[", "}": "{", ">": "<"}
_CLOSER_OF = {opener: closer for closer, opener in _OPENER_OF.items()}


@dataclass(frozen=True)
class Variant:
    """One message of one entry in one language, prepared for matching."""

    entry_id: str
    lang: str
    template: str
    pattern: re.Pattern[str]
    skeleton: str
    placeholders: tuple[str, ...]
    anchored: tuple[re.Pattern[str], ...]

    @property
    def short(self) -> bool:
        return len(self.skeleton.split()) <= SHORT_MESSAGE_WORDS


@dataclass(frozen=True)
class Match:
    """A known error found in the text, with the values read from it."""

    id: str
    title: str
    score: int
    slots: dict[str, str] = field(default_factory=dict)
    skus: tuple[str, ...] = ()
    orders: tuple[str, ...] = ()
    lang: str = "en"
    exact: bool = False

    def as_dict(self) -> dict:
        slots = dict(self.slots)
        if len(self.skus) > 1:
            slots["skus"] = list(self.skus)
        if len(self.orders) > 1:
            slots["orders"] = list(self.orders)
        return {"id": self.id, "title": self.title, "score": self.score, "slots": slots}


@dataclass(frozen=True)
class MatchResult:
    """What a paste reports: the errors found (best first) and the next best guesses."""

    matches: list[Match]
    alternatives: list[Match]
    truncated: bool = False
    limit: int = MAX_INPUT_CHARS
    # Set when the time budget ran out: only the first `lines_read` of `lines_total` were read.
    incomplete: bool = False
    lines_read: int = 0
    lines_total: int = 0

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None

    def as_dict(self) -> dict:
        return {
            "matches": [m.as_dict() for m in self.matches],
            "alternatives": [m.as_dict() for m in self.alternatives],
            "truncated": self.truncated,
            "incomplete": self.incomplete,
        }


@dataclass
class _Hit:
    variant: Variant
    score: float
    exact: bool
    start: int
    slots: dict[str, str]
    fit: float = 0.0  # similarity of the whole line to the message: the tie-breaker


@dataclass
class _Line:
    """One line of a paste, folded and split into words once, for every candidate to share."""

    text: str
    folded: str
    words: list[str]
    starts: list[int]  # where each word starts in `folded`

    @classmethod
    def read(cls, text: str) -> _Line:
        folded = fold(text)
        found = [(m.start(), m.group()) for m in _WORD.finditer(folded)]
        return cls(text, folded, [w for _, w in found], [a for a, _ in found])

    @functools.cached_property
    def core_before(self) -> list[int]:
        """How many core words (not filler, no digits) come before word i."""
        return list(itertools.accumulate(map(_is_core, self.words), initial=0))

    def core_outside(self, start: int, end: int) -> int:
        """How many core words lie outside folded[start:end] (a span on word boundaries)."""
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end)
        return self.core_before[-1] - (self.core_before[last] - self.core_before[first])


_WORD = re.compile(r"[a-z0-9]+")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# A value quoted in a retelling: "Azul Marinho", 'Azul', (Azul); not an apostrophe.
_QUOTED = re.compile(
    r'"([^"\n]{1,80})"|(?<![A-Za-z])\'([^\'\n]{1,80})\'(?![A-Za-z])|\(([^()\n]{1,80})\)'
)


def _is_core(word: str) -> bool:
    return word not in _FILLER and not any(c.isdigit() for c in word)


def _strip_value(raw: str) -> str:
    """A captured value without the quotes and punctuation around it.

    A bracket the value itself opens or closes stays: "P&B <Kids>" keeps its ">".
    """
    value = raw.strip(_STRIP_VALUE)
    start = raw.find(value) if value else 0
    end = start + len(value)
    while end < len(raw) and (opener := _OPENER_OF.get(raw[end])):
        if raw.count(opener, start, end) <= raw.count(raw[end], start, end):
            break
        end += 1
    while start > 0 and (closer := _CLOSER_OF.get(raw[start - 1])):
        if raw.count(closer, start, end) <= raw.count(raw[start - 1], start, end):
            break
        start -= 1
    return raw[start:end]


def _slot_pattern(name: str, before: str, after: str) -> str:
    if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
        # "(Azul Royal)": everything up to the closing parenthesis, spaces included.
        return r"[^()\n]{1,100}"
    return _SLOT_PATTERNS.get(name, _DEFAULT_SLOT)


def _compile(
    template: str,
) -> tuple[re.Pattern[str], str, tuple[str, ...], tuple[re.Pattern[str], ...]]:
    """Compile a message for matching on folded text.

    Returns the whole-message regex (a named group per placeholder), the literal
    skeleton (words only), the placeholder names, and one small regex per
    placeholder anchored on the words around it, which still finds the value when
    the rest of the message is cut off or misspelled.
    """
    pieces = list(string.Formatter().parse(template))
    parts: list[str] = []
    literal_words: list[str] = []
    names: list[str] = []
    anchored: list[re.Pattern[str]] = []
    for i, (literal, name, _, _) in enumerate(pieces):
        for word in words(fold(literal)):
            parts.append(re.escape(word))
            literal_words.append(word)
        if name is None:
            continue
        following = pieces[i + 1][0] if i + 1 < len(pieces) else ""
        slot = _slot_pattern(name, literal, following)
        # A value named twice ("SKU {sku} ... SKU {sku}") is captured once.
        parts.append(f"(?:{slot})" if name in names else f"(?P<{name}>{slot})")
        if name not in names:
            before = [re.escape(w) for w in words(fold(literal))[-3:]]
            after = [re.escape(w) for w in words(fold(following))[:2]]
            if before:
                tail = _SEP.join(after) if after else r"(?:[^a-z0-9]|$)"
                anchored.append(
                    re.compile(_SEP.join([*before, f"(?P<{name}>{slot})"]) + _SEP + tail)
                )
        names.append(name)
    body = _SEP.join(parts)
    pattern = re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")
    return pattern, " ".join(literal_words), tuple(names), tuple(anchored)


class Matcher:
    """An index over the knowledge entries, ready to match pastes."""

    def __init__(self, entries: Sequence[Entry], vocabulary: Vocabulary | None = None):
        self.entries = {entry.id: entry for entry in entries}
        self.vocabulary = vocabulary or Vocabulary()
        self.variants: list[Variant] = []
        for entry in entries:
            for lang, message in entry.all_texts():
                pattern, skeleton, names, anchored = _compile(message)
                if skeleton:
                    self.variants.append(
                        Variant(entry.id, lang, message, pattern, skeleton, names, anchored)
                    )
        self._build_index()
        # Messages by their ideas, for lines that retell an error in other words.
        scopes = {entry.id: entry.scope for entry in entries}
        self._retellings = RetellingIndex(
            [_PLACEHOLDER.sub(" ", v.template) for v in self.variants],
            [
                frozenset({"order"}) if scopes[v.entry_id] == "order" else frozenset()
                for v in self.variants
            ],
            Concepts(self.vocabulary),
        )
        self._ideas_of = {
            v.template: ideas
            for v, ideas in zip(self.variants, self._retellings.ideas_of, strict=True)
        }

    def _build_index(self) -> None:
        vocab: dict[str, int] = {}
        postings: list[list[int]] = []
        for vi, variant in enumerate(self.variants):
            for word in set(variant.skeleton.split()):
                wi = vocab.setdefault(word, len(vocab))
                if wi == len(postings):
                    postings.append([])
                postings[wi].append(vi)
        n = max(len(self.variants), 1)
        self._vocab = vocab
        # Guesses for a paste nothing matched come from the published messages only: the
        # short older wordings ("Feed rejected") look a little like any chat.
        published = {(e.id, lang, m) for e in self.entries.values() for lang, m in e.all_messages()}
        self._guess_variants = [
            vi
            for vi, v in enumerate(self.variants)
            if (v.entry_id, v.lang, v.template) in published
        ]
        self._skeletons = [self.variants[vi].skeleton for vi in self._guess_variants]
        self._vocab_words = list(vocab)
        self._idf = np.array([math.log((n + 1) / (len(p) + 0.5)) for p in postings])
        self._offsets = np.cumsum([0] + [len(p) for p in postings])
        self._postings = np.array([vi for p in postings for vi in p], dtype=np.int64)
        totals = np.zeros(len(self.variants))
        for wi, plist in enumerate(postings):
            totals[plist] += self._idf[wi]
        self._totals = np.maximum(totals, 1e-9)

    # -- retrieval ---------------------------------------------------------------

    def _known_words(self, line_words: list[str]) -> set[int]:
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

    def _candidates(self, line_words: list[str]) -> list[int]:
        ids = sorted(self._known_words(line_words))
        if not ids:
            return []
        starts, ends = self._offsets[ids], self._offsets[np.array(ids) + 1]
        lengths = ends - starts
        idx = np.concatenate([self._postings[s:e] for s, e in zip(starts, ends, strict=True)])
        weights = np.repeat(self._idf[ids], lengths)
        coverage = np.bincount(idx, weights=weights, minlength=len(self.variants)) / self._totals
        k = min(CANDIDATES_PER_LINE, len(coverage))
        top = np.argpartition(-coverage, k - 1)[:k]
        return [int(i) for i in top[np.argsort(-coverage[top])] if coverage[i] >= 0.25]

    # -- verification ------------------------------------------------------------

    def _exact_hits(self, variant: Variant, line: _Line) -> list[_Hit]:
        hits = []
        text = line.text
        as_printed = variant.short and variant.template.replace("{", "").replace("}", "") in text
        for m in itertools.islice(variant.pattern.finditer(line.folded), MAX_HITS_PER_VARIANT):
            slots = {
                name: _strip_value(text[m.start(name) : m.end(name)])
                for name in variant.placeholders
                if name in m.groupdict() and m.group(name) is not None
            }
            score = 100.0
            if variant.short:
                score = _short_message_score(line.core_outside(m.start(), m.end()), as_printed)
            hits.append(
                _Hit(variant, score, True, m.start(), {k: v for k, v in slots.items() if v})
            )
        return hits

    def _fuzzy_hit(self, variant: Variant, line_skeleton: str) -> _Hit | None:
        skeleton = variant.skeleton
        if variant.short:
            # Short messages must be (nearly) the whole line, ids and filler aside.
            core = _core(line_skeleton, keep=frozenset(skeleton.split()))
            if len(core) > 2 * len(skeleton):
                return None
            score = Indel.normalized_similarity(skeleton, core) * 100
            return _Hit(variant, score, False, 0, {}) if score >= 60 else None
        alignment = fuzz.partial_ratio_alignment(skeleton, line_skeleton, score_cutoff=60)
        if alignment is None:
            return None
        if len(line_skeleton) >= len(skeleton):
            coverage = 1.0
            start = alignment.dest_start
        else:
            # The paste holds only part of the message (cut off, or quoted in part);
            # some 90 characters of it are as telling as the whole.
            coverage = min(1.0, len(line_skeleton) / min(len(skeleton), TELLING_LENGTH))
            start = 0
        score = alignment.score * (0.55 + 0.45 * coverage)
        return _Hit(variant, score, False, start, {})

    def _named_slots(
        self, variant: Variant, line: str, slots: dict, read_exactly: bool = False
    ) -> None:
        """The attribute a message names, and a value quoted beside it, as the line writes them.

        "o valor "Azul Marinho" de Cor não é aceito": the attribute is the word that says
        what the message's attribute says (Cor for Color), the value what is quoted.
        """
        concepts = self._retellings.concepts
        ideas = self._ideas_of[variant.template]
        if "attribute" not in slots:
            named = ideas & self.vocabulary.attribute_ideas
            folded = fold(line)
            for m in _WORD.finditer(folded) if named else ():
                if concepts.of(m.group()) in named:
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

    def _fuzzy_slots(self, variant: Variant, line: str) -> dict[str, str]:
        """Values of a misspelled or cut-off message: fix the words, then read around them."""
        if not variant.anchored:
            return {}
        folded = fold(line)
        spans = [(m.start(), m.end()) for m in re.finditer(r"[a-z0-9]+", folded)]
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
                value = _strip_value(corrected[m.start(name) : m.end(name)])
                if value:
                    slots[name] = value
        return slots

    def _line_hits(self, text: str) -> list[_Hit]:
        line = _Line.read(text)
        line_words = line.words
        if not line_words or self.vocabulary.about_another_marketplace(line.folded):
            return []
        line_skeleton = " ".join(line_words)
        hits: list[_Hit] = []
        fuzzy: list[_Hit] = []
        for vi in self._candidates(line_words):
            variant = self.variants[vi]
            exact = self._exact_hits(variant, line)
            if exact:
                hits.extend(exact)
                continue
            hit = self._fuzzy_hit(variant, line_skeleton)
            if hit is not None:
                fuzzy.append(hit)
        found = hits + fuzzy
        top = max((hit.score for hit in found), default=0.0)
        if max((hit.score for hit in hits), default=0.0) < MATCH_THRESHOLD:
            # Not the platform's words: perhaps the error retold in the writer's own.
            for retold in self._retellings.retold(line_words, RETOLD_PER_LINE):
                found.append(_Hit(self.variants[retold.variant], retold.confidence, False, 0, {}))
            top = max((hit.score for hit in found), default=0.0)
        for hit in found:
            if top - hit.score <= NEAR_TIE:  # only near-ties need the tie-breaker
                hit.fit = fuzz.ratio(hit.variant.skeleton, line_skeleton)
        return found

    # -- the public entry point --------------------------------------------------

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
        found: list[tuple[int, _Hit, str]] = []
        others: list[_Hit] = []
        read = len(lines)
        # Pasted tables repeat lines word for word: each distinct line is read once.
        seen: dict[str, tuple[list[_Hit], list[_Hit]]] = {}
        for index, line in enumerate(lines):
            if index and time.perf_counter() > deadline:
                read = index
                break
            if line not in seen:
                seen[line] = _choose(self._line_hits(line))
            chosen, rest = seen[line]
            found.extend((index, hit, line) for hit in chosen)
            others.extend(rest)
        lines = lines[:read]
        if not found and 1 < len(lines) <= 12:
            # A message wrapped over several lines, or broken up by chatter.
            joined = " ".join(lines)
            chosen, rest = _choose(self._line_hits(joined))
            found.extend((0, hit, joined) for hit in chosen)
            others.extend(rest)
        loose = _LooseIds(lines, {index for index, _, _ in found})
        with_slots = []
        for index, hit, line in found:
            slots = context_slots(line)
            for key in ("sku", "order"):
                if key not in slots:
                    # "sku 123" said on a line of its own, next to the error.
                    near = loose.nearest(key, index)
                    if near is not None:
                        slots[key] = near
            if not hit.exact:
                slots.update(self._fuzzy_slots(hit.variant, line))
            found_slots = {**slots, **hit.slots}
            self._named_slots(hit.variant, line, found_slots, read_exactly=hit.exact)
            listed = sku_list(line)
            if len(listed) > 1 and found_slots.get("sku") in (None, *listed):
                # "SKUs 9001, 9002: ...": every one of them, the first as "the" SKU.
                found_slots["sku"] = listed[0]
                found_slots["sku_list"] = listed
            with_slots.append((index, hit, found_slots))
        return MatchResult(
            self._merge(with_slots),
            self._alternatives(others, {h.variant.entry_id for _, h, _ in found}),
            cleaned.truncated,
            limit,
            incomplete=read < len(all_lines),
            lines_read=read,
            lines_total=len(all_lines),
        )

    def _merge(self, found: list[tuple[int, _Hit, dict[str, str]]]) -> list[Match]:
        by_id: dict[str, dict] = {}
        for order, (index, hit, slot_values) in enumerate(found):
            entry_id = hit.variant.entry_id
            acc = by_id.setdefault(
                entry_id,
                {"hit": hit, "slots": {}, "skus": {}, "orders": {}, "first": (index, order)},
            )
            if hit.score > acc["hit"].score:
                acc["hit"] = hit
            for key, value in slot_values.items():
                if key != "sku_list":
                    acc["slots"].setdefault(key, value)
            for sku in slot_values.get("sku_list") or [slot_values.get("sku")]:
                if sku is not None:
                    acc["skus"][sku] = None  # a dict keeps order, without repeats
            if "order" in slot_values:
                acc["orders"][slot_values["order"]] = None
        ranked = sorted(by_id.values(), key=lambda a: (-round(a["hit"].score), a["first"]))
        return [
            Match(
                id=a["hit"].variant.entry_id,
                title=self.entries[a["hit"].variant.entry_id].title,
                score=_confidence(a["hit"].score),
                slots=a["slots"],
                skus=tuple(a["skus"]),
                orders=tuple(a["orders"]),
                lang=a["hit"].variant.lang,
                exact=a["hit"].exact,
            )
            for a in ranked
        ]

    def _alternatives(self, hits: list[_Hit], taken: set[str]) -> list[Match]:
        best: dict[str, _Hit] = {}
        for hit in hits:
            entry_id = hit.variant.entry_id
            if entry_id in taken or hit.score < ALTERNATIVE_THRESHOLD:
                continue
            if entry_id not in best or hit.score > best[entry_id].score:
                best[entry_id] = hit
        ranked = sorted(best.values(), key=lambda h: -h.score)[:MAX_ALTERNATIVES]
        return [
            Match(
                id=h.variant.entry_id,
                title=self.entries[h.variant.entry_id].title,
                score=_confidence(h.score),
                lang=h.variant.lang,
            )
            for h in ranked
        ]

    def closest(self, text: str, limit: int = MAX_ALTERNATIVES) -> list[Match]:
        """The entries whose messages look most like `text`, however weakly (for no-match cards)."""
        skeleton = " ".join(words(fold(clean_paste(text, CLOSEST_CHARS).text)))
        if not skeleton:
            return []
        seen: dict[str, Match] = {}
        for _, score, gi in process.extract(
            skeleton, self._skeletons, scorer=fuzz.token_set_ratio, limit=limit * 4, score_cutoff=30
        ):
            variant = self.variants[self._guess_variants[gi]]
            if variant.entry_id not in seen:
                seen[variant.entry_id] = Match(
                    variant.entry_id,
                    self.entries[variant.entry_id].title,
                    _confidence(score * 0.6),
                    lang=variant.lang,
                )
        return list(seen.values())[:limit]


def _core(line_skeleton: str, keep: frozenset[str] = frozenset()) -> str:
    """The line without the filler words and ids that surround a short message."""
    kept = [
        w
        for w in line_skeleton.split()
        if w in keep or (w not in _FILLER and not any(c.isdigit() for c in w))
    ]
    return " ".join(kept)


def _short_message_score(extra: int, as_printed: bool) -> float:
    """A short message found inside a longer line: is it the platform's text or chat?

    `extra` counts the line's other meaningful words; `as_printed` says the message
    appears with the platform's own capitals.
    """
    if extra == 0:
        return 100.0
    # The platform capitalises its messages; chat about "an inactive sku" does not.
    penalty = 4 * extra if as_printed else 12 * extra
    return max(0.0, 100.0 - min(penalty, 60))


class _LooseIds:
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


def _choose(hits: list[_Hit]) -> tuple[list[_Hit], list[_Hit]]:
    """The hits a line reports, and the rest as alternatives.

    Exact hits at different places in the line are all reported (two errors on one
    line); where two messages overlap, the more specific (longer) one wins.
    """
    if not hits:
        return [], []
    ordered = sorted(hits, key=lambda h: (-h.score, -len(h.variant.skeleton)))
    chosen: list[_Hit] = []
    rest: list[_Hit] = []
    best = ordered[0]
    if best.score < MATCH_THRESHOLD:
        return [], ordered
    # Among near-ties ("Size" and "SizeMap" with a typo), prefer the message that
    # resembles the line as a whole, not just in part.
    near = [h for h in ordered if best.score - h.score <= NEAR_TIE]
    best = max(near, key=lambda h: (h.exact, h.fit, h.score))
    chosen.append(best)
    for hit in ordered:
        if hit is best:
            continue
        separate = hit.exact and best.exact and abs(hit.start - best.start) > 0
        overlaps = any(_overlap(hit, other) for other in chosen) or hit.variant.entry_id in {
            c.variant.entry_id for c in chosen
        }
        if separate and not overlaps and hit.score >= MATCH_THRESHOLD:
            chosen.append(hit)
        elif _overlap(hit, best) or not hit.exact:
            # A look-alike of what the line was found to say is a weaker guess than it.
            rest.append(_Hit(hit.variant, min(hit.score, best.score - 10), False, hit.start, {}))
        else:
            rest.append(hit)
    return chosen, rest


def _overlap(a: _Hit, b: _Hit) -> bool:
    a_end = a.start + len(a.variant.skeleton)
    b_end = b.start + len(b.variant.skeleton)
    return a.start < b_end and b.start < a_end


def _confidence(score: float) -> int:
    return max(0, min(100, round(score)))

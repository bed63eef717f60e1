"""Values a retelling names in its own words, each nearest to the words that name its placeholder.

"seller 'megastore'", "canal de ventas 6", "vtex says 110V and amazon has 127V".
"""

from __future__ import annotations

import bisect
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.matching.concepts import Concepts
from bot.matching.lines import Line
from bot.matching.patterns import strip_value
from bot.normalize import fold, words

# A value quoted, or said in parentheses; not an apostrophe inside a word ("it's").
_QUOTED = re.compile(r'"([^"\n]{1,80})"|(?<![A-Za-z])\'([^\'\n]{1,80})\'(?![A-Za-z])')
_PARENTHESES = re.compile(r"\(([^()\n]{1,80})\)")
# A quoted text this long, or sharing this many words with the message, is the error
# itself quoted, not a value.
MAX_VALUE_WORDS = 4
MESSAGE_WORDS_IN_A_QUOTE = 2
# Content words read before a placeholder in a message to know what it is ("value of
# specification ({attribute})"), and after it ("({vtex_value}) on VTEX" says nothing
# more than its name).
WORDS_BEFORE = 2
# A value said before the words that name it ("the Voltage attribute") is a little less
# likely than one said after them ("the attribute Voltage").
BEFORE_PENALTY = 1
# A value and the word naming it in different clauses ("110V on vtex, 127V on amazon":
# 127V is not VTEX's) are this much farther apart for each clause boundary between them.
CLAUSE_PENALTY = 2
CLAUSE_MARKS = ",;.!?"


@dataclass(frozen=True)
class Slot:
    """A placeholder of an error, with the ideas and words that say what it holds."""

    name: str
    ideas: frozenset[str]
    words: frozenset[str]  # names of it that carry no idea ("vtex" of vtex_value)


@dataclass(frozen=True)
class Candidate:
    """Something in a line that could be a value: quoted, in parentheses, a number, a Name."""

    value: str
    first: int  # its first and last word in the line
    last: int
    named_attribute: bool = False  # a word the vocabulary knows as an attribute ("Cor")


def slots_of(
    texts: Iterable[tuple[str, str]], concepts: Concepts, pseudo: Iterable[Slot] = ()
) -> tuple[Slot, ...]:
    """The placeholders of an error's messages (`(lang, text)` pairs), each with what names it
    in any of them; `pseudo` adds values its messages speak of without a placeholder."""
    ideas: dict[str, set[str]] = {}
    literal: dict[str, set[str]] = {}
    for lang, text in texts:
        before: list[str] = []
        for piece, name, _, _ in string.Formatter().parse(text):
            before.extend(words(fold(piece)))
            if not name:
                continue
            found = ideas.setdefault(name, set())
            names = literal.setdefault(name, set())
            for token in name.split("_"):
                said = _known(concepts.of(token, "en"))
                found |= said
                if not said:
                    names.add(token)
            content = [w for w in before if _known(concepts.of(w, lang))]
            for word in content[-WORDS_BEFORE:]:
                found |= _known(concepts.of(word, lang))
    slots = [
        Slot(name, frozenset(ideas[name]), frozenset(literal[name]))
        for name in ideas
        if name not in ("sku", "order")  # ids are read by their own rules
    ]
    # Values spoken of without a placeholder count only where there is none.
    return tuple(slots) if slots else tuple(pseudo)


def _known(ideas: frozenset[str]) -> frozenset[str]:
    return frozenset(i for i in ideas if not i.startswith("="))


def candidates(
    line: Line,
    concepts: Concepts,
    lang: str | None,
    attribute_ideas: frozenset[str],
    message_words: frozenset[str],
    ids: set[str],
    quoted_only: bool = False,
) -> list[Candidate]:
    """What in the line could be a value, in order: quoted text, text in parentheses, words
    with digits that are no SKU or order id, Capitalised words the vocabulary does not know,
    and the words it knows as attributes (`quoted_only`: the first two only)."""
    found: list[Candidate] = []
    text = line.text
    # The words of the SKU and order ids already read are no values ("702-1234567-...").
    covered: set[int] = set()
    for known_id in ids:
        for m in re.finditer(re.escape(known_id), text):
            first, last = _words_between(line, m.start(), m.end())
            covered.update(range(first, last + 1))
    ids_at = set(covered)
    for pattern in (_QUOTED, _PARENTHESES):
        for m in pattern.finditer(text):
            group = next(g for g in range(1, (m.lastindex or 0) + 1) if m.group(g) is not None)
            first, last = _words_between(line, m.start(group), m.end(group))
            if first > last or covered & set(range(first, last + 1)):
                continue
            value = strip_value(m.group(group))
            quoted_words = words(fold(value))
            said = [w for w in quoted_words if _known(concepts.of(w, lang))]
            if (
                not value
                or value.isdigit()
                or len(quoted_words) > MAX_VALUE_WORDS
                or len(set(quoted_words) & message_words) >= MESSAGE_WORDS_IN_A_QUOTE
                or set(quoted_words) <= message_words  # "a(s)", "Color": the message's own
                or len(said) >= MESSAGE_WORDS_IN_A_QUOTE  # words, not a value
            ):
                continue
            found.append(Candidate(value, first, last))
            covered.update(range(first, last + 1))
    if quoted_only:
        return found
    run: list[int] = []
    for i, word in enumerate(line.words):
        original = text[line.starts[i] : line.starts[i] + len(word)]
        ideas = concepts.of(word, lang)
        unknown = bool(ideas) and not _known(ideas)
        # A Capitalised word the vocabulary does not know, unless a sentence starts with it.
        name = unknown and original[:1].isupper() and not _opens_sentence(text, line.starts[i])
        if (i in covered or not name) and run:
            found.append(_joined(line, run))
            run = []
        if i in covered:
            continue
        if name:
            run.append(i)
        elif any(c.isdigit() for c in word) and i not in ids_at:
            found.append(Candidate(original, i, i))
        elif ideas & attribute_ideas:
            found.append(Candidate(original, i, i, named_attribute=True))
    if run:
        found.append(_joined(line, run))
    return found


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` follows a full stop (the line's first word does not)."""
    return text[:start].rstrip().endswith((".", "!", "?"))


def _joined(line: Line, run: list[int]) -> Candidate:
    """Capitalised words one after the other are one name ("Kitchen Appliances")."""
    first, last = run[0], run[-1]
    start = line.starts[first]
    end = line.starts[last] + len(line.words[last])
    return Candidate(line.text[start:end], first, last)


def _words_between(line: Line, start: int, end: int) -> tuple[int, int]:
    first = bisect.bisect_left(line.starts, start)
    last = bisect.bisect_left(line.starts, end) - 1
    return first, last


def assign(
    slots: Sequence[Slot],
    line: Line,
    found: Sequence[Candidate],
    concepts: Concepts,
    lang: str | None,
    joins: frozenset[str] = frozenset(),
) -> dict[str, str]:
    """Each slot's nearest candidate to the words that name it, nearest pairs first; a word
    that names only one of the slots ("vtex", "amazon") decides between them."""
    if not slots or not found:
        return {}
    line_ideas = [concepts.of(w, lang) for w in line.words]
    breaks = line.clause_starts(joins, CLAUSE_MARKS)
    choices = []
    for slot in slots:
        others = [s for s in slots if s is not slot]
        own_ideas = slot.ideas - {i for s in others for i in s.ideas}
        own_words = slot.words - {w for s in others for w in s.words}
        at = _where(line, line_ideas, own_ideas, own_words) or _where(
            line, line_ideas, slot.ideas, slot.words
        )
        for candidate in found:
            if candidate.named_attribute and slot.name != "attribute":
                continue
            if slot.name == "attribute" and not any(c.isalpha() for c in candidate.value):
                continue  # an attribute has a name: a number alone is a value or an id
            if not at and len(found) > 1:
                continue
            choices.append(
                (
                    _nearest(candidate, at, len(line.words), breaks),
                    candidate.first,
                    slot.name,
                    candidate,
                )
            )
    values: dict[str, str] = {}
    used: set[int] = set()
    for _, first, name, candidate in sorted(choices, key=lambda c: (c[0], c[1])):
        if name not in values and first not in used:
            values[name] = candidate.value
            used.add(first)
    return values


def _where(
    line: Line, line_ideas: list[frozenset[str]], ideas: frozenset[str], names: frozenset[str]
) -> list[int]:
    return [j for j, word in enumerate(line.words) if word in names or (line_ideas[j] & ideas)]


def _nearest(candidate: Candidate, at: list[int], none: int, breaks: Sequence[int] = ()) -> int:
    """The distance from a candidate to the nearest of the (sorted) words that name a slot."""
    k = bisect.bisect_left(at, candidate.first)
    near = [at[i] for i in (k - 1, k, bisect.bisect_right(at, candidate.last)) if 0 <= i < len(at)]
    return min((_distance(candidate, j, breaks) for j in near), default=none)


def _distance(candidate: Candidate, j: int, breaks: Sequence[int] = ()) -> int:
    if candidate.first > j:
        apart = bisect.bisect_right(breaks, candidate.first) - bisect.bisect_right(breaks, j)
        return candidate.first - j + CLAUSE_PENALTY * apart
    if candidate.last < j:
        apart = bisect.bisect_right(breaks, j) - bisect.bisect_right(breaks, candidate.last)
        return j - candidate.last + BEFORE_PENALTY + CLAUSE_PENALTY * apart
    return len(candidate.value)  # the naming word is inside it: a poor fit

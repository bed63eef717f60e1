"""Each message compiled for matching: its regex with named placeholders, its words, its anchors.

The anchors are small expressions that find a value by the words around it, for a
message misspelled or cut short.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from bot.normalize import fold, words

# Messages of this many words or fewer ("Inactive SKU") are everyday phrases too:
# they count only when the line is mostly the message itself.
SHORT_MESSAGE_WORDS = 4
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_SLOT_PATTERNS = {
    "sku": r"[^\s,;]{1,40}?",
    "order": r"[^\s,;]{1,40}?",
    "seller": r"[^\s,;]{1,60}",
    "sales_channel": r"[^\s,;.]{1,40}",
}
_DEFAULT_SLOT = r".{1,100}?"
SEP = r"[^a-z0-9]{0,12}"
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

    @classmethod
    def of(cls, entry_id: str, lang: str, template: str) -> Variant:
        pattern, skeleton, names, anchored = compile_message(template)
        return cls(entry_id, lang, template, pattern, skeleton, names, anchored)

    @property
    def short(self) -> bool:
        return len(self.skeleton.split()) <= SHORT_MESSAGE_WORDS


def strip_value(raw: str) -> str:
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


def first_quoted(raw: str, before: str = "") -> str:
    """A captured value that opens with a quote or a parenthesis (or follows one, `before`)
    ends where it closes: "'Mate' que cargamos" is 'Mate'."""
    text = raw.lstrip()
    opener = text[:1] if text[:1] in _QUOTE_CLOSER else before[-1:]
    closer = _QUOTE_CLOSER.get(opener)
    if not closer:
        return raw
    start = 1 if text[:1] == opener else 0
    end = text.find(closer, start)
    return text[start:end] if end > start else raw


_QUOTE_CLOSER = {'"': '"', "'": "'", "(": ")"}


def _slot_pattern(name: str, before: str, after: str) -> str:
    if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
        # "(Azul Royal)": everything up to the closing parenthesis, spaces included.
        return r"[^()\n]{1,100}"
    return _SLOT_PATTERNS.get(name, _DEFAULT_SLOT)


def compile_message(
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
                tail = SEP.join(after) if after else r"(?:[^a-z0-9]|$)"
                anchored.append(re.compile(SEP.join([*before, f"(?P<{name}>{slot})"]) + SEP + tail))
        names.append(name)
    body = SEP.join(parts)
    pattern = re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")
    return pattern, " ".join(literal_words), tuple(names), tuple(anchored)

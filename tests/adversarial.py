"""Pastes built to be expensive: the worst a watched channel could be sent, up to the input cap.

Shared by the test suite (every paste must finish within the matcher's budget) and by
`make bench` (which reports the worst of them next to typical pastes).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from bot.knowledge import Entry
from bot.normalize import MAX_INPUT_CHARS

# A value for every placeholder, as the platform fills them in (the benchmark uses it too).
FILL = {
    "attribute": "Cor",
    "value": "Azul Marinho",
    "vtex_value": "Azul",
    "amazon_value": "Blue",
    "sku": "123456",
    "order": "1391560531867-01",
    "category": "1187",
    "seller": "mystore",
    "sales_channel": "3",
}
# Look-alike characters: Cyrillic and Greek letters, full-width forms, combining marks.
CONFUSABLES = "Іnаctіvе ЅKU ｓｋｕ 𝐒𝐊𝐔 ı̇ñäç"


def _fill(text: str, size: int, separator: str = " ") -> str:
    """`text` repeated up to `size` characters."""
    if not text:
        return ""
    repeats = size // (len(text) + len(separator)) + 1
    return separator.join([text] * repeats)[:size]


def adversarial_pastes(
    entries: Sequence[Entry], size: int = MAX_INPUT_CHARS
) -> Iterator[tuple[str, str]]:
    """(name, paste) pairs, each about `size` characters."""
    messages = [(e.id, lang, m) for e in entries for lang, m in e.all_messages()]
    filled = [m.format(**FILL) for _, _, m in messages]
    for (entry_id, lang, _), text in zip(messages, filled, strict=True):
        # Every message over and over on one line, then one per line.
        yield f"repeat-line:{entry_id}:{lang}", _fill(text, size)
        yield f"repeat-lines:{entry_id}:{lang}", _fill(text, size, "\n")
        # Only its words, shuffled into near misses: every candidate, no exact hit.
        yield f"words:{entry_id}:{lang}", _fill(" ".join(reversed(text.split())), size)
        # The message with its placeholders left open: slots that never close.
        yield f"open-slots:{entry_id}:{lang}", _fill(text.replace(")", "").replace('"', ""), size)
    yield "interleaved-line", _fill(" ".join(filled), size)
    yield "interleaved-lines", _fill("\n".join(filled), size, "\n")
    yield "message-and-sku-lines", _fill(f"{filled[0]}\nsku 4410", size, "\n")
    # An admin table of one error over many SKUs: every line different, none cached.
    rows = (f"{4000 + n}\t{filled[n % len(filled)]}" for n in itertools.count())
    yield "distinct-rows", "\n".join(itertools.islice(rows, size // 60))[:size]
    short = (f"sku {4000 + n}: Inactive SKU" for n in itertools.count())
    yield "distinct-short-rows", "\n".join(itertools.islice(short, size // 20))[:size]
    for name, unit in [
        ("brackets-open", "["),
        ("braces-open", "{"),
        ("json-nested", '{"a":['),
        ("parens", "("),
        ("quotes", '"'),
        ("backticks", "`"),
        ("angles", "<"),
        ("slack-tokens", "<@U1|"),
        ("digits", "1234567890"),
        ("order-ids", "1391560531867-01 702-1234567-1234567 "),
        ("separators", "-|:,;. \t"),
        ("tabs-and-spaces", "\t   "),
        ("newlines", "\n"),
        ("emphasis", "*_~"),
        ("entities", "&amp;&lt;&gt;&#x41;"),
        ("emoji-codes", ":fire::x:"),
        ("confusables", CONFUSABLES),
        ("invisible", "\u200b\u202e\ufeff"),
        ("short-words", "sku inactive order error "),
    ]:
        yield name, _fill(unit, size, "")
    depth = size // 2
    yield "json-deep-valid", "[" * depth + "]" * depth
    yield "json-deep-objects", '{"a":' * (size // 6) + "1" + "}" * (size // 6)

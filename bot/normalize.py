"""Turn what people paste (Slack markup, JSON, admin rows) into plain lines to match."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass

MAX_INPUT_CHARS = 20_000
_MAX_JSON_ATTEMPTS = 40

_SLACK_TOKEN = re.compile(r"<([^<>\n]{1,1000})>")
_FENCE = re.compile(r"```|`")
# What Slack writes between < and > for a link: a URL scheme, or a bare domain.
_LINK = re.compile(r"[a-z][a-z0-9+.-]*:|[\w-]+(?:\.[\w-]+)+(?:[/?#]|$)", re.IGNORECASE)
_EMOJI = re.compile(r":(?=[a-z0-9_+'-]*[a-z])[a-z0-9_+'-]{2,40}:", re.IGNORECASE)
_QUOTE_PREFIX = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)
_EMPHASIS = re.compile(r"[*~]+|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])")
_DATETIME = re.compile(
    r"(?<![\w])(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}/\d{1,2}/\d{2,4}(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AP]M)?)?"
    r"|\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[AP]M)?)(?!\w)",
    re.IGNORECASE,
)
_DATE_HINT = re.compile(r"\d[-/:]\d")
_DIGIT = re.compile(r"\d")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CELL_GAP = re.compile(r"\t+| {3,}|(?<=\S) {2}(?=\S)")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})

# JSON keys whose value is a SKU or an order id (VTEX and Amazon spellings).
_SKU_KEYS = {"skuid", "sku", "idsku", "sku_id", "sellersku", "seller_sku"}
_ORDER_KEYS = {"orderid", "order", "order_id", "marketplaceorderid", "amazonorderid", "pedido"}

# An order id as VTEX (`1391560531867-01`) or Amazon (`702-1234567-1234567`) writes it.
ORDER_ID_SHAPE = r"\d{13}-\d{2}|\d{3}-\d{7}-\d{7}"
_ORDER_ID = re.compile(rf"\b({ORDER_ID_SHAPE})\b")
_SKU_MENTION = re.compile(r"\bsku(?:\s*id)?\s*[:#=]?\s*(\d{1,12})\b", re.IGNORECASE)
# "SKUs 9001, 9002", "SKU 9001 y SKU 9002", "SKUs 9001 e 9002", "SKU IDs: 1, 2 and 3".
_SKU_WORD = r"skus?(?:\s*ids?)?\s*[:#=]?\s*"
_SKU_LIST = re.compile(
    rf"\b{_SKU_WORD}(\d{{1,12}}(?:\s*(?:[,;/&+]|\b(?:and|e|y|or|ou|o)\b)\s*(?:{_SKU_WORD})?\d{{1,12}}\b)*)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d{1,12}")
_ORDER_MENTION = re.compile(
    r"\b(?:order|pedido|orden)(?:\s*id)?\s*[:#=]?\s*([0-9][0-9-]{4,30})\b", re.IGNORECASE
)
CELL_SEPARATOR = " | "


@dataclass
class Cleaned:
    """A paste after clean-up: lines to match, and whether it was cut to the size limit."""

    text: str
    truncated: bool = False

    def lines(self) -> list[str]:
        return [line for line in self.text.split("\n") if line.strip()]


def _slack_token(match: re.Match[str]) -> str:
    inner = match.group(1)
    if inner[:1] in "@#!":
        # Mentions, channels, <!here>, <!subteam^...>: never carried into a reply.
        label = inner.partition("|")[2]
        return label.lstrip("@#") if inner.startswith("!date") else ""
    url, _, label = inner.partition("|")
    if not _LINK.match(url):
        return match.group(0)  # "<Kids>" typed in a terminal is text, not a Slack link
    return label or url


def _flatten_json(document: object) -> list[str]:
    """String values of a JSON document, one per line, each tagged with its object's ids.

    Walks the document with an explicit stack, not recursion: a paste nested a thousand
    levels deep must cost its length in time, never a RecursionError.
    """
    out: list[str] = []
    # Work items: a value to visit, or the end of an object (its lines get its id tags).
    stack: list[tuple[str, object]] = [("visit", document)]
    pending: list[tuple[int, list[str]]] = []  # (first line of the object, its tags)
    while stack:
        action, value = stack.pop()
        if action == "close":
            start, tags = pending.pop()
            # The ids travel on the same line as the message, as in an admin table row.
            suffix = "".join(CELL_SEPARATOR + tag for tag in tags)
            if len(out) > start:
                out[start:] = [" ".join(line.split()) + suffix for line in out[start:]]
            elif suffix:
                out.append(suffix.strip(" |"))
            continue
        if isinstance(value, list):
            stack.extend(("visit", item) for item in reversed(value))
        elif isinstance(value, str):
            if value.strip():
                out.append(value)
        elif isinstance(value, dict):
            tags: list[str] = []
            children: list[object] = []
            for key, item in value.items():
                lowered = str(key).lower()
                if isinstance(item, str | int) and not isinstance(item, bool) and str(item).strip():
                    if lowered in _SKU_KEYS:
                        tags.append(f"sku {item}")
                        continue
                    if lowered in _ORDER_KEYS:
                        tags.append(f"order {item}")
                        continue
                children.append(item)
            pending.append((len(out), tags))
            stack.append(("close", None))
            stack.extend(("visit", item) for item in reversed(children))
    return out


def _unwrap_json(text: str) -> str:
    """Replace JSON objects in the text with their string values, one per line."""
    if "{" not in text and "[" not in text:
        return text
    decoder = json.JSONDecoder()
    pieces: list[str] = []
    pos = 0
    attempts = 0
    for start in re.finditer(r"[{\[]", text):
        i = start.start()
        if i < pos or attempts >= _MAX_JSON_ATTEMPTS:
            continue
        attempts += 1
        try:
            value, end = decoder.raw_decode(text, i)
        except (ValueError, RecursionError):
            # Not JSON, or nested deeper than the parser goes: left as plain text.
            continue
        if not isinstance(value, dict | list):
            continue
        lines = _flatten_json(value)
        pieces.append(text[pos:i])
        pieces.append("\n" + "\n".join(lines) + "\n")
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def clean_paste(raw: str, limit: int = MAX_INPUT_CHARS) -> Cleaned:
    """Strip what is not the error: Slack markup, code, emoji, JSON wrapping, timestamps."""
    truncated = len(raw) > limit
    text = raw[:limit]
    text = _SLACK_TOKEN.sub(_slack_token, text)
    text = html.unescape(text)
    text = _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\n", "\n") if "\\n" in text and "{" not in text else text
    text = _unwrap_json(text)
    if "\t" in text or "  " in text:
        # Admin tables copy as tab- or multi-space-separated cells.
        text = _CELL_GAP.sub(CELL_SEPARATOR, text)
    text = _CONTROL.sub(" ", text)
    text = text.translate(_QUOTES).replace("…", "...")
    text = _FENCE.sub("\n", text)
    text = _QUOTE_PREFIX.sub("", text)
    text = _EMOJI.sub(" ", text)
    if "*" in text or "~" in text or "_" in text:
        text = _EMPHASIS.sub("", text)
    if _DATE_HINT.search(text):
        text = _DATETIME.sub(" ", text)
    lines = (" ".join(line.split()).strip(" |-:") for line in text.split("\n"))
    return Cleaned("\n".join(line for line in lines if line), truncated)


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return base[0] if len(base) == 1 else ch.lower()[:1] or " "


_FOLD_CACHE: dict[str, str] = {}


def fold(text: str) -> str:
    """Lowercase without accents, one character out for each character in.

    Keeping positions lets the matcher find a value in the folded text and read
    it back from the original with its case and accents.
    """
    if text.isascii():
        return text.lower()
    out = []
    for ch in text:
        folded = _FOLD_CACHE.get(ch)
        if folded is None:
            folded = _FOLD_CACHE[ch] = _fold_char(ch)
        out.append(folded)
    return "".join(out)


def words(folded: str) -> list[str]:
    """Alphanumeric words of folded text."""
    return re.findall(r"[a-z0-9]+", folded)


def sku_list(line: str) -> list[str]:
    """Every SKU id a line names after the word SKU, in order and once each."""
    if not _DIGIT.search(line):
        return []
    found = (n for m in _SKU_LIST.finditer(line) for n in _NUMBER.findall(m.group(1)))
    return list(dict.fromkeys(found))


def context_slots(line: str) -> dict[str, str]:
    """SKU and order ids that a line mentions outside the error message itself."""
    slots: dict[str, str] = {}
    if not _DIGIT.search(line):
        return slots
    order = _ORDER_ID.search(line) or _ORDER_MENTION.search(line)
    if order:
        slots["order"] = order.group(1)
    sku = _SKU_MENTION.search(line)
    if sku:
        slots["sku"] = sku.group(1)
    elif CELL_SEPARATOR in line:
        # Admin tables put the SKU id in a cell of its own.
        for cell in line.split(CELL_SEPARATOR):
            cell = cell.strip()
            if cell.isdigit() and len(cell) <= 12 and cell != slots.get("order"):
                slots["sku"] = cell
                break
    return slots

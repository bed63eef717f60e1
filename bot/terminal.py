"""Cards as a terminal shows them: a title, headed sections, numbered steps, values and links."""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from bot.cards import Card, parse_button_value

MIN_WIDTH = 40
MAX_WIDTH = 100
INDENT = "  "

# The emoji our templates use; a code in pasted text is the sender's and stays.
_EMOJI = {
    ":information_source:": "Note:",
    ":no_entry_sign:": "",
    ":grey_question:": "",
    ":white_check_mark:": "✓",
    ":x:": "✗",
    ":tada:": "",
    ":thumbsup:": "",
    ":thumbsdown:": "",
    ":hourglass_flowing_sand:": "",
    ":arrows_counterclockwise:": "",
}
_EMOJI_CODE = re.compile("|".join(re.escape(code) for code in _EMOJI))
# Slack commands in a card, and the subcommand that does the same here.
_COMMANDS = {"/amzerror search ": "kb search "}

_LINK = re.compile(r"<([^<>|\n]+)(?:\|([^<>\n]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_CODE = re.compile(r"`([^`\n]+)`")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_LABEL = re.compile(r"^\*([^*\n]{1,40}):\*\s*")
# Pasted text could carry escape sequences that recolour or rewrite the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_STEP = re.compile(r"^(\d{1,2}\. |• )")
_NBSP = "\u00a0"


def wants_colour(stream: TextIO, env: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org) or TERM=dumb."""
    env = os.environ if env is None else env
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def terminal_width() -> int:
    """The width to wrap at: the terminal's (or $COLUMNS), kept between 40 and 100."""
    return max(MIN_WIDTH, min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns))


def render_card(
    card: Card, colour: bool = False, width: int = 80, program: str = "amzerror"
) -> str:
    """The card for a terminal, wrapped to `width`.

    Slack's buttons mean nothing here and are left out, except *Show fix*, which
    becomes the command that shows that entry; `program` is how to run this command.
    """
    return _Renderer(colour, max(MIN_WIDTH, width), program).card(card)


@dataclass(frozen=True)
class _Line:
    """One logical line of a block, before wrapping."""

    text: str
    kind: str = "body"  # "body", "heading", "url" (text is the address) or "quiet"
    label: str = ""  # a leading "Label:", shown in bold


class _Renderer:
    def __init__(self, colour: bool, width: int, program: str):
        self.colour = colour
        self.width = width
        self.program = program

    # -- styles (ANSI, on a terminal that wants colour) ---------------------------------

    def _style(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour and text.strip() else text

    def _styled(self, code: str, lines: list[str]) -> list[str]:
        # After the indent, so wrapping counted only visible characters.
        return [
            line[: len(line) - len(line.lstrip())] + self._style(code, line.lstrip())
            for line in lines
        ]

    # -- mrkdwn to lines -----------------------------------------------------------------

    def plain(self, text: str) -> str:
        """mrkdwn to plain text: links as "label (url)", markup and our emoji gone."""
        text = _EMOJI_CODE.sub(lambda m: _EMOJI[m.group(0)], _CONTROL.sub("", text))

        def link(m: re.Match[str]) -> str:
            target, label = m.group(1), m.group(2)
            if target[:1] in "@#!":  # a mention or a channel
                return label or "@" + target.lstrip("@#!").split("^")[-1]
            return f"{label} ({target})" if label and label != target else target

        text = _LINK.sub(link, text)
        # A command is not broken across lines: its spaces do not wrap until `fill` is done.
        text = _CODE.sub(lambda m: self.command(m.group(1)).replace(" ", _NBSP), text)
        text = _BOLD.sub(r"\1", text)
        text = _ITALIC.sub(r"\1", text)
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        return re.sub(r" {2,}", " ", text).strip()  # where an emoji was

    def command(self, code: str) -> str:
        for slack, here in _COMMANDS.items():
            if code.startswith(slack):
                return f"{self.program} {here}{code[len(slack) :]}"
        return code

    def links(self, text: str) -> list[_Line] | None:
        """Lines for a text made of links alone, separated by " · "; else None."""
        found = [_LINK.fullmatch(part.strip()) for part in text.split(" · ")]
        if not all(found):
            return None
        return [_Line(m.group(1), "url", self.plain(m.group(2) or m.group(1)) + ":") for m in found]

    def mrkdwn(self, text: str) -> list[_Line]:
        """A block's mrkdwn as lines; a first line all in bold is its heading."""
        raw = _CONTROL.sub("", text.replace("\r", "")).split("\n")
        lines: list[_Line] = []
        first = _EMOJI_CODE.sub(lambda m: _EMOJI[m.group(0)], raw[0]).strip()
        if len(raw) > 1 and _BOLD.fullmatch(first):
            lines.append(_Line(self.plain(first), "heading"))
            raw = raw[1:]
        for line in raw:
            lines.extend(self.links(line.strip()) or [_Line(self.plain(line))])
        return [line for line in lines if line.text]

    def context(self, text: str) -> list[_Line]:
        """A context line; "*Help center:* <link> · <link>" is a heading and its links."""
        text = _EMOJI_CODE.sub(lambda m: _EMOJI[m.group(0)], _CONTROL.sub("", text)).strip()
        label = _LABEL.match(text)
        if label:
            name, rest = self.plain(label.group(1)), text[label.end() :]
            links = self.links(rest)
            if links:
                return [_Line(name, "heading"), *links]
            return [_Line(self.plain(rest), label=name + ":")]
        plain = self.plain(text)
        if plain.startswith("Note:"):
            return [_Line(plain.removeprefix("Note:").strip(), label="Note:")]
        return [_Line(plain, "quiet")]

    # -- layout --------------------------------------------------------------------------

    def fill(self, text: str, indent: str, hanging: str = "") -> list[str]:
        lines = textwrap.wrap(
            text,
            width=self.width,
            initial_indent=indent,
            subsequent_indent=indent + hanging,
            break_long_words=False,  # an address or an id stays whole
            break_on_hyphens=False,
        )
        return [line.replace(_NBSP, " ") for line in lines] or [indent]

    def line(self, line: _Line, indent: str) -> list[str]:
        if line.kind == "heading":
            return self._styled("1;36", self.fill(line.text, indent))
        if line.kind == "url":
            # The address whole, on a line of its own, where a terminal can open it.
            label = self._styled("1", self.fill(line.label, indent))
            return [*label, indent + INDENT + self._style("4", line.text)]
        if line.label:
            out = self.fill(f"{line.label} {line.text}", indent, INDENT)
            out[0] = out[0].replace(line.label, self._style("1", line.label), 1)
            return out
        step = _STEP.match(line.text)
        out = self.fill(line.text, indent, " " * len(step.group(1)) if step else "")
        return self._styled("2", out) if line.kind == "quiet" else out

    def section(self, lines: list[_Line]) -> list[str]:
        """Lines under a heading are indented beneath it."""
        out: list[str] = []
        indent = ""
        for line in lines:
            out.extend(self.line(line, "" if line.kind == "heading" else indent))
            if line.kind == "heading":
                indent = INDENT
        return out

    def item(self, texts: list[str], button: dict) -> list[str]:
        """A section with a button, as a list item: "• first line", the rest under it."""
        lines = [line for text in texts for line in self.mrkdwn(text)]
        if not lines:
            return []
        out = self.fill(lines[0].text, INDENT + "• ", "  ")
        for line in lines[1:]:
            out.extend(self.line(_Line(line.text, "body", line.label), INDENT * 2))
        entry = parse_button_value(button.get("value", "")).get("e")
        if entry and str(button.get("action_id", "")).startswith("show_entry"):
            out.extend(self._styled("2", [f"{INDENT * 2}{self.program} kb show {entry}"]))
        return out

    def card(self, card: Card) -> str:
        chunks: list[tuple[str, list[str]]] = []  # (kind, lines)
        for block in card.blocks:
            kind = block.get("type")
            if kind == "header":
                title = self.plain(block["text"]["text"])
                rule = "=" * min(len(title), self.width)
                chunks.append(("title", [self._style("1", title), rule]))
            elif kind == "context":
                texts = [e["text"] for e in block.get("elements", []) if "text" in e]
                lines = [line for text in texts for line in self.context(text)]
                chunks.append(("block", self.section(lines)))
            elif kind == "section":
                texts = [block["text"]["text"]] if block.get("text") else []
                texts += [field["text"] for field in block.get("fields", [])]
                button = block.get("accessory") or {}
                if button.get("type") == "button":
                    chunks.append(("item", self.item(texts, button)))
                else:
                    chunks.extend(("block", self.section(self.mrkdwn(t))) for t in texts)
        out: list[str] = []
        previous = ""
        for kind, lines in chunks:
            if not any(line.strip() for line in lines):
                continue
            # A blank line between blocks; none under the title, none between list items.
            if out and previous != "title" and not kind == previous == "item":
                out.append("")
            out.extend(lines)
            previous = kind
        return "\n".join(line.rstrip() for line in out)

"""Cards in a terminal: plain headings, numbered steps and whole links, colour only on a TTY."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

import pytest

from bot.cards import Card
from bot.config import PROJECT_ROOT
from bot.terminal import render_card, wants_colour

SLACK_MARKUP = re.compile(r"(?<!\w)\*\S[^*\n]*\*|:[a-z_]+:|&(lt|gt|amp);|<https?:|`")
ESCAPE = "\x1b"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_every_entry_reads_without_slack_markup(renderer, entries):
    for entry in entries:
        shown = render_card(renderer.entry_card(entry), width=80)
        assert not SLACK_MARKUP.search(shown), (entry.id, SLACK_MARKUP.search(shown))
        lines = shown.splitlines()
        assert lines[0] == entry.title and set(lines[1]) == {"="}
        assert (
            lines[2] == f"{'Product' if entry.scope == 'product' else 'Order'} error · {entry.id}"
        )
        assert {"What happened", "How to fix", "Where in the VTEX Admin"} <= set(lines)
        # Steps numbered under their heading; every address whole on a line of its own.
        steps = [line for line in lines if re.match(r"  \d\. ", line)]
        assert len(steps) == len(entry.fix)
        for link in entry.links:
            assert f"    {link.url}" in lines
        assert all(len(line) <= 80 or "://" in line for line in lines)


def test_a_wrapped_step_continues_under_its_own_text(renderer, by_id):
    shown = render_card(renderer.entry_card(by_id["order-inactive-sku"]), width=60)
    lines = shown.splitlines()
    first = lines.index(next(line for line in lines if line.startswith("  1. ")))
    assert lines[first + 1].startswith("     ") and lines[first + 1][5] != " "


def test_reprocessing_notes_read_as_labelled_sentences(renderer, matcher, by_id):
    no_reprocess = "SKUs in the order don't belong to a VTEX Store, SKU ID is not an integer"
    shown = render_card(renderer.match_card(matcher.match(no_reprocess), by_id))
    assert "\nNo reprocessing: Reprocessing does not help" in shown
    shown = render_card(renderer.match_card(matcher.match("Inactive SKU"), by_id))
    assert "\nNote: Reprocess the order after the SKU is active." in shown


def test_other_errors_and_guesses_name_the_command_that_shows_them(renderer, matcher, by_id):
    paste = (
        "SKU 4410: The SKU you tried to submit is inactive on VTEX\n"
        "order 1391560531867-01: Inactive SKU"
    )
    shown = render_card(renderer.match_card(matcher.match(paste), by_id), program="bin/amzerror")
    assert "Also in this message: 1 more error" in shown
    assert (
        "  • Amazon order contains an inactive SKU (100%)\n"
        "    Order: 1391560531867-01\n"
        "    bin/amzerror kb show order-inactive-sku"
    ) in shown
    guesses = renderer.no_match_card(matcher.match("hello"), matcher.closest("SKU inactive"))
    shown = render_card(guesses, program="amzerror")
    assert "search by keyword: amzerror kb search color spreadsheet." in " ".join(shown.split())
    assert "/amzerror" not in shown
    assert re.search(r"\n    amzerror kb show [a-z-]+\n", shown)


def test_slack_buttons_are_left_out(renderer, by_id):
    shown = render_card(renderer.entry_card(by_id["sku-inactive"]))
    for label in ("Request reprocessing", "Other matches", "Helpful", "Show fix"):
        assert label not in shown


def test_escape_sequences_in_a_card_never_reach_the_terminal():
    card = Card(
        [
            {"type": "header", "text": {"type": "plain_text", "text": "Title\x1b]0;owned\x07"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "*Found in your message*\nValue: \x1b[2J\x9bX"},
            },
        ],
        "",
    )
    shown = render_card(card, colour=False)
    assert ESCAPE not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "  Value: [2JX" in shown


def test_colour_marks_the_title_and_headings_only_when_asked(renderer, by_id):
    card = renderer.entry_card(by_id["sku-inactive"])
    coloured = render_card(card, colour=True)
    assert "\x1b[1mSKU is inactive on VTEX\x1b[0m" in coloured
    assert "\x1b[1;36mHow to fix\x1b[0m" in coloured
    # The same text, only styled.
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_card(card, colour=False)


@pytest.mark.parametrize(
    ("stream", "env", "expected"),
    [
        (Tty(), {}, True),
        (Tty(), {"NO_COLOR": "1"}, False),
        (Tty(), {"TERM": "dumb"}, False),
        (Tty(), {"NO_COLOR": ""}, True),  # no-color.org: set and not empty
        (io.StringIO(), {}, False),
    ],
)
def test_colour_only_on_a_terminal_without_no_color(stream, env, expected):
    assert wants_colour(stream, env) is expected


@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)])
def test_match_in_a_terminal_is_coloured_unless_no_color(tmp_path, no_color, coloured):
    env = {**os.environ, "AMZERROR_DB": str(tmp_path / "cli.db"), "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    if no_color:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "match", "Inactive SKU"],
        cwd=PROJECT_ROOT,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(follower)  # read while it writes: a full terminal buffer would block it
    output = b""
    try:
        while chunk := os.read(leader, 65536):
            output += chunk
    except OSError:  # EIO: the command ended and closed the terminal
        pass
    finally:
        os.close(leader)
    assert proc.wait(timeout=60) == 0
    text = output.decode()
    assert "How to fix" in text
    assert (ESCAPE in text) is coloured


def test_values_read_as_pasted_not_as_slack_escapes_them(renderer, matcher, by_id):
    paste = (
        "Value (P&amp;B &lt;Kids&gt;) from the mapping spreadsheet is not an "
        "attribute/specification value supported by Amazon"
    )
    shown = render_card(renderer.match_card(matcher.match(paste), by_id))
    assert "Found in your message\n  Value: P&B <Kids>\n" in shown

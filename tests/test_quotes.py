"""What a line quotes is read on its own: the error it names ranks above the talk around it."""

from __future__ import annotations

from bot.matching.align import Hit
from bot.matching.calibration import MATCH_THRESHOLD
from bot.matching.decide import LOOK_ALIKE_GAP
from bot.matching.index import WordIndex
from bot.matching.lines import Line
from bot.matching.patterns import Variant
from bot.matching.quotes import QUOTED_LINE_WORDS, QUOTED_SPAN_WORDS, QuoteReader

NO_SLA = Variant.of("no-sla", "en", "No available sla to deliver this order")
TOKEN = Variant.of("token", "en", "Token expired for seller")
SENT = Variant.of("sent", "en", "Item sent for the order")
VARIANTS = [NO_SLA, TOKEN, SENT]


def reader() -> QuoteReader:
    return QuoteReader(WordIndex(VARIANTS, published=[0, 1, 2]), VARIANTS)


def reads_as(variant: Variant, score: float = 90.0, start: int = 2):
    """A stand-in for the matcher's reading of a quoted stretch: always this one hit."""

    def read(part: Line) -> list[Hit]:
        return [Hit(variant, score, False, start, {})]

    return read


def quoted_hits(text: str, read=None, found=None) -> list[Hit]:
    return reader().hits(Line.read(text), found or [], read or (lambda part: []))


def test_the_error_a_quote_names_ranks_above_what_the_talk_around_it_says():
    talk = Hit(TOKEN, 85, False, 0, {})
    hits = quoted_hits("got 'some words quoted here' again today", reads_as(NO_SLA), [talk])
    assert [(h.variant, h.score) for h in hits] == [(NO_SLA, 90), (TOKEN, 90 - LOOK_ALIKE_GAP)]


def test_a_quote_starts_where_the_line_first_quotes_it():
    # What is found in a quote (here 2 characters in) is placed in the line; a quote said
    # twice is placed where it is first said.
    text = "got 'some words quoted here', yes 'some words quoted here'"
    first, _ = quoted_hits(text, reads_as(NO_SLA, start=2))
    assert first.start == text.index("some") + 2


def test_a_quote_at_the_threshold_counts_one_below_does_not():
    assert quoted_hits("got 'some words quoted here'", reads_as(NO_SLA, MATCH_THRESHOLD))
    assert not quoted_hits("got 'some words quoted here'", reads_as(NO_SLA, MATCH_THRESHOLD - 1))


def test_quotes_too_short_are_skipped_and_the_next_one_read():
    hits = quoted_hits("'too short' and then 'some words quoted here'", reads_as(NO_SLA))
    assert [h.variant for h in hits] == [NO_SLA]


def test_quotes_are_read_on_lines_and_stretches_up_to_their_longest():
    quote = " ".join(["word"] * QUOTED_SPAN_WORDS)
    assert quoted_hits(f"'{quote}'", reads_as(NO_SLA))
    assert not quoted_hits(f"'{quote} word'", reads_as(NO_SLA))
    filler = " ".join(["chat"] * (QUOTED_LINE_WORDS - 3))
    assert quoted_hits(f"{filler} 'some words quoted'", reads_as(NO_SLA))
    assert not quoted_hits(f"{filler} more 'some words quoted'", reads_as(NO_SLA))


def test_words_quoted_as_written_in_one_error_s_messages_are_a_guess_of_it():
    # Two words that say something ("deliver", "this") are enough; the fragment is placed
    # where the quote starts, and it is not the platform's text as printed.
    text = "seeing 'deliver this order' since noon"
    [hit] = quoted_hits(text)
    assert (hit.variant, hit.exact, hit.start) == (NO_SLA, False, text.index("deliver"))
    # One such word among filler ("sent for the") names nothing, though a message has it.
    assert not quoted_hits("seeing 'sent for the' since noon")

"""Whatever text arrives, the matcher finishes and the card is valid Block Kit that pings nobody."""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cards import validate_blocks

SLACK_BITS = st.sampled_from(
    [
        "<!channel>",
        "<!here>",
        "<!subteam^S1|@ops>",
        "<@U123>",
        "{{ 7*7 }}",
        "{% if %}",
        '"}]',
        "&",
        "\x00",
        "\u202e",
        "```",
        ":fire:",
        "\t",
        "\n",
    ]
)
MESSAGE_BITS = st.sampled_from(
    [
        "Inactive SKU",
        "The SKU you tried to submit is inactive on VTEX",
        "Value (",
        ") from the mapping spreadsheet",
        "SKU 123",
        "order 1391560531867-01",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=40), SLACK_BITS, MESSAGE_BITS), max_size=30).map("".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT)
def test_any_text_gives_a_valid_card_that_pings_nobody(matcher, renderer, by_id, text):
    started = time.perf_counter()
    result = matcher.match(text)
    assert time.perf_counter() - started < 1.0
    card = renderer.match_card(result, by_id)
    asked = renderer.with_question(card, "U1", text)
    for blocks in (card.blocks, asked.blocks):
        raw = json.dumps(blocks)
        validate_blocks(json.loads(raw))
        for ping in ("<!channel>", "<!here>", "<!subteam", "<@U123>"):
            assert ping not in raw
    assert all(0 <= m.score <= 100 for m in [*result.matches, *result.alternatives])

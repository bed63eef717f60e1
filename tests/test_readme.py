"""The README tells a newcomer the truth: its sample output and its accuracy claims."""

from __future__ import annotations

import re

from bot.config import PROJECT_ROOT
from bot.terminal import render_card

README = (PROJECT_ROOT / "README.md").read_text()


def test_the_sample_card_is_what_match_prints(engine):
    sample = re.search(r"```text\n(.*?)```", README, re.S).group(1).splitlines()
    assert sample[-1].strip() == "…"  # the sample stops where the README says it does
    shown = render_card(engine.explain("order 1391560531867-01: Inactive SKU").card, width=80)
    assert shown.splitlines()[: len(sample) - 1] == sample[:-1]


def test_the_accuracy_table_calls_no_set_held_out():
    table = README[README.index("### Accuracy") : README.index("### Speed")]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert not any("held-out" in row or "held out" in row for row in rows)
    assert any(row.startswith("| second development") for row in rows)
    assert "first scored blind at 99.1%" in table

"""Confidences: what a card shows for a score, and the bands at which the bot speaks."""

from __future__ import annotations

from bot.matching.calibration import (
    ALTERNATIVE_THRESHOLD,
    MATCH_THRESHOLD,
    MAX_RETOLD_CONFIDENCE,
    confidence,
)
from bot.slack.events.messages import WATCH_THRESHOLD


def test_a_confidence_is_a_whole_number_from_0_to_100():
    assert [confidence(s) for s in (-3, 0, 71.6, 99.4, 100, 130)] == [0, 0, 72, 99, 100, 100]


def test_guesses_answers_and_unasked_answers_come_in_that_order():
    assert ALTERNATIVE_THRESHOLD < MATCH_THRESHOLD < MAX_RETOLD_CONFIDENCE < WATCH_THRESHOLD


def test_a_retelling_is_never_answered_unasked():
    assert MAX_RETOLD_CONFIDENCE < WATCH_THRESHOLD

"""Scores to the confidence a card shows, and the confidences at which the bot answers."""

from __future__ import annotations

# A line reports its best candidate from this confidence up; below it, the paste is
# answered "no match" (measured right 97-100% of the time from here: README, Accuracy).
MATCH_THRESHOLD = 72
# Weaker candidates down to this confidence are offered as "other matches".
ALTERNATIVE_THRESHOLD = 45
# A retelling is never as certain as the platform's own words: its confidence stays
# below what a watched channel needs to answer unasked (90).
MAX_RETOLD_CONFIDENCE = 89


def confidence(score: float) -> int:
    """The whole-number confidence (0-100) a card shows for a score."""
    return max(0, min(100, round(score)))

"""What matching reports: the errors found with their values, and the next best guesses."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.normalize import MAX_INPUT_CHARS


@dataclass(frozen=True)
class Match:
    """A known error found in the text, with the values read from it."""

    id: str
    title: str
    score: int
    slots: dict[str, str] = field(default_factory=dict)
    skus: tuple[str, ...] = ()
    orders: tuple[str, ...] = ()
    lang: str = "en"
    exact: bool = False

    def as_dict(self) -> dict:
        slots = dict(self.slots)
        if len(self.skus) > 1:
            slots["skus"] = list(self.skus)
        if len(self.orders) > 1:
            slots["orders"] = list(self.orders)
        return {"id": self.id, "title": self.title, "score": self.score, "slots": slots}


@dataclass(frozen=True)
class MatchResult:
    """What a paste reports: the errors found (best first) and the next best guesses."""

    matches: list[Match]
    alternatives: list[Match]
    truncated: bool = False
    limit: int = MAX_INPUT_CHARS
    # Set when the time budget ran out: only the first `lines_read` of `lines_total` were read.
    incomplete: bool = False
    lines_read: int = 0
    lines_total: int = 0

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None

    def as_dict(self) -> dict:
        return {
            "matches": [m.as_dict() for m in self.matches],
            "alternatives": [m.as_dict() for m in self.alternatives],
            "truncated": self.truncated,
            "incomplete": self.incomplete,
        }

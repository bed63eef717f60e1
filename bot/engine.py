"""The core the CLI and Slack share: knowledge base, matcher and cards kept in step."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from bot.cards import Card, CardRenderer
from bot.config import Settings
from bot.knowledge import Entry
from bot.matcher import Match, Matcher, MatchResult
from bot.requestcards import RequestCards
from bot.store import KnowledgeStatus, Store, ensure_knowledge, fingerprint

log = logging.getLogger(__name__)

REFRESH_EVERY_SECONDS = 5.0


@dataclass(frozen=True)
class Explanation:
    """A paste, what it was found to report, and the card that says so."""

    result: MatchResult
    card: Card


class Engine:
    """Loads the knowledge base (rebuilding it when files change) and answers pastes."""

    def __init__(self, settings: Settings, store: Store | None = None, validate_cards: bool = True):
        self.settings = settings
        self.store = store or Store(settings.db_path)
        self.cards = CardRenderer(settings.templates_dir, settings.vtex_account, validate_cards)
        self.request_cards = RequestCards(self.cards)
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self.status = self._load(force=False)

    def _load(self, force: bool) -> KnowledgeStatus:
        status = ensure_knowledge(self.store, self.settings.knowledge_dir, force=force)
        self.entries: dict[str, Entry] = {e.id: e for e in status.entries}
        self.matcher = Matcher(status.entries)
        self._checked_at = time.monotonic()
        return status

    def refresh(self, force: bool = False) -> KnowledgeStatus:
        """Rebuild when a knowledge file changed; a broken file keeps the last good base."""
        # The common case (checked recently) takes no lock: every match passes here.
        if not force and time.monotonic() - self._checked_at < REFRESH_EVERY_SECONDS:
            return self.status
        with self._lock:
            if not force and time.monotonic() - self._checked_at < REFRESH_EVERY_SECONDS:
                return self.status  # another thread just checked
            self._checked_at = time.monotonic()
            directory = self.settings.knowledge_dir
            current = fingerprint(directory) if directory.is_dir() else ""
            if not force and current == self.status.fingerprint:
                return self.status
            self.status = self._load(force=force)
            return self.status

    def match(self, text: str) -> MatchResult:
        self.refresh()
        return self.matcher.match(text)

    def explain(self, text: str, result: MatchResult | None = None) -> Explanation:
        """The card for `text`; pass `result` when the text was matched already."""
        result = result if result is not None else self.match(text)
        if result.matches:
            return Explanation(result, self.cards.match_card(result, self.entries))
        guesses = result.alternatives or self.matcher.closest(text)
        return Explanation(result, self.cards.no_match_card(result, guesses))

    def entry(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def others_like(self, entry_id: str, limit: int = 3) -> list[Entry]:
        """The entries most easily confused with `entry_id` (for *Other matches*)."""
        entry = self.entries.get(entry_id)
        if entry is None:
            return []
        seen: list[Match] = [
            *self.matcher.match(entry.message).alternatives,
            *self.matcher.closest(entry.message, limit + 1),
        ]
        ids = [m.id for m in seen if m.id != entry_id]
        return [self.entries[i] for i in dict.fromkeys(ids)][:limit]

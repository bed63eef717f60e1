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
from bot.offload import PasteProcess
from bot.requestcards import RequestCards
from bot.store import KnowledgeStatus, Store, ensure_knowledge, fingerprint
from bot.vocabulary import Vocabulary, load_vocabulary

log = logging.getLogger(__name__)

REFRESH_EVERY_SECONDS = 5.0
# Pastes longer than this are matched by the paste process (`bot.offload`), so that the
# event loop that acknowledges Slack keeps running meanwhile; shorter ones cost less than
# the hop.
INLINE_CHARS = 2000


@dataclass(frozen=True)
class Explanation:
    """A paste, what it was found to report, and the card that says so."""

    result: MatchResult
    card: Card


class Engine:
    """Loads the knowledge base (rebuilding it when files change) and answers pastes."""

    def __init__(
        self,
        settings: Settings,
        store: Store | None = None,
        validate_cards: bool = True,
        long_pastes: PasteProcess | None = None,
    ):
        self.settings = settings
        # Where long pastes are matched when serving; here, within the time budget, otherwise.
        self.paste_process = long_pastes
        self.store = store or Store(settings.db_path)
        self.cards = CardRenderer(settings.templates_dir, settings.vtex_account, validate_cards)
        self.request_cards = RequestCards(self.cards)
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._good_vocabulary: Vocabulary | None = None
        self.status = self._load(force=False)

    def _load(self, force: bool) -> KnowledgeStatus:
        status = ensure_knowledge(self.store, self.settings.knowledge_dir, force=force)
        self.entries: dict[str, Entry] = {e.id: e for e in status.entries}
        vocabulary, problems = load_vocabulary(self.settings.knowledge_dir)
        for problem in problems:
            log.error("vocabulary file rejected: %s", problem)
        if not problems:
            self._good_vocabulary = vocabulary
        elif self._good_vocabulary is not None:
            # As with knowledge files: a broken edit keeps the last good vocabulary serving.
            log.error("the last good vocabulary serves until the files are mended")
            vocabulary = self._good_vocabulary
        self.matcher = Matcher(status.entries, vocabulary)
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

    def explain(
        self, text: str, result: MatchResult | None = None, lang: str = "en"
    ) -> Explanation:
        """The card for `text`, in `lang`; pass `result` when the text was matched already."""
        result = result if result is not None else self.match(text)
        cards = self.cards.in_language(lang)
        if result.matches:
            return Explanation(result, cards.match_card(result, self.entries))
        guesses = result.alternatives or self.matcher.closest(text)
        return Explanation(result, cards.no_match_card(result, guesses))

    async def match_soon(self, text: str) -> MatchResult:
        """`match`, a long paste in the paste process so the running event loop goes on.

        Without that process (or once it is gone) the paste is matched here, which the
        matcher's time budget bounds.
        """
        if len(text) > INLINE_CHARS and self.paste_process is not None:
            result = await self.paste_process.match(text)
            if result is not None:
                return result
        return self.match(text)

    async def explain_soon(
        self, text: str, result: MatchResult | None = None, lang: str = "en"
    ) -> Explanation:
        """`explain`, with the matching done by `match_soon`. What is left (the card, the
        guesses that read only the paste's beginning) is bounded whatever the length."""
        result = result if result is not None else await self.match_soon(text)
        return self.explain(text, result, lang)

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

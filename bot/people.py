"""Each person's language: the one they chose with `/amzerror lang`, and Slack's locale for them.

Kept in SQLite, so every worker and every restart knows them: Slack is asked for a
person's locale once a day at most, and a choice holds until the person changes it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.language import LANGUAGES
from bot.store import Store

# How long Slack's answer about a person's locale stands; a failed look-up is retried sooner.
LOCALE_KEEP_SECONDS = 24 * 3600.0
FAILED_LOOKUP_KEEP_SECONDS = 3600.0


@dataclass(frozen=True)
class PersonLanguage:
    """What is known of one person: `chosen` wins; `locale` is Slack's ("" when it said none)."""

    user: str
    chosen: str | None = None
    locale: str | None = None
    locale_checked: float | None = None  # when Slack was last asked (time.time())

    def locale_is_fresh(self, now: float | None = None) -> bool:
        """Whether Slack's answer (or its failure) is recent enough not to ask again."""
        if self.locale_checked is None:
            return False
        keep = LOCALE_KEEP_SECONDS if self.locale else FAILED_LOOKUP_KEEP_SECONDS
        return (now or time.time()) - self.locale_checked < keep


def person_language(store: Store, user: str) -> PersonLanguage:
    """What is stored for `user` (nothing known: all None)."""
    row = store.db.execute(
        "select chosen, locale, locale_checked from people where user = ?", [user]
    ).fetchone()
    if row is None:
        return PersonLanguage(user)
    chosen, locale, checked = row
    return PersonLanguage(user, chosen if chosen in LANGUAGES else None, locale, checked)


def choose_language_for(store: Store, user: str, lang: str | None) -> None:
    """Keep `lang` as the person's language; None goes back to Slack's locale."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"{lang!r} is not one of {', '.join(LANGUAGES)}")
    with store.write_lock(), store.db.conn as conn:
        conn.execute(
            "insert into people (user, chosen) values (?, ?) "
            "on conflict (user) do update set chosen = excluded.chosen",
            [user, lang],
        )


def remember_locale(store: Store, user: str, locale: str | None, when: float | None = None) -> None:
    """Keep the locale Slack gave for `user` ("" or None: Slack could not say)."""
    with store.write_lock(), store.db.conn as conn:
        conn.execute(
            "insert into people (user, locale, locale_checked) values (?, ?, ?) "
            "on conflict (user) do update set locale = excluded.locale, "
            "locale_checked = excluded.locale_checked",
            [user, locale or "", time.time() if when is None else when],
        )

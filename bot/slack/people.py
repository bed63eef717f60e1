"""The language to answer one person in, asking Slack for their locale when it is not known."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from slack_sdk.web.async_client import AsyncWebClient

from bot.language import choose_language, language_of_text
from bot.people import PersonLanguage, person_language, remember_locale
from bot.slack.posting import CALL_ERRORS, slack_error
from bot.store import StorageError

log = logging.getLogger(__name__)

# A card waits this long at most for Slack to say a person's locale; the look-up goes on
# and its answer is kept for the next time.
LOOKUP_WAIT_SECONDS = 2.0

# Look-ups in flight in this process, one per person however many of their messages arrive.
_asking: dict[str, asyncio.Task] = {}


async def language_for(
    amz,
    client: AsyncWebClient,
    user: str | None,
    *,
    text: str | None = None,
    fallback: str | None = None,
) -> str:
    """The language to answer `user` in (see `choose_language` for the order).

    Slack is asked for the person's locale only when it could change the answer: nothing
    chosen, no Portuguese or Spanish text, and no fresh locale kept.
    """
    known = _stored(amz, user)
    locale = known.locale
    if _must_ask(known, text):
        locale = await _locale(amz, client, known.user) or locale
    return _choose(amz, known, text, locale, fallback)


def language_if_known(
    amz, user: str | None, *, text: str | None = None, fallback: str | None = None
) -> str | None:
    """The language to answer `user` in when it is known without asking Slack, else None."""
    known = _stored(amz, user)
    if _must_ask(known, text):
        return None
    return _choose(amz, known, text, known.locale, fallback)


def _stored(amz, user: str | None) -> PersonLanguage:
    if not user:
        return PersonLanguage("")
    try:
        return person_language(amz.store, user)
    except (StorageError, sqlite3.Error) as exc:  # an unreadable database must not cost the answer
        log.warning("could not read %s's language: %s", user, exc)
        return PersonLanguage(user)


def _must_ask(known: PersonLanguage, text: str | None) -> bool:
    if not known.user or known.chosen is not None or known.locale_is_fresh():
        return False
    return not (text and language_of_text(text) in ("pt", "es"))


def _choose(amz, known: PersonLanguage, text, locale, fallback) -> str:
    return choose_language(
        chosen=known.chosen,
        text=text,
        locale=locale,
        fallback=fallback,
        default=amz.settings.language,
    )


async def _locale(amz, client: AsyncWebClient, user: str) -> str | None:
    task = _asking.get(user)
    if task is None:
        task = asyncio.create_task(_ask_slack(amz, client, user), name=f"locale of {user}")
        _asking[user] = task
        task.add_done_callback(lambda _: _asking.pop(user, None))
    try:
        return await asyncio.wait_for(asyncio.shield(task), LOOKUP_WAIT_SECONDS)
    except TimeoutError:
        log.warning("Slack has not said %s's locale within %gs", user, LOOKUP_WAIT_SECONDS)
        return None


async def _ask_slack(amz, client: AsyncWebClient, user: str) -> str | None:
    """users.info's locale for `user` ("pt-BR"), kept in SQLite; None when Slack does not say."""
    try:
        response = await client.users_info(user=user, include_locale=True)
        locale = (response.get("user") or {}).get("locale") or ""
    except CALL_ERRORS as exc:
        # missing_scope: an app created before users:read was in manifest.yml.
        log.warning("could not ask Slack for %s's locale: %s", user, slack_error(exc))
        locale = ""
    try:
        remember_locale(amz.store, user, locale)  # a failure too: not asked again at once
    except StorageError as exc:
        log.warning("could not keep %s's locale: %s", user, exc)
    return locale or None

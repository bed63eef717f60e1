"""Each person's language is kept: the one they chose, and Slack's locale for a day."""

from __future__ import annotations

import time

import pytest

from bot.people import (
    FAILED_LOOKUP_KEEP_SECONDS,
    LOCALE_KEEP_SECONDS,
    choose_language_for,
    person_language,
    remember_locale,
)
from bot.store import Store


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "people.db")


def test_nothing_is_known_of_someone_new(store):
    known = person_language(store, "U1")
    assert (known.chosen, known.locale, known.locale_is_fresh()) == (None, None, False)


def test_a_choice_is_kept_and_can_be_taken_back(store):
    choose_language_for(store, "U1", "es")
    assert person_language(store, "U1").chosen == "es"
    assert person_language(store, "U2").chosen is None  # one person's choice only
    choose_language_for(store, "U1", None)
    assert person_language(store, "U1").chosen is None


def test_a_choice_outside_the_three_languages_is_refused(store):
    with pytest.raises(ValueError):
        choose_language_for(store, "U1", "fr")


def test_slack_s_locale_stands_for_a_day(store):
    remember_locale(store, "U1", "pt-BR", when=time.time() - LOCALE_KEEP_SECONDS + 60)
    known = person_language(store, "U1")
    assert known.locale == "pt-BR" and known.locale_is_fresh()
    assert not known.locale_is_fresh(now=time.time() + 120)


def test_a_failed_look_up_is_retried_sooner_than_a_day(store):
    remember_locale(store, "U1", None, when=time.time())
    known = person_language(store, "U1")
    assert known.locale == "" and known.locale_is_fresh()
    assert not known.locale_is_fresh(now=time.time() + FAILED_LOOKUP_KEEP_SECONDS + 1)


def test_the_locale_and_the_choice_do_not_overwrite_each_other(store):
    choose_language_for(store, "U1", "en")
    remember_locale(store, "U1", "es-LA")
    known = person_language(store, "U1")
    assert (known.chosen, known.locale) == ("en", "es-LA")

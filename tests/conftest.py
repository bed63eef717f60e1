"""Shared fixtures: the real knowledge base, a matcher over it, and throwaway databases."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cards import CardRenderer
from bot.config import PROJECT_ROOT, Settings
from bot.engine import Engine
from bot.knowledge import Entry, load_knowledge
from bot.matcher import Matcher
from bot.vocabulary import load_vocabulary
from tests.fakeslack import FakeSlack
from tests.slackharness import SlackSender

KNOWLEDGE = PROJECT_ROOT / "knowledge"
TEMPLATES = PROJECT_ROOT / "templates"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def entries() -> list[Entry]:
    loaded = load_knowledge(KNOWLEDGE)
    assert loaded.ok, [str(p) for p in loaded.problems]
    return loaded.entries


@pytest.fixture(scope="session")
def by_id(entries: list[Entry]) -> dict[str, Entry]:
    return {e.id: e for e in entries}


@pytest.fixture(scope="session")
def matcher(entries: list[Entry]) -> Matcher:
    vocabulary, problems = load_vocabulary(KNOWLEDGE)
    assert not problems, [str(p) for p in problems]
    return Matcher(entries, vocabulary)


@pytest.fixture(scope="session")
def renderer() -> CardRenderer:
    return CardRenderer(TEMPLATES, vtex_account="mystore")


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the knowledge files, for tests that edit or break them."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"AMZERROR_DB": str(tmp_path / "amzerror.db")})


@pytest.fixture
def engine(settings: Settings) -> Engine:
    return Engine(settings)


# The Slack tests' shared pieces; a module whose bot serves all its tests (scope="module")
# declares its own.
@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake slack.com on 127.0.0.1, for one test."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def send(bot, slack) -> SlackSender:
    """Requests signed as Slack signs them, to the module's `bot`."""
    return SlackSender(bot.url, response_base=slack.base)

"""Who may mark a reprocessing request done or failed: the ops channel's members and the ops users."""

from __future__ import annotations

import asyncio
import types

import pytest

from bot.config import Settings
from bot.slack import app as app_module
from bot.slack.app import BotServices

OPS = "COPS"


class Members:
    """conversations.members as Slack pages it, counting how often it is asked."""

    def __init__(self, *pages: list[str]):
        self.pages = [list(p) for p in pages]
        self.asked: list[dict] = []

    async def conversations_members(self, **params):
        self.asked.append(params)
        pages = [{"members": p} for p in self.pages]

        class Pages:
            async def __aiter__(self):
                for page in pages:
                    yield page

        return Pages()


@pytest.fixture
def clock(monkeypatch) -> types.SimpleNamespace:
    fake = types.SimpleNamespace(now=500.0)
    monkeypatch.setattr(app_module, "time", types.SimpleNamespace(monotonic=lambda: fake.now))
    return fake


def services(ops_channel: str | None = OPS, ops_users: str = "") -> BotServices:
    env = {"AMZERROR_OPS_USERS": ops_users, "AMZERROR_DB": ":memory:"}
    if ops_channel:
        env["AMZERROR_OPS_CHANNEL"] = ops_channel
    return BotServices(Settings.from_env(env), engine=None)


def is_ops(amz: BotServices, slack: Members, user: str) -> bool:
    return asyncio.run(amz.is_ops(slack, user))


def test_a_member_of_the_ops_channel_may(clock):
    slack = Members(["UOPS1", "UOPS2"])
    assert is_ops(services(), slack, "UOPS2") is True
    assert slack.asked == [{"channel": OPS, "limit": 1000}]


def test_someone_outside_a_populated_ops_channel_may_not(clock):
    assert is_ops(services(), Members(["UOPS1", "UOPS2"]), "UOUTSIDER") is False


def test_nobody_may_while_the_ops_channel_is_empty(clock):
    assert is_ops(services(), Members([]), "UANYONE") is False


def test_members_on_a_later_page_are_found(clock):
    slack = Members(["U1", "U2"], ["U3"], ["UOPS9"])
    assert is_ops(services(), slack, "UOPS9") is True
    assert is_ops(services(), Members(["U1"], ["U2"]), "U9") is False


def test_a_configured_ops_user_may_without_asking_slack(clock):
    slack = Members(["UOPS1"])
    amz = services(ops_users="UOPSLEAD, ULEAD2")
    assert is_ops(amz, slack, "UOPSLEAD") is True
    assert is_ops(amz, slack, "ULEAD2") is True
    assert slack.asked == []
    assert is_ops(amz, slack, "UOUTSIDER") is False


def test_a_configured_ops_user_may_with_no_ops_channel(clock):
    slack = Members(["U1"])
    amz = services(ops_channel=None, ops_users="UOPSLEAD")
    assert is_ops(amz, slack, "UOPSLEAD") is True
    assert is_ops(amz, slack, "U1") is False
    assert slack.asked == []


def test_members_are_remembered_for_a_minute(clock):
    slack = Members(["UOPS1"])
    amz = services()
    assert is_ops(amz, slack, "UOPS1") is True
    clock.now += 59.9
    slack.pages = [["USOMEONE"]]  # UOPS1 left; not noticed within the minute
    assert is_ops(amz, slack, "UOPS1") is True
    assert len(slack.asked) == 1
    clock.now += 0.1
    assert is_ops(amz, slack, "UOPS1") is False
    assert len(slack.asked) == 2


def test_someone_who_just_joined_is_let_in_at_once(clock):
    slack = Members(["UOPS1"])
    amz = services()
    assert is_ops(amz, slack, "UNEW") is False
    slack.pages = [["UOPS1", "UNEW"]]
    assert is_ops(amz, slack, "UNEW") is True
    assert len(slack.asked) == 2

"""Socket Mode delivers the same payloads over a websocket: the same listeners answer them."""

from __future__ import annotations

import asyncio
import json

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.config import Settings
from bot.slack.ack import finish_running
from bot.slack.app import build_app, make_client, make_session
from tests.fakeslack import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.slackharness import mention_event, new_ts

INACTIVE = "The SKU you tried to submit is inactive on VTEX"


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def deliver(slack, tmp_path):
    """Deliver payloads as Socket Mode does; returns Bolt's answers once the work is done."""
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-socket",
            "SLACK_APP_TOKEN": "xapp-socket",
            "SLACK_API_URL": slack.url,
            "AMZERROR_DB": str(tmp_path / "socket.db"),
            "AMZERROR_WATCH_CHANNELS": "all",
        }
    )

    def run(*bodies: dict):
        async def scenario():
            async with make_session() as session:
                app = build_app(settings, make_client(settings, session))
                answers = [
                    await app.async_dispatch(AsyncBoltRequest(body=body, mode="socket_mode"))
                    for body in bodies
                ]
                await finish_running()
                return answers

        return asyncio.run(scenario())

    return run


def event_body(event: dict) -> dict:
    return {
        "type": "event_callback",
        "team_id": TEAM_ID,
        "event_id": f"Ev{new_ts()}",
        "event": event,
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


def test_mention_over_socket_mode_answers_in_thread(deliver, slack):
    event = mention_event(INACTIVE)
    [answer] = deliver(event_body(event))
    assert answer.status == 200
    [post] = slack.calls_to("chat.postMessage")
    assert post.params["thread_ts"] == event["ts"]


def test_slash_command_over_socket_mode(deliver, slack):
    body = {
        "command": "/amzerror",
        "text": "help",
        "user_id": "U1",
        "channel_id": "C1",
        "team_id": TEAM_ID,
        "response_url": slack.base + "/respond/x",
    }
    [answer] = deliver(body)
    assert answer.status == 200
    assert "Commands" in json.dumps(json.loads(answer.body)["blocks"])


def test_watch_all_answers_sure_matches_and_ignores_bots(deliver, slack):
    human = {"type": "message", "channel": "CANY", "user": "U2", "text": INACTIVE, "ts": new_ts()}
    bot = {**human, "ts": new_ts(), "bot_id": "B0OTHER"}
    answers = deliver(event_body(bot), event_body(human))
    assert [a.status for a in answers] == [200, 200]
    [post] = slack.calls_to("chat.postMessage")
    assert post.params["thread_ts"] == human["ts"]

"""Socket Mode delivers the same payloads over a websocket: the same listeners answer them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.config import Settings
from bot.slack.ack import finish_running
from bot.slack.app import build_app, make_client, make_session
from tests.fakeslack import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.slackharness import ROOT, mention_event, new_ts

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


def test_a_refused_app_token_is_one_line_and_a_failed_exit(slack, tmp_path):
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-socket",
        "SLACK_APP_TOKEN": "xapp-revoked",  # the fake accepts xoxb- tokens only
        "SLACK_API_URL": slack.url,
        "AMZERROR_DB": str(tmp_path / "socket.db"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "amzerror: Slack refused the tokens (not_authed): check SLACK_APP_TOKEN" in done.stderr

"""Socket Mode delivers the same payloads over a websocket: the same listeners answer them."""

from __future__ import annotations

import json

import pytest
from slack_bolt.request import BoltRequest

from bot.config import Settings
from bot.slack.app import build_app
from tests.fakeslack import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.slackharness import mention_event, new_ts

INACTIVE = "The SKU you tried to submit is inactive on VTEX"


@pytest.fixture
def socket_app(tmp_path):
    with FakeSlack() as slack:
        settings = Settings.from_env(
            {
                "SLACK_BOT_TOKEN": "xoxb-socket",
                "SLACK_APP_TOKEN": "xapp-socket",
                "SLACK_API_URL": slack.url,
                "AMZERROR_DB": str(tmp_path / "socket.db"),
                "AMZERROR_WATCH_CHANNELS": "all",
            }
        )
        yield build_app(settings), slack


def dispatch(app, body: dict):
    return app.dispatch(BoltRequest(body=body, mode="socket_mode"))


def event_body(event: dict) -> dict:
    return {
        "type": "event_callback",
        "team_id": TEAM_ID,
        "event_id": f"Ev{new_ts()}",
        "event": event,
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


def test_mention_over_socket_mode_answers_in_thread(socket_app):
    app, slack = socket_app
    event = mention_event(INACTIVE)
    assert dispatch(app, event_body(event)).status == 200
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == event["ts"]


def test_slash_command_over_socket_mode(socket_app):
    app, slack = socket_app
    body = {
        "command": "/amzerror",
        "text": "help",
        "user_id": "U1",
        "channel_id": "C1",
        "team_id": TEAM_ID,
        "response_url": slack.base + "/respond/x",
    }
    response = dispatch(app, body)
    assert response.status == 200
    assert "Commands" in json.dumps(json.loads(response.body)["blocks"])


def test_watch_all_answers_sure_matches_and_ignores_bots(socket_app):
    app, slack = socket_app
    human = {"type": "message", "channel": "CANY", "user": "U2", "text": INACTIVE, "ts": new_ts()}
    bot = {**human, "ts": new_ts(), "bot_id": "B0OTHER"}
    assert dispatch(app, event_body(bot)).status == 200
    assert dispatch(app, event_body(human)).status == 200
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == human["ts"]

"""Socket Mode delivers the same payloads over a websocket: the same listeners answer them.

The last tests run the real bot (`amzerror serve`) against the fake Slack's websocket.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.config import Settings
from bot.slack.ack import finish_running
from bot.slack.app import build_app, make_client, make_session
from tests.fakeslack import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.slackharness import (
    ROOT,
    button,
    click_payload,
    mention_event,
    new_ts,
    posted_message,
    run_amzerror,
)

INACTIVE = "The SKU you tried to submit is inactive on VTEX"


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
        "SLACK_APP_TOKEN": "xapp-revoked",  # the fake accepts no app token here
        "SLACK_API_URL": slack.url,
        "AMZERROR_DB": str(tmp_path / "socket.db"),
    }
    done = run_amzerror("serve", env=env)
    assert done.returncode == 2  # a setting to fix, like any other
    assert "Traceback" not in done.stderr
    assert "amzerror: Slack refused the tokens (invalid_auth): check SLACK_APP_TOKEN" in done.stderr


APP_TOKEN = "xapp-1-socket-test"


@pytest.fixture
def socket_bot(tmp_path):
    """The real bot in Socket Mode, connected to the fake Slack's websocket."""
    with FakeSlack(app_tokens=(APP_TOKEN,)) as slack:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-socket",
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": slack.url,
            "AMZERROR_DB": str(tmp_path / "socket.db"),
        }
        log = tmp_path / "bot.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            slack.wait_for("socket_mode.connect", timeout=30)
            yield slack, proc, log
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def acked(slack, envelope_id: str):
    [ack] = slack.wait_for(
        "socket_mode.ack", predicate=lambda c: c.params.get("envelope_id") == envelope_id
    )
    return ack


def test_over_the_websocket_a_mention_is_acked_answered_and_its_button_works(socket_bot):
    slack, proc, log = socket_bot
    event = mention_event(f"SKU 4242 {INACTIVE}")
    acked(slack, slack.send_envelope("events_api", event_body(event)))
    [card] = slack.wait_for("chat.postMessage")
    assert card.params["thread_ts"] == event["ts"]
    assert "SKU: 4242" in json.dumps(card.params["blocks"])

    message = posted_message(card)
    click = click_payload(message, button(message["blocks"], "reprocess_request"))
    acked(slack, slack.send_envelope("interactive", click))
    slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: "Reprocessing requested by <@U1> for SKU 4242" in json.dumps(c.params),
    )

    proc.send_signal(signal.SIGTERM)  # how a service manager stops it
    assert proc.wait(timeout=15) == 0
    slack.wait_for("socket_mode.disconnect")
    assert "Traceback" not in log.read_text()


def test_a_slash_command_is_answered_in_its_acknowledgement(socket_bot):
    slack, _, _ = socket_bot
    command = {
        "command": "/amzerror",
        "text": "help",
        "user_id": "U1",
        "channel_id": "CGENERAL",
        "team_id": TEAM_ID,
        "trigger_id": "trigger-help",
        "response_url": f"{slack.base}/respond/CGENERAL",
    }
    envelope = slack.send_envelope("slash_commands", command, accepts_response_payload=True)
    ack = acked(slack, envelope)
    assert "/amzerror search" in json.dumps(ack.params["payload"])


def test_when_slack_asks_for_a_new_connection_the_bot_reconnects_and_keeps_answering(
    socket_bot,
):
    slack, _, _ = socket_bot
    slack.ask_to_reconnect()
    slack.wait_for("socket_mode.connect", count=2, timeout=15)
    assert len(slack.calls_to("apps.connections.open")) == 2
    event = mention_event(INACTIVE)
    acked(slack, slack.send_envelope("events_api", event_body(event)))
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == event["ts"]

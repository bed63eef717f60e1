"""manifest.yml creates an app that can do everything the code asks of Slack."""

from __future__ import annotations

import asyncio
import json
import re

import yaml
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import PROJECT_ROOT, Settings
from bot.slack.app import build_app
from bot.slack.shortcuts.explain import CALLBACK_ID

MANIFEST = yaml.safe_load((PROJECT_ROOT / "manifest.yml").read_text())
# The bot scope each Web API method needs (api.slack.com/methods); None: no scope needed.
METHOD_SCOPES = {
    "chat_postMessage": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_update": {"chat:write"},
    "views_open": None,
    "conversations_members": {"channels:read", "groups:read"},
    # Reading the ops channel back (with message metadata) before posting a request again.
    "conversations_history": {"channels:history", "groups:history"},
    "users_info": {"users:read"},  # include_locale: the language to answer each person in
    "auth_test": None,
    # Called with the app-level token (connections:write), which Socket Mode needs anyway.
    "apps_connections_open": None,
}
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
}


def web_api_calls() -> set[str]:
    calls = set()
    for path in (PROJECT_ROOT / "bot").rglob("*.py"):
        calls.update(re.findall(r"client\.([a-z]+(?:_[A-Za-z]+)+)\(", path.read_text()))
    return calls


def test_every_web_api_call_is_covered_by_a_scope():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    calls = web_api_calls()
    assert calls, "no Web API calls found"
    unknown = calls - set(METHOD_SCOPES)
    assert not unknown, f"add these methods and their scopes to METHOD_SCOPES: {unknown}"
    for method in calls:
        needed = METHOD_SCOPES[method]
        assert needed is None or needed <= scopes, (method, needed)


def test_subscribed_events_have_their_scopes():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    for event in events:
        assert EVENT_SCOPES[event] in scopes


def listeners_for(app, body: dict) -> int:
    """How many of the app's listeners would take `body`, as Bolt decides it."""
    request = AsyncBoltRequest(body=json.dumps(body), mode="socket_mode")

    async def count() -> int:
        matches = [
            await listener.async_matches(req=request, resp=BoltResponse(status=200))
            for listener in app._async_listeners
        ]
        return sum(matches)

    return asyncio.run(count())


def event_body(subscription: str) -> dict:
    kind, _, where = subscription.partition(".")
    event = {"type": kind, "channel": "C1", "user": "U1", "text": "hi", "ts": "1.0"}
    if where:
        event["channel_type"] = {"channels": "channel", "groups": "group"}[where]
    return {"type": "event_callback", "team_id": "T1", "event": event}


def test_every_subscribed_event_command_and_shortcut_has_one_listener(tmp_path):
    settings = Settings.from_env(
        {"AMZERROR_DB": str(tmp_path / "m.db"), "SLACK_BOT_TOKEN": "xoxb-1"}
    )
    app = build_app(settings, AsyncWebClient(token="xoxb-1"))
    for subscription in MANIFEST["settings"]["event_subscriptions"]["bot_events"]:
        assert listeners_for(app, event_body(subscription)) == 1, subscription
    command = MANIFEST["features"]["slash_commands"][0]["command"]
    assert listeners_for(app, {"command": command, "text": "", "team_id": "T1"}) == 1
    shortcut = {"type": "message_action", "callback_id": CALLBACK_ID, "team": {"id": "T1"}}
    assert listeners_for(app, shortcut) == 1
    # (and the check can fail: an event nobody subscribed to finds no listener)
    assert listeners_for(app, event_body("reaction_added")) == 0


def test_command_shortcut_interactivity_and_socket_mode():
    features = MANIFEST["features"]
    command = features["slash_commands"][0]
    assert command["command"] == "/amzerror"
    assert command["description"] and command["usage_hint"]
    assert features["shortcuts"][0]["callback_id"] == CALLBACK_ID
    assert features["shortcuts"][0]["type"] == "message"
    assert MANIFEST["settings"]["interactivity"]["is_enabled"]
    assert MANIFEST["settings"]["socket_mode_enabled"]
    assert "commands" in MANIFEST["oauth_config"]["scopes"]["bot"]


def test_direct_messages_can_reach_people_when_a_channel_cannot():
    # A private note falls back to the app's Messages tab (chat.postMessage to a user id).
    assert MANIFEST["features"]["app_home"]["messages_tab_enabled"]

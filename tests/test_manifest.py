"""manifest.yml creates an app that can do everything the code asks of Slack."""

from __future__ import annotations

import re

import yaml

from bot.config import PROJECT_ROOT
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


def test_subscribed_events_have_their_scopes_and_listeners():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    for event in events:
        assert EVENT_SCOPES[event] in scopes


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

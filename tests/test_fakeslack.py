"""Tests for the fake Slack Web API server used by the other tests."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}]


@pytest.fixture
def client(slack):
    return WebClient(token="xoxb-test", base_url=slack.url, timeout=5)


def test_post_message_is_recorded_with_blocks_decoded(slack, client):
    first = client.chat_postMessage(channel="C1", text="hi", blocks=BLOCKS, thread_ts="1.2")
    second = client.chat_postMessage(channel="C1", text="again")

    assert first["ok"] is True
    assert first["channel"] == "C1"
    assert first["message"]["blocks"] == BLOCKS
    assert first["message"]["thread_ts"] == "1.2"
    assert first["message"]["bot_id"] == "B0BOT"
    assert float(second["ts"]) > float(first["ts"])

    calls = slack.wait_for("chat.postMessage", count=2)
    assert [c.params["text"] for c in calls] == ["hi", "again"]
    assert calls[0].params["blocks"] == BLOCKS
    assert calls[0].headers["Authorization"] == "Bearer xoxb-test"
    assert calls[0].failed is False


def test_form_encoded_json_fields_are_decoded(slack):
    # slack_sdk sends most non-chat methods form-encoded; JSON-valued fields get decoded.
    form_client = WebClient(token="xoxb-test", base_url=slack.url, timeout=5)
    form_client.api_call(
        "views.publish", params={"user_id": "U1", "view": json.dumps({"type": "home"})}
    )
    (call,) = slack.calls_to("views.publish")
    assert call.params == {"user_id": "U1", "view": {"type": "home"}}
    assert call.headers["content-type"].startswith("application/x-www-form-urlencoded")


def test_canned_answers(slack, client):
    slack.set_members("C1", ["U1", "U2"])
    assert client.auth_test()["user_id"] == "U0BOT"
    assert client.conversations_members(channel="C1")["members"] == ["U1", "U2"]
    assert client.conversations_members(channel="C2")["members"] == []
    assert client.users_info(user="U1")["user"]["is_bot"] is False
    opened = client.views_open(trigger_id="t1", view={"type": "modal", "callback_id": "cb"})
    assert opened["view"]["id"].startswith("V123")
    assert opened["view"]["callback_id"] == "cb"
    assert client.chat_update(channel="C1", ts="5.5", text="x")["ts"] == "5.5"


def test_missing_arguments_and_missing_token_answer_like_slack(slack, client):
    with pytest.raises(SlackApiError) as missing:
        client.views_open(trigger_id="", view={"type": "modal"})
    assert missing.value.response.status_code == 200
    assert missing.value.response["error"] == "invalid_arguments"

    anonymous = WebClient(base_url=slack.url, timeout=5)
    with pytest.raises(SlackApiError) as unauthed:
        anonymous.conversations_info(channel="C1")
    assert unauthed.value.response["error"] == "not_authed"
    assert anonymous.auth_test()["ok"] is True


def test_wait_for_times_out_with_readable_error(slack, client):
    client.chat_postMessage(channel="C1", text="hi")
    started = time.monotonic()
    with pytest.raises(AssertionError) as excinfo:
        slack.wait_for("chat.update", timeout=0.2)
    assert time.monotonic() - started < 1
    message = str(excinfo.value)
    assert "chat.update" in message
    assert "chat.postMessage" in message  # lists what was seen
    assert '"text": "hi"' in message


def test_wait_for_wakes_up_on_a_call_from_another_thread(slack, client):
    timer = threading.Timer(0.05, client.chat_postMessage, kwargs={"channel": "C9", "text": "x"})
    timer.start()
    try:
        (call,) = slack.wait_for(
            "chat.postMessage", predicate=lambda c: c.params["channel"] == "C9"
        )
    finally:
        timer.join()
    assert call.params["text"] == "x"


def test_rate_limit_is_retried_by_slack_sdk(slack, client):
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    slack.fail("chat.postMessage", status=429, retry_after=1)

    response = client.chat_postMessage(channel="C1", text="hi")

    assert response["ok"] is True
    calls = slack.calls_to("chat.postMessage")
    assert len(calls) == 2
    assert [c.failed for c in calls] == [True, False]
    assert calls[0].status == 429
    assert calls[1].at - calls[0].at >= 1


def test_error_answer_raises_slack_api_error(slack, client):
    slack.fail("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C404", text="hi")
    assert excinfo.value.response.status_code == 200
    assert excinfo.value.response["error"] == "channel_not_found"
    # only the next call fails
    assert client.chat_postMessage(channel="C404", text="hi")["ok"] is True
    assert [c.failed for c in slack.calls] == [True, False]


def test_server_error_and_delay(slack, client):
    slack.fail("chat.postMessage", status=503)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="hi")
    assert excinfo.value.response.status_code == 503

    slack.fail("chat.postMessage", status=200, delay=1.0)
    impatient = WebClient(token="xoxb-test", base_url=slack.url, timeout=0.2)
    with pytest.raises(TimeoutError):
        impatient.chat_postMessage(channel="C1", text="slow")
    assert slack.wait_for("chat.postMessage", count=2)[1].params["text"] == "slow"


def test_plain_post_to_hook_is_recorded(slack):
    slack.fail("/hooks/x", status=500)
    request = urllib.request.Request(
        slack.base + "/hooks/x",
        data=json.dumps({"text": "reprocess", "sku": 42}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=5)
    assert excinfo.value.code == 500

    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        assert response.read() == b"ok"

    calls = slack.wait_for("/hooks/x", count=2)
    assert calls[1].params == {"text": "reprocess", "sku": 42}
    assert calls[1].path == "/hooks/x"
    assert [c.failed for c in calls] == [True, False]


def test_reset_clears_everything(slack, client):
    slack.fail("chat.postMessage", error="channel_not_found")
    slack.set_members("C1", ["U1"])
    client.auth_test()
    slack.reset()
    assert slack.calls == []
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert client.conversations_members(channel="C1")["members"] == []

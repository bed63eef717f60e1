"""Slack's refusals: normal ones are one warning line; a private note finds its way (ephemeral,
else a direct message, else the response_url), in the language of the one who acted."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.cards import Card
from bot.slack.posting import language_from, log_failure, tell_privately

NOTE = Card([{"type": "section", "text": {"type": "mrkdwn", "text": "psst"}}], "psst")


def tell(slack, **where) -> bool:
    async def run() -> bool:
        async with aiohttp.ClientSession() as session:
            client = AsyncWebClient(token="xoxb-test", base_url=slack.url, session=session)
            return await tell_privately(client, NOTE, user="U1", **where)

    return asyncio.run(run())


def test_an_ephemeral_note_where_the_person_is(slack):
    assert tell(slack, channel="C1", thread_ts="1.0")
    [note] = slack.calls_to("chat.postEphemeral")
    assert (note.params["channel"], note.params["user"], note.params["thread_ts"]) == (
        "C1",
        "U1",
        "1.0",
    )
    assert slack.calls_to("chat.postMessage") == []


def test_a_direct_message_when_the_channel_refuses(slack):
    slack.fail("chat.postEphemeral", error="not_in_channel")
    assert tell(slack, channel="C1")
    [direct] = slack.calls_to("chat.postMessage")
    assert direct.params["channel"] == "U1"


def test_the_response_url_when_nothing_else_works(slack):
    slack.fail("chat.postEphemeral", error="channel_not_found")
    slack.fail("chat.postMessage", error="messages_tab_disabled")
    assert tell(slack, channel="C1", response_url=slack.base + "/respond/C1")
    [answer] = slack.calls_to("/respond/C1")
    assert (
        answer.params["response_type"] == "ephemeral" and answer.params["replace_original"] is False
    )


def refusal(error: str) -> SlackApiError:
    return SlackApiError("refused", {"ok": False, "error": error})


def test_normal_refusals_are_one_warning_line(caplog):
    with caplog.at_level(logging.WARNING):
        log_failure("thread note", refusal("not_in_channel"))
        log_failure("thread note", refusal("invalid_blocks"))
    normal, odd = caplog.records
    assert (normal.levelname, normal.exc_info, normal.getMessage()) == (
        "WARNING",
        None,
        "thread note: not_in_channel",
    )
    assert odd.levelname == "ERROR" and odd.exc_info is not None


def test_the_language_of_whoever_acted_is_read_from_what_they_acted_on():
    click = {"actions": [{"value": json.dumps({"e": "sku-inactive", "l": "pt"})}]}
    menu = {"actions": [{"selected_option": {"value": json.dumps({"e": "x", "l": "es"})}}]}
    modal = {"view": {"private_metadata": json.dumps({"e": "sku-inactive", "l": "es"})}}
    event = {"event": {"text": "o SKU não entrou na Amazon"}}
    command = {"text": "¿qué pasa con el pedido?"}
    assert [language_from(body) for body in (click, menu, modal, event, command)] == [
        "pt",
        "es",
        "es",
        "pt",
        "es",
    ]
    # An English card's buttons carry no language; a broken payload says nothing either.
    english = {"actions": [{"value": json.dumps({"e": "sku-inactive"})}]}
    broken = {"view": {"private_metadata": "{not json"}}
    assert language_from(english, "pt") == language_from(broken, "pt") == "en"
    assert language_from({}, "pt") == "pt"

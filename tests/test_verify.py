"""Requests are refused by size, age and signature before their body is parsed or trusted."""

from __future__ import annotations

import asyncio
import logging
import time
import types

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer, make_mocked_request
from slack_sdk.signature import SignatureVerifier

from bot.slack import verify
from bot.slack.verify import MAX_BODY_BYTES, Refusal, RefusalLog, RequestGate

SECRET = "spec-secret"
# Near the real time: slack_sdk's own check of the signature reads the real clock.
NOW = int(time.time())


@pytest.fixture
def clock(monkeypatch) -> types.SimpleNamespace:
    """verify's view of the wall clock and the monotonic clock, set by each test."""
    fake = types.SimpleNamespace(wall=float(NOW), mono=1000.0)
    monkeypatch.setattr(
        verify,
        "time",
        types.SimpleNamespace(time=lambda: fake.wall, monotonic=lambda: fake.mono),
    )
    return fake


def signed_headers(body: bytes | str, timestamp: int | str = NOW, secret: str = SECRET) -> dict:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=text)
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}


async def _exchange(gate: RequestGate, send) -> tuple[int, str, dict]:
    """Serve `gate` as the bot does and make one request with `send(session, url)`."""
    accepted: list[str] = []

    async def events(request: web.Request) -> web.Response:
        try:
            text = await gate.read(request)
        except Refusal as refusal:
            return gate.refuse(refusal, request)
        accepted.append(text)
        return web.Response(text="ok:" + text)

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/slack/events", events)
    async with (
        TestServer(app, host="127.0.0.1", port=0) as server,
        aiohttp.ClientSession() as session,
        await send(session, str(server.make_url("/slack/events"))) as response,
    ):
        return response.status, await response.text(), dict(response.headers)


def exchange(gate: RequestGate, body: bytes, headers: dict) -> tuple[int, str, dict]:
    async def send(session, url):
        return session.post(url, data=body, headers=headers)

    return asyncio.run(_exchange(gate, send))


# -- what gets through -------------------------------------------------------------------


def test_a_fresh_signed_request_is_read_whole(clock):
    body = '{"type":"event_callback","text":"ação <!channel>"}'
    status, text, _ = exchange(RequestGate(SECRET), body.encode(), signed_headers(body))
    assert (status, text) == (200, "ok:" + body)


def test_a_body_of_exactly_the_limit_is_accepted(clock):
    body = "x" * 100
    status, _, _ = exchange(RequestGate(SECRET, max_bytes=100), body.encode(), signed_headers(body))
    assert status == 200


def test_slacks_largest_payloads_fit_under_the_default_limit(clock):
    body = "x" * MAX_BODY_BYTES
    assert MAX_BODY_BYTES == 1024 * 1024
    status, _, _ = exchange(RequestGate(SECRET), body.encode(), signed_headers(body))
    assert status == 200


@pytest.mark.parametrize("age", [0, 299, 300, -300])
def test_a_request_within_five_minutes_either_way_is_accepted(clock, age):
    clock.wall = NOW + age
    status, _, _ = exchange(RequestGate(SECRET), b"{}", signed_headers("{}"))
    assert status == 200


# -- what is refused ---------------------------------------------------------------------


@pytest.mark.parametrize("age", [301, -301, 6 * 60])
def test_a_replayed_or_future_request_is_refused(clock, age):
    clock.wall = NOW + age
    status, text, _ = exchange(RequestGate(SECRET), b"{}", signed_headers("{}"))
    assert (status, text) == (401, "timestamp outside Slack's five minutes\n")


def test_an_unsigned_request_is_refused(clock):
    headers = {"X-Slack-Request-Timestamp": str(NOW)}
    status, text, _ = exchange(RequestGate(SECRET), b"{}", headers)
    assert (status, text) == (401, "no signature\n")


def test_a_request_signed_with_another_secret_is_refused(clock):
    status, text, _ = exchange(RequestGate(SECRET), b"{}", signed_headers("{}", secret="other"))
    assert (status, text) == (401, "wrong signature\n")


def test_a_tampered_body_is_refused(clock):
    headers = signed_headers('{"user":"U1"}')
    status, text, _ = exchange(RequestGate(SECRET), b'{"user":"U2"}', headers)
    assert (status, text) == (401, "wrong signature\n")


@pytest.mark.parametrize(
    "timestamp",
    ["", "soon", "-5", "1.7e9", "١٧٠٠٠٠٠٠٠٠", "1" * 13],
    ids=["missing", "word", "negative", "float", "arabic-digits", "thirteen-digits"],
)
def test_a_request_without_a_plain_timestamp_is_refused(clock, timestamp):
    headers = {"X-Slack-Signature": "v0=" + "0" * 64}
    if timestamp:
        headers["X-Slack-Request-Timestamp"] = timestamp
    gate = RequestGate(SECRET)
    request = make_mocked_request("POST", "/slack/events", headers=headers)
    with pytest.raises(Refusal) as refused:
        gate._headers(request)
    assert (refused.value.status, refused.value.reason) == (401, "no valid timestamp")


def test_a_twelve_digit_timestamp_is_read_as_a_time(clock):
    # Twelve digits is still a number of seconds: it is refused for its age, not its form.
    headers = {"X-Slack-Signature": "v0=x", "X-Slack-Request-Timestamp": "1" * 12}
    request = make_mocked_request("POST", "/slack/events", headers=headers)
    with pytest.raises(Refusal) as refused:
        RequestGate(SECRET)._headers(request)
    assert refused.value.reason == "timestamp outside Slack's five minutes"


def test_a_body_that_is_not_utf8_is_refused(clock):
    body = b'{"text":"\xff\xfe"}'
    status, text, _ = exchange(RequestGate(SECRET), body, signed_headers(body))
    assert (status, text) == (401, "body is not UTF-8, so not signed by Slack\n")


def test_a_declared_oversize_body_is_refused_unread_and_the_connection_closed(clock):
    body = "x" * 101
    status, text, headers = exchange(
        RequestGate(SECRET, max_bytes=100), body.encode(), signed_headers(body)
    )
    assert (status, text) == (413, "body over 100 bytes\n")
    assert headers.get("Connection", "").lower() == "close"


def test_an_oversize_body_sent_in_chunks_is_refused(clock):
    body = "x" * 250

    async def chunks():
        for start in range(0, len(body), 50):
            yield body[start : start + 50].encode()

    async def send(session, url):
        # No Content-Length: only counting the bytes as they come can catch it.
        return session.post(url, data=chunks(), headers=signed_headers(body))

    status, text, headers = asyncio.run(_exchange(RequestGate(SECRET, max_bytes=100), send))
    assert (status, text) == (413, "body over 100 bytes\n")
    assert headers.get("Connection", "").lower() == "close"


def test_a_chunked_body_of_exactly_the_limit_is_accepted(clock):
    body = "y" * 100

    async def chunks():
        for start in range(0, len(body), 30):
            yield body[start : start + 30].encode()

    async def send(session, url):
        return session.post(url, data=chunks(), headers=signed_headers(body))

    status, text, _ = asyncio.run(_exchange(RequestGate(SECRET, max_bytes=100), send))
    assert (status, text) == (200, "ok:" + body)


def test_a_body_that_trickles_in_is_cut_off(clock):
    async def slowly():
        yield b"{"
        await asyncio.sleep(2)  # the slow client this test is about, not a wait for the bot
        yield b"}"

    async def send(session, url):
        return session.post(url, data=slowly(), headers=signed_headers("{}"))

    started = time.monotonic()
    status, text, headers = asyncio.run(_exchange(RequestGate(SECRET, body_seconds=0.3), send))
    assert (status, text) == (408, "body not received within 0.3 s\n")
    assert headers.get("Connection", "").lower() == "close"
    assert time.monotonic() - started < 1.9


def test_a_refused_signature_keeps_the_connection_open(clock):
    _, _, headers = exchange(RequestGate(SECRET), b"{}", signed_headers("{}", secret="other"))
    assert headers.get("Connection", "").lower() != "close"


# -- what the operator sees --------------------------------------------------------------


def test_refusals_are_logged_once_per_reason_with_a_count_of_the_rest(clock, caplog):
    caplog.set_level(logging.WARNING, logger="bot.slack.verify")
    log = RefusalLog()
    wrong, stale = Refusal(401, "wrong signature"), Refusal(401, "stale")
    log.note(wrong, "10.0.0.1")
    clock.mono += 9.9
    log.note(wrong, "10.0.0.2")
    log.note(wrong, None)
    log.note(stale, None)
    clock.mono += 0.1  # ten seconds after the first
    log.note(wrong, "10.0.0.3")
    log.note(wrong, "10.0.0.4")
    assert [r.getMessage() for r in caplog.records] == [
        "refused a request from 10.0.0.1: wrong signature",
        "refused a request from ?: stale",
        "refused a request from 10.0.0.3: wrong signature (2 more like it not logged)",
    ]


def test_the_first_refusal_is_logged_even_at_the_clock_s_start(clock, caplog):
    caplog.set_level(logging.WARNING, logger="bot.slack.verify")
    clock.mono = 0.0
    RefusalLog(every=10).note(Refusal(413, "too big"), "peer")
    assert [r.getMessage() for r in caplog.records] == ["refused a request from peer: too big"]


class Trickle:
    """A request body that arrives in the given pieces, recording what the gate asked for."""

    def __init__(self, *pieces: bytes):
        self.pieces = list(pieces)
        self.given = 0

    async def read(self, n: int) -> bytes:
        if not self.pieces:
            return b""
        piece = self.pieces.pop(0)
        if len(piece) > n:
            self.pieces.insert(0, piece[n:])
        self.given += len(piece[:n])
        return piece[:n]


def read_pieces(gate: RequestGate, *pieces: bytes) -> tuple[bytes | Refusal, int]:
    """What the gate makes of a body in `pieces` (no Content-Length), and the bytes it took."""
    body = b"".join(pieces)
    content = Trickle(*pieces)
    request = types.SimpleNamespace(
        content_length=None, headers=signed_headers(body), content=content, remote="10.1.1.1"
    )
    try:
        result: bytes | Refusal = asyncio.run(gate.read(request)).encode()
    except Refusal as refusal:
        result = refusal
    return result, content.given


def test_a_body_sent_in_pieces_is_read_to_its_end(clock):
    result, _ = read_pieces(RequestGate(SECRET, max_bytes=100), b"a" * 60, b"b" * 40)
    assert result == b"a" * 60 + b"b" * 40


def test_an_oversize_body_costs_no_more_than_the_limit_whatever_its_pieces(clock):
    for pieces in [(b"x" * 300,), (b"x" * 50, b"x" * 250), (b"x" * 100, b"x")]:
        result, taken = read_pieces(RequestGate(SECRET, max_bytes=100), *pieces)
        assert isinstance(result, Refusal) and result.status == 413, pieces
        assert taken <= 101, pieces


def test_a_refusal_reads_as_its_reason():
    refusal = Refusal(413, "body over 10 bytes")
    assert str(refusal) == "body over 10 bytes"
    assert (refusal.response().status, refusal.response().text) == (413, "body over 10 bytes\n")


def test_the_log_names_the_peer_refused(clock, caplog):
    caplog.set_level(logging.WARNING, logger="bot.slack.verify")
    exchange(RequestGate(SECRET), b"{}", signed_headers("{}", secret="other"))
    assert "refused a request from 127.0.0.1: wrong signature" in caplog.text

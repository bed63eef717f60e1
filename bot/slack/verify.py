"""Check a request's size, age and signature before anything parses its body.

Bolt verifies the signature too, but only after it has parsed the body into JSON or
form fields: an unsigned 8 MiB body of `[{},{},...]` costs hundreds of megabytes, and a
malformed one raises inside the parser (a 500 and a traceback). Here the raw bytes are
capped, read with a deadline and checked against Slack's signature first, so a request
that is not from Slack costs no more than its bytes and gets a plain 401 (or 413 / 408).
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

# Slack's own payloads stay far below this: a message is at most 40,000 characters, and
# an event with its blocks a few times that.
MAX_BODY_BYTES = 1024 * 1024
# Slack's replay window: a signed request older (or newer) than this is refused.
MAX_AGE_SECONDS = 5 * 60
# A client error is logged once per reason in this many seconds, with how many were not.
LOG_EVERY_SECONDS = 10.0


class Refusal(Exception):
    """Why a request was refused, and the HTTP status it gets."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def response(self) -> web.Response:
        return web.Response(status=self.status, text=f"{self.reason}\n")


class RefusalLog:
    """One log line per kind of refusal now and then, never a traceback and never a flood."""

    def __init__(self, every: float = LOG_EVERY_SECONDS):
        self.every = every
        self._last: dict[str, float] = {}
        self._quiet: dict[str, int] = {}

    def note(self, refusal: Refusal, peer: str | None) -> None:
        now = time.monotonic()
        key = refusal.reason
        if now - self._last.get(key, -self.every) < self.every:
            self._quiet[key] = self._quiet.get(key, 0) + 1
            return
        self._last[key] = now
        quiet = self._quiet.pop(key, 0)
        more = f" ({quiet} more like it not logged)" if quiet else ""
        log.warning("refused a request from %s: %s%s", peer or "?", refusal.reason, more)


class RequestGate:
    """Reads the body of a request for `/slack/events` only if it is Slack's, and signed."""

    def __init__(
        self, signing_secret: str, max_bytes: int = MAX_BODY_BYTES, body_seconds: float = 5.0
    ):
        self.verifier = SignatureVerifier(signing_secret)
        self.max_bytes = max_bytes
        # A client that has not sent its whole body by then is not Slack, whose requests
        # arrive at once: the connection is cut instead of being held open.
        self.body_seconds = body_seconds
        self.refusals = RefusalLog()

    async def read(self, request: web.Request) -> str:
        """The verified body as text; raises `Refusal` for anything else."""
        timestamp, signature = self._headers(request)
        body = await self._body(request)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refusal(401, "body is not UTF-8, so not signed by Slack") from None
        if not self.verifier.is_valid(text, timestamp, signature):
            raise Refusal(401, "wrong signature")
        return text

    def _headers(self, request: web.Request) -> tuple[str, str]:
        # Checked before a byte of the body is read: most forgeries stop here.
        if request.content_length is not None and request.content_length > self.max_bytes:
            raise Refusal(413, f"body over {self.max_bytes} bytes")
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not signature:
            raise Refusal(401, "no signature")
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            raise Refusal(401, "no valid timestamp")
        if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
            raise Refusal(401, "timestamp outside Slack's five minutes")
        return timestamp, signature

    async def _body(self, request: web.Request) -> bytes:
        try:
            async with asyncio.timeout(self.body_seconds):
                body = bytearray()
                # read(n) returns what has arrived so far: read until the end or past the cap.
                while len(body) <= self.max_bytes:
                    more = await request.content.read(self.max_bytes + 1 - len(body))
                    if not more:
                        break
                    body += more
        except TimeoutError:
            raise Refusal(408, f"body not received within {self.body_seconds:g} s") from None
        if len(body) > self.max_bytes:
            raise Refusal(413, f"body over {self.max_bytes} bytes")
        return bytes(body)

    def refuse(self, refusal: Refusal, request: web.Request) -> web.Response:
        self.refusals.note(refusal, request.remote)
        response = refusal.response()
        if refusal.status in (408, 413):
            # The rest of the body is not wanted: close rather than drain it.
            response.force_close()
        return response

"""Fake Slack Web API (plus response_url/webhook receiver) HTTP server for tests."""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

SOCKET_PATH = "/socket-mode"
TEAM_ID = "T0FAKE"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"

# Arguments Slack rejects a call without (answered with invalid_arguments).
REQUIRED_ARGS: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("channel",),
    "chat.postEphemeral": ("channel",),
    "chat.update": ("channel", "ts"),
    "views.open": ("trigger_id",),
}


class Headers(dict):
    """Request headers: a dict with lower-cased keys and case-insensitive lookups."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__((str(k).lower(), v) for k, v in dict(items).items())

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass
class Call:
    """One recorded request.

    ``method`` is the Web API method ("chat.postMessage") for /api/ requests, otherwise the
    request path ("/hooks/reprocess"). ``at`` is ``time.time()`` on arrival. ``failed`` is
    True when a ``FakeSlack.fail`` rule was applied to the call; ``status`` and ``response``
    are what was (or is about to be) answered.
    """

    method: str
    params: dict
    headers: dict
    at: float
    failed: bool = False
    status: int = 200
    response: Any = None
    http_method: str = "POST"
    path: str = ""


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    error: str | None
    delay: float
    channel: str | None = None


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, deque[_Failure]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    # user -> Slack locale ("pt-BR"); users.info answers "en-US" for anyone else, as Slack's default
    locales: dict[str, str] = field(default_factory=dict)
    ts_counter: int = 1_700_000_000_000_000
    view_counter: int = 0
    # channel -> messages posted there, oldest first (what conversations.history serves)
    history: dict[str, list[dict]] = field(default_factory=dict)


def _maybe_json(value: str) -> Any:
    """Decode form values that hold JSON objects/arrays (blocks, view, payload...)."""
    stripped = value.strip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(stripped)
        except ValueError:
            return value
    return value


def _form_params(pairs: list[tuple[str, str]]) -> dict:
    params: dict[str, Any] = {}
    for key, raw in pairs:
        value = _maybe_json(raw)
        if key in params:
            previous = params[key]
            params[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[key] = value
    return params


def _multipart_params(content_type: str, body: bytes) -> dict:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            params[name] = payload
        else:
            params[name] = _maybe_json(payload.decode(part.get_content_charset() or "utf-8"))
    return params


def _normalize(method: str) -> str:
    """'/api/chat.postMessage' and 'chat.postMessage' name the same method."""
    return method[len("/api/") :] if method.startswith("/api/") else method


class FakeSlack:
    """A local stand-in for slack.com: records calls, answers like Slack, fails on demand.

    Usage::

        with FakeSlack() as slack:
            client = WebClient(token="xoxb-test", base_url=slack.url)
            client.chat_postMessage(channel="C1", text="hi")
            (call,) = slack.wait_for("chat.postMessage")
    """

    def __init__(self, *, token_prefix: str = "xoxb-", app_tokens: tuple[str, ...] = ()) -> None:
        self.token_prefix = token_prefix
        self.app_tokens = app_tokens  # accepted by apps.connections.open (Socket Mode)
        self._envelopes = itertools.count(1)
        self._cond = threading.Condition(threading.RLock())
        self._state = _State()
        self._server: _Server | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is None:
            server = _Server(self)
            server.start()
            self._server = server
        return self

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; use `with FakeSlack() as slack:`")
        return self._server.port

    @property
    def base(self) -> str:
        """'http://127.0.0.1:PORT' (for response_url / webhook URLs: base + '/hooks/x')."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The Web API base URL, for ``WebClient(base_url=slack.url)``."""
        return f"{self.base}/api/"

    # -- configuration ---------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int | None = None,
        times: int = 1,
        retry_after: int | None = 1,
        error: str | None = None,
        delay: float = 0.0,
        channel: str | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``method`` (or a path like "/hooks/x") misbehave.

        ``status`` defaults to 429 (with ``Retry-After: retry_after`` and error "ratelimited"),
        or to 200 when ``error`` is given (Slack's {"ok": false, "error": ...}). A 5xx answers
        with an error body. ``status=200`` without ``error`` answers normally, which together
        with ``delay`` (seconds to wait before answering) provokes client timeouts.
        ``channel`` limits the rule to calls for that channel (other calls pass untouched).
        """
        if status is None:
            status = 200 if error is not None else 429
        rule = _Failure(
            status=status, retry_after=retry_after, error=error, delay=delay, channel=channel
        )
        with self._cond:
            queue = self._state.failures.setdefault(_normalize(method), deque())
            queue.extend(rule for _ in range(times))

    def set_members(self, channel: str, members: list[str]) -> None:
        """Configure what conversations.members answers for ``channel``."""
        with self._cond:
            self._state.members[channel] = list(members)

    def set_locale(self, user: str, locale: str) -> None:
        """Configure the locale users.info gives for ``user`` (with include_locale)."""
        with self._cond:
            self._state.locales[user] = locale

    def reset(self) -> None:
        """Forget recorded calls, pending failures and configured members."""
        with self._cond:
            self._state.calls.clear()
            self._state.failures.clear()
            self._state.members.clear()
            self._state.locales.clear()
            self._state.history.clear()

    # -- inspection ------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._cond:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[Call]:
        method = _normalize(method)
        with self._cond:
            return [c for c in self._state.calls if c.method == method]

    def wait_for(
        self,
        method: str | None,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Any = None,
    ) -> list[Call]:
        """Block until at least ``count`` calls to ``method`` (None: any) match ``predicate``.

        Returns all matching calls; raises AssertionError describing the calls seen on timeout.
        """
        wanted = None if method is None else _normalize(method)

        def matching() -> list[Call]:
            return [
                c
                for c in self._state.calls
                if (wanted is None or c.method == wanted) and (predicate is None or predicate(c))
            ]

        with self._cond:
            found: list[Call] = []

            def enough() -> bool:
                nonlocal found
                found = matching()
                return len(found) >= count

            if self._cond.wait_for(enough, timeout=timeout):
                return found
            seen = "\n".join(f"  - {_describe(c)}" for c in self._state.calls) or "  (none)"
            what = wanted or "any method"
            extra = " matching the predicate" if predicate is not None else ""
            raise AssertionError(
                f"FakeSlack: expected {count} call(s) to {what}{extra} within {timeout}s, "
                f"got {len(found)}. Calls seen:\n{seen}"
            )

    # -- Socket Mode -------------------------------------------------------------------------

    def send_envelope(
        self, kind: str, payload: dict, accepts_response_payload: bool = False
    ) -> str:
        """Deliver `payload` over the connected Socket Mode websocket; returns its envelope id.

        `kind` is what Slack calls the envelope type: "events_api", "slash_commands" or
        "interactive". The app's acknowledgement is recorded as a "socket_mode.ack" call.
        """
        envelope_id = f"env-{next(self._envelopes)}"
        self._send_socket(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": accepts_response_payload,
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return envelope_id

    def ask_to_reconnect(self, reason: str = "refresh_requested") -> None:
        """Say what Slack says every few hours: this connection ends, open a new one."""
        self._send_socket({"type": "disconnect", "reason": reason, "debug_info": {}})

    def _send_socket(self, message: dict) -> None:
        if self._server is None:
            raise RuntimeError("FakeSlack is not running")
        self._server.send_socket(message)

    def _record(self, method: str, params: dict, headers: Headers) -> None:
        with self._cond:
            self._state.calls.append(Call(method, params, headers, time.time(), path=method))
            self._cond.notify_all()

    # -- request handling (called from server threads) -------------------------------------

    def _handle(
        self, http_method: str, path: str, params: dict, headers: Headers, bad_body: bool
    ) -> tuple[int, dict[str, str], bytes, float]:
        is_api = path.startswith("/api/")
        method = path[len("/api/") :] if is_api else path
        with self._cond:
            queue = self._state.failures.get(method)
            rule = None
            if queue and queue[0].channel in (None, params.get("channel")):
                rule = queue.popleft()
            if rule is not None and rule.status == 200 and rule.error is None:
                status, body = 200, self._answer(method, is_api, params, headers, bad_body)
            elif rule is not None:
                status, body = rule.status, {"ok": False, "error": _error_for(rule)}
            else:
                status, body = 200, self._answer(method, is_api, params, headers, bad_body)
            call = Call(
                method=method,
                params=params,
                headers=headers,
                at=time.time(),
                failed=rule is not None,
                status=status,
                response=body,
                http_method=http_method,
                path=path,
            )
            self._state.calls.append(call)
            self._cond.notify_all()

        extra_headers: dict[str, str] = {}
        if rule is not None and rule.status == 429 and rule.retry_after is not None:
            extra_headers["Retry-After"] = str(rule.retry_after)
        if isinstance(body, str):
            extra_headers["Content-Type"] = "text/plain; charset=utf-8"
            payload = body.encode("utf-8")
        else:
            extra_headers["Content-Type"] = "application/json; charset=utf-8"
            payload = json.dumps(body).encode("utf-8")
        return status, extra_headers, payload, rule.delay if rule is not None else 0.0

    def _answer(
        self, method: str, is_api: bool, params: dict, headers: Headers, bad_body: bool
    ) -> dict | str:
        if not is_api:
            return "ok"
        if bad_body:
            return {"ok": False, "error": "invalid_json"}
        auth = headers.get("authorization", "")
        if method == "apps.connections.open":
            if auth.removeprefix("Bearer ") not in self.app_tokens:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}{SOCKET_PATH}"}
        if method != "auth.test" and not auth.startswith("Bearer " + self.token_prefix):
            return {"ok": False, "error": "not_authed"}
        if any(not params.get(arg) for arg in REQUIRED_ARGS.get(method, ())):
            return {"ok": False, "error": "invalid_arguments"}
        return self._respond(method, params)

    def _next_ts(self) -> str:
        # Like Slack's: the time of posting (to the microsecond), and never the same twice.
        self._state.ts_counter = max(self._state.ts_counter + 100, int(time.time() * 1_000_000))
        seconds, micros = divmod(self._state.ts_counter, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def _history(self, p: dict) -> dict:
        """Newest first, `oldest`/`limit`/`cursor` honoured; metadata only when asked for,
        as Slack returns it only with include_all_metadata."""
        oldest = float(p.get("oldest") or 0)
        messages = [
            m
            for m in reversed(self._state.history.get(p.get("channel", ""), []))
            if float(m["ts"]) > oldest
        ]
        start = int(p.get("cursor") or 0)
        limit = int(p.get("limit") or 100)
        page = messages[start : start + limit]
        if str(p.get("include_all_metadata")).lower() not in ("1", "true"):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(messages)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def add_message(self, channel: str, text: str) -> str:
        """Someone else posts `text` in `channel`; returns its ts."""
        with self._cond:
            ts = self._next_ts()
            self._state.history.setdefault(channel, []).append(
                {"type": "message", "user": "UOTHER", "text": text, "ts": ts}
            )
            return ts

    def history(self, channel: str) -> list[dict]:
        """The messages posted in `channel` (with their metadata), oldest first."""
        with self._cond:
            return [dict(m) for m in self._state.history.get(channel, [])]

    def _respond(self, method: str, p: dict) -> dict:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.com/",
                "team": "Fake",
                "user": "amzerror",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            }
        if method == "chat.postMessage":
            ts = self._next_ts()
            # A user id as channel is the app's direct message with that person.
            channel = "D" + p["channel"][1:] if p["channel"][:1] in "UW" else p["channel"]
            message: dict[str, Any] = {"type": "message", "text": p.get("text", "")}
            if "blocks" in p:
                message["blocks"] = p["blocks"]
            message["ts"] = ts
            if p.get("thread_ts"):
                message["thread_ts"] = p["thread_ts"]
            message.update({"bot_id": BOT_ID, "user": BOT_USER_ID, "team": TEAM_ID})
            stored = dict(message)
            if isinstance(p.get("metadata"), dict):
                stored["metadata"] = p["metadata"]
            self._state.history.setdefault(channel, []).append(stored)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "conversations.history":
            return self._history(p)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            answer = {"ok": True, "channel": p["channel"], "ts": p["ts"], "text": p.get("text", "")}
            message = {"text": p.get("text", ""), "bot_id": BOT_ID, "user": BOT_USER_ID}
            if "blocks" in p:
                message["blocks"] = p["blocks"]
            answer["message"] = message
            for stored in self._state.history.get(p["channel"], []):
                if stored["ts"] == p["ts"]:
                    stored.update(message)
            return answer
        if method in ("views.open", "views.push", "views.update"):
            view = p.get("view")
            view = dict(view) if isinstance(view, dict) else {}
            if method == "views.update" and p.get("view_id"):
                view_id = p["view_id"]
            else:
                self._state.view_counter += 1
                view_id = f"V123{self._state.view_counter:07d}"
            view.update({"id": view_id, "team_id": TEAM_ID, "bot_id": BOT_ID})
            return {"ok": True, "view": view}
        if method == "conversations.members":
            members = self._state.members.get(p.get("channel", ""), [])
            return {
                "ok": True,
                "members": list(members),
                "response_metadata": {"next_cursor": ""},
            }
        if method == "users.info":
            user_id = p.get("user", "")
            name = user_id.lower()
            answer = {
                "ok": True,
                "user": {
                    "id": user_id,
                    "team_id": TEAM_ID,
                    "name": name,
                    "real_name": name,
                    "is_bot": False,
                    "deleted": False,
                    "profile": {"display_name": name, "real_name": name},
                },
            }
            # Slack gives the locale only when asked for it.
            if str(p.get("include_locale")).lower() in ("true", "1"):
                answer["user"]["locale"] = self._state.locales.get(user_id, "en-US")
            return answer
        if method == "conversations.info":
            return {"ok": True, "channel": {"id": p.get("channel", ""), "is_member": True}}
        return {"ok": True}


def _error_for(rule: _Failure) -> str:
    if rule.error is not None:
        return rule.error
    if rule.status == 429:
        return "ratelimited"
    if rule.status >= 500:
        return "internal_error"
    return "request_failed"


def _describe(call: Call) -> str:
    params = json.dumps(call.params, default=repr, sort_keys=True)
    if len(params) > 200:
        params = params[:197] + "..."
    flag = " [failed]" if call.failed else ""
    return f"{call.method} {params} -> {call.status}{flag}"


def _request_params(query: str, content_type: str, body: bytes) -> tuple[dict, bool]:
    """Arguments of a call from its query string and body, as Slack reads them.

    Returns the arguments and whether the body was JSON that does not parse.
    """
    params: dict[str, Any] = _form_params(parse_qsl(query, keep_blank_values=True))
    media_type = content_type.split(";")[0].strip().lower()
    bad_body = False
    if body:
        text = body.decode("utf-8", errors="replace")
        if media_type == "application/json" or (not media_type and text.lstrip()[:1] == "{"):
            try:
                decoded = json.loads(text)
            except ValueError:
                bad_body = True
                params["_raw"] = text
            else:
                params.update(decoded if isinstance(decoded, dict) else {"_json": decoded})
        elif media_type == "application/x-www-form-urlencoded":
            params.update(_form_params(parse_qsl(text, keep_blank_values=True)))
        elif media_type == "multipart/form-data":
            params.update(_multipart_params(content_type, body))
        else:
            params["_raw"] = text
    return params, bad_body


class _Server:
    """The fake's HTTP side: an aiohttp server on its own event loop, in a daemon thread.

    One thread and keep-alive connections, like the servers the bot talks to: a thread per
    connection would spend the cores the load benchmark measures the bot on.
    """

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._stopping: asyncio.Event | None = None
        self._sockets: list[web.WebSocketResponse] = []  # Socket Mode connections, newest last
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="FakeSlack", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10) or not self.port:
            raise RuntimeError("FakeSlack did not start")

    def close(self) -> None:
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop)
        with contextlib.suppress(Exception):
            future.result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._start())
        finally:
            self._ready.set()
        self.loop.run_forever()
        self.loop.close()

    async def _start(self) -> None:
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get(SOCKET_PATH, self._socket_mode)
        app.router.add_route("*", "/{path:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        # The default backlog drops connections under a burst of concurrent calls.
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=256)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        if self._stopping is not None:
            self._stopping.set()  # wakes handlers sleeping on an injected delay
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def send_socket(self, message: dict, timeout: float = 5.0) -> None:
        async def send() -> None:
            if not self._sockets:
                raise AssertionError("FakeSlack: no Socket Mode connection is open")
            await self._sockets[-1].send_json(message)

        asyncio.run_coroutine_threadsafe(send(), self.loop).result(timeout)

    async def _socket_mode(self, request: web.Request) -> web.WebSocketResponse:
        """Slack's side of Socket Mode: hello, then envelopes out and acknowledgements in."""
        headers = Headers(request.headers.items())
        socket = web.WebSocketResponse()  # answers the client's pings, as Slack does
        await socket.prepare(request)
        self._sockets.append(socket)
        self.fake._record("socket_mode.connect", {}, headers)
        await socket.send_json(
            {"type": "hello", "num_connections": len(self._sockets), "debug_info": {}}
        )
        try:
            async for message in socket:
                if message.type == WSMsgType.TEXT:
                    try:
                        ack = json.loads(message.data)
                    except ValueError:
                        ack = {"_raw": message.data}
                    self.fake._record("socket_mode.ack", ack, headers)
        finally:
            self._sockets.remove(socket)
            self.fake._record("socket_mode.disconnect", {}, headers)
        return socket

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/_calls":
            # For a fake running in its own process (the load benchmark): what it recorded.
            recorded = [
                {"method": c.method, "params": c.params, "at": c.at, "failed": c.failed}
                for c in self.fake.calls
            ]
            return web.Response(
                body=json.dumps(recorded, default=str).encode(), content_type="application/json"
            )
        if request.path == "/_locales" and request.method == "POST":
            # For a fake running in its own process: the locales users.info gives (user: locale).
            for user, locale in (await request.json()).items():
                self.fake.set_locale(user, locale)
            return web.Response(text="ok")
        params, bad_body = _request_params(
            request.query_string, request.headers.get("Content-Type", ""), await request.read()
        )
        headers = Headers(request.headers.items())
        status, extra_headers, payload, delay = self.fake._handle(
            request.method, request.path, params, headers, bad_body
        )
        if delay and self._stopping is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            if self._stopping.is_set() and request.transport is not None:
                request.transport.close()  # shutting down: drop the answer
                return web.Response()
        return web.Response(status=status, headers=extra_headers, body=payload)


def main() -> None:
    """Run the fake on its own (`python -m tests.fakeslack`), printing its URL, until killed."""
    with FakeSlack() as fake:
        print(fake.url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()

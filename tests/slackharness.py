"""Run the real bot (`amzerror serve --http`) and send it requests signed as Slack signs them."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from slack_sdk.signature import SignatureVerifier

from tests.fakeslack import BOT_USER_ID, TEAM_ID

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
ROOT = Path(__file__).resolve().parent.parent
_ts = itertools.count(1)
T = TypeVar("T")
# What `serve --http --port 0` logs once the kernel has chosen its port.
CHOSEN_PORT = re.compile(r"port 0 asked, port (\d+) chosen")
# A paste sent after the requests a test is about; once its card is posted, the bot has
# read what came before (see `processed_so_far`).
MARKER_CHANNEL = "CMARKER"
MARKER_USER = "UMARKER"
MARKER_PASTE = "The SKU you tried to submit is inactive on VTEX"


def new_ts() -> str:
    """A unique message timestamp, as Slack writes them."""
    return f"{1_700_000_000 + next(_ts)}.{next(_ts):06d}"


def run_amzerror(
    *args: str, env: dict[str, str], stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess:
    """`amzerror ARGS` as a user runs it: its own process, from the checkout, `env` its whole
    environment; what it printed and its exit status."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_until(condition: Callable[[], T], timeout: float = 10.0, what: str = "") -> T:
    """Poll `condition` until it returns something true and return that; fail at `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout:g} s: {what or condition}")
        time.sleep(0.02)  # the polling interval, not a guess at how long the bot takes


def hold_port(port: int) -> socket.socket:
    """Keep `port` from being handed to anyone else while the bot is down (see restart).

    Bound with SO_REUSEPORT and never listening: the bot's workers can bind it again,
    and the kernel gives it to no other program asking for a free port.
    """
    held = socket.socket()
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    held.bind(("127.0.0.1", port))
    return held


def every_worker_answers(url: str, connections: int = 16) -> None:
    """Wait until each worker serves: each worker has its own socket (SO_REUSEPORT) and the
    kernel spreads new connections over them, so fresh connections reach them all."""
    for _ in range(connections):
        urllib.request.urlopen(f"{url}/healthz", timeout=30).close()


@dataclass
class Reply:
    status: int
    body: str
    seconds: float

    def json(self) -> dict:
        return json.loads(self.body) if self.body else {}


def bot_env(slack_url: str, db: Path, **settings: str) -> dict[str, str]:
    """The environment of a bot that talks to the fake at `slack_url`, plus `settings`."""
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_url,
        "AMZERROR_DB": str(db),
        **settings,
    }


class BotProcess:
    """The bot as production runs it: its own process, gunicorn, a real SQLite file."""

    def __init__(self, env: dict[str, str]):
        # Chosen by the bot itself at its first start (port 0), then kept across restarts.
        self.port = 0
        self._held: socket.socket | None = None
        self.env = {**os.environ, **env}
        self.proc: subprocess.Popen | None = None
        self.log = Path(env["AMZERROR_DB"]).with_suffix(".log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> BotProcess:
        try:
            return self._start(timeout)
        except Exception:
            self.stop(kill=True)
            raise

    def _start(self, timeout: float) -> BotProcess:
        command = [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1"]
        self.log.touch()
        logged_before = self.log.stat().st_size
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [*command, "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: workers die with it
            )
        deadline = time.monotonic() + timeout

        def log_since_start() -> str:
            with self.log.open("rb") as f:
                f.seek(logged_before)
                return f.read().decode("utf-8", "replace")

        def exited() -> None:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the bot exited: {log_since_start()[-2000:]}")

        if not self.port:

            def chosen() -> int:
                exited()
                found = CHOSEN_PORT.search(log_since_start())
                return int(found.group(1)) if found else 0

            self.port = wait_until(chosen, timeout, "the bot to log the port it chose")
            self._held = hold_port(self.port)

        def ready() -> bool:
            exited()
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    return response.status == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return False

        wait_until(ready, max(deadline - time.monotonic(), 1), f"the bot to answer at {self.url}")
        every_worker_answers(self.url)
        return self

    def stop(self, kill: bool = False) -> None:
        """Stop the bot; `kill` is SIGKILL to the master and its workers at once."""
        if self.proc and self.proc.poll() is None:
            if kill:
                os.killpg(self.proc.pid, signal.SIGKILL)
            else:
                self.proc.terminate()
            self.proc.wait(timeout=15)
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)  # no worker outlives its master

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self, kill: bool = False) -> None:
        """Stop the bot for good and let its port go."""
        self.stop(kill=kill)
        if self._held is not None:
            self._held.close()
            self._held = None


class SlackSender:
    """Sends what Slack sends: form-encoded commands and interactivity, JSON events."""

    def __init__(self, url: str, secret: str = SIGNING_SECRET, response_base: str = ""):
        self.url = url + "/slack/events"
        self.signer = SignatureVerifier(secret)
        self.response_base = response_base

    def signed(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of a request as Slack signs it (or tampered with)."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sig = (
            signature
            if signature is not None
            else self.signer.generate_signature(timestamp=ts, body=body)
        )
        return body.encode(), {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig,
            **(headers or {}),
        }

    def post(self, body: str, content_type: str, **kw) -> Reply:
        data, headers = self.signed(body, content_type, **kw)
        request = urllib.request.Request(self.url, data=data, method="POST", headers=headers)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(
                    response.status, response.read().decode(), time.perf_counter() - started
                )
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read().decode(), time.perf_counter() - started)

    def command(
        self,
        text: str,
        user: str = "U1",
        channel: str = "CGENERAL",
        trigger_id: str | None = None,
        **kw,
    ) -> Reply:
        """A slash command; each gets its own trigger_id, as from Slack, unless one is given."""
        form = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "channel_id": channel,
            "user_id": user,
            "command": "/amzerror",
            "text": text,
            "response_url": f"{self.response_base}/respond/{channel}",
            "trigger_id": trigger_id or f"trigger-{new_ts()}",
        }
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **kw)

    def event(
        self, event: dict, event_id: str | None = None, retry: int | None = None, **kw
    ) -> Reply:
        body = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": "A0FAKE",
            "type": "event_callback",
            "event_id": event_id or f"Ev{new_ts().replace('.', '')}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else {}
        )
        return self.post(json.dumps(body), "application/json", headers=headers, **kw)

    def interactive(self, payload: dict, **kw) -> Reply:
        payload = {"team": {"id": TEAM_ID}, "api_app_id": "A0FAKE", "token": "legacy", **payload}
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **kw)

    def click(
        self, message: dict, action: dict, user: str = "U1", channel: str = "CGENERAL"
    ) -> Reply:
        """A button click on `message` (as chat.postMessage returned it)."""
        return self.interactive(click_payload(message, action, user, channel, self.response_base))

    def shortcut(self, message: dict, user: str = "U1", channel: str = "CGENERAL") -> Reply:
        return self.interactive(
            {
                "type": "message_action",
                "callback_id": "explain_amazon_error",
                "trigger_id": "trigger-shortcut",
                "user": {"id": user},
                "channel": {"id": channel},
                "message_ts": message["ts"],
                "message": message,
                "response_url": f"{self.response_base}/respond/{channel}",
            }
        )

    def submit_view(self, view: dict, values: dict, user: str = "U1") -> Reply:
        """Submit a modal (as views.open got it) with `values`: {block_id: {action_id: state}}."""
        submitted = {**view, "id": "V1", "state": {"values": values}}
        return self.interactive(
            {"type": "view_submission", "user": {"id": user}, "view": submitted}
        )


def message_event(text: str, channel: str = "CGENERAL", user: str = "U1", **extra) -> dict:
    ts = extra.pop("ts", None) or new_ts()
    return {
        "type": "message",
        "channel": channel,
        "channel_type": "channel",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        **extra,
    }


def mention_event(text: str, channel: str = "CGENERAL", user: str = "U1", **extra) -> dict:
    event = message_event(f"<@{BOT_USER_ID}> {text}", channel, user, **extra)
    event["type"] = "app_mention"
    return event


def click_payload(
    message: dict,
    action: dict,
    user: str = "U1",
    channel: str = "CGENERAL",
    response_base: str = "",
) -> dict:
    """What Slack sends when `user` clicks `action` on `message` (as chat.postMessage made it)."""
    return {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": channel},
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "thread_ts": message.get("thread_ts"),
        },
        "message": message,
        "trigger_id": f"trigger-{new_ts()}",
        "response_url": f"{response_base}/respond/{channel}",
        "actions": [{**action, "type": "button", "action_ts": new_ts()}],
    }


def button(blocks: list[dict], action_id: str) -> dict:
    """The button with `action_id` in a card's blocks (prefix match for show_entry_N)."""
    for block in blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id", "").startswith(action_id):
                return {
                    "action_id": element["action_id"],
                    "block_id": block.get("block_id", "b"),
                    "value": element["value"],
                }
    raise AssertionError(f"no {action_id} button in {json.dumps(blocks)[:500]}")


def text_input(value: str | None) -> dict:
    """The state of a plain_text_input whose action_id is "value"."""
    return {"value": {"type": "plain_text_input", "value": value}}


def modal_choice(view: dict, unselect: tuple[str, ...] = (), more: str | None = None) -> dict:
    """The state of the reprocessing modal: its ticked boxes (all, less `unselect`) and the
    "add more" field."""
    values: dict = {}
    for block in view["blocks"]:
        element = block.get("element") or {}
        if element.get("type") == "checkboxes":
            kept = [o for o in element["initial_options"] if o["value"] not in unselect]
            values[block["block_id"]] = {
                "selected": {"type": "checkboxes", "selected_options": kept}
            }
    values["more"] = text_input(more)
    return values


def processed_so_far(send: SlackSender, slack) -> None:
    """Return once the bot has answered a paste sent now, to MARKER_CHANNEL.

    A test that checks nothing happened calls this first, instead of sleeping: the
    marker is sent after the requests under test and goes the same way (signature,
    claim, match, post), so by the time its card is posted, anything they were going
    to post has had its chance. Tests leave out calls to MARKER_CHANNEL.
    """
    send.command(
        MARKER_PASTE,
        channel=MARKER_CHANNEL,
        user=MARKER_USER,
        trigger_id=f"trigger-marker-{new_ts()}",
    )
    slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.params.get("channel") == MARKER_CHANNEL
    )


def not_marker(calls) -> list:
    """The calls that are not the marker's (see `processed_so_far`): its card, and Slack
    asked its sender's language."""
    return [
        c
        for c in calls
        if c.params.get("channel") != MARKER_CHANNEL and c.params.get("user") != MARKER_USER
    ]


def posted_message(call) -> dict:
    """The message a chat.postMessage call created, as a later click payload carries it."""
    return call.response["message"]

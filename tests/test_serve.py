"""Starting the bot: one line that says where it is reachable, and no warning of ours."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from tests.fakeslack import FakeSlack
from tests.slackharness import ROOT, BotProcess, bot_env, run_amzerror

APP_TOKEN = "xapp-1-start-up"


def wait_for_line(log, text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text()
        if text in content:
            return content
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared in:\n{log.read_text()}")


def test_http_mode_says_once_where_it_listens_and_warns_of_nothing(tmp_path):
    with FakeSlack() as slack:
        bot = BotProcess(bot_env(slack.url, tmp_path / "amzerror.db")).start()
        bot.stop()
    log = bot.log.read_text()
    ready = [line for line in log.splitlines() if "listening on" in line]
    # Two workers serve, but the line comes once, from the process that started them.
    assert ready == [
        f"amzerror: listening on http://127.0.0.1:{bot.port} (2 workers); 31 knowledge entries"
    ]
    assert "WARNING" not in log and "Traceback" not in log


def test_socket_mode_says_who_it_is_connected_as_and_warns_of_nothing(tmp_path):
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
            wait_for_line(log, "connected to Slack")
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    assert log.read_text().splitlines() == [
        "amzerror: connected to Slack as @amzerror (workspace Fake) in Socket Mode; "
        "31 knowledge entries; Ctrl-C stops it"
    ]


def test_a_port_in_use_is_one_line_not_workers_failing_for_ever(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "AMZERROR_DB": str(tmp_path / "amzerror.db"),
        }
        done = run_amzerror("serve", "--http", "--host", "127.0.0.1", "--port", str(port), env=env)
    assert done.returncode == 1
    assert done.stderr == f"amzerror: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_a_port_another_amzerror_serves_is_refused_not_shared(tmp_path):
    with FakeSlack() as slack:
        first = BotProcess(bot_env(slack.url, tmp_path / "first.db")).start()
        try:
            env = {**os.environ, **bot_env(slack.url, tmp_path / "second.db")}
            done = run_amzerror(
                "serve", "--http", "--host", "127.0.0.1", "--port", str(first.port), env=env
            )
        finally:
            first.stop()
    assert done.returncode == 1
    assert done.stderr.strip().endswith("another server is listening there")

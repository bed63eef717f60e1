"""Hostile or unlucky traffic against the real server: refused cheaply, logged briefly, never a stall."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bot.offload import NICENESS
from tests.slackharness import (
    BotProcess,
    bot_env,
    button,
    mention_event,
    message_event,
    posted_message,
    run_amzerror,
    wait_until,
)

INACTIVE = "The SKU you tried to submit is inactive on VTEX"
COLOR = (
    'The "Color" attribute value from the mapping spreadsheet is not an attribute/specification '
    "value supported by Amazon"
)
WATCHED = "CWATCH"


@pytest.fixture
def bot(slack, tmp_path):
    env = bot_env(
        slack.url,
        tmp_path / "abuse.db",
        AMZERROR_OPS_CHANNEL="COPS",
        AMZERROR_WATCH_CHANNELS=WATCHED,
        AMZERROR_BODY_TIMEOUT_SECONDS="1",
    )
    process = BotProcess(env).start()
    yield process
    process.close(kill=True)


def raw_post(bot, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST to /slack/events as any client on the network could, signed or not."""
    conn = http.client.HTTPConnection("127.0.0.1", bot.port, timeout=20)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode(errors="replace")
    except (ConnectionError, BrokenPipeError):
        return 0, "connection closed"  # the server may close before the body is all sent
    finally:
        conn.close()


def now_headers(**extra: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "0" * 64,
        **extra,
    }


def workers(bot) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(bot.proc.pid)], capture_output=True, text=True
    ).stdout.split()
    return [int(pid) for pid in found]


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_ticks(pids: list[int]) -> int:
    """User and system CPU time the processes have used, in clock ticks (/proc/PID/stat)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def log_lines(bot, needle: str) -> int:
    return sum(needle in line for line in bot.log.read_text().splitlines())


def health(bot) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


# -- authentication before parsing ---------------------------------------------------------


MALFORMED = {
    "invalid JSON": (b"{not json", {}),
    "a JSON list": (b"[1, 2, 3]", {}),
    "nesting 100k deep": (b"[" * 100_000 + b"]" * 100_000, {}),
    "invalid UTF-8": (b'{"a": "\xff\xfe"}', {}),
    "a timestamp that is not a number": (b"{}", {"X-Slack-Request-Timestamp": "soon"}),
    "a timestamp from last year": (b"{}", {"X-Slack-Request-Timestamp": "1700000000"}),
    "no signature": (b"{}", {"X-Slack-Signature": ""}),
    "an empty body": (b"", {}),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_unsigned_malformed_requests_get_401_and_one_short_log_line(bot, name):
    body, extra = MALFORMED[name]
    status, _ = raw_post(bot, body, now_headers(**extra))
    assert status == 401
    log = bot.log.read_text()
    assert "Traceback" not in log
    assert log_lines(bot, "refused a request") == 1


def test_a_flood_of_bad_requests_logs_a_few_lines_not_one_each(bot):
    for _ in range(300):
        assert raw_post(bot, b"{", now_headers())[0] == 401
    # One line per worker and reason every ten seconds at most.
    assert log_lines(bot, "refused a request") <= 4
    assert "Traceback" not in bot.log.read_text()


def test_oversize_bodies_are_refused_unread_and_cost_no_memory(bot, send, slack):
    pids = workers(bot)
    before = rss_mb(pids)
    body = b'{"a":[' + b"{}," * (8 * 1024 * 1024 // 3) + b"{}]}"

    def attack(_):
        return raw_post(bot, body, now_headers())[0]

    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(attack, range(32)))
    assert set(statuses) <= {413, 0} and 413 in statuses
    # A signed request still gets its answer at once.
    reply = send.command("help")
    assert reply.status == 200 and reply.seconds < 1.0
    assert rss_mb(pids) - before < 20, f"workers grew from {before:.0f} MB to {rss_mb(pids):.0f} MB"


def test_forged_bodies_under_the_cap_cost_no_more_than_their_bytes(bot):
    pids = workers(bot)
    before = rss_mb(pids)
    body = b'{"a":[' + b"{}," * (1000 * 1024 // 3) + b"{}]}"  # just under 1 MiB

    def attack(_):
        return raw_post(bot, body, now_headers())[0]

    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        assert set(pool.map(attack, range(32))) == {401}
    # 32 MiB arrived in all; parsed into Python objects it would have been ~400 MB.
    assert rss_mb(pids) - before < 64


def test_a_body_without_length_is_cut_at_the_cap(bot):
    conn = http.client.HTTPConnection("127.0.0.1", bot.port, timeout=20)
    chunks = (b"x" * 65536 for _ in range(40))  # 2.5 MiB, chunked
    try:
        conn.request("POST", "/slack/events", body=chunks, headers=now_headers())
        status = conn.getresponse().status
    except (ConnectionError, BrokenPipeError):
        status = 413  # closed while we were still sending: refused as well
    finally:
        conn.close()
    assert status == 413


def test_slow_clients_are_cut_off(bot, send):
    """Clients that send a body a byte at a time are disconnected after the body timeout."""
    sockets = []
    for _ in range(50):
        sock = socket.create_connection(("127.0.0.1", bot.port))
        head = "".join(
            f"{k}: {v}\r\n" for k, v in now_headers(**{"Content-Length": "1000"}).items()
        )
        sock.sendall(f"POST /slack/events HTTP/1.1\r\nHost: x\r\n{head}\r\n{{".encode())
        sockets.append(sock)
    started = time.monotonic()
    assert send.command("help").status == 200  # the bot serves others meanwhile
    answers = []
    for sock in sockets:
        sock.settimeout(10)
        answers.append(sock.recv(200))
        sock.close()
    assert time.monotonic() - started < 6
    assert all(answer.startswith(b"HTTP/1.1 408") for answer in answers), answers[0]


def test_a_signed_body_slack_would_never_send_gets_400_not_500(send, bot):
    reply = send.post("{not json", "application/json")
    assert reply.status == 400
    assert "Traceback" not in bot.log.read_text()


def test_a_replayed_slash_command_is_answered_once(send, slack):
    first = send.command(INACTIVE, trigger_id="trigger-replayed")
    again = send.command(INACTIVE, trigger_id="trigger-replayed")
    assert first.status == again.status == 200
    slack.wait_for("chat.postMessage")
    send.command(COLOR)  # a later command, answered: proof the replay was processed
    posts = slack.wait_for("chat.postMessage", count=2)
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert "color-value-not-supported" in json.dumps(posts[1].params["blocks"])


# -- bounded work per message ----------------------------------------------------------------


def test_worst_case_pastes_do_not_delay_anybody_elses_answer(send, slack, bot):
    worst = ("Inactive SKU " * 1600)[:20_000]
    for _ in range(8):
        assert send.event(message_event(worst, channel=WATCHED)).status == 200
    reply = send.command("help")
    assert reply.status == 200 and reply.seconds < 1.0, reply.seconds


def test_retries_of_a_long_paste_are_not_matched_again(send, slack, bot):
    worst = ("Inactive SKU " * 1600)[:20_000]
    event = message_event(worst, channel=WATCHED)
    send.event(event, event_id="EvLong")
    for retry in (1, 2, 3):
        assert send.event(event, event_id="EvLong", retry=retry).status == 200
    with sqlite3.connect(bot.env["AMZERROR_DB"]) as conn:
        [(seen,)] = conn.execute(
            "select count(*) from events_seen where key = ?",
            [f"message:{WATCHED}:{event['ts']}"],
        ).fetchall()
    assert seen == 1


def test_nested_brackets_in_a_mention_still_get_an_answer(send, slack):
    send.event(mention_event("[" * 1000 + " " + INACTIVE))
    [post] = slack.wait_for("chat.postMessage")
    assert "sku-inactive" in json.dumps(post.params["blocks"])


# -- faults reported ---------------------------------------------------------------------------


def database_files(bot) -> list[Path]:
    # Not the -shm file: SQLite maps it into memory, and a write to a frozen mapping is a
    # SIGBUS that no program survives; a full disk or read-only files fail like this.
    db = Path(bot.env["AMZERROR_DB"])
    return [p for p in (db, Path(f"{db}-wal")) if p.exists()]


def freeze(paths: list[Path], frozen: bool) -> None:
    """Make the database files immutable (root) or read-only (anyone else), and back."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if frozen else "-i", *map(str, paths)], check=True)
    else:
        for path in paths:
            path.chmod(0o444 if frozen else 0o644)


def test_an_unwritable_database_is_reported_the_user_told_and_recovered_from(send, slack, bot):
    send.event(mention_event(f"SKU 4410 - {INACTIVE}"))
    [card] = slack.wait_for("chat.postMessage")
    slack.reset()
    assert health(bot)[0] == 200
    files = database_files(bot)
    freeze(files, True)
    try:
        status, reason = wait_until(lambda: (s := health(bot))[0] == 503 and s)
        assert "database not writable" in reason
        # A click cannot be stored: the person who clicked is told, privately.
        send.click(posted_message(card), button(card.params["blocks"], "reprocess_request"))
        [note] = slack.wait_for("chat.postEphemeral")
        assert "could not be recorded" in note.params["text"] and note.params["user"] == "U1"
        # So is a vote, with the same plain words.
        send.click(posted_message(card), button(card.params["blocks"], "feedback_helpful"))
        notes = slack.wait_for("chat.postEphemeral", count=2)
        assert "could not save that" in notes[1].params["text"]
        # A language chosen cannot be kept either: said at once, in the language chosen.
        chosen = json.dumps(send.command("lang es").json(), ensure_ascii=False)
        assert "no pudo guardar" in chosen
        # A paste is still answered.
        send.event(mention_event(COLOR))
        slack.wait_for("chat.postMessage")
    finally:
        freeze(files, False)
    wait_until(lambda: health(bot)[0] == 200)
    slack.reset()
    send.click(posted_message(card), button(card.params["blocks"], "reprocess_request"))
    slack.wait_for("chat.postMessage", count=2)  # the thread note and the ops message


def test_an_unusable_database_at_start_is_one_line_and_a_clear_exit(tmp_path, slack):
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("these are my notes, not a database\n" * 100)
    for db in (not_a_database, tmp_path / "a-folder"):
        if db.name == "a-folder":
            db.mkdir()
        env = {**os.environ, **bot_env(slack.url, db)}
        done = run_amzerror("serve", "--http", "--port", "3999", env=env, timeout=30)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "AMZERROR_DB" in lines[0] and str(db) in lines[0], lines


def test_long_pastes_are_matched_at_low_priority_by_a_process_that_ends_with_its_worker(
    send, slack, bot
):
    matchers = {
        w: [int(p) for p in Path(f"/proc/{w}/task/{w}/children").read_text().split()]
        for w in workers(bot)
    }
    assert all(len(children) == 1 for children in matchers.values()), matchers
    for children in matchers.values():
        assert os.getpriority(os.PRIO_PROCESS, children[0]) == NICENESS
    # A long paste is answered through them: they, not the workers, spend the CPU on it.
    children = [child for found in matchers.values() for child in found]
    before = cpu_ticks(children)
    rows = "\n".join(f"{5000 + n}\tCamiseta\tInactive SKU x{n}" for n in range(900))
    send.event(mention_event(f"sku 4410 {INACTIVE}\n{rows}"))
    [post] = slack.wait_for("chat.postMessage")
    assert "4410" in json.dumps(post.params["blocks"])
    assert cpu_ticks(children) > before
    # A worker killed outright takes its matching process along.
    worker, [child] = next(iter(matchers.items()))
    os.kill(worker, 9)
    wait_until(
        lambda: (
            not Path(f"/proc/{child}").exists()
            or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]
        )
    )

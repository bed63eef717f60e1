"""The amzerror command: JSON shapes for scripts, one clear line for mistakes."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys

import pytest

from bot.cli import main
from bot.config import PROJECT_ROOT
from tests.conftest import DATA
from tests.slackharness import run_amzerror


def run(tmp_path, *args, stdin="", env=None):
    environment = {**os.environ, "AMZERROR_DB": str(tmp_path / "cli.db"), **(env or {})}
    return run_amzerror(*args, env=environment, stdin=stdin)


def test_match_json_has_matches_alternatives_and_blocks(tmp_path, by_id):
    done = run(tmp_path, "match", "--json", "order 1391560531867-01: Inactive SKU")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) >= {"matches", "alternatives", "blocks"}
    assert payload["matches"][0] == {
        "id": "order-inactive-sku",
        "title": by_id["order-inactive-sku"].title,
        "score": 100,
        "slots": {"order": "1391560531867-01"},
    }


def test_match_reads_stdin_and_prints_a_readable_card(tmp_path):
    done = run(tmp_path, "match", stdin="The SKU you tried to submit is inactive on VTEX\n")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[:2] == ["SKU is inactive on VTEX", "======================="]
    assert {"What happened", "How to fix", "Where in the VTEX Admin"} <= set(lines)
    assert "  1. In Catalog > Products and SKUs, open the SKU and check its status." in lines
    # Slack's markup stays in Slack; nothing to colour when the output is not a terminal.
    for markup in ("*What happened*", ":information_source:", "`", "&gt;", "<http", "\x1b"):
        assert markup not in done.stdout


def test_abstention_in_json_is_an_empty_match_list(tmp_path):
    payload = json.loads(run(tmp_path, "match", "--json", "good morning").stdout)
    assert payload["matches"] == []


def test_jsonl_answers_each_input_line_on_the_same_output_line(tmp_path):
    lines = '{"text": "Inactive SKU"}\nnot json\n\n"a string"\n{"text": 5}\n{"text": "hello"}\n'
    done = run(tmp_path, "match", "--jsonl", stdin=lines)
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == 6
    assert out[0]["matches"][0]["id"] == "order-inactive-sku"
    assert out[1]["error"].startswith("not JSON")
    assert out[2] == {"error": 'blank line; expected {"text": ...}'}
    assert all(set(o) == {"error"} for o in out[3:5])
    assert out[5]["matches"] == []
    assert done.returncode == 1
    assert [line.split(":")[1] for line in done.stderr.splitlines()] == [
        " line 2",
        " line 3",
        " line 4",
        " line 5",
    ]


def test_jsonl_goes_on_after_a_line_that_fails_unexpectedly(tmp_path, monkeypatch, capsys):
    from bot.engine import Engine

    real_match = Engine.match

    def match(self, text):
        if text == "boom":
            raise RuntimeError("the matcher broke")
        return real_match(self, text)

    monkeypatch.setattr(Engine, "match", match)
    monkeypatch.setenv("AMZERROR_DB", str(tmp_path / "cli.db"))
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"text": "boom"}\n{"text": "Inactive SKU"}\n'))
    out = io.StringIO()
    assert main(["match", "--jsonl"], out=out) == 1
    first, second = [json.loads(line) for line in out.getvalue().splitlines()]
    assert first == {"error": "could not match this text (RuntimeError: the matcher broke)"}
    assert second["matches"][0]["id"] == "order-inactive-sku"
    assert "Traceback" not in capsys.readouterr().err


VALUE_MESSAGE = (
    b"Value (P\xffB) from the mapping spreadsheet is not an attribute/specification value "
    b"supported by Amazon"
)


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["--json"], VALUE_MESSAGE),
        (["--jsonl"], b'{"text": "' + VALUE_MESSAGE + b'"}\n'),
        # JSON may spell out a lone surrogate, which cannot be written as UTF-8 either
        (["--jsonl"], b'{"text": "' + VALUE_MESSAGE.replace(b"\xff", b"\\udcff") + b'"}\n'),
    ],
)
def test_undecodable_input_comes_back_as_valid_utf8_json(tmp_path, args, stdin):
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "match", *args],
        input=stdin,
        capture_output=True,
        env={**os.environ, "AMZERROR_DB": str(tmp_path / "cli.db")},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout.decode("utf-8"))  # strict: any invalid byte fails here
    assert payload["matches"][0]["slots"]["value"] == "P\ufffdB"


def test_kb_validate_reports_each_problem_as_file_field_reason(tmp_path):
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "token-expired.yml").write_text("id: token-expired\nscope: nowhere\n")
    done = run(tmp_path, "kb", "validate", env={"AMZERROR_KNOWLEDGE_DIR": str(knowledge)})
    assert done.returncode == 1
    assert "token-expired.yml: scope: must be one of product, order" in done.stdout
    assert "Traceback" not in done.stderr


def test_kb_build_list_show_and_search(tmp_path):
    assert "built 31 entries" in run(tmp_path, "kb", "build").stdout
    assert len(run(tmp_path, "kb", "list").stdout.splitlines()) == 31
    assert "How to fix" in run(tmp_path, "kb", "show", "order-no-sla").stdout
    assert "token-expired" in run(tmp_path, "kb", "search", "token").stdout


def test_kb_list_is_sorted_by_scope_category_and_id_in_text_and_json(tmp_path):
    rows = json.loads(run(tmp_path, "kb", "list", "--json").stdout)
    assert len(rows) == 31
    assert set(rows[0]) == {"id", "scope", "category", "title"}
    keys = [(r["scope"], r["category"], r["id"]) for r in rows]
    assert keys == sorted(keys)
    assert {"order", "product"} == {r["scope"] for r in rows}
    text = run(tmp_path, "kb", "list").stdout.splitlines()
    # The columns the order follows are shown, so the order is visible.
    assert [line.split()[:3] for line in text] == [list(k) for k in keys]


def test_eval_reports_accuracy_and_confusions(tmp_path):
    done = run(tmp_path, "eval", str(DATA / "devset.jsonl"), "--json")
    report = json.loads(done.stdout)
    assert report["top1_accuracy"] >= 0.97
    assert {"abstention_precision", "abstention_recall", "by_kind", "by_id", "confused"} <= set(
        report
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kb", "show", "no-such-entry"], "no entry 'no-such-entry'"),
        (["frobnicate"], "invalid choice"),
        (["eval", "/nonexistent.jsonl"], "No such file"),
    ],
)
def test_mistakes_are_one_line_on_stderr_and_a_non_zero_exit(tmp_path, args, message):
    done = run(tmp_path, *args)
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1
    assert message in done.stderr and "Traceback" not in done.stderr


def write_cases(tmp_path, *lines: str):
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    return path


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('"just a string"', 'cases.jsonl:2: expected an object {"text": ..., "expect": ...}'),
        ('{"text": 5, "expect": null}', 'cases.jsonl:2: "text" must be a string'),
        ('{"text": "Inactive SKU"}', 'cases.jsonl:2: no "expect"'),
        (
            '{"text": "Inactive SKU", "expect": "order-inactve-sku"}',
            "cases.jsonl:2: expect 'order-inactve-sku' is not an entry",
        ),
    ],
)
def test_eval_names_the_file_and_line_of_a_bad_case(tmp_path, line, message):
    path = write_cases(tmp_path, '{"text": "hello", "expect": null}', line)
    done = run(tmp_path, "eval", str(path))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_eval_says_n_a_for_what_it_did_not_measure(tmp_path):
    path = write_cases(tmp_path, '{"text": "good morning", "expect": null}')
    done = run(tmp_path, "eval", str(path))
    assert done.returncode == 0, done.stderr
    lines = {line[:20].strip(): line[20:] for line in done.stdout.splitlines() if line[:1] != " "}
    assert lines["top-1 accuracy"] == "n/a (0 cases)"
    assert lines["multi-error pastes"] == "n/a (0 cases)"
    assert lines["slots"] == "n/a (0 cases)"
    assert lines["false matches"] == "0.0%  (0/1 negatives)"  # "expect": null is a negative
    report = json.loads(run(tmp_path, "eval", str(path), "--json").stdout)
    assert report["top1_accuracy"] is None and report["slot_accuracy"] is None
    assert report["negatives"] == 1 and report["false_match_rate"] == 0.0


def test_serve_with_a_port_out_of_range_is_one_line_and_exit_2(tmp_path):
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    done = run(tmp_path, "serve", "--http", "--port", "99999", env=env)
    assert done.returncode == 2
    assert done.stderr == (
        "amzerror: argument --port: '99999' is not a port number from 1 to 65535 "
        "(or 0 for any free one) (see 'amzerror --help')\n"
    )


def test_serve_with_an_invalid_setting_is_one_line_and_exit_2(tmp_path):
    done = run(tmp_path, "serve", env={"AMZERROR_HTTP_WORKERS": "99"})
    assert done.returncode == 2
    assert done.stderr == "amzerror: AMZERROR_HTTP_WORKERS: '99' is not a number from 1 to 16\n"


def test_serve_without_tokens_suggests_a_match_command_that_works(tmp_path):
    env = {**os.environ, "AMZERROR_DB": str(tmp_path / "cli.db")}
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        env.pop(name, None)
    done = run_amzerror("serve", env=env)
    assert done.returncode == 2
    assert "missing SLACK_BOT_TOKEN, SLACK_APP_TOKEN" in done.stderr
    suggestion = done.stderr.split("try a match here: ")[1].strip()
    tried = subprocess.run(
        shlex.split(suggestion), cwd=PROJECT_ROOT, capture_output=True, text=True, env=env
    )
    assert tried.returncode == 0, tried.stderr
    assert "Amazon order contains an inactive SKU" in tried.stdout


def test_a_reader_that_stops_early_ends_the_batch_quietly(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "match", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "AMZERROR_DB": str(tmp_path / "cli.db")},
    )
    proc.stdin.write(b'{"text": "Inactive SKU"}\n' * 2000)
    proc.stdin.close()
    assert json.loads(proc.stdout.readline())["matches"]  # as `| head -1` reads
    proc.stdout.close()
    assert proc.wait(timeout=60) == 141  # 128 + SIGPIPE, as other tools end
    assert proc.stderr.read() == b""


def test_version(tmp_path):
    done = run(tmp_path, "--version")
    assert done.returncode == 0 and done.stdout.startswith("amzerror 0.")


def test_match_answers_in_the_language_of_the_paste_or_the_one_asked_for(capsys):
    from bot.cli import main

    assert main(["match", "o SKU 4410 está inativo na VTEX e não foi enviado"]) == 0
    assert "O que aconteceu" in capsys.readouterr().out
    assert main(["match", "--lang", "es", "Inactive SKU"]) == 0
    assert "Qué pasó" in capsys.readouterr().out

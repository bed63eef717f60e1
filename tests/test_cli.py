"""The amzerror command: JSON shapes for scripts, one clear line for mistakes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import DATA


def run(tmp_path, *args, stdin="", env=None):
    environment = {**os.environ, "AMZERROR_DB": str(tmp_path / "cli.db"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


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
    assert "How to fix" in done.stdout and "[Request reprocessing]" in done.stdout


def test_abstention_in_json_is_an_empty_match_list(tmp_path):
    payload = json.loads(run(tmp_path, "match", "--json", "good morning").stdout)
    assert payload["matches"] == []


def test_jsonl_batch_answers_line_by_line_and_reports_bad_lines(tmp_path):
    lines = '{"text": "Inactive SKU"}\nnot json\n{"text": "hello"}\n'
    done = run(tmp_path, "match", "--jsonl", stdin=lines)
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["matches"][0]["id"] if o["matches"] else None for o in out] == [
        "order-inactive-sku",
        None,
    ]
    assert done.returncode == 1
    assert done.stderr.strip().startswith("amzerror: line 2:")


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

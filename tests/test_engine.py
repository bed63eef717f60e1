"""The engine rebuilds when knowledge changes and keeps serving when a change is broken."""

from __future__ import annotations

import logging
import os
import time
import types

import pytest

from bot import engine as engine_module
from bot.config import Settings
from bot.engine import REFRESH_EVERY_SECONDS, Engine


@pytest.fixture
def knowledge(knowledge_copy):
    return knowledge_copy


@pytest.fixture
def clock(monkeypatch) -> types.SimpleNamespace:
    """The engine's monotonic clock, moved by the test."""
    fake = types.SimpleNamespace(now=100.0)
    monkeypatch.setattr(engine_module, "time", types.SimpleNamespace(monotonic=lambda: fake.now))
    return fake


@pytest.fixture
def engine(tmp_path, knowledge, clock):
    env = {"AMZERROR_DB": str(tmp_path / "e.db"), "AMZERROR_KNOWLEDGE_DIR": str(knowledge)}
    return Engine(Settings.from_env(env))


def add_message(knowledge, name: str, message: str) -> None:
    """Give an entry one more English message, as someone editing the file would."""
    path = knowledge / name
    path.write_text(path.read_text().replace("  en:\n", f"  en:\n    - {message}\n", 1))
    later = time.time() + 5
    os.utime(path, (later, later))


# A message nobody has ever printed: found only once the edit is read.
NEW = "Zorblax quuxed the frobnitz {order}"


def test_an_edit_is_answered_within_five_seconds_without_a_restart(engine, knowledge, clock):
    assert engine.match("Zorblax quuxed the frobnitz 123").best is None
    add_message(knowledge, "order-no-sla.yml", NEW)
    clock.now += REFRESH_EVERY_SECONDS - 0.1
    # Checked at most every five seconds: every match passes through here.
    assert engine.match("Zorblax quuxed the frobnitz 123").best is None
    clock.now += 0.1
    assert engine.match("Zorblax quuxed the frobnitz 123").best.id == "order-no-sla"
    assert REFRESH_EVERY_SECONDS == 5.0


def test_unchanged_files_are_not_reloaded(engine, clock):
    status, matcher = engine.status, engine.matcher
    clock.now += 60
    assert engine.refresh() is status
    assert engine.matcher is matcher


def test_a_removed_file_takes_its_entry_away(engine, knowledge, clock):
    (knowledge / "order-no-sla.yml").unlink()
    clock.now += REFRESH_EVERY_SECONDS
    assert engine.refresh().rebuilt
    assert engine.entry("order-no-sla") is None
    assert "order-no-sla" not in {m.id for m in engine.match(NEW.format(order="1")).matches}


def test_a_broken_edit_found_by_the_timer_keeps_the_last_good_base(engine, knowledge, clock):
    broken = knowledge / "order-no-sla.yml"
    broken.write_text(broken.read_text().replace("scope: order", "scope: [oops"))
    later = time.time() + 5
    os.utime(broken, (later, later))
    clock.now += REFRESH_EVERY_SECONDS
    assert engine.refresh().serving == "cached"
    assert engine.match("No available sla to deliver this order").best.id == "order-no-sla"


def test_a_forced_refresh_rebuilds_even_unchanged_files(engine):
    assert engine.refresh(force=True).rebuilt


def test_a_broken_edit_keeps_the_last_good_base_answering(engine, knowledge, caplog):
    broken = knowledge / "order-no-sla.yml"
    broken.write_text(broken.read_text().replace("scope: order", "scope: [oops"))
    later = time.time() + 5
    os.utime(broken, (later, later))
    status = engine.refresh(force=True)
    assert status.serving == "cached"
    assert any(str(p).startswith("order-no-sla.yml: line") for p in status.problems)
    # For the operator: what was rejected, and what is served meanwhile.
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("knowledge file rejected: order-no-sla.yml: line") for m in messages)
    assert "keeping the last good knowledge base (31 entries)" in messages
    assert engine.match("No available sla to deliver this order").best.id == "order-no-sla"


def test_an_edit_is_picked_up_without_a_restart(engine, knowledge):
    path = knowledge / "order-no-sla.yml"
    path.write_text(
        path.read_text().replace("  en:\n", "  en:\n    - Sem SLA para este pedido {order}\n", 1)
    )
    later = time.time() + 5
    os.utime(path, (later, later))
    engine.refresh(force=True)
    assert engine.match("Sem SLA para este pedido 123").best.id == "order-no-sla"


def test_after_a_check_that_found_nothing_the_next_waits_five_seconds(engine, knowledge, clock):
    clock.now += 60
    engine.refresh()  # nothing changed
    add_message(knowledge, "order-no-sla.yml", NEW)
    clock.now += REFRESH_EVERY_SECONDS - 0.1
    assert engine.match("Zorblax quuxed the frobnitz 9").best is None
    clock.now += 0.1
    assert engine.match("Zorblax quuxed the frobnitz 9").best.id == "order-no-sla"


def test_a_broken_file_is_reported_once_not_every_five_seconds(engine, knowledge, clock, caplog):
    broken = knowledge / "order-no-sla.yml"
    broken.write_text(broken.read_text().replace("scope: order", "scope: [oops"))
    later = time.time() + 5
    os.utime(broken, (later, later))
    for _ in range(4):
        clock.now += REFRESH_EVERY_SECONDS
        engine.match("No available sla to deliver this order")
    rejected = [r for r in caplog.records if "knowledge file rejected" in r.getMessage()]
    assert len(rejected) == 1
    # Mended, it is picked up at the next check.
    broken.write_text(broken.read_text().replace("scope: [oops", "scope: order"))
    os.utime(broken, (later + 5, later + 5))
    clock.now += REFRESH_EVERY_SECONDS
    assert engine.refresh().serving == "fresh"


def edit_vocabulary(knowledge, name: str, text: str) -> None:
    path = knowledge / "vocabulary" / name
    path.write_text(text)
    later = time.time() + 5
    os.utime(path, (later, later))


def test_a_vocabulary_edit_is_answered_within_five_seconds_without_a_restart(
    engine, knowledge, clock
):
    # Another marketplace's error is not ours, as the shipped vocabulary says of Mercado Livre.
    assert engine.match("Mercado Livre: Inactive SKU").matches == []
    assert engine.match("Zorblaxia: Inactive SKU").best.id == "order-inactive-sku"
    listed = (knowledge / "vocabulary" / "marketplaces.yml").read_text()
    edit_vocabulary(
        knowledge,
        "marketplaces.yml",
        listed.replace("other_marketplaces:\n", "other_marketplaces:\n  - zorblaxia\n", 1),
    )
    clock.now += REFRESH_EVERY_SECONDS
    assert engine.match("Zorblaxia: Inactive SKU").matches == []


def test_a_broken_vocabulary_file_is_logged_saying_which_and_why(engine, knowledge, clock, caplog):
    edit_vocabulary(knowledge, "marketplaces.yml", "other_marketplaces: [mercado livre\n")
    clock.now += REFRESH_EVERY_SECONDS
    with caplog.at_level(logging.ERROR):
        engine.refresh()
    rejected = [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("vocabulary file")
    ]
    assert len(rejected) == 1
    assert rejected[0].startswith(
        "vocabulary file rejected: vocabulary/marketplaces.yml: (file): cannot be read:"
    )
    # The knowledge files themselves are fine: their errors are answered all the same.
    assert engine.match("No available sla to deliver this order").best.id == "order-no-sla"
    # And the last good vocabulary still serves: another marketplace's error is still not ours.
    assert engine.match("Mercado Livre: Inactive SKU").matches == []

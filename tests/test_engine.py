"""The engine rebuilds when knowledge changes and keeps serving when a change is broken."""

from __future__ import annotations

import os
import time

import pytest

from bot.config import Settings
from bot.engine import Engine


@pytest.fixture
def knowledge(knowledge_copy):
    return knowledge_copy


@pytest.fixture
def engine(tmp_path, knowledge):
    env = {"AMZERROR_DB": str(tmp_path / "e.db"), "AMZERROR_KNOWLEDGE_DIR": str(knowledge)}
    return Engine(Settings.from_env(env))


def test_a_broken_edit_keeps_the_last_good_base_answering(engine, knowledge, caplog):
    broken = knowledge / "order-no-sla.yml"
    broken.write_text(broken.read_text().replace("scope: order", "scope: [oops"))
    later = time.time() + 5
    os.utime(broken, (later, later))
    status = engine.refresh(force=True)
    assert status.serving == "cached"
    assert any(str(p).startswith("order-no-sla.yml: line") for p in status.problems)
    assert "knowledge file rejected: order-no-sla.yml: line" in caplog.text  # for the operator
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

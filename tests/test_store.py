"""The SQLite file: knowledge rebuilt from files, state never touched by rebuilds."""

from __future__ import annotations

import os
import time

from bot.store import Store, ensure_knowledge
from tests.conftest import KNOWLEDGE


def test_build_then_load_gives_the_same_entries(tmp_path, entries):
    store = Store(tmp_path / "kb.db")
    status = ensure_knowledge(store, KNOWLEDGE)
    assert status.rebuilt and status.serving == "fresh"
    assert {e.id: e for e in store.load_entries()} == {e.id: e for e in entries}


def test_full_text_search_ignores_accents_and_language(tmp_path):
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, KNOWLEDGE)
    assert "token-expired" in [e.id for e in store.search("token")]
    assert "color-value-not-supported" in [e.id for e in store.search("especificacao Color")]
    assert store.search("") == []


def test_rebuilding_knowledge_keeps_the_state_tables(tmp_path):
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, KNOWLEDGE)
    store.db["feedback"].insert({"entry_id": "sku-inactive", "user": "U1", "helpful": 1})
    ensure_knowledge(store, KNOWLEDGE, force=True)
    assert store.db["feedback"].count == 1


def test_an_edited_file_triggers_a_rebuild(tmp_path, knowledge_copy):
    knowledge = knowledge_copy
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, knowledge)
    assert not ensure_knowledge(store, knowledge).rebuilt
    path = knowledge / "sku-inactive.yml"
    path.write_text(path.read_text().replace("SKU is inactive on VTEX", "SKU switched off in VTEX"))
    later = time.time() + 5
    os.utime(path, (later, later))
    status = ensure_knowledge(store, knowledge)
    assert status.rebuilt
    assert {e.id: e.title for e in status.entries}["sku-inactive"] == "SKU switched off in VTEX"


def test_a_broken_file_keeps_the_last_good_base_serving(tmp_path, knowledge_copy):
    knowledge = knowledge_copy
    store = Store(tmp_path / "kb.db")
    ensure_knowledge(store, knowledge)
    (knowledge / "sku-inactive.yml").write_text("id: sku-inactive\nscope: [broken\n")
    status = ensure_knowledge(store, knowledge)
    assert status.serving == "cached"
    assert len(status.entries) == 31
    assert any(str(p).startswith("sku-inactive.yml: line ") for p in status.problems)


def test_with_no_good_base_yet_the_valid_files_still_serve(tmp_path, knowledge_copy):
    knowledge = knowledge_copy
    (knowledge / "sku-inactive.yml").write_text("nonsense: true\n")
    status = ensure_knowledge(Store(tmp_path / "kb.db"), knowledge)
    assert status.serving == "partial"
    assert len(status.entries) == 30

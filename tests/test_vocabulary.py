"""The vocabulary is data a support engineer edits; the matcher reads it, and mistakes in it are named."""

from __future__ import annotations

from bot.cli import main
from bot.vocabulary import Vocabulary, load_vocabulary
from tests.conftest import KNOWLEDGE


def test_the_shipped_vocabulary_is_valid_and_names_other_marketplaces():
    vocabulary, problems = load_vocabulary(KNOWLEDGE)
    assert problems == []
    assert {"mercado livre", "shopee", "walmart"} <= set(vocabulary.other_marketplaces)


def test_a_line_about_another_marketplace_is_not_an_amazon_error(matcher):
    assert matcher.match("Mercado Livre: SKU inativo").matches == []
    assert matcher.match("no Mercado Livre deu Inactive SKU no pedido").matches == []
    # Amazon named too: the error may be ours after all.
    assert matcher.match("Mercado Livre ok, mas na Amazon: Inactive SKU").matches[0].id == (
        "order-inactive-sku"
    )
    # Another line of the same paste is read on its own.
    pasted = "o Mercado Livre está ok\nInactive SKU"
    assert matcher.match(pasted).matches[0].id == "order-inactive-sku"


def test_phrases_match_as_whole_words():
    vocabulary = Vocabulary(other_marketplaces=("ebay", "mercado livre"))
    assert vocabulary.about_another_marketplace("pedido do ebay parado")
    assert not vocabulary.about_another_marketplace("rebaya o ebayer")
    assert not vocabulary.about_another_marketplace("mercado livremente")


def test_a_broken_vocabulary_file_is_reported_by_kb_validate(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "vocabulary"
    folder.mkdir()
    for entry in KNOWLEDGE.glob("*.yml"):
        (tmp_path / entry.name).write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "marketplaces.yml").write_text("other_marketplaces: shopee\ncolours: [red]\n")
    monkeypatch.setenv("AMZERROR_KNOWLEDGE_DIR", str(tmp_path))
    assert main(["kb", "validate"]) == 1
    out = capsys.readouterr().out
    assert "vocabulary/marketplaces.yml: other_marketplaces: must be a list" in out
    assert "vocabulary/marketplaces.yml: colours: unknown list" in out


def test_ideas_named_by_a_list_or_a_language_must_be_valid(tmp_path):
    folder = tmp_path / "vocabulary"
    folder.mkdir()
    (folder / "concepts.yml").write_text(
        "concepts:\n  negation: [not, 'no']\n"
        "problem_ideas: [negation, broken]\n"
        "in_language:\n  es:\n    negation: ['no']\n    nada: [nada]\n  fr:\n    negation: [non]\n"
    )
    vocabulary, problems = load_vocabulary(tmp_path)
    reasons = {(p.field, p.reason) for p in problems}
    assert ("problem_ideas", "'broken' is no idea of concepts") in reasons
    assert any(field == "in_language.fr" for field, _ in reasons)
    assert ("in_language.es.nada", "is no idea of concepts (nor ignore)") in reasons
    assert ("es", "negation", ("no",)) in vocabulary.in_language

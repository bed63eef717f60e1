"""The knowledge files: every spec id present, messages verbatim, broken files reported."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from bot.knowledge import load_file, load_knowledge, placeholders_in
from tests.conftest import KNOWLEDGE

# The knowledge spec's ids and published messages, copied here unchanged: the tests
# hold the knowledge files to them in any checkout.
SPEC = Path(__file__).resolve().parent / "data" / "spec"
VALID = (KNOWLEDGE / "color-value-not-supported.yml").read_text(encoding="utf-8")


def spec_rows(name: str) -> list[dict]:
    with (SPEC / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def canon(message: str) -> str:
    """A message with every filled-in value written as x, for comparing with the spec."""
    text = re.sub(r"\{[a-z_]+\}", "x", message.lower())
    return re.sub(r"\b(xxxxx|y)\b", "x", text)


def test_every_spec_id_has_exactly_one_entry(entries):
    ids = {e.id for e in entries}
    assert len(ids) == len(entries) == 31
    assert ids == {row["id"] for row in spec_rows("error-ids.tsv")}


def test_english_messages_are_verbatim(by_id):
    for row in spec_rows("error-ids.tsv"):
        published = list(row.values())[3]
        ours = {canon(m) for m in by_id[row["id"]].messages["en"]}
        if row["id"] == "material-department-not-supported":
            # The spec describes two messages in one line; each names one attribute.
            for name in ("Material", "Department"):
                assert (
                    canon(
                        published.split(" (two")[0].replace(
                            '"Material" or "Department"', f'"{name}"'
                        )
                    )
                    in ours
                )
            continue
        assert canon(published) in ours, row["id"]


def test_portuguese_and_spanish_messages_are_the_official_ones(by_id):
    for row in spec_rows("official-pt-es.tsv"):
        entry = by_id[row["id"]]
        for lang, official in zip(("pt", "es"), list(row.values())[1:3], strict=True):
            if official.startswith("("):
                assert lang not in entry.messages, f"{row['id']} has no official {lang} form"
                continue
            assert canon(official) in {canon(m) for m in entry.messages[lang]}, (row["id"], lang)


def test_reprocessing_targets_follow_the_scope(by_id):
    assert by_id["sku-inactive"].reprocess_target == "sku"
    assert by_id["order-no-sla"].reprocess_target == "order"
    # An order whose SKU the store does not know must be cancelled, not reprocessed.
    assert by_id["order-unknown-sku"].reprocess_target == "none"
    assert by_id["order-unknown-sku"].reprocess_note


def test_placeholders_are_named():
    assert placeholders_in("Value ({value}) from {sku}") == ["value", "sku"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "field", "reason"),
    [
        (lambda t: t.replace("scope: product", "scope: catalog"), "scope", "must be one of"),
        (lambda t: re.sub(r"(?m)^meaning:.*?(?=^fix:)", "", t, flags=re.S), "meaning", "required"),
        (
            lambda t: t.replace('"Color" attribute value', "{colour} attribute value", 1),
            "messages.en[0]",
            "unknown placeholder {colour}",
        ),
        (lambda t: t.replace("target: sku", "target: everything"), "reprocess.target", "one of"),
        (lambda t: t + "\nowner: me\n", "owner", "unknown field"),
        (lambda t: t.replace("https://help", "http://help"), "links[0].url", "https://"),
        (
            lambda t: t.replace("id: color-value-not-supported", "id: Color Value"),
            "id",
            "lowercase",
        ),
        (lambda t: t + "\nwordings:\n  - en: Color not ok\n", "wordings[0]", "source"),
        (
            lambda t: t + "\nwordings:\n  - fr: Couleur\n    source: somewhere\n",
            "wordings[0]",
            "one of en/pt/es",
        ),
        (
            lambda t: t + "\nwordings:\n  - en: Color {colour}\n    source: somewhere\n",
            "wordings[0].en",
            "unknown placeholder",
        ),
    ],
)
def test_a_broken_file_is_reported_as_file_field_reason(tmp_path, edit, field, reason):
    write(tmp_path, "color-value-not-supported.yml", edit(VALID))
    loaded = load_knowledge(tmp_path)
    assert not loaded.entries
    lines = [str(p) for p in loaded.problems]
    assert any(
        line.startswith(f"color-value-not-supported.yml: {field}: ") and reason in line
        for line in lines
    ), lines


def test_invalid_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "bad.yml", "id: bad\nmessages: [unclosed\n")
    entry, problems = load_file(path)
    assert entry is None
    assert str(problems[0]).startswith("bad.yml: line ")
    assert "not valid YAML" in str(problems[0])


def test_a_broken_file_does_not_hide_the_good_ones(tmp_path):
    write(tmp_path, "color-value-not-supported.yml", VALID)
    write(tmp_path, "broken.yml", "- just\n- a list\n")
    loaded = load_knowledge(tmp_path)
    assert [e.id for e in loaded.entries] == ["color-value-not-supported"]
    assert [str(p) for p in loaded.problems] == [
        "broken.yml: (file): must be a YAML mapping of fields"
    ]


def test_every_entry_explains_itself_in_portuguese_and_spanish(entries):
    for entry in entries:
        for lang in ("pt", "es"):
            local = entry.in_language(lang)
            assert local.title != entry.title or entry.title.isupper(), (entry.id, lang)
            assert len(local.fix) == len(entry.fix) and len(local.links) == len(entry.links)
            assert all(
                f"/{lang}/" in link.url or "help.vtex.com" not in link.url for link in local.links
            )
            assert local.messages == entry.messages  # the platform's words never change
    assert entries[0].in_language("en") == entries[0]


def test_a_missing_language_is_reported_by_validate(tmp_path):
    text = VALID.split("\ntranslations:")[0]
    write(tmp_path, "color-value-not-supported.yml", text)
    lines = [str(p) for p in load_knowledge(tmp_path).problems]
    assert (
        "color-value-not-supported.yml: translations.pt: missing: the explanation in this language"
        in lines
    )
    assert (
        "color-value-not-supported.yml: translations.es: missing: the explanation in this language"
        in lines
    )


def test_a_translation_with_a_step_missing_is_reported(tmp_path):
    import yaml

    data = yaml.safe_load(VALID)
    data["translations"]["es"]["fix"] = data["translations"]["es"]["fix"][:-1]
    write(tmp_path, "color-value-not-supported.yml", yaml.safe_dump(data, allow_unicode=True))
    lines = [str(p) for p in load_knowledge(tmp_path).problems]
    assert any(
        line.startswith("color-value-not-supported.yml: translations.es.fix: needs the")
        for line in lines
    )


def test_a_translation_without_a_title_names_the_language_and_the_field(tmp_path):
    import yaml

    data = yaml.safe_load(VALID)
    del data["translations"]["pt"]["title"]
    write(tmp_path, "color-value-not-supported.yml", yaml.safe_dump(data, allow_unicode=True))
    lines = [str(p) for p in load_knowledge(tmp_path).problems]
    assert lines == [
        "color-value-not-supported.yml: translations.pt.title: required, must be a non-empty string"
    ]

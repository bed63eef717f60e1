"""Every other wording VTEX has printed for one of the known errors is recognised as that error."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import DATA

VARIANTS = DATA / "spec" / "vtex-variants.tsv"


def variant_rows(ids: set[str]) -> list[tuple[list[str], str]]:
    """(the ids a row's hint names, its text) for the rows that name any."""
    with VARIANTS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    named = []
    for row in rows:
        hinted = [i for i in row["known_error_hint"].replace("/", " ").split() if i in ids]
        if hinted:
            named.append((hinted, row["exact_text"]))
    return named


def test_the_spec_file_is_in_the_repository_and_names_most_errors(by_id):
    rows = variant_rows(set(by_id))
    assert len(rows) >= 40
    assert len({i for hinted, _ in rows for i in hinted}) >= 20


def test_every_wording_whose_hint_names_an_error_is_recognised_as_it(matcher, by_id):
    missed = []
    for hinted, text in variant_rows(set(by_id)):
        result = matcher.match(text)
        got = result.matches[0].id if result.matches else None
        if got not in hinted:
            missed.append((hinted, got, text[:80]))
    assert not missed


@pytest.mark.parametrize(
    ("chat", "expected"),
    [
        ("pedido travado, no admin aparece: SKU inativo", "order-inactive-sku"),
        (
            "admin says: Specification Cor mapped not found neither in product or sku specifications",
            "spreadsheet-spec-not-in-catalog",
        ),
        ("Sku is inactive", "sku-inactive"),
        ("Inactive SKU", "order-inactive-sku"),
    ],
)
def test_older_wordings_in_chat_and_their_look_alikes(matcher, chat, expected):
    assert matcher.match(chat).matches[0].id == expected


def test_a_wording_shared_by_two_errors_names_one_and_offers_the_other(matcher):
    result = matcher.match("Order with SKU inactive or out of sales channel")
    found = {result.matches[0].id, *(m.id for m in result.alternatives)}
    assert {"order-inactive-sku", "order-sku-no-trade-policy"} <= found


def test_slots_come_out_of_wordings(matcher):
    [match] = matcher.match(
        "Specification Tamanho mapped not found neither in product or sku specifications"
    ).matches
    assert match.slots["attribute"] == "Tamanho"

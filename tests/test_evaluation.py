"""Reading labelled cases and reporting on them: nothing unmeasured passes for perfect."""

from __future__ import annotations

import pytest

from bot.evaluation import evaluate, format_report, read_cases


def cases_file(tmp_path, text: str):
    path = tmp_path / "cases.jsonl"
    path.write_text(text)
    return path


def test_expect_may_be_an_id_a_list_of_ids_or_null(tmp_path):
    path = cases_file(
        tmp_path,
        '{"text": "a", "expect": "sku-inactive"}\n'
        "\n"
        '{"text": "b", "expect": ["sku-inactive", "color-missing"], "kind": "multi"}\n'
        '{"text": "c", "expect": null}\n'
        '{"text": "d", "expect": []}\n',
    )
    cases = read_cases(path)
    assert [c.expect for c in cases] == [
        ("sku-inactive",),
        ("sku-inactive", "color-missing"),
        (),
        (),
    ]
    assert [c.line for c in cases] == [1, 3, 4, 5]  # blank lines are skipped, not renumbered


@pytest.mark.parametrize(
    "line",
    [
        '{"text": "a", "expect": ""}',
        '{"text": "a", "expect": 3}',
        '{"text": "a", "expect": [null]}',
    ],
)
def test_an_expect_that_names_no_id_is_refused(tmp_path, line):
    with pytest.raises(ValueError, match=r"cases.jsonl:1: \"expect\" must be"):
        read_cases(cases_file(tmp_path, line + "\n"))


def test_a_set_of_negatives_reports_accuracy_as_not_measured(tmp_path, matcher):
    cases = read_cases(cases_file(tmp_path, '{"text": "good morning", "expect": null}\n'))
    report = evaluate(cases, matcher)
    assert report.positives.rate is None and report.slots.rate is None
    assert report.false_match_rate == 0.0
    text = format_report(report)
    assert "top-1 accuracy      n/a (0 cases)" in text
    assert "100.0%  (0/0" not in text


def test_a_set_without_negatives_reports_abstention_as_not_measured(tmp_path, matcher):
    cases = read_cases(
        cases_file(tmp_path, '{"text": "Inactive SKU", "expect": "order-inactive-sku"}\n')
    )
    report = evaluate(cases, matcher)
    text = format_report(report)
    assert "top-1 accuracy      100.0%  (1/1 positives)" in text
    assert "false matches       n/a (0 cases)" in text
    assert "abstention          n/a (0 cases)" in text
    assert report.as_dict()["abstention_recall"] is None
    assert text.endswith("by id (below 100%):\n  none\n\nmost confused (expected -> got):\n  none")

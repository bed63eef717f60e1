"""Score the matcher on a labelled set: accuracy, abstention and what gets confused."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge import LANGUAGES
from bot.matcher import Matcher

# Confidence bands of the calibration table (a match is reported from 72 up).
BANDS = ((72, 79), (80, 89), (90, 99), (100, 100))


@dataclass(frozen=True)
class Case:
    text: str
    expect: tuple[str, ...]  # empty: the text reports no known error
    kind: str = "unlabelled"
    slots: dict = field(default_factory=dict)
    line: int = 0  # in the file it was read from, for messages about it
    lang: str = ""  # en, pt or es when the case says (a "lang" field, or its kind)


@dataclass
class Tally:
    total: int = 0
    correct: int = 0

    @property
    def rate(self) -> float | None:
        """The share correct; None when nothing was counted (not measured is not perfect)."""
        return self.correct / self.total if self.total else None


@dataclass
class Report:
    positives: Tally = field(default_factory=Tally)
    negatives: Tally = field(default_factory=Tally)  # correct = abstained
    multi: Tally = field(default_factory=Tally)
    slots: Tally = field(default_factory=Tally)
    abstained: int = 0
    abstained_on_negative: int = 0
    by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_id: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_lang: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    # Confidence band of the first match -> how often that match was right.
    bands: dict[tuple[int, int], Tally] = field(default_factory=dict)
    confusions: Counter = field(default_factory=Counter)
    failures: list[dict] = field(default_factory=list)

    @property
    def false_match_rate(self) -> float | None:
        recall = self.negatives.rate
        return None if recall is None else 1 - recall

    @property
    def abstention_precision(self) -> float | None:
        return self.abstained_on_negative / self.abstained if self.abstained else None

    def as_dict(self) -> dict:
        """The figures for scripts; a rate that was not measured is null."""
        return {
            "top1_accuracy": _round(self.positives.rate),
            "positives": self.positives.total,
            "multi_exact_set": _round(self.multi.rate),
            "negatives": self.negatives.total,
            "false_match_rate": _round(self.false_match_rate),
            "abstention_precision": _round(self.abstention_precision),
            "abstention_recall": _round(self.negatives.rate),
            "slot_accuracy": _round(self.slots.rate),
            "by_kind": {k: [t.correct, t.total] for k, t in sorted(self.by_kind.items())},
            "by_id": {k: [t.correct, t.total] for k, t in sorted(self.by_id.items())},
            "confused": [[a, b, n] for (a, b), n in self.confusions.most_common(10)],
            "by_lang": {k: [t.correct, t.total] for k, t in sorted(self.by_lang.items())},
            "calibration": [
                {"scores": f"{low}-{high}", "matches": t.total, "right": _round(t.rate)}
                for (low, high), t in self.bands.items()
            ],
        }


def _round(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def _case(data: object, number: int) -> Case:
    """One line's case; ValueError says what is wrong with it."""
    if not isinstance(data, dict):
        raise ValueError('expected an object {"text": ..., "expect": ...}')
    text = data.get("text")
    if not isinstance(text, str):
        raise ValueError('"text" must be a string')
    if "expect" not in data:
        # A forgotten label would otherwise count as a negative and skew both figures.
        raise ValueError('no "expect": give an entry id, a list of ids, or null for none')
    expect = data["expect"]
    ids = expect if isinstance(expect, list) else [] if expect is None else [expect]
    if not all(isinstance(i, str) and i for i in ids):
        raise ValueError('"expect" must be an entry id, a list of ids, or null')
    kind = data.get("kind", "unlabelled")
    if not isinstance(kind, str):
        raise ValueError('"kind" must be a string')
    slots = data.get("slots") or {}
    if not isinstance(slots, dict):
        raise ValueError('"slots" must be an object')
    lang = data.get("lang")
    if lang not in LANGUAGES:
        lang = next((t for t in kind.lower().replace("_", "-").split("-") if t in LANGUAGES), "")
    return Case(text, tuple(ids), kind, slots, number, lang)


def read_cases(path: Path) -> list[Case]:
    """Lines of `{"text", "expect": id | [ids] | null, "kind"?, "slots"?}`; blank lines skipped.

    `"expect": null` (or `[]`) is a negative: the text reports no known error.
    """
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            cases.append(_case(json.loads(line), number))
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
    return cases


def unknown_ids(cases: Iterable[Case], known: Iterable[str]) -> list[tuple[Case, str]]:
    """Expected ids that are no entry: a typo there would count as the matcher's miss."""
    ids = set(known)
    return [(case, i) for case in cases for i in case.expect if i not in ids]


def evaluate(cases: Iterable[Case], matcher: Matcher) -> Report:
    report = Report(bands={band: Tally() for band in BANDS})
    for case in cases:
        result = matcher.match(case.text)
        got = [m.id for m in result.matches]
        if result.matches and len(case.expect) <= 1:
            band = next((b for b in BANDS if b[0] <= result.matches[0].score <= b[1]), None)
            if band is not None:
                report.bands[band].total += 1
                report.bands[band].correct += bool(case.expect) and got[0] == case.expect[0]
        if len(case.expect) == 1 and case.lang:
            report.by_lang[case.lang].total += 1
            report.by_lang[case.lang].correct += bool(got) and got[0] == case.expect[0]
        kind = report.by_kind[case.kind]
        kind.total += 1
        if not got:
            report.abstained += 1
            report.abstained_on_negative += not case.expect
        if not case.expect:
            report.negatives.total += 1
            ok = not got
            report.negatives.correct += ok
            if not ok:
                report.confusions[("(none)", got[0])] += 1
        elif len(case.expect) > 1:
            report.positives.total += 1
            report.multi.total += 1
            ok = set(got) == set(case.expect)
            report.positives.correct += ok
            report.multi.correct += ok
            for missing in set(case.expect) - set(got):
                report.confusions[(missing, "(missed in multi)")] += 1
            for extra in set(got) - set(case.expect):
                report.confusions[("(extra in multi)", extra)] += 1
        else:
            expected = case.expect[0]
            report.positives.total += 1
            ok = bool(got) and got[0] == expected
            report.positives.correct += ok
            report.by_id[expected].total += 1
            report.by_id[expected].correct += ok
            if not ok:
                report.confusions[(expected, got[0] if got else "(no match)")] += 1
            if ok and case.slots:
                best = result.matches[0]
                found = best.as_dict()["slots"]
                for key, value in case.slots.items():
                    report.slots.total += 1
                    if key == "skus":  # a list: every SKU, in any order
                        report.slots.correct += set(best.skus) == {str(v) for v in value}
                    else:
                        report.slots.correct += (
                            str(found.get(key, "")).lower() == str(value).lower()
                        )
        kind.correct += ok
        if not ok:
            report.failures.append(
                {
                    "kind": case.kind,
                    "expect": list(case.expect),
                    "got": got,
                    "text": case.text[:200],
                }
            )
    return report


def _share(rate: float | None, counted: str) -> str:
    return f"{rate:.1%}  ({counted})" if rate is not None else "n/a (0 cases)"


def format_report(report: Report) -> str:
    """The report as a few readable lines for a terminal; `n/a` for what was not measured."""
    d = report.as_dict()
    p, m, n, s = report.positives, report.multi, report.negatives, report.slots
    precision, recall = report.abstention_precision, n.rate
    if precision is None and recall is None:
        abstention = "n/a (0 cases)"
    else:
        abstention = (
            f"precision {'n/a' if precision is None else f'{precision:.1%}'}, "
            f"recall {'n/a' if recall is None else f'{recall:.1%}'}"
        )
    lines = [
        f"top-1 accuracy      {_share(p.rate, f'{p.correct}/{p.total} positives')}",
        f"multi-error pastes  {_share(m.rate, f'{m.correct}/{m.total}, exact set of ids')}",
        f"false matches       {_share(report.false_match_rate, f'{n.total - n.correct}/{n.total} negatives')}",
        f"abstention          {abstention}",
        f"slots               {_share(s.rate, f'{s.correct}/{s.total} values')}",
        "",
        "top-1 by language:",
        *(
            [
                f"  {k:<12} {_share(t.rate, f'{t.correct}/{t.total}')}"
                for k, t in sorted(report.by_lang.items())
            ]
            or ["  n/a (no case says its language)"]
        ),
        "",
        "confidence -> how often the first match is right:",
        *(
            f"  {f'{low}-{high}' if low != high else str(low):<12} {_share(t.rate, f'{t.correct}/{t.total} matches')}"
            for (low, high), t in report.bands.items()
        ),
        "",
        "by kind:",
        *(f"  {k:<12} {c}/{t}" for k, (c, t) in d["by_kind"].items()),
        "",
        "by id (below 100%):",
        *([f"  {k:<40} {c}/{t}" for k, (c, t) in d["by_id"].items() if c < t] or ["  none"]),
        "",
        "most confused (expected -> got):",
        *([f"  {a} -> {b}: {count}" for a, b, count in d["confused"]] or ["  none"]),
    ]
    return "\n".join(lines)

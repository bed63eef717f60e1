"""Score the matcher on a labelled set: accuracy, abstention and what gets confused."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.matcher import Matcher


@dataclass(frozen=True)
class Case:
    text: str
    expect: tuple[str, ...]  # empty: the text reports no known error
    kind: str = "unlabelled"
    slots: dict = field(default_factory=dict)


@dataclass
class Tally:
    total: int = 0
    correct: int = 0

    @property
    def rate(self) -> float:
        return self.correct / self.total if self.total else 1.0


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
    confusions: Counter = field(default_factory=Counter)
    failures: list[dict] = field(default_factory=list)

    @property
    def false_match_rate(self) -> float:
        return 1 - self.negatives.rate if self.negatives.total else 0.0

    @property
    def abstention_precision(self) -> float:
        return self.abstained_on_negative / self.abstained if self.abstained else 1.0

    def as_dict(self) -> dict:
        return {
            "top1_accuracy": round(self.positives.rate, 4),
            "positives": self.positives.total,
            "multi_exact_set": round(self.multi.rate, 4),
            "negatives": self.negatives.total,
            "false_match_rate": round(self.false_match_rate, 4),
            "abstention_precision": round(self.abstention_precision, 4),
            "abstention_recall": round(self.negatives.rate, 4),
            "slot_accuracy": round(self.slots.rate, 4),
            "by_kind": {k: [t.correct, t.total] for k, t in sorted(self.by_kind.items())},
            "by_id": {k: [t.correct, t.total] for k, t in sorted(self.by_id.items())},
            "confused": [[a, b, n] for (a, b), n in self.confusions.most_common(10)],
        }


def read_cases(path: Path) -> list[Case]:
    """Lines of `{"text", "expect": id | null | [ids], "kind"?, "slots"?}`."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            expect = data.get("expect")
            ids = tuple(expect) if isinstance(expect, list) else ((expect,) if expect else ())
            cases.append(
                Case(data["text"], ids, data.get("kind", "unlabelled"), data.get("slots") or {})
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a case line ({exc})") from exc
    return cases


def evaluate(cases: Iterable[Case], matcher: Matcher) -> Report:
    report = Report()
    for case in cases:
        result = matcher.match(case.text)
        got = [m.id for m in result.matches]
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
                found = result.matches[0].as_dict()["slots"]
                for key, value in case.slots.items():
                    if key == "skus":
                        continue
                    report.slots.total += 1
                    report.slots.correct += str(found.get(key, "")).lower() == str(value).lower()
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


def format_report(report: Report) -> str:
    """The report as a few readable lines for a terminal."""
    d = report.as_dict()
    lines = [
        f"top-1 accuracy      {d['top1_accuracy']:.1%}  ({report.positives.correct}/{report.positives.total} positives)",
        f"multi-error pastes  {d['multi_exact_set']:.1%}  ({report.multi.correct}/{report.multi.total}, exact set of ids)",
        f"false matches       {d['false_match_rate']:.1%}  ({report.negatives.total - report.negatives.correct}/{report.negatives.total} negatives)",
        f"abstention          precision {d['abstention_precision']:.1%}, recall {d['abstention_recall']:.1%}",
        f"slots               {d['slot_accuracy']:.1%}  ({report.slots.correct}/{report.slots.total} values)",
        "",
        "by kind:",
        *(f"  {k:<12} {c}/{t}" for k, (c, t) in d["by_kind"].items()),
        "",
        "by id (below 100%):",
        *(f"  {k:<40} {c}/{t}" for k, (c, t) in d["by_id"].items() if c < t),
        "",
        "most confused (expected -> got):",
        *(f"  {a} -> {b}: {n}" for a, b, n in d["confused"]),
    ]
    return "\n".join(lines)

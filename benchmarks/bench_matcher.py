"""Matcher latency on the real base, on a synthetic 10,000-entry base and on hostile 20 KB
pastes, beside a naive baseline.

Run: `make bench` (or `python benchmarks/bench_matcher.py [--quick]`). Prints a Markdown
table for the README. The baseline is rapidfuzz `process.extractOne` over the raw
messages (WRatio), measured in the same run on the same pastes.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge import Entry, load_knowledge  # noqa: E402
from bot.matcher import Matcher  # noqa: E402
from bot.vocabulary import load_vocabulary  # noqa: E402
from tests.adversarial import FILL, adversarial_pastes  # noqa: E402

CHATTER = (
    "hey team, anyone seen this one before? it started after yesterday's catalog import "
    "and a few SKUs on the Amazon channel are stuck, the admin shows the row below. "
)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def pastes_for(entries: list[Entry], rng: random.Random, count: int) -> list[str]:
    """Realistic pastes: a filled-in message, with chat, admin rows or padding up to 4 KB."""
    cases = []
    for i in range(count):
        entry = rng.choice(entries)
        lang, message = rng.choice(entry.all_messages())
        text = message.format(**FILL)
        shape = i % 4
        if shape == 1:
            text = f"<!here> {CHATTER}`{text}` sku 998877 :fire:"
        elif shape == 2:
            text = f"{rng.randint(1000, 99999)}\tCamiseta Azul M\tAmazon\t2024-05-12 14:03\t{text}"
        elif shape == 3:
            text = (CHATTER * 40)[: 4096 - len(text) - 1] + "\n" + text
        cases.append(text[:4096])
    return cases


def synthetic_entries(real: list[Entry], size: int, rng: random.Random) -> list[Entry]:
    """`size` entries whose messages recombine the real vocabulary with invented words."""
    vocabulary = sorted(
        {w for e in real for _, m in e.all_messages() for w in m.split() if "{" not in w}
    )
    invented = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10)))
        for _ in range(size // 2)
    ]
    out = []
    for i in range(size):
        words = rng.sample(vocabulary, rng.randint(6, 18)) + rng.sample(invented, 3)
        rng.shuffle(words)
        if rng.random() < 0.4:
            words.insert(rng.randint(0, len(words)), "({attribute})")
        template = real[i % len(real)]
        out.append(
            replace(
                template,
                id=f"synthetic-{i:05d}",
                messages={"en": (" ".join(words),)},
            )
        )
    return out


def measure(matcher: Matcher, pastes: list[str], stopped: list[int] | None = None) -> list[float]:
    """Milliseconds per paste; `stopped` counts the pastes cut short by the time budget."""
    for text in pastes[:50]:  # warm caches
        matcher.match(text)
    timings = []
    for text in pastes:
        started = time.perf_counter()
        result = matcher.match(text)
        if not result.matches:
            matcher.closest(text)  # what a no-match card costs on top
        timings.append((time.perf_counter() - started) * 1000)
        if stopped is not None and result.incomplete:
            stopped.append(1)
    return timings


def measure_baseline(entries: list[Entry], pastes: list[str]) -> list[float]:
    choices = [m for e in entries for _, m in e.all_messages()]
    timings = []
    for text in pastes:
        started = time.perf_counter()
        process.extractOne(text, choices, scorer=fuzz.WRatio)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def row(name: str, ours: list[float], base: list[float]) -> dict:
    return {
        "base": name,
        "pastes": len(ours),
        "amzerror_p50_ms": round(statistics.median(ours), 3),
        "amzerror_p99_ms": round(percentile(ours, 99), 3),
        "amzerror_max_ms": round(max(ours), 3),
        "baseline_p50_ms": round(statistics.median(base), 3),
        "baseline_p99_ms": round(percentile(base, 99), 3),
        "baseline_max_ms": round(max(base), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer pastes, for a smoke run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(7)
    count = 300 if args.quick else 2000
    real = load_knowledge(ROOT / "knowledge").entries
    # The vocabulary the bot reads (retellings, other marketplaces): measured as it serves.
    vocabulary = load_vocabulary(ROOT / "knowledge")[0]
    rows = []

    started = time.perf_counter()
    real_matcher = Matcher(real, vocabulary)
    build_real = (time.perf_counter() - started) * 1000
    pastes = pastes_for(real, rng, count)
    rows.append(
        row(
            f"real ({len(real)} entries)",
            measure(real_matcher, pastes),
            measure_baseline(real, pastes),
        )
    )

    big = synthetic_entries(real, 10_000, rng)
    started = time.perf_counter()
    big_matcher = Matcher(big, vocabulary)
    build_big = (time.perf_counter() - started) * 1000
    big_pastes = pastes_for(big, rng, count // 2)
    rows.append(
        row(
            "synthetic (10,000 entries)",
            measure(big_matcher, big_pastes),
            measure_baseline(big, big_pastes),
        )
    )

    hostile = [text for _, text in adversarial_pastes(real)]
    stopped: list[int] = []
    rows.append(
        row(
            f"hostile 20 KB pastes ({len(real)} entries)",
            measure(real_matcher, hostile, stopped),
            measure_baseline(real, hostile),
        )
    )

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(
            json.dumps(
                {
                    "rows": rows,
                    "build_ms": [build_real, build_big],
                    "peak_rss_mb": peak_mb,
                    "hostile_cut_by_budget": len(stopped),
                }
            )
        )
        return 0
    print(f"Python {platform.python_version()} on {platform.machine()}")
    print()
    print(
        "| base | pastes | amzerror p50 | p99 | max | baseline p50 | p99 | max |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for r in rows:
        print(
            f"| {r['base']} | {r['pastes']} | {r['amzerror_p50_ms']} ms | {r['amzerror_p99_ms']} ms "
            f"| {r['amzerror_max_ms']} ms | {r['baseline_p50_ms']} ms | {r['baseline_p99_ms']} ms "
            f"| {r['baseline_max_ms']} ms |"
        )
    print()
    print(
        f"index build: real {build_real:.1f} ms, synthetic {build_big:.0f} ms; peak RSS {peak_mb:.0f} MB; "
        f"{len(stopped)} of {len(hostile)} hostile pastes cut short by the time budget"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Mutation-test the modules whose bugs users would feel most, and write a short report.

Each module is mutated in a scratch copy of the repository (`.mutation/<module>/`) with
mutmut 3, which runs only the fast unit tests listed for it, and only those that reach
the mutated function. The report counts killed, survived and timed-out mutants per
module, and lists each survivor with the reason it is judged equivalent (or `not yet`).

    python benchmarks/mutation.py                 # every module, then the report
    python benchmarks/mutation.py verify activity # some modules, then the report
    python benchmarks/mutation.py --report-only   # the report from the last runs
    python benchmarks/mutation.py --again matcher # after new tests: the survivors again

A module not run in this checkout keeps its row and survivors from the report as it is.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / ".mutation"
REPORT = ROOT / "benchmarks" / "mutation-report.md"
TARGET = 0.90


@dataclass(frozen=True)
class Module:
    """What to mutate, which functions count, and which fast tests may kill them."""

    files: tuple[str, ...]
    tests: tuple[str, ...]
    # Globs over mutmut's mutant names (`bot.cards.x_limit__mutmut_3`); none: all. Only
    # these are run and counted: the rest of the file is another module's business.
    functions: tuple[str, ...] = ()
    about: str = ""
    selected: list[str] = field(default_factory=list)


MODULES: dict[str, Module] = {
    "verify": Module(
        ("bot/slack/verify.py",),
        ("tests/test_verify.py",),
        about="request verification: size, age and signature before parsing",
    ),
    "escaping": Module(
        ("bot/cards.py",),
        ("tests/test_cards.py", "tests/test_escaping.py"),
        functions=(
            "bot.cards.x_escape_mrkdwn__mutmut_*",
            "bot.cards.x_limit__mutmut_*",
            "bot.cards.x_button_value__mutmut_*",
            "bot.cards.x_parse_button_value__mutmut_*",
            "bot.cards.xǁCardRendererǁrender__mutmut_*",
            "bot.cards.xǁCardRendererǁ__init____mutmut_*",
        ),
        about="escaping: mrkdwn filter, limits, button values, fallback text",
    ),
    "matcher": Module(
        (
            "bot/matcher.py",
            "bot/matching/index.py",
            "bot/matching/patterns.py",
            "bot/matching/lines.py",
            "bot/matching/align.py",
            "bot/matching/slots.py",
            "bot/matching/retold_values.py",
            "bot/matching/concepts.py",
            "bot/matching/retelling.py",
            "bot/matching/reading.py",
            "bot/matching/decide.py",
            "bot/matching/calibration.py",
            "bot/matching/quotes.py",
            "bot/normalize.py",
        ),
        (
            "tests/test_matcher.py",
            "tests/test_normalize.py",
            "tests/test_slots.py",
            "tests/test_matcher_decisions.py",
            "tests/test_patterns.py",
            "tests/test_lines.py",
            "tests/test_index.py",
            "tests/test_align.py",
            "tests/test_decide.py",
            "tests/test_calibration.py",
            "tests/test_retold_values.py",
            "tests/test_retelling.py",
            "tests/test_concepts.py",
            "tests/test_reading.py",
            "tests/test_quotes.py",
            "tests/test_vocabulary.py",
        ),
        # The decisions (which errors, which guesses, how sure) and the slots (which
        # values): what a user reads on the card. Retrieval and the reading of
        # retellings are measured by the labelled sets (README, Accuracy).
        functions=(
            "bot.matcher.*",
            "bot.matching.slots.*",
            "bot.matching.retold_values.*",
            "bot.matching.decide.*",
            "bot.matching.calibration.*",
            "bot.matching.quotes.*",
            "bot.normalize.x_context_slots__mutmut_*",
            "bot.normalize.x_clean_paste__mutmut_*",
        ),
        # (tests/test_matcher_budget.py is left out: it times the worst pastes, which
        # measures speed, not answers, and would make every mutant take seconds.)
        about="the matcher's decisions, quotes and slots (with clean_paste, context_slots)",
    ),
    "activity": Module(
        ("bot/activity.py",),
        ("tests/test_activity.py", "tests/test_store.py"),
        functions=(
            "bot.activity.x_first_time__mutmut_*",
            "bot.activity.x_forget_old_events__mutmut_*",
            "bot.activity.x_record_feedback__mutmut_*",
            "bot.activity.x_stats__mutmut_*",
        ),
        about="deduplication, feedback replacement, statistics windows",
    ),
    "reload": Module(
        ("bot/engine.py", "bot/store.py"),
        ("tests/test_engine.py", "tests/test_store.py"),
        functions=(
            "bot.engine.xǁEngineǁrefresh__mutmut_*",
            "bot.engine.xǁEngineǁ_load__mutmut_*",
            "bot.store.x_ensure_knowledge__mutmut_*",
            "bot.store.x_fingerprint__mutmut_*",
            "bot.store.xǁStoreǁknowledge_fingerprint__mutmut_*",
        ),
        about="knowledge reload: the engine's refresh, the store's fingerprint",
    ),
    "ops": Module(
        ("bot/slack/app.py",),
        ("tests/test_ops_authorisation.py",),
        functions=("bot.slack.app.xǁBotServicesǁis_ops__mutmut_*",),
        about="ops authorisation: who may mark a request done or failed",
    ),
    "reprocess": Module(
        ("bot/reprocess.py",),
        ("tests/test_reprocess.py", "tests/test_outbox.py", "tests/test_webhook.py"),
        about="reprocessing requests: their targets, validation, one open request per target",
    ),
    "outbox": Module(
        ("bot/outbox.py",),
        ("tests/test_outbox.py", "tests/test_reprocess.py"),
        about="the outbox: what must still reach ops or the webhook, and the loop that sends it",
    ),
    "webhook": Module(
        ("bot/webhook.py",),
        ("tests/test_webhook.py",),
        about="webhook delivery: its JSON and key, 2xx or a failed attempt kept on the request",
    ),
}

# Survivors judged equivalent: no behaviour a user (or operator) could notice differs.
# Keyed by mutant name; mutmut numbers mutants per function, so an edit to a function
# renumbers its mutants and this list must be read again.
_CASE = "aiohttp's headers are case-insensitive: the same header is read"


def _each(prefix: str, groups: dict[tuple[str, ...], str]) -> dict[str, str]:
    return {prefix + name: why for names, why in groups.items() for name in names}


_SQL = "SQLite reads keywords, table and column names in any case"
_JSON_SPACE = (
    "whitespace between the JSON values a template emits; every value is json.dumps'd, "
    "so no string can gain or lose a space"
)
_RELOAD = "templates ship with the code and never change under a running bot"
_NO_AUTOESCAPE = "jinja2's default is no autoescaping, as set"
EQUIVALENT: dict[str, str] = {
    **{
        f"bot.activity.x_{name}__mutmut_{n}": _SQL
        for name, numbers in {
            "first_time": (7,),
            "forget_old_events": (13,),
            "record_feedback": (6, 11, 13, 15, 18, 20, 22),
            "stats": (15, 17, 24, 32, 40),
        }.items()
        for n in numbers
    },
    "bot.activity.x_first_time__mutmut_18": "only the keys of the in-memory set are read",
    **{
        f"bot.cards.xǁCardRendererǁ__init____mutmut_{n}": why
        for numbers, why in [
            ((18, 27, 37), _RELOAD),
            ((19, 28), _NO_AUTOESCAPE),
            ((22, 23, 24, 31, 32, 33, 39, 40, 41), _JSON_SPACE),
        ]
        for n in numbers
    },
    "bot.cards.x_button_value__mutmut_52": "ensure_ascii=None is false, as False",
    "bot.cards.x_button_value__mutmut_26": (
        "with exactly twenty SKUs, n is 20: the click reads n or counts the SKUs carried, "
        "twenty either way"
    ),
    **{
        f"bot.cards.xǁCardRendererǁ__init____mutmut_{n}": (
            "an unknown default is read as English by the next line, as 'en' is"
        )
        for n in (2, 3)
    },
    **{
        f"bot.engine.xǁEngineǁrefresh__mutmut_{n}": (
            "the clock is checked twice, before and under the lock; either check alone "
            "keeps the five seconds (the first only spares taking the lock)"
        )
        for n in (4, 8)
    },
    **{
        name: (
            "only a missing knowledge directory gets this value, and it is never the "
            "fingerprint of files that load: '', 'XXXX' and the digest of no files all "
            "lead to the same reload, refused, with the last good base kept"
        )
        for name in (
            "bot.engine.xǁEngineǁrefresh__mutmut_14",
            "bot.engine.xǁEngineǁrefresh__mutmut_16",
            "bot.store.x_ensure_knowledge__mutmut_4",
            "bot.store.x_ensure_knowledge__mutmut_6",
        )
    },
    "bot.store.xǁStoreǁknowledge_fingerprint__mutmut_13": _SQL,
    **_each(
        "bot.matching.index.",
        {
            (
                "xǁWordIndexǁknown_words__mutmut_30",
                "xǁWordIndexǁknown_words__mutmut_33",
                "xǁWordIndexǁknown_words__mutmut_34",
                "xǁWordIndexǁcandidates__mutmut_15",
                "xǁWordIndexǁcandidates__mutmut_18",
                "xǁWordIndexǁcandidates__mutmut_19",
            ): "the sequences zipped are built from one list, so strict=True never fires",
            (
                "xǁWordIndexǁknown_words__mutmut_16",
                "xǁWordIndexǁknown_words__mutmut_21",
                "xǁWordIndexǁ__init____mutmut_37",
                "xǁWordIndexǁ__init____mutmut_39",
            ): "only the dtype changes (scores compared with zero, ids that are ints anyway)",
            ("xǁWordIndexǁ__init____mutmut_18",): (
                "the knowledge base has far more than two messages, so max(n, 1) is n"
            ),
        },
    ),
    **_each(
        "bot.matching.slots.",
        {
            (
                "x_fuzzy_slots__mutmut_26",
                "x_fuzzy_slots__mutmut_30",
                "x_fuzzy_slots__mutmut_31",
                "xǁSlotReaderǁnamed_slots__mutmut_11",
                "xǁSlotReaderǁnamed_slots__mutmut_14",
                "xǁSlotReaderǁnamed_slots__mutmut_15",
            ): "the sequences zipped are built from one list, so strict=True never fires",
            ("x_fuzzy_slots__mutmut_18",): "process.cdist's default scorer is fuzz.ratio, as named",
            ("xǁSlotReaderǁnamed_slots__mutmut_8",): (
                "with no attribute named, `& named` finds nothing in any word: only time is spent"
            ),
            ("xǁSlotReaderǁnamed_slots__mutmut_22",): "nothing follows the loop: return is break",
            ("xǁSlotReaderǁread__mutmut_43",): (
                "a list of one SKU is that SKU: the match's SKUs and slots come out the same"
            ),
            ("xǁSlotReaderǁtold_slots__mutmut_10",): (
                "the early return only saves work: with no open slot, or no quote beside an "
                "exact message, nothing is assigned either way"
            ),
            ("xǁSlotReaderǁtold_slots__mutmut_21", "xǁSlotReaderǁtold_slots__mutmut_22"): (
                "the SKU list written as text (\"['1', '2']\") is never a candidate's value"
            ),
            ("xǁSlotReaderǁwords_of__mutmut_10",): (
                "a placeholder read as 'XX XX' adds the word 'xx' to the message's words: a "
                "quote is refused as the message's own only if it is 'xx' in lower case"
            ),
        },
    ),
    "bot.matching.quotes.xǁQuoteReaderǁ_fragment__mutmut_15": (
        "a guess's exact flag None is false, as False"
    ),
    **_each(
        "bot.matching.retold_values.",
        {
            ("x_slots_of__mutmut_9",): (
                "no message in knowledge/ has a literal brace, so a piece without a "
                "placeholder is always the last one: break and continue both end the loop"
            ),
            tuple(f"x_slots_of__mutmut_{n}" for n in (25, 27, 28, 29)): (
                "a placeholder's name is English words (vtex, value, channel...), none of "
                "them 'no', the one word whose ideas depend on the language"
            ),
            ("x_slots_of__mutmut_60", "x_slots_of__mutmut_61"): (
                "no message has an {order} placeholder"
            ),
            ("x_candidates__mutmut_31", "x_candidates__mutmut_32"): (
                "group 0 is the whole quote or parenthesis: strip_value takes the marks off "
                "and the words it spans are the same"
            ),
            ("x_candidates__mutmut_36", "x_candidates__mutmut_37"): (
                "the groups are read up to the first that took part, at most lastindex"
            ),
            ("x_candidates__mutmut_104", "x_candidates__mutmut_106"): (
                "only 'no' reads differently without the language, and it is neither a "
                "Name, a number nor an attribute either way"
            ),
            ("x_assign__mutmut_1",): (
                "the early return only saves work: no slot or no candidate assigns nothing"
            ),
            ("x_assign__mutmut_55",): (
                "the test does not depend on the candidate: break skips the same candidates"
            ),
        },
    ),
    **_each(
        "bot.matching.calibration.",
        {
            ("x_confidence__mutmut_5", "x_confidence__mutmut_10"): (
                "every score passed in lies between 18 and 100, so neither bound binds"
            ),
        },
    ),
    **_each(
        "bot.matching.patterns.",
        {
            ("x_compile_message__mutmut_15",): (
                "no message in knowledge/ has a literal brace, so a piece without a "
                "placeholder is always the last one: break and continue both end the loop"
            ),
            ("x__slot_pattern__mutmut_3", "x__slot_pattern__mutmut_6"): (
                "no message puts a space between a parenthesis and its placeholder"
            ),
        },
    ),
    **_each(
        "bot.matching.align.",
        {
            ("x_short_message_score__mutmut_15", "x_short_message_score__mutmut_22"): (
                "the floor is 40 (100 - 60): under the guess threshold of 45, so 39 or 40 "
                "are never shown, and max(1.0, 40) is 40"
            ),
            tuple(f"x_exact_hits__mutmut_{n}" for n in (13, 14, 15, 16)): (
                "no short message has a placeholder, so there are no braces to remove"
            ),
            ("x_exact_hits__mutmut_27",): (
                "every placeholder is a named group of the message's pattern"
            ),
            ("x_exact_hits__mutmut_19",): (
                "more than eight copies of one message on a line report the same one error; "
                "the cap only bounds the time spent"
            ),
        },
    ),
    **_each(
        "bot.matching.decide.",
        {
            ("x_merge__mutmut_42", "x_merge__mutmut_48"): (
                "only the keys of these dicts are read (an ordered set)"
            ),
            tuple(f"x_choose__mutmut_{n}" for n in (66, 67, 68, 74)): (
                "a guess's exact flag, position and values are never read (alternatives "
                "keeps its entry, score and language)"
            ),
        },
    ),
    **_each(
        "bot.matcher.",
        {
            tuple(f"xǁMatcherǁ_line_hits__mutmut_{n}" for n in (27, 41, 58, 61)): (
                "the default of max() is used only when there are no hits to compare: "
                "neither 0 nor 1 reaches the threshold, and no hit needs a tie-breaker"
            ),
            tuple(f"xǁMatcherǁ_line_hits__mutmut_{n}" for n in (52, 54, 55)): (
                "a quoted stretch holds no quotation of its own (a mark that could close one "
                "in it would have closed the stretch): reading quotes in it finds none"
            ),
            ("xǁMatcherǁmatch__mutmut_31",): (
                "a single line joined is that same line, already read"
            ),
            ("xǁMatcherǁmatch__mutmut_41",): (
                "the line number of the joined lines only places SKUs said on other lines; "
                "the joined line holds every line, so its ids are read from it"
            ),
            ("xǁMatcherǁmatch__mutmut_15",): (
                "> or >= against perf_counter: equal to the nanosecond, the budget is the same"
            ),
        },
    ),
    **_each(
        "bot.normalize.",
        {
            ("x_clean_paste__mutmut_25",): (
                "a \r\n left alone becomes two line ends, and the blank line between is dropped"
            ),
            ("x_clean_paste__mutmut_92", "x_clean_paste__mutmut_94"): (
                "the test only skips work: running the emphasis clean-up on text without "
                "* ~ _ changes nothing"
            ),
        },
    ),
    "bot.store.xǁStoreǁknowledge_fingerprint__mutmut_17": (
        "kb_meta is only ever written with its fingerprint row (build_knowledge)"
    ),
    "bot.activity.x_first_time__mutmut_20": "popitem(last=None) drops the oldest, as last=False",
    "bot.slack.verify.xǁRequestGateǁ_headers__mutmut_15": _CASE,
    "bot.slack.verify.xǁRequestGateǁ_headers__mutmut_16": _CASE,
    "bot.slack.verify.xǁRequestGateǁ_headers__mutmut_24": _CASE,
    "bot.slack.verify.xǁRequestGateǁ_headers__mutmut_25": _CASE,
    "bot.slack.verify.xǁRequestGateǁ_headers__mutmut_17": (
        "a missing timestamp read as `XXXX` is refused as no valid timestamp all the same"
    ),
    "bot.slack.verify.xǁRequestGateǁ_headers__mutmut_20": (
        "a missing signature read as None is refused as no signature all the same"
    ),
    "bot.slack.verify.xǁRequestGateǁ_headers__mutmut_22": (
        "a missing signature read as None is refused as no signature all the same"
    ),
    "bot.slack.verify.xǁRequestGateǁread__mutmut_8": "Python's codec names ignore case",
    "bot.slack.verify.xǁRefusalLogǁnote__mutmut_21": (
        "no earlier quiet refusals: None and 0 both print no count"
    ),
    "bot.slack.verify.xǁRequestGateǁ__init____mutmut_1": (
        "the server always passes AMZERROR_BODY_TIMEOUT_SECONDS; this default is never used"
    ),
    **_each(
        "bot.reprocess.",
        {
            (
                "x__targets_of__mutmut_9",
                "x__targets_of__mutmut_14",
                "x_create_request__mutmut_40",
                "x_create_request__mutmut_42",
                "x_create_request__mutmut_56",
                "x_get_request__mutmut_10",
                "x_open_requests_for__mutmut_11",
                *(f"x_resolve__mutmut_{n}" for n in (18, 25, 37, 39, 61, 63)),
            ): _SQL,
            (
                "x__requests__mutmut_19",
                "x__requests__mutmut_21",
                "x_get_request__mutmut_17",
                "x_get_request__mutmut_19",
            ): (
                "every stored request has a target (create_request stores none without one, "
                "the migration gives each old row its own), so this default is never used"
            ),
            ("x_extract_targets__mutmut_5",): (
                "no text: neither '' nor 'XXXX' holds a digit, so no word is taken for an id"
            ),
            ("x_extract_targets__mutmut_25",): (
                "after the last word: neither '' nor 'XXXX' is a word that counts things"
            ),
            ("x_valid_targets__mutmut_9",): "setdefault's default is None, as written",
        },
    ),
    **_each(
        "bot.outbox.",
        {
            (
                "x_enqueue__mutmut_9",
                "xǁOutboxǁ_due__mutmut_8",
                "xǁOutboxǁ_due__mutmut_13",
                "xǁOutboxǁclaim_due__mutmut_20",
                "xǁOutboxǁretry__mutmut_10",
                "xǁOutboxǁretry__mutmut_12",
                "xǁOutboxǁstatus__mutmut_7",
            ): _SQL,
            ("x__owner_is_gone__mutmut_3",): (
                "a host name holds no colon, so the first colon of host:pid is the last"
            ),
            ("x__owner_is_gone__mutmut_5",): (
                "an item leased to no one: neither '' nor 'XXXX' names this host"
            ),
            ("x__owner_is_gone__mutmut_7",): (
                "owners are written by _owner() alone, so a pid of this host is digits; and "
                "without the own-pid check, signalling this very process finds it alive anyway"
            ),
            ("x_enqueue__mutmut_1",): (
                "its one caller, create_request, always says whether to claim"
            ),
            ("x_enqueue__mutmut_20",): (
                "an item not claimed is due at once: its owner is read only while a lease runs, "
                "and whoever claims it writes their own"
            ),
            ("xǁOutboxSenderǁrun__mutmut_7",): (
                "the next line turns a wait of None into idle_seconds, as set here"
            ),
            ("xǁOutboxǁ_due__mutmut_18", "xǁOutboxǁretry__mutmut_4"): (
                "only a time equal to the clock to the microsecond differs, and a moment "
                "later the item is due (or given up) all the same"
            ),
            tuple(f"xǁOutboxǁclaim_due__mutmut_{n}" for n in (27, 33, 41)): (
                "Item.last_error is read by no handler (ops and webhook keep their own, "
                "from the reason)"
            ),
        },
    ),
    **_each(
        "bot.webhook.xǁWebhookHandlerǁsend__mutmut_",
        {
            ("17", "18"): (
                "HTTP header names are case-insensitive: the receiver reads the same "
                "Idempotency-Key"
            ),
        },
    ),
}

# Bugs found surviving by hand before mutmut ran here, each applied once to the code and
# the test named seen failing (tests/...::name). mutmut's own mutants cover the rest.
BY_HAND = [
    (
        "is_ops returns bool(members): anyone may press Done",
        "tests/test_ops_authorisation.py::test_someone_outside_a_populated_ops_channel_may_not",
    ),
    (
        "the AMZERROR_OPS_USERS check deleted",
        "tests/test_ops_authorisation.py::test_a_configured_ops_user_may_without_asking_slack",
    ),
    (
        "watched-channel threshold 90 -> 72",
        "tests/test_slack_http.py::test_watched_channel_answers_sure_matches_only",
    ),
    (
        "a SKU on a neighbouring line ignored",
        "tests/test_slots.py::test_the_dev_set_is_answered_in_full_values_included",
    ),
    (
        "no live knowledge refresh",
        "tests/test_engine.py::test_an_edit_is_answered_within_five_seconds_without_a_restart",
    ),
    (
        "the card hides its truncation notice",
        "tests/test_escaping.py::test_a_cut_paste_says_so_on_the_card",
    ),
    (
        "feedback votes pile up",
        "tests/test_activity.py::test_voting_again_on_a_card_replaces_the_earlier_vote",
    ),
    (
        "stats ignore their window",
        "tests/test_activity.py::test_stats_count_only_what_happened_within_their_window",
    ),
    (
        "old event keys never cleaned up (the start-up call removed)",
        "tests/test_slack_http.py::test_a_restart_forgets_messages_answered_over_three_days_ago",
    ),
    (
        "old event keys never cleaned up (the delete removed)",
        "tests/test_activity.py::test_keys_older_than_three_days_are_forgotten_and_newer_kept",
    ),
    (
        "mention + message told apart by the key (deduplicated by the listener only)",
        "tests/test_activity.py::test_a_mention_and_its_message_event_claim_the_same_key",
    ),
]


def setup_cfg(module: Module) -> str:
    def lines(values) -> str:
        return "".join(f"\n    {v}" for v in values)

    return (
        "[mutmut]\n"
        "source_paths = bot\n"
        f"only_mutate ={lines(module.files)}\n"
        f"pytest_add_cli_args_test_selection ={lines(module.tests)}\n"
        f"also_copy ={lines(['knowledge', 'templates', 'locale', 'manifest.yml'])}\n"
        "use_git_change_detection = false\n"
        "timeout_multiplier = 10\n"
        "\n[tool:pytest]\n"
        "addopts = -q -p no:cacheprovider -p no:randomly\n"
    )


def prepare(name: str, module: Module) -> Path:
    """A scratch copy of what the tests need, with mutmut's settings for this module."""
    work = SCRATCH / name
    # The cards speak Portuguese and Spanish from locale/: without it they would fall back
    # to English, and a test of their language would fail against every mutant.
    for part in ("bot", "tests", "knowledge", "templates", "locale"):
        target = work / part
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / part, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(ROOT / "manifest.yml", work / "manifest.yml")
    # mutmut tries a function against the tests that were running when it was called. A
    # session fixture is built once, inside whichever test asks first, so what it calls
    # would be tried against that one test alone: here every test builds its own matcher
    # and renderer (the knowledge files, read by no module mutated here, stay shared).
    conftest = work / "tests" / "conftest.py"
    text = conftest.read_text()
    for name in ("matcher", "renderer"):
        text = text.replace(
            f'@pytest.fixture(scope="session")\ndef {name}(', f"@pytest.fixture\ndef {name}("
        )
    conftest.write_text(text)
    (work / "setup.cfg").write_text(setup_cfg(module))
    return work


def mutmut() -> str:
    found = shutil.which("mutmut", path=str(Path(sys.executable).parent))
    if not found:
        sys.exit("mutmut is not installed: pip install -e '.[mutation]'")
    return found


def run(name: str, module: Module, children: int) -> None:
    work = prepare(name, module)
    # A fresh run each time: results cached from older tests would flatter the figures.
    shutil.rmtree(work / "mutants", ignore_errors=True)
    print(f"== {name}: mutating {', '.join(module.files)}", flush=True)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(
        [mutmut(), "run", "--max-children", str(children), *module.functions],
        cwd=work,
        env=env,
        check=False,
    )


def run_again(name: str, module: Module, children: int) -> None:
    """The last run's survivors (and mutants it did not reach), and every mutant of a
    function changed since, against the current code and tests: minutes where a whole run
    takes most of an hour."""
    work = SCRATCH / name
    statuses = counted(module, results(name)).items()
    survivors = [m for m, s in statuses if s not in ("killed", "timeout")]
    if not survivors and not (work / "mutants").is_dir():
        return run(name, module, children)
    # A file not mutated before (new to the module) counts as changed throughout.
    changed = [
        f"{file[:-3].replace('/', '.')}.{function}__mutmut_*"
        for file in module.files
        for function in changed_functions(
            work / file if (work / "mutants" / f"{file}.meta").exists() else Path("/dev/null"),
            ROOT / file,
        )
    ]
    if module.functions:  # only the functions this module counts
        changed = [g for g in changed if any(fnmatch(g[:-1] + "1", p) for p in module.functions)]
    again = [m for m in survivors if not any(fnmatch(m, g) for g in changed)] + changed
    prepare(name, module)
    # mutmut copies a file into mutants/ only if it is not there yet: all but the results
    # (the .meta files) go, so the current tests and code are the ones run.
    for path in sorted((work / "mutants").rglob("*"), reverse=True):
        if path.is_file() and path.suffix != ".meta":
            path.unlink()
    print(f"== {name}: {len(survivors)} survivors, {len(changed)} changed functions", flush=True)
    if not again:
        return
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(
        [mutmut(), "run", "--max-children", str(children), *again], cwd=work, env=env, check=False
    )


def changed_functions(old: Path, new: Path) -> list[str]:
    """mutmut's names (`x_f`, `xǁClassǁm`) of the functions of `new` not the same in `old`."""

    def functions(path: Path) -> dict[str, str]:
        found: dict[str, str] = {}
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found[f"x_{node.name}"] = ast.dump(node)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        found[f"xǁ{node.name}ǁ{item.name}"] = ast.dump(item)
        return found

    before, after = functions(old), functions(new)
    return [name for name, body in after.items() if before.get(name) != body]


def results(name: str) -> dict[str, str]:
    """Mutant name -> status (killed, survived, timeout, no tests, ...) of the last run."""
    work = SCRATCH / name
    if not (work / "mutants").is_dir():
        return {}
    done = subprocess.run(
        [mutmut(), "results", "--all", "true"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    statuses = {}
    for line in done.stdout.splitlines():
        found = re.match(r"\s*(\S+__mutmut_\d+): (.+)$", line)
        if found:
            statuses[found.group(1)] = found.group(2).strip()
    return statuses


def diff(name: str, mutant: str) -> str:
    """The changed line of a mutant, as `-old` / `+new`."""
    done = subprocess.run(
        [mutmut(), "show", mutant], cwd=SCRATCH / name, capture_output=True, text=True
    )
    changed = [
        line.strip()
        for line in done.stdout.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return " / ".join(changed)[:300]


def counted(module: Module, statuses: dict[str, str]) -> dict[str, str]:
    if not module.functions:
        return statuses
    return {m: s for m, s in statuses.items() if any(fnmatch(m, p) for p in module.functions)}


def earlier_report() -> tuple[dict[str, str], dict[str, list[str]]]:
    """The rows and survivor notes per module of the report as it stands."""
    rows: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    if not REPORT.exists():
        return rows, notes
    section = None
    for line in REPORT.read_text().splitlines():
        if line.startswith("| ") and line.split(" | ")[0][2:] in MODULES:
            rows[line.split(" | ")[0][2:]] = line
        elif line.startswith("### "):
            section = line[4:].strip()
            notes[section] = ["", line, ""]
        elif section in MODULES and line.startswith("- "):
            notes[section].append(line)
    return rows, notes


def report() -> str:
    rows, notes, everything = [], [], {}
    earlier_rows, earlier_notes = earlier_report()
    for name, module in MODULES.items():
        statuses = counted(module, results(name))
        everything[name] = statuses
        if not statuses:
            # Not run in this checkout: as the last report had it, if it had it.
            rows.append(earlier_rows.get(name, f"| {name} | not run | | | | | | {module.about} |"))
            notes.extend(earlier_notes.get(name, []))
            continue
        killed = sum(s == "killed" for s in statuses.values())
        timeouts = sum(s == "timeout" for s in statuses.values())
        survived = [m for m, s in statuses.items() if s not in ("killed", "timeout")]
        equivalent = [m for m in survived if m in EQUIVALENT]
        total = len(statuses)
        # The usual mutation score: a timeout is caught too (the tests hung and were
        # stopped), and an equivalent mutant is no bug, so nothing could kill it.
        score = (killed + timeouts) / max(total - len(equivalent), 1)
        flag = "" if score >= TARGET else " (below target)"
        rows.append(
            f"| {name} | {total} | {killed} | {timeouts} | {len(equivalent)} "
            f"| {len(survived) - len(equivalent)} | {score:.0%}{flag} | {module.about} |"
        )
        if survived:
            notes.append(f"\n### {name}\n")
            for mutant in sorted(survived, key=_natural):
                why = EQUIVALENT.get(mutant, f"not yet killed ({statuses[mutant]})")
                notes.append(f"- `{mutant}`: `{diff(name, mutant)}`: {why}")
    lines = [
        "# Mutation report",
        "",
        "Written by `make mutation` (benchmarks/mutation.py, mutmut 3). Each module is mutated",
        "alone and only its fast unit tests run; a mutant is *killed* when a test fails,",
        "*timeout* when it makes a test hang (also caught). *Equivalent* survivors change",
        "nothing a user or operator could notice (each is listed below with why). Score:",
        f"(killed + timeout) / (mutants - equivalent); target {TARGET:.0%} per module.",
        "",
        "| module | mutants | killed | timeout | equivalent | not killed | score | what |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "## Bugs applied by hand",
        "",
        "| change | killed by |",
        "|---|---|",
        *(f"| {change} | `{test}` |" for change, test in BY_HAND),
        "",
        "## Survivors",
        *(notes or ["", "None."]),
        "",
    ]
    (SCRATCH / "statuses.json").write_text(json.dumps(everything, indent=1, sort_keys=True))
    return "\n".join(lines)


def _natural(name: str) -> tuple[str, int]:
    base, _, number = name.rpartition("__mutmut_")
    return base, int(number or 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"some of: {', '.join(MODULES)}")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument(
        "--again", action="store_true", help="only the survivors and the functions changed since"
    )
    parser.add_argument("--children", type=int, default=1, help="parallel mutants (CPU cores)")
    args = parser.parse_args(argv)
    unknown = set(args.modules) - set(MODULES)
    if unknown:
        parser.error(f"unknown modules {sorted(unknown)}; choose from {', '.join(MODULES)}")
    if not args.report_only:
        for name in args.modules or list(MODULES):
            (run_again if args.again else run)(name, MODULES[name], args.children)
    text = report()
    REPORT.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

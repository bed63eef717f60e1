"""The `amzerror` command: match pastes, manage the knowledge base, evaluate, serve."""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
from pathlib import Path
from typing import NoReturn, TextIO

from bot.cards import CardError, card_as_text
from bot.config import ConfigError, Settings
from bot.engine import Engine
from bot.evaluation import evaluate, format_report, read_cases
from bot.knowledge import load_knowledge
from bot.store import Store, ensure_knowledge

log = logging.getLogger("amzerror")


class UsageError(Exception):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see 'amzerror --help')")


def _read_text(text: str | None, stdin: TextIO) -> str:
    if text is None or text == "-":
        if stdin.isatty():
            raise UsageError("give the error text as an argument, or pipe it on stdin")
        return stdin.read()
    return text


def cmd_match(args: argparse.Namespace, settings: Settings, out: TextIO, stdin: TextIO) -> int:
    engine = Engine(settings)
    if args.jsonl:
        failures = 0
        for number, line in enumerate(stdin, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                text = data["text"]
                if not isinstance(text, str):
                    raise TypeError("text is not a string")
            except (ValueError, KeyError, TypeError) as exc:
                failures += 1
                print(f'amzerror: line {number}: expected {{"text": ...}} ({exc})', file=sys.stderr)
                continue
            out.write(json.dumps(engine.match(text).as_dict(), ensure_ascii=False) + "\n")
        return 1 if failures else 0
    text = " ".join(args.text) if args.text else None
    explanation = engine.explain(_read_text(text, stdin))
    if args.json:
        payload = {**explanation.result.as_dict(), "blocks": explanation.card.blocks}
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(card_as_text(explanation.card) + "\n")
    return 0


def cmd_kb(args: argparse.Namespace, settings: Settings, out: TextIO, stdin: TextIO) -> int:
    if args.kb_command == "validate":
        loaded = load_knowledge(settings.knowledge_dir)
        for problem in loaded.problems:
            out.write(f"{problem}\n")
        count = len(loaded.entries)
        if loaded.problems:
            print(
                f"amzerror: {len(loaded.problems)} problems; {count} valid entries",
                file=sys.stderr,
            )
            return 1
        out.write(f"{count} entries valid\n")
        return 0
    store = Store(settings.db_path)
    if args.kb_command == "build":
        status = ensure_knowledge(store, settings.knowledge_dir, force=True)
        if status.problems:
            for problem in status.problems:
                print(f"{problem}", file=sys.stderr)
            print(
                f"amzerror: knowledge base not rebuilt ({len(status.problems)} problems); "
                f"still serving {len(status.entries)} entries",
                file=sys.stderr,
            )
            return 1
        out.write(f"built {len(status.entries)} entries into {settings.db_path}\n")
        return 0
    engine = Engine(settings, store)
    if args.kb_command == "list":
        for entry in sorted(engine.entries.values(), key=lambda e: (e.scope, e.category, e.id)):
            out.write(f"{entry.id:<40} {entry.scope:<8} {entry.title}\n")
        return 0
    if args.kb_command == "show":
        entry = engine.entry(args.id)
        if entry is None:
            raise UsageError(f"no entry {args.id!r} (see 'amzerror kb list')")
        out.write(card_as_text(engine.cards.entry_card(entry)) + "\n")
        return 0
    if args.kb_command == "search":
        query = " ".join(args.words)
        found = store.search(query)
        for entry in found:
            out.write(f"{entry.id:<40} {entry.title}\n")
        if not found:
            print(f"amzerror: nothing matches {query!r}", file=sys.stderr)
            return 1
        return 0
    raise UsageError("kb needs one of: build, validate, list, show ID, search WORDS")


def cmd_eval(args: argparse.Namespace, settings: Settings, out: TextIO, stdin: TextIO) -> int:
    cases = read_cases(Path(args.file))
    report = evaluate(cases, Engine(settings).matcher)
    if args.json:
        out.write(json.dumps(report.as_dict(), indent=2) + "\n")
    else:
        out.write(format_report(report) + "\n")
        if args.failures:
            for failure in report.failures:
                out.write(json.dumps(failure, ensure_ascii=False) + "\n")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings, out: TextIO, stdin: TextIO) -> int:
    from bot.slack.server import serve  # Slack libraries load only when serving

    return serve(settings, http=args.http, host=args.host, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="amzerror", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    match = sub.add_parser("match", help="explain pasted error text")
    match.add_argument("text", nargs="*", help="the text (or '-' / nothing: read stdin)")
    fmt = match.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object with the blocks")
    fmt.add_argument("--jsonl", action="store_true", help='stdin lines {"text": ...} to JSON lines')
    match.set_defaults(func=cmd_match)

    kb = sub.add_parser("kb", help="the knowledge base")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True, parser_class=_Parser)
    kb_sub.add_parser("build", help="compile knowledge/*.yml into SQLite")
    kb_sub.add_parser("validate", help="check every knowledge file against the schema")
    kb_sub.add_parser("list", help="every entry")
    show = kb_sub.add_parser("show", help="one entry as its card")
    show.add_argument("id")
    search = kb_sub.add_parser("search", help="full-text search")
    search.add_argument("words", nargs="+")
    kb.set_defaults(func=cmd_kb)

    ev = sub.add_parser("eval", help="accuracy on a labelled JSONL file")
    ev.add_argument("file")
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--failures", action="store_true", help="list the cases that failed")
    ev.set_defaults(func=cmd_eval)

    serve = sub.add_parser("serve", help="run the Slack bot (Socket Mode unless --http)")
    serve.add_argument("--http", action="store_true", help="HTTP mode for production")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=3000)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        args = build_parser().parse_args(argv)
        logging.basicConfig(
            level=logging.INFO if args.verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        try:
            settings = Settings.from_env()
        except ConfigError as exc:  # a variable that cannot be read: like a wrong argument
            raise UsageError(str(exc)) from None
        return args.func(args, settings, out, sys.stdin)
    except UsageError as exc:
        print(f"amzerror: {exc}", file=sys.stderr)
        return 2
    except (ConfigError, CardError, ValueError, OSError, sqlite3.Error) as exc:
        print(f"amzerror: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""The `amzerror` command: match pastes, manage the knowledge base, evaluate, serve."""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import json
import logging
import os
import shlex
import shutil
import signal
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NoReturn, TextIO

from bot.cards import Card, CardError
from bot.config import ConfigError, Settings
from bot.engine import Engine
from bot.evaluation import evaluate, format_report, read_cases, unknown_ids
from bot.knowledge import load_knowledge
from bot.language import LANGUAGES, choose_language
from bot.store import StorageError, Store, ensure_knowledge
from bot.terminal import render_card, terminal_width, wants_colour
from bot.vocabulary import load_vocabulary

log = logging.getLogger("amzerror")


class UsageError(Exception):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see 'amzerror --help')")


def valid_unicode(text: str) -> str:
    """`text` with whatever cannot be written as UTF-8 replaced by U+FFFD.

    Undecodable bytes in arguments arrive as lone surrogates (and JSON may spell one
    out as `\\udc80`); written out, they would be invalid UTF-8 or an encoding error.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _read_text(text: str | None, stdin: TextIO) -> str:
    if text is None or text == "-":
        if stdin.isatty():
            raise UsageError("give the error text as an argument, or pipe it on stdin")
        return valid_unicode(stdin.read())
    return valid_unicode(text)


def _jsonl_text(line: str) -> str:
    """The text of one `--jsonl` input line; ValueError says why there is none."""
    if not line.strip():
        raise ValueError('blank line; expected {"text": ...}')
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise ValueError(f'not JSON ({exc}); expected {{"text": ...}}') from None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise ValueError('expected {"text": ...} with a string')
    return valid_unicode(data["text"])


def match_lines(engine: Engine, lines: Iterable[str]) -> Iterator[tuple[int, dict]]:
    """One answer per input line, numbered from 1: the match, or `{"error": ...}`.

    Line N of the output answers line N of the input, blank and broken lines included,
    so the two files can be read side by side.
    """
    for number, line in enumerate(lines, 1):
        try:
            text = _jsonl_text(line)
        except ValueError as exc:
            yield number, {"error": str(exc)}
            continue
        try:
            yield number, engine.match(text).as_dict()
        except Exception as exc:  # one bad line must not end a batch of thousands
            log.exception("line %d could not be matched", number)
            yield number, {"error": f"could not match this text ({type(exc).__name__}: {exc})"}


def _for_terminal(card: Card, out: TextIO) -> str:
    return render_card(card, wants_colour(out), terminal_width(), this_command())


def cmd_match(args: argparse.Namespace, settings: Settings, out: TextIO, stdin: TextIO) -> int:
    engine = Engine(settings)
    if args.jsonl:
        failures = 0
        for number, answer in match_lines(engine, stdin):
            if "error" in answer:
                failures += 1
                print(f"amzerror: line {number}: {answer['error']}", file=sys.stderr)
            out.write(json.dumps(answer, ensure_ascii=False) + "\n")
            out.flush()  # each answer as soon as it is known, for a pipe that reads as we go
        return 1 if failures else 0
    text = " ".join(args.text) if args.text else None
    pasted = _read_text(text, stdin)
    lang = args.lang or choose_language(text=pasted, default=settings.language)
    explanation = engine.explain(pasted, lang=lang)
    if args.json:
        payload = {**explanation.result.as_dict(), "blocks": explanation.card.blocks}
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(_for_terminal(explanation.card, out) + "\n")
    return 0


def cmd_kb(args: argparse.Namespace, settings: Settings, out: TextIO, stdin: TextIO) -> int:
    if args.kb_command == "validate":
        loaded = load_knowledge(settings.knowledge_dir)
        loaded.problems.extend(load_vocabulary(settings.knowledge_dir)[1])
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
        entries = sorted(engine.entries.values(), key=lambda e: (e.scope, e.category, e.id))
        if args.json:
            rows = [
                {"id": e.id, "scope": e.scope, "category": e.category, "title": e.title}
                for e in entries
            ]
            out.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
            return 0
        width = max((len(e.id) for e in entries), default=0)
        cat_width = max((len(e.category) for e in entries), default=0)
        for e in entries:
            out.write(f"{e.scope:<8} {e.category:<{cat_width}}  {e.id:<{width}}  {e.title}\n")
        return 0
    if args.kb_command == "show":
        entry = engine.entry(args.id)
        if entry is None:
            raise UsageError(f"no entry {args.id!r} (see 'amzerror kb list')")
        out.write(_for_terminal(engine.cards.entry_card(entry), out) + "\n")
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
    engine = Engine(settings)
    unknown = unknown_ids(cases, engine.entries)
    if unknown:
        case, entry_id = unknown[0]
        raise ValueError(
            f"{args.file}:{case.line}: expect {entry_id!r} is not an entry (see 'amzerror kb list')"
        )
    report = evaluate(cases, engine.matcher)
    if args.json:
        out.write(json.dumps(report.as_dict(), indent=2) + "\n")
    else:
        out.write(format_report(report) + "\n")
        if args.failures:
            for failure in report.failures:
                out.write(json.dumps(failure, ensure_ascii=False) + "\n")
    return 0


def this_command() -> str:
    """How to run `amzerror` from here: its bare name when that is on PATH, else its path."""
    script = Path(sys.executable).parent / "amzerror"
    on_path = shutil.which("amzerror")
    if not script.exists() or (on_path and Path(on_path).resolve() == script.resolve()):
        return "amzerror"
    try:
        return shlex.quote(str(script.relative_to(Path.cwd())))
    except ValueError:
        return shlex.quote(str(script))


def cmd_serve(args: argparse.Namespace, settings: Settings, out: TextIO, stdin: TextIO) -> int:
    from bot.slack.server import require, serve  # Slack libraries load only when serving

    try:
        require(settings, "http" if args.http else "socket")
    except ConfigError as exc:
        raise ConfigError(
            f"{exc}; meanwhile try a match here: {this_command()} match 'Inactive SKU'"
        ) from None
    return serve(settings, http=args.http, host=args.host, port=args.port)


def _port(value: str) -> int:
    # 0 asks for a free port, chosen by the kernel and logged (tests, supervisors).
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a port number from 1 to 65535 (or 0 for any free one)"
        )
    return int(value)


def _version() -> str:
    try:
        return importlib.metadata.version("amzerror")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout never installed
        return "(not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="amzerror", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument("--version", action="version", version=f"amzerror {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    match = sub.add_parser("match", help="explain pasted error text")
    match.add_argument("text", nargs="*", help="the text (or '-' / nothing: read stdin)")
    match.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="answer in this language (default: the one the text is written in)",
    )
    fmt = match.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object with the blocks")
    fmt.add_argument(
        "--jsonl",
        action="store_true",
        help='stdin lines {"text": ...} to JSON lines, one answer per line',
    )
    match.set_defaults(func=cmd_match)

    kb = sub.add_parser("kb", help="the knowledge base")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True, parser_class=_Parser)
    kb_sub.add_parser("build", help="compile knowledge/*.yml into SQLite")
    kb_sub.add_parser("validate", help="check every knowledge file against the schema")
    listing = kb_sub.add_parser("list", help="every entry, by scope, category and id")
    listing.add_argument("--json", action="store_true", help="a JSON array of the entries")
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
    serve.add_argument("--port", type=_port, default=3000)
    serve.set_defaults(func=cmd_serve)
    return parser


def _utf8_stdin() -> TextIO:
    """stdin as UTF-8 whatever the locale, an undecodable byte read as U+FFFD."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # already text (a test's StringIO)
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace")


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if out is None:
            out = sys.stdout
            if isinstance(out, io.TextIOWrapper):
                # A character the terminal cannot show becomes "?" rather than an error
                # halfway through a card; JSON is UTF-8 whatever the locale.
                json_out = getattr(args, "json", False) or getattr(args, "jsonl", False)
                out.reconfigure(encoding="utf-8" if json_out else None, errors="replace")
        logging.basicConfig(
            level=logging.INFO if args.verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        settings = Settings.from_env()
        return args.func(args, settings, out, _utf8_stdin())
    except (UsageError, ConfigError) as exc:
        print(f"amzerror: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except (CardError, ValueError, OSError, sqlite3.Error, StorageError) as exc:
        print(f"amzerror: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

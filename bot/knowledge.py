"""Load and validate the human-editable knowledge files (one YAML file per error)."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

SCOPES = ("product", "order")
CATEGORIES = (
    "mapping-spreadsheet",
    "missing-attributes",
    "offer-matching",
    "token-permissions",
    "integration-config",
    "global-category",
    "inactive-sku",
    "orders",
)
LANGUAGES = ("en", "pt", "es")
PLACEHOLDERS = (
    "attribute",
    "value",
    "vtex_value",
    "amazon_value",
    "sku",
    "order",
    "category",
    "seller",
    "sales_channel",
)
REPROCESS_TARGETS = ("sku", "order", "none")
# What must be fixed elsewhere before reprocessing can work at all (`reprocess.waits_for`).
REPROCESS_WAITS_FOR = ("token", "permissions", "configuration")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TITLE = 80


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Wording:
    """Another text VTEX has printed for an error (an older connector message, a translated
    table cell), verbatim, with where it was seen."""

    lang: str
    text: str
    source: str


@dataclass(frozen=True)
class Entry:
    """One known error: how VTEX prints it, what it means and how to fix it."""

    id: str
    scope: str
    category: str
    title: str
    messages: dict[str, tuple[str, ...]]
    meaning: str
    fix: tuple[str, ...]
    admin_path: str
    links: tuple[Link, ...]
    reprocess_target: str
    reprocess_note: str = ""
    reprocess_waits_for: str = ""
    keywords: tuple[str, ...] = ()
    source: str = ""
    wordings: tuple[Wording, ...] = ()
    # The same explanation in Portuguese and Spanish: language -> Localized.
    translations: dict[str, Localized] = field(default_factory=dict)

    @property
    def reprocessable(self) -> bool:
        return self.reprocess_target != "none"

    @property
    def message(self) -> str:
        """The first English message, the one cards show."""
        return self.messages["en"][0]

    def all_messages(self) -> list[tuple[str, str]]:
        """Every (language, message) pair."""
        return [(lang, m) for lang in LANGUAGES for m in self.messages.get(lang, ())]

    def all_texts(self) -> list[tuple[str, str]]:
        """Every (language, text) the platform prints for this error: messages, then wordings."""
        return [*self.all_messages(), *((w.lang, w.text) for w in self.wordings)]

    def in_language(self, lang: str) -> Entry:
        """This entry with its title, meaning, fix, Admin path, note and links in `lang`
        (English, the language of the file, when it has no such translation)."""
        local = self.translations.get(lang)
        if local is None:
            return self
        return replace(
            self,
            title=local.title,
            meaning=local.meaning,
            fix=local.fix,
            admin_path=local.admin_path,
            links=local.links,
            reprocess_note=local.reprocess_note,
        )


@dataclass(frozen=True)
class Localized:
    """What an entry explains, in one more language; the messages stay as VTEX prints them."""

    title: str
    meaning: str
    fix: tuple[str, ...]
    admin_path: str
    links: tuple[Link, ...]
    reprocess_note: str = ""

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "meaning": self.meaning,
            "fix": list(self.fix),
            "admin_path": self.admin_path,
            "links": [{"title": link.title, "url": link.url} for link in self.links],
            "reprocess_note": self.reprocess_note,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Localized:
        return cls(
            data["title"],
            data["meaning"],
            tuple(data["fix"]),
            data["admin_path"],
            tuple(Link(link["title"], link["url"]) for link in data["links"]),
            data.get("reprocess_note") or "",
        )


@dataclass(frozen=True)
class Problem:
    """One reason a knowledge file cannot be used."""

    file: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


@dataclass
class LoadResult:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def placeholders_in(message: str) -> list[str]:
    """Placeholder names in a message, in order (`{sku}` -> `sku`)."""
    return [name for _, name, _, _ in string.Formatter().parse(message) if name is not None]


def _check_message(message: Any, where: str, problems: list[Problem], file: str) -> None:
    if not isinstance(message, str) or not message.strip():
        problems.append(Problem(file, where, "must be a non-empty string"))
        return
    try:
        names = placeholders_in(message)
    except ValueError as exc:
        problems.append(Problem(file, where, f"unbalanced braces ({exc})"))
        return
    for name in names:
        if name not in PLACEHOLDERS:
            allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            problems.append(Problem(file, where, f"unknown placeholder {{{name}}} (use {allowed})"))


def _text(
    data: dict, key: str, file: str, problems: list[Problem], limit: int = 3000, within: str = ""
) -> str:
    """The string `data[key]`; a problem named `within.key` when it is missing or too long."""
    value = data.get(key)
    name = f"{within}.{key}" if within else key
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(file, name, "required, must be a non-empty string"))
        return ""
    if len(value) > limit:
        problems.append(Problem(file, name, f"longer than {limit} characters"))
    return value.strip()


def parse_entry(data: Any, file: str) -> tuple[Entry | None, list[Problem]]:
    """Check one file's parsed YAML against the schema; the entry only when it is valid."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return None, [Problem(file, "(file)", "must be a YAML mapping of fields")]
    known = {
        "id",
        "scope",
        "category",
        "title",
        "messages",
        "meaning",
        "fix",
        "admin_path",
        "links",
        "reprocess",
        "keywords",
        "wordings",
        "translations",
    }
    for key in sorted(set(data) - known, key=str):
        problems.append(Problem(file, str(key), "unknown field"))

    entry_id = _text(data, "id", file, problems, 80)
    if entry_id and not ID_PATTERN.match(entry_id):
        problems.append(Problem(file, "id", "use lowercase words joined by hyphens"))
    stem = Path(file).stem
    if entry_id and entry_id != stem:
        problems.append(Problem(file, "id", f"{entry_id!r} differs from the file name {stem!r}"))
    scope = data.get("scope")
    if scope not in SCOPES:
        problems.append(Problem(file, "scope", f"must be one of {', '.join(SCOPES)}"))
    category = data.get("category")
    if category not in CATEGORIES:
        problems.append(Problem(file, "category", f"must be one of {', '.join(CATEGORIES)}"))
    title = _text(data, "title", file, problems, MAX_TITLE)

    messages: dict[str, tuple[str, ...]] = {}
    raw_messages = data.get("messages")
    if not isinstance(raw_messages, dict) or not raw_messages.get("en"):
        problems.append(Problem(file, "messages.en", "required: the English message(s)"))
    else:
        for lang, items in raw_messages.items():
            if lang not in LANGUAGES:
                problems.append(Problem(file, f"messages.{lang}", "unknown language (en, pt, es)"))
                continue
            if isinstance(items, str):
                items = [items]
            if not isinstance(items, list) or not items:
                problems.append(Problem(file, f"messages.{lang}", "must be a list of messages"))
                continue
            for i, message in enumerate(items):
                _check_message(message, f"messages.{lang}[{i}]", problems, file)
            messages[lang] = tuple(m.strip() for m in items if isinstance(m, str))

    meaning = _text(data, "meaning", file, problems)
    fix_raw = data.get("fix")
    if not isinstance(fix_raw, list) or not fix_raw:
        problems.append(Problem(file, "fix", "required: a list of steps"))
        fix_raw = []
    for i, step in enumerate(fix_raw):
        if not isinstance(step, str) or not step.strip():
            problems.append(Problem(file, f"fix[{i}]", "must be a non-empty string"))
    admin_path = _text(data, "admin_path", file, problems, 200)

    links: list[Link] = []
    links_raw = data.get("links") or []
    if not isinstance(links_raw, list):
        problems.append(Problem(file, "links", "must be a list of {title, url}"))
        links_raw = []
    for i, link in enumerate(links_raw):
        if not isinstance(link, dict) or not isinstance(link.get("title"), str):
            problems.append(Problem(file, f"links[{i}]", "needs a title and a url"))
            continue
        url = link.get("url")
        if not isinstance(url, str) or not url.startswith("https://"):
            problems.append(Problem(file, f"links[{i}].url", "must be an https:// URL"))
            continue
        links.append(Link(link["title"].strip(), url.strip()))

    reprocess = data.get("reprocess")
    target = "none"
    note = ""
    waits_for = ""
    if not isinstance(reprocess, dict) or reprocess.get("target") not in REPROCESS_TARGETS:
        problems.append(
            Problem(file, "reprocess.target", f"must be one of {', '.join(REPROCESS_TARGETS)}")
        )
    else:
        target = reprocess["target"]
        note = str(reprocess.get("note") or "").strip()
        waits_for = str(reprocess.get("waits_for") or "").strip()
        if waits_for and waits_for not in REPROCESS_WAITS_FOR:
            problems.append(
                Problem(
                    file,
                    "reprocess.waits_for",
                    f"must be one of {', '.join(REPROCESS_WAITS_FOR)}",
                )
            )
        elif waits_for and not note:
            problems.append(
                Problem(file, "reprocess.note", "required with waits_for: what to fix first")
            )
        expected = {"product": "sku", "order": "order"}.get(scope)
        if target not in (expected, "none") and expected:
            problems.append(
                Problem(file, "reprocess.target", f"a {scope} error reprocesses {expected} or none")
            )
    keywords = data.get("keywords") or []
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        problems.append(Problem(file, "keywords", "must be a list of words"))
        keywords = []

    wordings = _wordings(data.get("wordings"), file, problems)
    translations = _translations(
        data.get("translations"), file, problems, len(fix_raw), len(links), bool(note)
    )

    if problems:
        return None, problems
    return (
        Entry(
            id=entry_id,
            scope=scope,
            category=category,
            title=title,
            messages=messages,
            meaning=meaning,
            fix=tuple(s.strip() for s in fix_raw),
            admin_path=admin_path,
            links=tuple(links),
            reprocess_target=target,
            reprocess_note=note,
            reprocess_waits_for=waits_for,
            keywords=tuple(k.strip() for k in keywords),
            source=file,
            wordings=wordings,
            translations=translations,
        ),
        [],
    )


def _wordings(raw: Any, file: str, problems: list[Problem]) -> tuple[Wording, ...]:
    """`wordings:` items, each `{<lang>: text, source: where it was seen}`."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(Problem(file, "wordings", "must be a list of {<lang>: text, source: ...}"))
        return ()
    found = []
    for i, item in enumerate(raw):
        where = f"wordings[{i}]"
        langs = [k for k in item if k in LANGUAGES] if isinstance(item, dict) else []
        if len(langs) != 1 or set(item) != {langs[0], "source"}:
            problems.append(Problem(file, where, "needs one of en/pt/es with the text, and source"))
            continue
        source = item.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(Problem(file, f"{where}.source", "say where VTEX printed it"))
            continue
        _check_message(item[langs[0]], f"{where}.{langs[0]}", problems, file)
        if isinstance(item[langs[0]], str):
            found.append(Wording(langs[0], item[langs[0]].strip(), source.strip()))
    return tuple(found)


TRANSLATED = ("pt", "es")


def _translations(
    raw: Any, file: str, problems: list[Problem], steps: int, links: int, has_note: bool
) -> dict[str, Localized]:
    """`translations: {pt: {...}, es: {...}}`: every language, every field, step for step."""
    if not isinstance(raw, dict):
        raw = {}
    found: dict[str, Localized] = {}
    for lang in TRANSLATED:
        where = f"translations.{lang}"
        data = raw.get(lang)
        if not isinstance(data, dict):
            problems.append(Problem(file, where, "missing: the explanation in this language"))
            continue
        before = len(problems)
        title = _text(data, "title", file, problems, MAX_TITLE, where)
        meaning = _text(data, "meaning", file, problems, within=where)
        admin_path = _text(data, "admin_path", file, problems, 200, where)
        fix = data.get("fix")
        if (
            not isinstance(fix, list)
            or len(fix) != steps
            or not all(isinstance(x, str) and x.strip() for x in fix)
        ):
            problems.append(Problem(file, f"{where}.fix", f"needs the {steps} steps, in order"))
            fix = []
        raw_links = data.get("links") or []
        if (
            not isinstance(raw_links, list)
            or len(raw_links) != links
            or not all(
                isinstance(x, dict)
                and isinstance(x.get("title"), str)
                and str(x.get("url", "")).startswith("https://")
                for x in raw_links
            )
        ):
            problems.append(
                Problem(
                    file,
                    f"{where}.links",
                    f"needs the {links} links, each with a title and an https:// url",
                )
            )
            raw_links = []
        note = str(data.get("reprocess_note") or "").strip()
        if has_note and not note:
            problems.append(
                Problem(file, f"{where}.reprocess_note", "missing: the note in this language")
            )
        if len(problems) == before:
            found[lang] = Localized(
                title,
                meaning,
                tuple(x.strip() for x in fix),
                admin_path,
                tuple(Link(x["title"].strip(), x["url"].strip()) for x in raw_links),
                note,
            )
    return found


def knowledge_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yml") if p.is_file())


def load_file(path: Path) -> tuple[Entry | None, list[Problem]]:
    """Read and check one knowledge file; never raises on bad content."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(path.name, where, f"not valid YAML: {reason}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(path.name, "(file)", f"cannot read: {exc}")]
    return parse_entry(data, path.name)


def load_knowledge(directory: Path) -> LoadResult:
    """Every valid entry in `directory`, and the problems of the files that are not."""
    result = LoadResult()
    if not directory.is_dir():
        result.problems.append(Problem(str(directory), "(directory)", "not found"))
        return result
    seen: dict[str, str] = {}
    for path in knowledge_files(directory):
        entry, problems = load_file(path)
        result.problems.extend(problems)
        if entry is None:
            continue
        if entry.id in seen:
            result.problems.append(
                Problem(path.name, "id", f"{entry.id!r} is already used by {seen[entry.id]}")
            )
            continue
        seen[entry.id] = path.name
        result.entries.append(entry)
    if not result.entries and not result.problems:
        result.problems.append(Problem(str(directory), "(directory)", "holds no *.yml files"))
    return result

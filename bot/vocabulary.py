"""The domain's words that the matcher reads around errors, kept as data in `knowledge/vocabulary/`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge import LANGUAGES, Problem
from bot.normalize import fold

LISTS = (
    "other_marketplaces",
    "ignore",
    "attribute_ideas",
    "value_ideas",
    "problem_ideas",
    "specific_problems",
    "joining_words",
)
_LIST_REASON = "must be a list of words or phrases (quote no, yes, on, off, y, n)"
GROUPS = ("concepts",)
# Words that mean one thing in one language and another (or nothing) in the others:
# `in_language: {es: {negation: ['no']}}`; `ignore` as the idea says "no idea at all".
BY_LANGUAGE = "in_language"
IGNORE = "ignore"


@dataclass(frozen=True)
class Vocabulary:
    """What the matcher knows of the words around an error.

    `concepts` maps an idea to the words that say it in any language (a word in two
    groups says both); `ignore` lists words that say nothing here (articles, chat);
    `in_language` gives words their idea in one language only ("no" is a negation in
    Spanish and English, "in the" in Portuguese); `attribute_ideas` are the ideas that
    name an attribute; `value_ideas` those that say an error is about a value the line may
    quote (a value, a variation); `problem_ideas` those that say something is wrong (a negation,
    inactive, expired, different...), and `specific_problems` those of them that say which
    wrong (different is not missing); `joining_words` join two clauses ("and also");
    `other_marketplaces` names the marketplaces whose
    errors are not ours.
    """

    other_marketplaces: tuple[str, ...] = ()
    concepts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ignore: tuple[str, ...] = ()
    attribute_ideas: frozenset[str] | tuple[str, ...] = frozenset()
    value_ideas: frozenset[str] | tuple[str, ...] = frozenset()
    problem_ideas: frozenset[str] | tuple[str, ...] = frozenset()
    specific_problems: frozenset[str] | tuple[str, ...] = frozenset()
    joining_words: tuple[str, ...] = ()
    # (language, idea or "ignore", words)
    in_language: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "attribute_ideas", frozenset(self.attribute_ideas))
        object.__setattr__(self, "value_ideas", frozenset(self.value_ideas))
        object.__setattr__(self, "problem_ideas", frozenset(self.problem_ideas))
        object.__setattr__(self, "specific_problems", frozenset(self.specific_problems))
        names = sorted((re.escape(fold(n)) for n in self.other_marketplaces), key=len, reverse=True)
        pattern = rf"(?<![a-z0-9])(?:{'|'.join(names)})(?![a-z0-9])" if names else r"(?!)"
        object.__setattr__(self, "_elsewhere", re.compile(pattern))

    def about_another_marketplace(self, folded_line: str) -> bool:
        """The line names another marketplace and not Amazon: its error is not ours."""
        return "amazon" not in folded_line and bool(self._elsewhere.search(folded_line))


def vocabulary_files(knowledge_dir: Path) -> list[Path]:
    folder = knowledge_dir / "vocabulary"
    return sorted(p for p in folder.glob("*.yml") if p.is_file()) if folder.is_dir() else []


def load_vocabulary(knowledge_dir: Path) -> tuple[Vocabulary, list[Problem]]:
    """The vocabulary in `knowledge_dir/vocabulary/*.yml`, and what is wrong with it."""
    found: dict[str, list[str]] = {name: [] for name in LISTS}
    groups: dict[str, list[str]] = {}
    local: list[tuple[str, str, tuple[str, ...]]] = []
    problems: list[Problem] = []
    for path in vocabulary_files(knowledge_dir):
        where = f"vocabulary/{path.name}"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(where, "(file)", f"cannot be read: {str(exc).splitlines()[0]}"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(where, "(file)", "must be a YAML mapping of lists"))
            continue
        for key, value in data.items():
            if key in GROUPS and isinstance(value, dict):
                for name, words in value.items():
                    if _words(words):
                        groups.setdefault(str(name), []).extend(_clean(words))
                    else:
                        problems.append(Problem(where, f"{key}.{name}", _LIST_REASON))
            elif key in GROUPS:
                problems.append(Problem(where, str(key), "must map each idea to a list of words"))
            elif key == BY_LANGUAGE:
                local.extend(_by_language(value, where, problems))
            elif key not in LISTS:
                known = ", ".join((*LISTS, *GROUPS, BY_LANGUAGE))
                problems.append(Problem(where, str(key), f"unknown list (use {known})"))
            elif not _words(value):
                problems.append(Problem(where, key, _LIST_REASON))
            else:
                found[key].extend(_clean(value))
    vocabulary = Vocabulary(
        **{k: tuple(v) for k, v in found.items()},
        concepts=tuple((name, tuple(words)) for name, words in groups.items()),
        in_language=tuple(local),
    )
    for name in ("attribute_ideas", "value_ideas", "problem_ideas", "specific_problems"):
        for idea in sorted(set(found[name]) - set(groups)):
            problems.append(Problem("vocabulary", name, f"{idea!r} is no idea of concepts"))
    for lang, idea, _ in local:
        if idea != IGNORE and idea not in groups:
            where = f"{BY_LANGUAGE}.{lang}.{idea}"
            problems.append(Problem("vocabulary", where, "is no idea of concepts (nor ignore)"))
    return vocabulary, problems


def _by_language(value: object, where: str, problems: list[Problem]) -> list:
    """`in_language: {<lang>: {<idea> | ignore: [words]}}` as (lang, idea, words) triples."""
    reason = "must map a language (en, pt, es) to ideas, each with a list of words"
    if not isinstance(value, dict):
        problems.append(Problem(where, BY_LANGUAGE, reason))
        return []
    found = []
    for lang, ideas in value.items():
        if lang not in LANGUAGES or not isinstance(ideas, dict):
            problems.append(Problem(where, f"{BY_LANGUAGE}.{lang}", reason))
            continue
        for idea, words in ideas.items():
            if _words(words):
                found.append((str(lang), str(idea), tuple(_clean(words))))
            else:
                problems.append(Problem(where, f"{BY_LANGUAGE}.{lang}.{idea}", _LIST_REASON))
    return found


def _words(value: object) -> bool:
    # A bare `no`, `y` or `on` is a boolean to YAML: such words must be quoted.
    return isinstance(value, list) and all(
        isinstance(w, str | int) and not isinstance(w, bool) and str(w).strip() for w in value
    )


def _clean(words: list) -> list[str]:
    return [str(w).strip().lower() for w in words]

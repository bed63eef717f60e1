"""The domain's words that the matcher reads around errors, kept as data in `knowledge/vocabulary/`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge import Problem
from bot.normalize import fold

FIELDS = ("other_marketplaces",)


@dataclass(frozen=True)
class Vocabulary:
    """What the matcher knows of the words around an error."""

    other_marketplaces: tuple[str, ...] = ()

    def __post_init__(self) -> None:
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
    found: dict[str, list[str]] = {name: [] for name in FIELDS}
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
        for key, words in data.items():
            if key not in FIELDS:
                problems.append(Problem(where, str(key), f"unknown list (use {', '.join(FIELDS)})"))
            elif not isinstance(words, list) or not all(
                isinstance(w, str) and w.strip() for w in words
            ):
                problems.append(Problem(where, key, "must be a list of words or phrases"))
            else:
                found[key].extend(w.strip().lower() for w in words)
    return Vocabulary(**{k: tuple(v) for k, v in found.items()}), problems

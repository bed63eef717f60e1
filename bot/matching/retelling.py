"""Recognise an error told in other words: the ideas a line shares with a message, in any language.

People do not paste the platform's text; they retell it ("a planilha manda um valor de
Size que a Amazon não aceita"), in Portuguese or Spanish about an English-only order
message, with the words in another order. Here each word becomes ideas: its
inflections are folded by a Snowball stemmer, and the vocabulary
(`knowledge/vocabulary/concepts.yml`) maps the words of the three languages that mean
the same to one idea. A message and a line are then compared by the ideas they share,
each weighted by how rare it is among the errors, so that what tells errors apart
(the attribute, the field, product or order) counts most, and by how many of the
message's translations say it, so that what the error is about counts more than the
way one language words it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.matching.calibration import MAX_RETOLD_CONFIDENCE as MAX_CONFIDENCE
from bot.matching.concepts import Concepts
from bot.normalize import fold, words

__all__ = ["MAX_CONFIDENCE", "Retold", "RetellingIndex", "Told"]

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# The placeholder that holds whichever attribute a message is about (knowledge/README.md).
ATTRIBUTE = "attribute"

# A line must share at least this many ideas with a message to retell it.
MIN_SHARED = 2
# How much of a message a line must say (in weight of shared ideas) to be sure of it:
# less is a passing mention of a word or two of the message.
ENOUGH_WEIGHT = 5.5
# Words the vocabulary does not know tell less: each language words a message its own
# way, and an untranslated word is often just that.
UNKNOWN_WORD_WEIGHT = 0.3
# An idea only some of a message's translations say weighs this much plus the rest in
# proportion to how many say it.
AGREEMENT_FLOOR = 0.3
# How much the share of the message said (recall) counts against the share of the line
# that belongs to the error (precision).
RECALL_SHARE = 0.6
# A line that says none of what makes a message a problem (no negation, nothing inactive,
# expired or different) states how things are ("I uploaded the spreadsheet"): it is
# scored this much of what its shared ideas would give, and at most this much.
STATEMENT_FACTOR = 0.5
# A line that says which wrong it is ("is different", "expired") is scored this much of
# what its shared ideas give against an error whose messages say another wrong.
OTHER_WRONG_FACTOR = 0.7
# A line that does not say what a message goes without saying (an order error, about
# an order) is scored this much of what its shared ideas would give.
UNSAID_SCOPE_FACTOR = 0.7
# A line that says one sentence of a longer message is as if it left out this share of
# the rest of the message.
UNSAID_REST_SHARE = 0.1
# A retelling that fits one error far better than any other is surer than its score
# alone says; one that fits two about as well, less sure: this much of the lead over
# the best other error (or over what the line says of things no error speaks of) is
# added to (or, behind, taken from) the score.
MARGIN_WEIGHT = 0.5


@dataclass(frozen=True)
class Told:
    """One message as the index reads it: its text, the error it belongs to, its language,
    whether it is published (else an older wording), the ideas it goes without saying
    (an order message is about an order even when it says only "Inactive SKU"), its
    placeholders, and, for a sentence of a longer message, which message that is."""

    text: str
    entry: str
    lang: str
    published: bool = True
    implied: frozenset[str] = frozenset()
    placeholders: tuple[str, ...] = ()
    part_of: int = -1


@dataclass(frozen=True)
class Retold:
    """A message a line retells, and how surely (0-100; `strength`: the same before the
    cap a retelling's confidence has, which tells apart two it caps alike)."""

    variant: int
    confidence: float
    strength: float = 0.0


@dataclass(frozen=True)
class _Error:
    """What one error says across its messages: every idea, and where its published
    messages do not all say one, the share of their languages that do."""

    ideas: frozenset[str]
    share: dict[str, float]
    takes_attribute: float  # share of those languages whose message has {attribute}

    def agreement(self, idea: str) -> float:
        return AGREEMENT_FLOOR + (1 - AGREEMENT_FLOOR) * self.share.get(idea, 1.0)


def _errors(messages: Sequence[Told], sets: Sequence[frozenset[str]]) -> dict[str, _Error]:
    """Each error's `_Error`, from its messages (`sets[i]`: the ideas of `messages[i]`)."""
    grouped: dict[str, list[int]] = {}
    for i, m in enumerate(messages):
        grouped.setdefault(m.entry, []).append(i)
    errors = {}
    for entry, indexes in grouped.items():
        by_lang: dict[str, set[str]] = {}
        taking: set[str] = set()
        for i in indexes:
            if messages[i].published:
                by_lang.setdefault(messages[i].lang, set()).update(sets[i])
                if ATTRIBUTE in messages[i].placeholders:
                    taking.add(messages[i].lang)
        ideas = frozenset().union(*(sets[i] for i in indexes))
        share = {}
        for idea in ideas if by_lang else ():
            said = sum(idea in found for found in by_lang.values())
            if said < len(by_lang):
                share[idea] = said / len(by_lang)
        implied = frozenset().union(*(messages[i].implied for i in indexes))
        for idea in implied:
            share.pop(idea, None)  # said by every message, even where it goes without saying
        takes = any(ATTRIBUTE in messages[i].placeholders for i in indexes)
        taking_share = len(taking) / len(by_lang) if by_lang else float(takes)
        errors[entry] = _Error(ideas, share, taking_share if takes else 0.0)
    return errors


class RetellingIndex:
    """The ideas of every message, weighted by rarity and agreement, ready to compare with a line."""

    def __init__(
        self,
        messages: Sequence[Told],
        concepts: Concepts,
        problem_ideas: frozenset[str] = frozenset(),
        attribute_ideas: frozenset[str] = frozenset(),
        specific_problems: frozenset[str] = frozenset(),
    ):
        self.concepts = concepts
        # What each message says (also for the slots a retelling names: an attribute, a value).
        self.ideas_of: list[frozenset[str]] = [
            frozenset(
                concepts.of_words(words(fold(_PLACEHOLDER.sub(" ", m.text))), m.lang) | m.implied
            )
            for m in messages
        ]
        sets = self.ideas_of
        errors = _errors(messages, sets)
        entries = list(errors)
        entry_at = {entry: i for i, entry in enumerate(entries)}
        self._entry_of = np.array([entry_at[m.entry] for m in messages], dtype=np.int64)
        self._entries = len(entries)
        self._error_ideas = [e.ideas for e in errors.values()]
        # Rarity among the errors: what few errors say tells them apart.
        ideas: dict[str, int] = {}
        entry_postings: list[list[int]] = []
        for e, error in enumerate(errors.values()):
            for idea in error.ideas:
                if ideas.setdefault(idea, len(ideas)) == len(entry_postings):
                    entry_postings.append([])
                entry_postings[ideas[idea]].append(e)
        known = concepts.known_ideas
        n = max(len(entries), 1)
        self._ideas = ideas
        self._idf = np.array(
            [
                math.log((n + 1) / (len(p) + 0.5)) * (1.0 if idea in known else UNKNOWN_WORD_WEIGHT)
                for idea, p in zip(ideas, entry_postings, strict=True)
            ]
        )
        self._entry_postings = [np.array(p, dtype=np.int64) for p in entry_postings]
        # Ideas the vocabulary knows but no error speaks of (a brand, a price, an invoice)
        # say the line is about something else, as much as the rarest idea of an error.
        self._foreign = concepts.known_ideas - set(ideas)
        self._rarest = math.log((n + 1) / 1.5)
        # How centrally each error says each of its ideas: in all its messages, or only in
        # an older wording or one translation.
        errors_list = list(errors.values())
        self._entry_agreement = [
            np.array([errors_list[e].agreement(idea) for e in p])
            for idea, p in zip(ideas, entry_postings, strict=True)
        ]
        # Each message's ideas, weighted by rarity and by how many translations say them.
        postings: list[list[int]] = [[] for _ in ideas]
        weights: list[list[float]] = [[] for _ in ideas]
        totals = np.zeros(len(messages))
        for vi, (m, found) in enumerate(zip(messages, sets, strict=True)):
            error = errors[m.entry]
            for idea in found:
                i = ideas[idea]
                weight = float(self._idf[i]) * error.agreement(idea)
                postings[i].append(vi)
                weights[i].append(weight)
                totals[vi] += weight
        self._postings = [np.array(p, dtype=np.int64) for p in postings]
        self._weights = [np.array(w) for w in weights]
        # A message with an {attribute} placeholder is about whichever attribute the line
        # names ("o valor do atributo Cor ... é diferente"): naming one says the placeholder,
        # worth what the word naming the placeholder ("attribute") is worth.
        self._attribute_ideas = frozenset(attribute_ideas)
        self._placeholder_idf = max(
            (float(self._idf[ideas[i]]) for i in concepts.of(ATTRIBUTE, "en") if i in ideas),
            default=0.0,
        )
        self._placeholder = np.array(
            [
                self._placeholder_idf
                * (AGREEMENT_FLOOR + (1 - AGREEMENT_FLOOR) * errors[m.entry].takes_attribute)
                if ATTRIBUTE in m.placeholders
                else 0.0
                for m in messages
            ]
        )
        self._takes_attribute = np.array([e.takes_attribute > 0 for e in errors.values()])
        self._fills = np.flatnonzero(self._placeholder)
        totals += self._placeholder
        # A sentence tells most of its message, not all of it.
        for vi, m in enumerate(messages):
            if m.part_of >= 0:
                totals[vi] += UNSAID_REST_SHARE * max(0.0, totals[m.part_of] - totals[vi])
        self._totals = np.maximum(totals, 1e-9)
        # Messages that say something is wrong: a line must say so too to retell them.
        self._problem_ideas = frozenset(problem_ideas)
        self._states_problem = np.array(
            [bool(errors[m.entry].ideas & self._problem_ideas) for m in messages]
        )
        # The specific wrongs each error's published messages say ("is different").
        self._says_specific = {
            idea: np.array(
                [idea in e.ideas and e.share.get(idea, 1.0) > 0 for e in errors.values()]
            )
            for idea in specific_problems
        }
        # What a message goes without saying, a retelling says: an order error is told
        # about an order ("no hay stock del sku" is the warehouse talking).
        requires: dict[str, list[int]] = {}
        for vi, m in enumerate(messages):
            for idea in m.implied:
                requires.setdefault(idea, []).append(vi)
        self._requires = {}
        for idea, requiring in requires.items():
            self._requires[idea] = np.zeros(len(messages), dtype=bool)
            self._requires[idea][requiring] = True

    def retold(self, line_ideas: set[str], limit: int = 5) -> list[Retold]:
        """The messages a line most likely retells, best first, by its ideas (`Concepts.of_words`)."""
        found = self._scores(line_ideas)
        if found is None:
            return []
        at, score = found
        if not len(at):
            return []
        # What the line says about things no error speaks of is an explanation of it too,
        # one the best error must lead as it leads the others.
        known = [i for i in line_ideas if i in self._ideas or i in self._foreign]
        said = sum(self._weight_of(i) for i in known)
        elsewhere = sum(self._rarest for i in known if i in self._foreign) / said if said else 0.0
        sure = self._with_lead(at, score, elsewhere)
        if not self.states_a_problem(line_ideas):
            # After the lead: a statement that fits one error well is still a statement.
            capped = np.minimum(sure, 1.0) * STATEMENT_FACTOR
            sure = np.where(self._states_problem[at], capped, sure)
        top = np.argsort(-sure)[:limit]
        return [
            Retold(int(at[k]), float(min(MAX_CONFIDENCE, 100 * sure[k])), float(100 * sure[k]))
            for k in top
            if sure[k] > 0
        ]

    def unexplained(self, line_ideas: set[str], message: int) -> float:
        """The share of what a line says (by rarity) that the error of `message` never says."""
        said = [i for i in line_ideas if i in self._ideas or i in self._foreign]
        total = sum(self._weight_of(i) for i in said)
        error = self._error_ideas[self._entry_of[message]]
        left = sum(self._weight_of(i) for i in said if i not in error)
        return left / total if total else 0.0

    def _weight_of(self, idea: str) -> float:
        """How much an idea tells: its rarity among the errors; no error's, the rarest."""
        return float(self._idf[self._ideas[idea]]) if idea in self._ideas else self._rarest

    def states_a_problem(self, line_ideas: set[str]) -> bool:
        """The line says something is wrong (a negation, inactive, expired, different...)."""
        return bool(line_ideas & self._problem_ideas)

    def _scores(self, line_ideas: set[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """The messages the line shares ideas with, and how well it says each (0-1): what
        of the message it says, what of what it says is the error's, and whether it says
        enough; None below two ideas."""
        known = [self._ideas[i] for i in line_ideas if i in self._ideas]
        if len(known) < MIN_SHARED:
            return None
        postings = [self._postings[i] for i in known]
        messages = [*postings]
        weights = [self._weights[i] for i in known]
        rarity = [np.repeat(self._idf[known], [len(p) for p in postings])]
        in_error = np.bincount(
            np.concatenate([self._entry_postings[i] for i in known]),
            weights=np.concatenate([self._idf[i] * self._entry_agreement[i] for i in known]),
            minlength=self._entries,
        )
        if named := line_ideas & self._attribute_ideas:
            messages.append(self._fills)
            weights.append(self._placeholder[self._fills])
            rarity.append(np.full(len(self._fills), self._placeholder_idf))
            for idea in named:
                # The attribute named is what the placeholder of these errors holds.
                takes = self._takes_attribute.copy()
                if idea in self._ideas:
                    takes[self._entry_postings[self._ideas[idea]]] = False
                in_error[takes] += self._weight_of(idea)
        every = np.concatenate(messages)
        n = len(self._totals)
        shared = np.bincount(every, minlength=n)
        at = np.flatnonzero(shared >= MIN_SHARED)
        shared = shared[at]
        # Agreement-weighted, and by rarity alone.
        matched = np.bincount(every, weights=np.concatenate(weights), minlength=n)[at]
        enough = np.bincount(every, weights=np.concatenate(rarity), minlength=n)[at]
        said = sum(self._weight_of(i) for i in line_ideas if i in self._ideas or i in self._foreign)
        recall = matched / self._totals[at]  # how much of the message the line says
        errors = self._entry_of[at]
        precision = in_error[errors] / said  # how much of what it says is the error's
        score = (RECALL_SHARE * recall + (1 - RECALL_SHARE) * precision) * np.minimum(
            1.0, enough / ENOUGH_WEIGHT
        )
        for idea, requiring in self._requires.items():
            if idea not in line_ideas:
                score = np.where(requiring[at], score * UNSAID_SCOPE_FACTOR, score)
        if specific := [self._says_specific[i] for i in line_ideas if i in self._says_specific]:
            # "The Size attribute differs": not an error about a missing Size.
            same = np.logical_or.reduce(specific)
            score = np.where(same[errors], score, score * OTHER_WRONG_FACTOR)
        keep = score > 0
        return at[keep], score[keep]

    def _with_lead(self, at: np.ndarray, score: np.ndarray, elsewhere: float = 0.0) -> np.ndarray:
        """Each score plus part of its error's lead over the best other error (minus, behind)."""
        errors = self._entry_of[at]
        best = np.zeros(self._entries)
        np.maximum.at(best, errors, score)
        first = int(best.argmax())
        leader = best[first]
        best[first] = 0.0
        runner_up = max(float(best.max()), elsewhere)
        other = np.where(errors == first, runner_up, leader)
        return np.maximum(0.0, score + MARGIN_WEIGHT * (score - other))

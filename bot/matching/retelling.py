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
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.matching.calibration import MAX_RETOLD_CONFIDENCE as MAX_CONFIDENCE
from bot.matching.concepts import Concepts
from bot.normalize import fold, words

__all__ = ["MAX_CONFIDENCE", "Retold", "RetellingIndex", "Told"]

# A line must share at least this many ideas with a message to retell it.
MIN_SHARED = 2
# How much of a message a line must say (in weight of shared ideas) to be sure of it:
# less is a passing mention of a word or two of the message.
ENOUGH_WEIGHT = 6.0
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
# scored this much of what its shared ideas would give.
STATEMENT_FACTOR = 0.5
# A line that says which wrong it is ("is different", "expired") is scored this much of
# what its shared ideas give against an error whose messages say another wrong.
OTHER_WRONG_FACTOR = 0.7
# A line that does not say what a message goes without saying (an order error, about
# an order) is scored this much of what its shared ideas would give.
UNSAID_SCOPE_FACTOR = 0.7
# A retelling that fits one error far better than any other is surer than its score
# alone says; one that fits two about as well, less sure: this much of the lead over
# the best other error is added to (or, behind, taken from) the score.
MARGIN_WEIGHT = 0.5


@dataclass(frozen=True)
class Told:
    """One message as the index reads it: its text (placeholders removed), the error it
    belongs to, its language, whether it is published (else an older wording), and the
    ideas it goes without saying (an order message is about an order even when it says
    only "Inactive SKU")."""

    text: str
    entry: str
    lang: str
    published: bool = True
    implied: frozenset[str] = frozenset()
    placeholders: tuple[str, ...] = ()


@dataclass(frozen=True)
class Retold:
    """A message a line retells, and how surely (0-100)."""

    variant: int
    confidence: float


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
        sets = [concepts.of_words(words(fold(m.text)), m.lang) | set(m.implied) for m in messages]
        # What each message says, for the slots a retelling names (its attribute, a value).
        self.ideas_of: list[frozenset[str]] = [frozenset(found) for found in sets]
        entries = list(dict.fromkeys(m.entry for m in messages))
        entry_at = {entry: i for i, entry in enumerate(entries)}
        self._entry_of = np.array([entry_at[m.entry] for m in messages], dtype=np.int64)
        # Everything an error says in any of its tellings, and in how many languages of
        # its published messages each idea is said.
        union: list[set[str]] = [set() for _ in entries]
        said_in: list[dict[str, set[str]]] = [{} for _ in entries]
        languages: list[set[str]] = [set() for _ in entries]
        takes_in: list[set[str]] = [set() for _ in entries]  # languages with {attribute}
        takes_any = [False for _ in entries]
        for m, found in zip(messages, sets, strict=True):
            e = entry_at[m.entry]
            union[e] |= found
            takes_any[e] |= "attribute" in m.placeholders
            if m.published:
                languages[e].add(m.lang)
                if "attribute" in m.placeholders:
                    takes_in[e].add(m.lang)
                for idea in found:
                    said_in[e].setdefault(idea, set()).add(m.lang)
        ideas: dict[str, int] = {}
        for found in union:
            for idea in found:
                ideas.setdefault(idea, len(ideas))
        df = np.zeros(len(ideas))
        entry_postings: list[list[int]] = [[] for _ in ideas]
        for e, found in enumerate(union):
            for idea in found:
                df[ideas[idea]] += 1
                entry_postings[ideas[idea]].append(e)
        known = concepts.known_ideas
        n = max(len(entries), 1)
        self._ideas = ideas
        self._idf = np.array(
            [
                math.log((n + 1) / (df[i] + 0.5)) * (1.0 if idea in known else UNKNOWN_WORD_WEIGHT)
                for idea, i in ideas.items()
            ]
        )
        self._entry_postings = [np.array(p, dtype=np.int64) for p in entry_postings]
        postings: list[list[int]] = [[] for _ in ideas]
        weights: list[list[float]] = [[] for _ in ideas]
        totals = np.zeros(len(messages))
        for vi, (m, found) in enumerate(zip(messages, sets, strict=True)):
            e = entry_at[m.entry]
            for idea in found:
                i = ideas[idea]
                share = (
                    len(said_in[e].get(idea, ())) / len(languages[e])
                    if languages[e] and idea not in m.implied
                    else 1.0
                )
                weight = self._idf[i] * (AGREEMENT_FLOOR + (1 - AGREEMENT_FLOOR) * share)
                postings[i].append(vi)
                weights[i].append(weight)
                totals[vi] += weight
        # A message with an {attribute} placeholder is about whichever attribute the line
        # names ("o valor do atributo Cor ... é diferente"): naming one says the placeholder,
        # worth what the word "attribute" is worth.
        self._attribute_ideas = frozenset(attribute_ideas) & set(ideas)
        placeholder_idf = float(self._idf[ideas["attribute"]]) if "attribute" in ideas else 0.0
        self._placeholder = np.zeros(len(messages))
        for vi, m in enumerate(messages):
            if "attribute" in m.placeholders:
                e = entry_at[m.entry]
                share = len(takes_in[e]) / len(languages[e]) if languages[e] else 1.0
                self._placeholder[vi] = placeholder_idf * (
                    AGREEMENT_FLOOR + (1 - AGREEMENT_FLOOR) * share
                )
                totals[vi] += self._placeholder[vi]
        self._placeholder_idf = placeholder_idf
        self._takes_attribute = np.array(takes_any)
        self._postings = [np.array(p, dtype=np.int64) for p in postings]
        self._weights = [np.array(w) for w in weights]
        self._totals = np.maximum(totals, 1e-9)
        self._entries = len(entries)
        self._problem_ideas = frozenset(problem_ideas)
        # Messages that say something is wrong: a line must say so too to retell them.
        self._states_problem = np.array(
            [bool(union[entry_at[m.entry]] & self._problem_ideas) for m in messages]
        )
        # The specific wrongs each error's published messages say ("is different").
        self._specific = frozenset(specific_problems)
        self._specific_of = [
            frozenset(i for i in found & self._specific if not languages[e] or said_in[e].get(i))
            for e, found in enumerate(union)
        ]
        # What a message goes without saying, a retelling says: an order error is told
        # about an order ("no hay stock del sku" is the warehouse talking).
        requires: dict[str, list[int]] = {}
        for vi, m in enumerate(messages):
            for idea in m.implied:
                requires.setdefault(idea, []).append(vi)
        self._requires = {idea: np.array(v, dtype=np.int64) for idea, v in requires.items()}

    def retold(self, line_ideas: set[str], limit: int = 5) -> list[Retold]:
        """The messages a line most likely retells, best first, by its ideas (`Concepts.of_words`)."""
        score = self._scores(line_ideas)
        if score is None or not score.max() > 0:
            return []
        sure = self._with_lead(score)
        if not self.states_a_problem(line_ideas):
            # After the lead: a statement that fits one error well is still a statement.
            sure = np.where(self._states_problem, sure * STATEMENT_FACTOR, sure)
        top = np.argsort(-sure)[:limit]
        return [
            Retold(int(v), float(min(MAX_CONFIDENCE, 100 * sure[v]))) for v in top if sure[v] > 0
        ]

    def states_a_problem(self, line_ideas: set[str]) -> bool:
        """The line says something is wrong (a negation, inactive, expired, different...)."""
        return bool(line_ideas & self._problem_ideas)

    def _scores(self, line_ideas: set[str]) -> np.ndarray | None:
        """How well the line says each message (0-1): what of the message it says, what of
        what it says is the error's, and whether it says enough; None below two ideas."""
        known = [self._ideas[i] for i in line_ideas if i in self._ideas]
        if len(known) < MIN_SHARED:
            return None
        matched = np.zeros(len(self._totals))  # agreement-weighted, per message
        enough = np.zeros(len(self._totals))  # rarity only, per message
        shared = np.zeros(len(self._totals), dtype=np.int64)
        in_error = np.zeros(self._entries)  # rarity, per error
        for index in known:
            postings = self._postings[index]
            matched[postings] += self._weights[index]
            enough[postings] += self._idf[index]
            shared[postings] += 1
            in_error[self._entry_postings[index]] += self._idf[index]
        named = [self._ideas[a] for a in line_ideas & self._attribute_ideas]
        if named:
            fills = self._placeholder > 0
            matched += self._placeholder
            enough[fills] += self._placeholder_idf
            shared[fills] += 1
            for index in named:
                # The attribute named is what the placeholder of these errors holds.
                takes = self._takes_attribute.copy()
                takes[self._entry_postings[index]] = False
                in_error[takes] += self._idf[index]
        said = float(self._idf[known].sum())
        recall = matched / self._totals  # how much of the message the line says
        precision = in_error[self._entry_of] / said  # how much of what it says is the error's
        score = (RECALL_SHARE * recall + (1 - RECALL_SHARE) * precision) * np.minimum(
            1.0, enough / ENOUGH_WEIGHT
        )
        for idea, variants in self._requires.items():
            if idea not in line_ideas:
                score[variants] *= UNSAID_SCOPE_FACTOR
        if specific := line_ideas & self._specific:
            # "The Size attribute differs": not an error about a missing Size.
            other = np.array([not (specific & said) for said in self._specific_of])
            score = np.where(other[self._entry_of], score * OTHER_WRONG_FACTOR, score)
        return np.where(shared >= MIN_SHARED, score, 0.0)

    def _with_lead(self, score: np.ndarray) -> np.ndarray:
        """Each score plus part of its error's lead over the best other error (minus, behind)."""
        best = np.zeros(self._entries)
        np.maximum.at(best, self._entry_of, score)
        first = int(best.argmax())
        runner_up = float(np.partition(best, -2)[-2]) if self._entries > 1 else 0.0
        other = np.where(self._entry_of == first, runner_up, best[first])
        return np.maximum(0.0, score + MARGIN_WEIGHT * (score - other))

"""Render Block Kit cards from the Jinja2 templates in `templates/`, safely for pasted text.

Every `{{ ... }}` in a template is emitted as a JSON value (the environment's
`finalize`), so no pasted quote or bracket can break the JSON; text bound for
mrkdwn goes through the `mrkdwn` filter, which escapes `&`, `<` and `>` so that a
pasted `<!channel>` is shown, never acted on.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.i18n import translations
from bot.knowledge import Entry
from bot.language import LANGUAGES
from bot.matcher import Match, MatchResult
from bot.reprocess import MAX_TARGETS, valid_targets

MAX_BLOCKS = 50
# A card names at most this many SKUs or orders, and says how many there are in all.
MAX_LISTED = 20


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "translate later"
    """Mark a string for the catalogs; it is translated where it is shown."""
    return message


SLOT_LABELS = {
    "attribute": N_("Attribute"),
    "value": N_("Value"),
    "category": N_("Global category"),
    "seller": N_("Seller"),
    "sales_channel": N_("Sales channel"),
}


class CardError(ValueError):
    """A template produced something Slack would reject."""


@dataclass(frozen=True)
class Card:
    """Blocks to post, with the plain-text fallback Slack shows in notifications."""

    blocks: list[dict]
    text: str


def escape_mrkdwn(value: Any) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def limit(value: Any, size: int) -> str:
    text = str(value)
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _finalize(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def button_value(entry_id: str, match: Match | None = None, **extra: Any) -> str:
    """What a button carries: the entry id and, where known, the SKU(s) or order.

    Only real ids travel (see `bot.reprocess.is_target`); `n` says how many SKUs the paste
    listed when that is more than the button carries.
    """
    data: dict[str, Any] = {"e": entry_id}
    if match is not None:
        skus = valid_targets("sku", match.skus or [match.slots.get("sku")])
        if skus:
            data["sku"] = skus[0]
        if len(skus) > 1:
            data["skus"] = list(skus[:MAX_TARGETS])
        if len(skus) > MAX_TARGETS:
            data["n"] = len(skus)
        orders = valid_targets("order", match.orders or [match.slots.get("order")])
        if orders:
            data["order"] = orders[0]
    data.update({k: v for k, v in extra.items() if v is not None})
    return limit(json.dumps(data, ensure_ascii=False, separators=(",", ":")), 2000)


def parse_button_value(value: str) -> dict[str, Any]:
    """The inverse of `button_value`; an empty dict for anything malformed."""
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("e"), str) else {}


def found_values(match: Match, gettext: Callable[[str], str] | None = None) -> list[str]:
    """Plain lines describing what was read from the paste (escaped later, in the template),
    their labels translated by `gettext`."""
    _ = gettext or str
    slots = match.slots
    lines = []
    if "vtex_value" in slots or "amazon_value" in slots:
        name = slots.get("attribute", _("Attribute"))
        vtex = slots.get("vtex_value", "?")
        amazon = slots.get("amazon_value", "?")
        lines.append(f'{name}: VTEX "{vtex}" · Amazon "{amazon}"')
    else:
        for key, label in SLOT_LABELS.items():
            if key in slots:
                lines.append(f"{_(label)}: {slots[key]}")
    skus = match.skus or ((slots["sku"],) if "sku" in slots else ())
    if skus:
        lines.append(_listed(_("SKU"), _("SKUs"), skus, _))
    orders = match.orders or ((slots["order"],) if "order" in slots else ())
    if orders:
        lines.append(_listed(_("Order"), _("Orders"), orders, _))
    return lines


def _listed(one: str, many: str, values: Sequence[str], _: Callable[[str], str]) -> str:
    """`SKUs: 1, 2, 3`, or `SKUs (359): 1, 2 … 20, and 339 more` for a long list."""
    if len(values) == 1:
        return f"{one}: {values[0]}"
    if len(values) <= MAX_LISTED:
        return f"{many}: {', '.join(values)}"
    shown = ", ".join(values[:MAX_LISTED])
    more = _("and %(count)s more") % {"count": len(values) - MAX_LISTED}
    return f"{many} ({len(values)}): {shown}, {more}"


def validate_blocks(blocks: Sequence[dict]) -> None:
    """Raise CardError unless slack_sdk's models accept every block and the count fits."""
    if len(blocks) > MAX_BLOCKS:
        raise CardError(f"{len(blocks)} blocks; Slack takes at most {MAX_BLOCKS}")
    for block in blocks:
        parsed = Block.parse(block)
        if parsed is None:
            raise CardError(f"unknown block type {block.get('type')!r}")
        try:
            parsed.validate_json()
        except Exception as exc:  # slack_sdk raises SlackObjectFormationError
            raise CardError(f"{block.get('type')} block: {exc}") from exc


class CardRenderer:
    """Jinja2 environment over the card templates, with the escaping filters."""

    def __init__(
        self,
        templates_dir: Path,
        vtex_account: str | None = None,
        validate: bool = True,
        lang: str = "en",
    ):
        # `validate=False` is for the live bot: the templates are proven valid by the test
        # suite, and checking every card against slack_sdk's models costs more CPU than
        # rendering it. Slack's own refusal (invalid_blocks) still falls back to text.
        self.validate = validate
        self.templates_dir = templates_dir
        # The language of every sentence this renderer writes (`in_language` for another).
        self.lang = lang if lang in LANGUAGES else "en"
        self.translations = translations(self.lang)
        self._ = self.translations.gettext
        self._siblings: dict[str, CardRenderer] = {self.lang: self}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            # Templates ship with the code: no stat() of the file on every card.
            auto_reload=False,
            autoescape=False,
            finalize=_finalize,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            extensions=["jinja2.ext.do", "jinja2.ext.i18n"],
        )
        # `_("... %(name)s ...", name=...)` in templates, translated by this language's catalog.
        self.env.install_gettext_translations(self.translations, newstyle=True)
        self.env.filters["mrkdwn"] = escape_mrkdwn
        self.env.filters["limit"] = limit
        # Buttons carry the card's language, so what a click answers speaks it too.
        self.env.globals["button_value"] = (
            button_value if self.lang == "en" else functools.partial(button_value, l=self.lang)  # noqa: E741 - the key's name
        )
        self.env.globals["target_url"] = self.target_url
        self.vtex_account = vtex_account

    def in_language(self, lang: str) -> CardRenderer:
        """The same renderer speaking `lang` (en, pt, es); built once per language."""
        lang = lang if lang in LANGUAGES else "en"
        sibling = self._siblings.get(lang)
        if sibling is None:
            sibling = CardRenderer(self.templates_dir, self.vtex_account, self.validate, lang)
            sibling._siblings = self._siblings
            self._siblings[lang] = sibling
        return sibling

    def compile_all(self) -> None:
        """Compile every template now, in every language, rather than on the first card of
        each kind: at the start of a burst that first card would wait for it."""
        for lang in LANGUAGES:
            env = self.in_language(lang).env
            for name in env.list_templates(filter_func=lambda n: n.endswith(".j2")):
                env.get_template(name)

    @property
    def admin_url(self) -> str | None:
        return f"https://{self.vtex_account}.myvtex.com/admin" if self.vtex_account else None

    def render(self, template: str, fallback: str, **context: Any) -> Card:
        """Render `template` to blocks, check them against Block Kit, attach the fallback text."""
        source = self.env.get_template(template).render(admin_url=self.admin_url, **context)
        try:
            blocks = json.loads(source)
        except ValueError as exc:
            raise CardError(f"{template} did not render JSON: {exc}") from exc
        if self.validate:
            validate_blocks(blocks)
        # Slack reads the fallback as mrkdwn too (notifications, screen readers): a pasted
        # `<!channel>` quoted in it would ping everybody.
        return Card(blocks, limit(escape_mrkdwn(fallback), 3000))

    # -- the cards ---------------------------------------------------------------------

    def match_card(self, result: MatchResult, entries: Mapping[str, Entry]) -> Card:
        """The answer to a paste: the best error in full, the others in the paste in brief."""
        if not result.matches:
            return self.no_match_card(result, result.alternatives)
        _ = self._
        best = result.matches[0]
        entry = entries[best.id].in_language(self.lang)
        others = [
            (m, entries[m.id].in_language(self.lang)) for m in result.matches[1:] if m.id in entries
        ][:10]
        fallback = _("%(title)s (%(score)s%% match): %(meaning)s") % {
            "title": entry.title,
            "score": best.score,
            "meaning": entry.meaning,
        }
        if others:
            fallback += " " + _("(+%(count)s more errors in this paste)") % {"count": len(others)}
        return self.render(
            "match_card.json.j2",
            fallback,
            entry=entry,
            match=best,
            values=found_values(best, _),
            others=[(m, e, found_values(m, _)) for m, e in others],
            alternatives=result.alternatives,
            truncated=result.truncated,
            limit_chars=result.limit,
            incomplete=result.incomplete,
            lines_read=result.lines_read,
            lines_total=result.lines_total,
        )

    def entry_card(self, entry: Entry, match: Match | None = None) -> Card:
        """One entry in full, as from *Other matches* or `kb show`."""
        match = match or Match(entry.id, entry.title, 100)
        entry = entry.in_language(self.lang)
        return self.render(
            "match_card.json.j2",
            f"{entry.title}: {entry.meaning}",
            entry=entry,
            match=match,
            values=found_values(match, self._),
            others=[],
            alternatives=[],
            truncated=False,
            limit_chars=0,
            incomplete=False,
            shown_on_request=True,
        )

    def no_match_card(self, result: MatchResult, guesses: Sequence[Match] = ()) -> Card:
        """An honest "I don't know" with the closest guesses and how to search."""
        return self.render(
            "no_match_card.json.j2",
            self._("No known Amazon integration error found in that text."),
            guesses=list(guesses)[:3],
            truncated=result.truncated,
            limit_chars=result.limit,
            incomplete=result.incomplete,
            lines_read=result.lines_read,
            lines_total=result.lines_total,
        )

    def other_matches_card(self, entry_id: str, others: Sequence[Entry], context: dict) -> Card:
        """The next best entries, each with a button that posts its card."""
        return self.render(
            "other_matches.json.j2",
            self._("Other possible matches"),
            entry_id=entry_id,
            others=[other.in_language(self.lang) for other in others],
            context=context,
        )

    def search_card(self, query: str, entries: Sequence[Entry]) -> Card:
        return self.render(
            "search_results.json.j2",
            self._("%(count)s entries match %(query)r")
            % {"count": len(entries), "query": limit(query, 200)},
            query=query,
            entries=[entry.in_language(self.lang) for entry in entries[:10]],
        )

    def with_question(self, card: Card, user: str, text: str) -> Card:
        """The card with a first line saying who asked and what they pasted."""
        asked = self.render("asked.json.j2", "", user=user, text=text.strip())
        blocks = [*asked.blocks, *card.blocks]
        if self.validate:
            validate_blocks(blocks)
        return Card(blocks, card.text)

    def help_card(self) -> Card:
        return self.render("help.json.j2", self._("How to use /amzerror"))

    def language_card(self, state: str, chosen: bool = False, word: str = "") -> Card:
        """`/amzerror lang`: "chosen", "auto", "shown" (`chosen`: by the person) or "unknown"."""
        return self.render(
            "language.json.j2",
            self._("Your amzerror language"),
            state=state,
            chosen=chosen,
            word=word,
            lang=self.lang,
        )

    def stats_card(self, periods: Sequence[Any], titles: Mapping[str, str]) -> Card:
        return self.render(
            "stats.json.j2", self._("amzerror statistics"), periods=periods, titles=titles
        )

    def votes(self, helpful: int, not_helpful: int, user: str) -> Card:
        """The line under a card's buttons: the vote counts and whose vote was just recorded."""
        return self.render(
            "feedback_recorded.json.j2",
            self._("Feedback recorded"),
            helpful=helpful,
            not_helpful=not_helpful,
            user=user,
        )

    def modal(self, template: str, **context: Any) -> dict:
        """A modal view from `template`, checked against slack_sdk's View model."""
        source = self.env.get_template(template).render(admin_url=self.admin_url, **context)
        view = json.loads(source)
        if self.validate:
            View(**view).validate_json()
        return view

    def target_url(self, kind: str, target: str) -> str | None:
        """The target's page in the store's Admin, as VTEX documents the URLs: a SKU's
        registration page, a VTEX order's page; an Amazon order id is found from the order list."""
        if not self.vtex_account:
            return None
        base = f"https://{self.vtex_account}.myvtex.com/admin"
        if kind == "sku":
            return f"{base}/Site/SkuForm.aspx?IdSku={target}"
        if kind == "order" and target.count("-") == 1:
            return f"{base}/orders/{target}"
        return f"{base}/orders" if kind == "order" else None

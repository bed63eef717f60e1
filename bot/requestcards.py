"""The reprocessing workflow's messages: thread notes, the ops message, modals and private notes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.cards import Card, CardRenderer, limit
from bot.knowledge import Entry
from bot.reprocess import MAX_TARGETS, ReprocessRequest

CHECKBOXES_PER_BLOCK = 10  # Slack's limit of options in one checkboxes element
REQUEST_MODAL = "reprocess_targets"
FAILED_MODAL = "reprocess_failed_reason"


def thread_link(channel: str, ts: str) -> str:
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


def epoch(iso: str) -> int:
    """Seconds since 1970 for Slack's `<!date^…>`, which shows each reader their own time zone."""
    try:
        return int(datetime.fromisoformat(iso).timestamp())
    except (TypeError, ValueError):
        return 0


class RequestCards:
    """Renders the templates of the reprocessing workflow with a CardRenderer, in its language."""

    def __init__(self, renderer: CardRenderer):
        self.renderer = renderer
        self.lang = renderer.lang
        self._siblings: dict[str, RequestCards] = {self.lang: self}

    def in_language(self, lang: str) -> RequestCards:
        """The same cards speaking `lang` (en, pt, es; English for anything else), entries
        included; built once per language."""
        renderer = self.renderer.in_language(lang)
        sibling = self._siblings.get(renderer.lang)
        if sibling is None:
            sibling = RequestCards(renderer)
            sibling._siblings = self._siblings
            self._siblings[renderer.lang] = sibling
        return sibling

    def _local(self, entry: Entry | None) -> Entry | None:
        """The entry's title and notes in this language."""
        return entry.in_language(self.lang) if entry is not None else None

    def _card(self, template: str, **context: Any) -> Card:
        # The text Slack shows in notifications is the first section's own words.
        card = self.renderer.render(template, "", **context)
        return Card(card.blocks, limit(_first_text(card.blocks), 3000))

    def notice(self, kind: str, **context: Any) -> Card:
        """A private note to one person: what happened and what to do about it."""
        return self._card("notice.json.j2", kind=kind, max_targets=MAX_TARGETS, **context)

    def notice_text(self, kind: str, **context: Any) -> str:
        return self.notice(kind, **context).text

    def requested(
        self,
        request: ReprocessRequest,
        already_open: Mapping[str, int],
        ops_channel: str | None,
        entry: Entry | None = None,
    ) -> Card:
        """The thread note of a new request (with the fix it waits for, if any)."""
        return self._card(
            "request_status.json.j2",
            event="requested",
            entry=self._local(entry),
            request=request,
            targets=request.ids,
            already_open=dict(already_open),
            ops_channel=ops_channel,
            reason=None,
            by=request.requested_by,
        )

    def resolved(
        self, request: ReprocessRequest, status: str, targets: Sequence[str], by: str, reason: str
    ) -> Card:
        """The thread note when ops mark targets done or failed (the requester is mentioned)."""
        return self._card(
            "request_status.json.j2",
            event=status,
            entry=None,
            request=request,
            targets=list(targets),
            already_open={},
            ops_channel=None,
            reason=reason or None,
            by=by,
        )

    def ops_message(self, request: ReprocessRequest, entry: Entry | None) -> Card:
        """The ops channel's message: the whole story of the request, at every stage."""
        return self._card(
            "ops_request.json.j2",
            request=request,
            entry=self._local(entry),
            thread_link=thread_link(request.channel, request.thread_ts)
            if request.channel and request.thread_ts
            else None,
            created=epoch(request.created_at),
        )

    def request_modal(
        self,
        entry: Entry,
        targets: Sequence[str],
        total: int,
        metadata: Mapping[str, Any],
    ) -> dict:
        """Which targets to request: those known all selected, a field to add more."""
        chunks = [
            list(targets[i : i + CHECKBOXES_PER_BLOCK])
            for i in range(0, len(targets), CHECKBOXES_PER_BLOCK)
        ]
        return self.renderer.modal(
            "reprocess_modal.json.j2",
            entry=self._local(entry),
            kind=entry.reprocess_target,
            chunks=chunks,
            total=max(total, len(targets)),
            max_targets=MAX_TARGETS,
            metadata=limit(json.dumps(metadata, separators=(",", ":")), 3000),
        )

    def failed_modal(self, request: ReprocessRequest, target: str | None, metadata: dict) -> dict:
        """Asks ops why reprocessing failed; the reason goes to the thread and the requester."""
        return self.renderer.modal(
            "failed_reason_modal.json.j2",
            request=request,
            target=target,
            metadata=limit(json.dumps(metadata, separators=(",", ":")), 3000),
        )

    def requests_list(self, requests: Sequence[ReprocessRequest], total: int) -> Card:
        """`/amzerror requests`: what still needs someone, newest first, with the real count."""
        return self._card("requests_list.json.j2", requests=requests, total=total)


def _first_text(blocks: Sequence[dict]) -> str:
    for block in blocks:
        text = (block.get("text") or {}).get("text")
        if text:
            return text
        for element in block.get("elements", []):
            if element.get("text"):
                return element["text"]
    return ""

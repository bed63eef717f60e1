"""Later messages in a thread amzerror answered, in plain words: "reprocess" (with ids, or
the thread's own targets) and "what does this mean?" (the card again)."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.activity import ThreadContext
from bot.intents import EXPLAIN, REPROCESS, read_intent
from bot.knowledge import Entry
from bot.matcher import MATCH_THRESHOLD, Match, MatchResult
from bot.reprocess import MAX_TARGETS, extract_targets, open_requests_for, valid_targets
from bot.slack.people import language_for
from bot.slack.posting import tell_privately
from bot.slack.replies import post_card
from bot.slack.workflow import request_targets


async def follow_up(
    amz, client: AsyncWebClient, event: dict, thread: ThreadContext, result: MatchResult
) -> bool:
    """Answer a request in plain words; False when the message asks nothing of the bot.

    `result` is the message matched (once, by the caller, who claimed it first).
    """
    text = event.get("text") or ""
    intent = read_intent(text)
    if intent is None:
        return False
    best = result.best
    if best is not None and best.score >= MATCH_THRESHOLD:
        return False  # a new error that happens to use the words: it gets its own card
    entry = amz.engine.entry(thread.entry_id)
    if entry is None:
        return True
    # The person's language; else the one the thread was answered in.
    lang = await language_for(amz, client, event.get("user"), text=text, fallback=thread.lang)
    if intent == EXPLAIN:
        match = Match(entry.id, entry.title, 100, {}, thread.skus, thread.orders)
        card = amz.engine.cards.in_language(lang).entry_card(entry, match)
        await post_card(client, event["channel"], card, event["thread_ts"])
        return True
    if intent == REPROCESS:
        await reprocess_from_words(amz, client, event, thread, entry, lang)
    return True


async def reprocess_from_words(
    amz, client: AsyncWebClient, event: dict, thread: ThreadContext, entry: Entry, lang: str
) -> None:
    """The ids the message names, else the thread's own targets not requested yet; what the
    person hears, in `lang`."""
    cards = amz.engine.request_cards.in_language(lang)
    where = {"user": event["user"], "channel": event["channel"], "thread_ts": event["thread_ts"]}
    if not entry.reprocessable:
        await tell_privately(
            client, cards.notice("not_reprocessable", note=entry.reprocess_note), **where
        )
        return
    kind = entry.reprocess_target
    said = extract_targets(event.get("text") or "", kind)
    if said.invalid:
        note = cards.notice("bad_ids", target_kind=kind, ids=said.invalid)
        await tell_privately(client, note, **where)
        if not said.valid:
            return
    if said.valid:
        if len(said.valid) > MAX_TARGETS:
            note = cards.notice("too_many", target_kind=kind, count=len(said.valid))
            await tell_privately(client, note, **where)
            return
        targets, remaining = said.valid, said.valid
    else:
        known = valid_targets(kind, thread.skus if kind == "sku" else thread.orders)
        if not known:
            await tell_privately(client, cards.notice("which_target", target_kind=kind), **where)
            return
        # A long paste is requested a bounded batch at a time: the next "reprocess" takes
        # the next targets, since those already open are left out.
        held = open_requests_for(amz.store, entry.id, kind, known)
        remaining = [t for t in known if t not in held] or list(known)
        targets = remaining[:MAX_TARGETS]
    created = await request_targets(
        amz,
        client,
        entry=entry,
        targets=targets,
        user=event["user"],
        channel=event["channel"],
        thread_ts=event["thread_ts"],
        lang=lang,
    )
    if created.request is not None and len(remaining) > len(targets):
        note = cards.notice(
            "capped",
            target_kind=kind,
            total=len(remaining),
            taken=len(created.request.targets),
            request_id=created.request.id,
        )
        await tell_privately(client, note, **where)

"""The ops channel's message of each request: posted once (found again after a crash), updated
in place; and the outbox sender that posts it and delivers the webhook."""

from __future__ import annotations

import logging
from functools import partial

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.engine import Engine
from bot.outbox import Backoff, Finish, Handler, Item, Outbox, OutboxSender, Undelivered
from bot.reprocess import ReprocessRequest, get_request, set_columns, update_request
from bot.requestcards import RequestCards, epoch
from bot.slack.posting import CALL_ERRORS, log_failure, slack_error, tell_privately
from bot.webhook import WebhookHandler

log = logging.getLogger(__name__)

# Each ops message carries its request in Slack's message metadata: chat.postMessage has no
# idempotency key, so before posting again after a crash the channel's history is searched.
METADATA_EVENT = "amzerror_reprocess_request"
HISTORY_PAGE = 200
HISTORY_PAGES = 10
# Slack's clock and ours may differ: look this far before the request was stored.
CLOCK_MARGIN_SECONDS = 900


def ops_cards(engine: Engine) -> RequestCards:
    """The workflow's cards in the ops channel's language (AMZERROR_OPS_LANG)."""
    return engine.request_cards.in_language(engine.settings.ops_language)


def metadata(request_id: int) -> dict:
    return {"event_type": METADATA_EVENT, "event_payload": {"request_id": request_id}}


class OpsHandler(Handler):
    """Posts a request to the ops channel exactly once."""

    def __init__(self, engine: Engine, client: AsyncWebClient, channel: str) -> None:
        self.engine = engine
        self.client = client
        self.channel = channel

    async def send(self, item: Item) -> Finish | None:
        store = self.engine.store
        request = get_request(store, item.request_id)
        if request is None or request.ops_ts:
            return None
        try:
            # A first attempt cannot have posted before; a later one may have, then died.
            found = await self.find_posted(request) if item.attempts > 1 else None
            if found is None:
                card = ops_cards(self.engine).ops_message(
                    request, self.engine.entry(request.entry_id)
                )
                posted = await self.client.chat_postMessage(
                    channel=self.channel,
                    blocks=card.blocks,
                    text=card.text,
                    metadata=metadata(request.id),
                    unfurl_links=False,
                    unfurl_media=False,
                )
                found = (posted["channel"], posted["ts"])
        except CALL_ERRORS as exc:
            raise Undelivered(slack_error(exc)) from None
        return partial(set_columns, request_id=request.id, ops_channel=found[0], ops_ts=found[1])

    async def find_posted(self, request: ReprocessRequest) -> tuple[str, str] | None:
        """(channel, ts) of the ops message already posted for `request`, if there is one."""
        cursor = None
        for _ in range(HISTORY_PAGES):
            page = await self.client.conversations_history(
                channel=self.channel,
                oldest=str(max(epoch(request.created_at) - CLOCK_MARGIN_SECONDS, 0)),
                include_all_metadata=True,
                limit=HISTORY_PAGE,
                cursor=cursor,
            )
            for message in page.get("messages", []):
                data = message.get("metadata") or {}
                payload = data.get("event_payload") or {}
                if data.get("event_type") == METADATA_EVENT and payload.get("request_id") == (
                    request.id
                ):
                    log.warning("request #%s was in the ops channel already", request.id)
                    return self.channel, message["ts"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    async def failed(self, item: Item, reason: str, gave_up: bool) -> None:
        update_request(
            self.engine.store,
            item.request_id,
            last_error=f"ops post attempt {item.attempts}: {reason}"[:500],
        )
        if item.attempts != 1 and not gave_up:
            return  # told once when it first failed, and once more if it is given up
        request = get_request(self.engine.store, item.request_id)
        if request is None:
            return
        # The requester hears it in the language they asked in.
        lang = request.lang or self.engine.settings.language
        note = self.engine.request_cards.in_language(lang).notice(
            "ops_gave_up" if gave_up else "ops_unreachable",
            request_id=request.id,
            ops_channel=self.channel,
            error=reason,
        )
        await tell_privately(
            self.client,
            note,
            user=request.requested_by,
            channel=request.channel or None,
            thread_ts=request.thread_ts or None,
        )


async def update_ops_message(
    engine: Engine, client: AsyncWebClient, request: ReprocessRequest
) -> None:
    """Show the request's current state in its ops message (a failure is logged, not raised)."""
    if not (request.ops_channel and request.ops_ts):
        return
    card = ops_cards(engine).ops_message(request, engine.entry(request.entry_id))
    try:
        await client.chat_update(
            channel=request.ops_channel, ts=request.ops_ts, blocks=card.blocks, text=card.text
        )
    except CALL_ERRORS as exc:
        log_failure(f"updating the ops message of request #{request.id}", exc)


def make_sender(
    settings: Settings,
    engine: Engine,
    client: AsyncWebClient,
    session: aiohttp.ClientSession,
) -> OutboxSender | None:
    """The outbox sender for what is configured (ops channel, webhook); None when neither is."""
    handlers: dict[str, Handler] = {}
    if settings.ops_channel:
        handlers["ops"] = OpsHandler(engine, client, settings.ops_channel)
    if settings.reprocess_webhook:
        handlers["webhook"] = WebhookHandler(engine.store, settings.reprocess_webhook, session)
    if not handlers:
        return None
    backoff = Backoff(
        first=settings.webhook_retry_seconds,
        cap=settings.webhook_retry_max_seconds,
        give_up_after=settings.webhook_give_up_hours * 3600,
    )
    return OutboxSender(Outbox(engine.store, backoff), handlers)

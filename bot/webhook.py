"""Deliver each reprocessing request to AMZERROR_REPROCESS_WEBHOOK as JSON, from the outbox."""

from __future__ import annotations

from functools import partial

import aiohttp

from bot.outbox import Finish, Handler, Item, Undelivered
from bot.reprocess import ReprocessRequest, get_request, set_columns, update_request
from bot.store import Store

TIMEOUT_SECONDS = 10.0


def payload(request: ReprocessRequest) -> dict:
    """The JSON the webhook receives; `id` (and the Idempotency-Key header) lets the receiver
    ignore a repeat: a delivery cut off by a crash is sent again."""
    return {
        "id": request.id,
        "entry_id": request.entry_id,
        "target_kind": request.target_kind,
        "targets": list(request.ids),
        "requested_by": request.requested_by,
        "channel": request.channel,
        "thread_ts": request.thread_ts,
        "created_at": request.created_at,
    }


def idempotency_key(request_id: int) -> str:
    return f"amzerror-request-{request_id}"


class WebhookHandler(Handler):
    """POSTs a request; anything but a 2xx answer in time is a failed attempt."""

    def __init__(
        self,
        store: Store,
        url: str,
        session: aiohttp.ClientSession,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.store = store
        self.url = url
        self.session = session
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(self, item: Item) -> Finish | None:
        request = get_request(self.store, item.request_id)
        if request is None:
            return None
        try:
            async with self.session.post(
                self.url,
                json=payload(request),
                headers={"Idempotency-Key": idempotency_key(request.id)},
                timeout=self.timeout,
            ) as response:
                if not 200 <= response.status < 300:
                    raise Undelivered(f"HTTP {response.status}")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise Undelivered(str(exc) or type(exc).__name__) from None
        return partial(
            set_columns,
            request_id=request.id,
            webhook_status="sent",
            webhook_attempts=item.attempts,
        )

    async def failed(self, item: Item, reason: str, gave_up: bool) -> None:
        update_request(
            self.store,
            item.request_id,
            webhook_status="failed" if gave_up else "pending",
            webhook_attempts=item.attempts,
            last_error=f"webhook attempt {item.attempts}: {reason}"[:500],
        )

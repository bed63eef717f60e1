"""Deliver reprocessing requests to AMZERROR_REPROCESS_WEBHOOK, retrying with back-off."""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

from bot.reprocess import ReprocessRequest, update_request
from bot.store import Store, now_iso

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 600.0
TIMEOUT_SECONDS = 5.0
# A request being sent is leased for one attempt (the POST times out before the lease
# ends); if the sender dies mid-attempt, the request is retried once the lease is over.
LEASE_SECONDS = TIMEOUT_SECONDS + 5


def payload(request: ReprocessRequest) -> dict:
    """The JSON the webhook receives; `id` lets the receiver ignore a repeat."""
    return {
        "id": request.id,
        "entry_id": request.entry_id,
        "target_kind": request.target_kind,
        "target": request.target,
        "requested_by": request.requested_by,
        "channel": request.channel,
        "thread_ts": request.thread_ts,
        "created_at": request.created_at,
    }


def post_json(url: str, data: dict, timeout: float = TIMEOUT_SECONDS) -> None:
    """POST JSON; raises on a network error or a non-2xx answer."""
    body = json.dumps(data).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": f"amzerror-request-{data['id']}",
        },
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(url, response.status, "not 2xx", response.headers, None)


class WebhookDispatcher:
    """Sends pending requests; failures wait (exponentially longer) and survive restarts."""

    def __init__(
        self,
        store: Store,
        url: str,
        max_attempts: int = MAX_ATTEMPTS,
        base_delay: float = BASE_DELAY_SECONDS,
    ):
        self.store = store
        self.url = url
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def due(self) -> list[ReprocessRequest]:
        rows = self.store.db["reprocess_requests"].rows_where(
            "webhook_status = 'pending' and webhook_next_at <= ?", [now_iso()], order_by="id"
        )
        return [ReprocessRequest.from_row(r) for r in rows]

    def _claim(self, request: ReprocessRequest) -> bool:
        """Lease a due request for a while, so no other worker process sends it too."""
        lease = datetime.now(UTC) + timedelta(seconds=LEASE_SECONDS)
        with self.store.write_lock(), self.store.db.conn:
            cursor = self.store.db.execute(
                "update reprocess_requests set webhook_next_at = ? "
                "where id = ? and webhook_status = 'pending' and webhook_next_at <= ?",
                [lease.isoformat(timespec="seconds"), request.id, now_iso()],
            )
        return cursor.rowcount == 1

    def deliver_due(self) -> int:
        """Try every due request once; returns how many were delivered."""
        delivered = 0
        with self._lock:
            for request in self.due():
                if not self._claim(request):
                    continue  # another worker has it
                attempts = request.webhook_attempts + 1
                try:
                    post_json(self.url, payload(request))
                except (urllib.error.URLError, OSError, ValueError) as exc:
                    code = getattr(exc, "code", None)
                    reason = f"HTTP {code}" if code else getattr(exc, "reason", None) or exc
                    gave_up = attempts >= self.max_attempts
                    delay = min(self.base_delay * 2 ** (attempts - 1), MAX_DELAY_SECONDS)
                    next_at = datetime.now(UTC) + timedelta(seconds=delay)
                    update_request(
                        self.store,
                        request.id,
                        webhook_status="failed" if gave_up else "pending",
                        webhook_attempts=attempts,
                        webhook_next_at=next_at.isoformat(timespec="seconds"),
                        last_error=f"webhook attempt {attempts}: {reason}"[:500],
                    )
                    log.warning(
                        "webhook for request #%s failed (attempt %d): %s",
                        request.id,
                        attempts,
                        reason,
                    )
                    continue
                update_request(
                    self.store,
                    request.id,
                    webhook_status="sent",
                    webhook_attempts=attempts,
                    webhook_next_at=None,
                )
                delivered += 1
        return delivered

    def wake(self) -> None:
        self._wake.set()

    def start(self, interval: float = 1.0) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.deliver_due()
                except Exception:  # keep the loop alive; the reason is in the log
                    log.exception("webhook delivery loop")
                self._wake.wait(interval)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="amzerror-webhook", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

"""Build the Bolt app: one client with retries, the core services, every surface registered."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.engine import Engine
from bot.slack import actions, commands, events, shortcuts, views
from bot.webhook import WebhookDispatcher

log = logging.getLogger(__name__)

MEMBERS_CACHE_SECONDS = 60.0
# Answers are mostly CPU under the GIL: more threads than this only queue for it.
LISTENER_THREADS = 8


def make_client(settings: Settings, timeout: int = 10) -> WebClient:
    """The Web API client: 429s wait for Retry-After, 5xx and dropped connections retry."""
    kwargs = {"base_url": settings.api_url} if settings.api_url else {}
    return WebClient(
        token=settings.bot_token,
        timeout=timeout,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ],
        **kwargs,
    )


@dataclass
class BotServices:
    """What the listeners need from the core, handed to them through Bolt's context."""

    settings: Settings
    engine: Engine
    webhook: WebhookDispatcher | None = None
    _members: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)
    _members_lock: threading.Lock = field(default_factory=threading.Lock)

    def __deepcopy__(self, memo: dict) -> BotServices:
        # Bolt copies the context for lazy listeners; services are shared, not data.
        return self

    @property
    def store(self):
        return self.engine.store

    def is_ops(self, client: WebClient, user: str) -> bool:
        """Ops-channel members and AMZERROR_OPS_USERS may mark requests done or failed."""
        if user in self.settings.ops_users:
            return True
        channel = self.settings.ops_channel
        if not channel:
            return False
        with self._members_lock:
            cached = self._members.get(channel)
        fresh = cached is not None and time.monotonic() - cached[0] < MEMBERS_CACHE_SECONDS
        if fresh and user in cached[1]:
            return True
        # Not known as a member: ask Slack again, someone may have just joined.
        members: set[str] = set()
        for page in client.conversations_members(channel=channel, limit=1000):
            members.update(page["members"])
        cached = (time.monotonic(), frozenset(members))
        with self._members_lock:
            self._members[channel] = cached
        return user in cached[1]


def build_app(
    settings: Settings,
    engine: Engine | None = None,
    client: WebClient | None = None,
    webhook: WebhookDispatcher | None = None,
) -> App:
    """The Bolt app with every listener; acknowledges first, works after (its thread pool)."""
    engine = engine or Engine(settings)
    services = BotServices(settings, engine, webhook)
    app = App(
        signing_secret=settings.signing_secret or "socket-mode-needs-no-signing-secret",
        client=client or make_client(settings),
        # Acks run on the request thread and return at once; the work runs as lazy
        # listeners in Bolt's pool, so a busy pool never delays an acknowledgement.
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(
            max_workers=LISTENER_THREADS, thread_name_prefix="amzerror"
        ),
    )

    @app.middleware
    def provide_services(context, next):  # noqa: A002 - Bolt's name for the chain
        context["amz"] = services
        next()

    for surface in (commands, events, actions, views, shortcuts):
        surface.register(app)
    return app

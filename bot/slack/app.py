"""Build the Bolt app: one client with retries, the core services, every surface registered."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.engine import Engine
from bot.outbox import OutboxSender
from bot.slack import actions, commands, events, shortcuts, views

log = logging.getLogger(__name__)

MEMBERS_CACHE_SECONDS = 60.0
# Open connections to the Web API, reused from call to call (a new TCP connection per
# post costs more CPU than building the card).
API_CONNECTIONS = 64


def make_client(
    settings: Settings, session: aiohttp.ClientSession, timeout: int = 10
) -> AsyncWebClient:
    """The Web API client: 429s wait for Retry-After, 5xx and dropped connections retry."""
    kwargs = {"base_url": settings.api_url} if settings.api_url else {}
    return AsyncWebClient(
        token=settings.bot_token,
        timeout=timeout,
        session=session,
        logger=api_logger(),
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
        ],
        **kwargs,
    )


def api_logger() -> logging.Logger:
    """slack_sdk's Web API logger, with its level set to the level it logs at anyway.

    slack_sdk decides whether to build its debug lines (every request's arguments, every
    response) from the logger's own level, not the effective one (python-slack-sdk#1957):
    left unset, every post formats its blocks into a string nobody logs.
    """
    logger = logging.getLogger("slack_sdk.web.async_client")
    if logger.level == logging.NOTSET:
        logger.setLevel(logger.getEffectiveLevel())
    return logger


def make_session() -> aiohttp.ClientSession:
    """One pooled HTTP session for every Web API call; create it inside the running loop."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=API_CONNECTIONS))


@dataclass
class BotServices:
    """What the listeners need from the core, handed to them through Bolt's context."""

    settings: Settings
    engine: Engine
    outbox: OutboxSender | None = None  # sends ops posts and webhook deliveries
    _members: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)

    @property
    def store(self):
        return self.engine.store

    async def is_ops(self, client: AsyncWebClient, user: str) -> bool:
        """Ops-channel members and AMZERROR_OPS_USERS may mark requests done or failed."""
        if user in self.settings.ops_users:
            return True
        channel = self.settings.ops_channel
        if not channel:
            return False
        cached = self._members.get(channel)
        fresh = cached is not None and time.monotonic() - cached[0] < MEMBERS_CACHE_SECONDS
        if fresh and user in cached[1]:
            return True
        # Not known as a member: ask Slack again, someone may have just joined.
        members: set[str] = set()
        async for page in await client.conversations_members(channel=channel, limit=1000):
            members.update(page["members"])
        self._members[channel] = (time.monotonic(), frozenset(members))
        return user in members


def build_app(
    settings: Settings,
    client: AsyncWebClient,
    engine: Engine | None = None,
    outbox: OutboxSender | None = None,
    signature_checked: bool = False,
) -> AsyncApp:
    """The Bolt app with every listener; acknowledges first, works after (asyncio tasks).

    `signature_checked`: every request reaches the app through `bot.slack.verify`, which
    has checked its signature before parsing it, so Bolt need not check it again.
    """
    engine = engine or Engine(settings)
    services = BotServices(settings, engine, outbox)
    # AsyncApp also reads SLACK_BOT_TOKEN from the environment and, finding it next to
    # our client, warns that the token goes unused: the client was made from that very
    # token. Only that warning, only while constructing, is held back.
    unused_token = warning_client_prioritized_and_token_skipped()
    bolt_log = logging.getLogger("slack_bolt.AsyncApp")

    def not_unused_token(record: logging.LogRecord) -> bool:
        return record.getMessage() != unused_token

    bolt_log.addFilter(not_unused_token)
    try:
        app = AsyncApp(
            signing_secret=settings.signing_secret or "socket-mode-needs-no-signing-secret",
            client=client,
            # Each listener acknowledges and returns; its work runs as a task on the same
            # event loop (bot.slack.ack), so slow Web API calls never delay an ack.
            process_before_response=True,
            request_verification_enabled=not signature_checked,
        )
    finally:
        bolt_log.removeFilter(not_unused_token)

    @app.middleware
    async def provide_services(context, next):  # noqa: A002 - Bolt's name for the chain
        context["amz"] = services
        await next()

    for surface in (commands, events, actions, views, shortcuts):
        surface.register(app)
    return app

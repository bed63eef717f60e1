"""Run the bot: Socket Mode by default, or HTTP behind gunicorn for production."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Callable

from aiohttp import web

from bot.activity import forget_old_events
from bot.config import ConfigError, Settings
from bot.engine import Engine
from bot.slack.ack import finish_running

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# aiohttp refuses bodies over 1 MiB by default; a pasted megabyte, JSON-escaped, is more.
MAX_BODY_BYTES = 8 * 1024 * 1024


def require(settings: Settings, mode: str) -> None:
    missing = settings.missing_for(mode)
    if missing:
        raise ConfigError(
            f"missing {', '.join(missing)}: create the Slack app from manifest.yml "
            "(see README, 'Running it in Slack') and export them; "
            "meanwhile try a match locally: amzerror match 'Inactive SKU'"
        )


def start_services(settings: Settings) -> Engine:
    engine = Engine(settings, validate_cards=False)  # logs any rejected knowledge file
    forget_old_events(engine.store)
    # What is loaded now (knowledge, templates, libraries) lives as long as the process:
    # keep it out of the collector's full passes, which otherwise walk it again and again.
    gc.freeze()
    return engine


async def web_application(settings: Settings) -> web.Application:
    """`POST /slack/events` for everything Slack sends; `GET /healthz` once ready."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

    from bot.slack.app import build_app, make_client, make_session
    from bot.slack.ops import make_sender

    engine = start_services(settings)
    session = make_session()
    client = make_client(settings, session)
    # What a restart left unsent (ops posts, webhook deliveries) goes out from here.
    outbox = make_sender(settings, engine, client, session)
    bolt = build_app(settings, client, engine, outbox=outbox)

    async def slack_events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def start_outbox(app: web.Application) -> None:
        if outbox is not None:
            outbox.start()

    async def finish(app: web.Application) -> None:
        await finish_running()
        if outbox is not None:
            await outbox.stop()
        await session.close()

    application = web.Application(client_max_size=MAX_BODY_BYTES)
    application.on_startup.append(start_outbox)
    application.add_routes([web.post(EVENTS_PATH, slack_events), web.get(HEALTH_PATH, health)])
    application.on_shutdown.append(finish)
    return application


def serve_http(settings: Settings, host: str, port: int) -> int:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            # One event loop per worker process, one worker per core: Web API calls
            # wait without holding a thread, so a burst does not queue behind them.
            # Workers share state only through SQLite (WAL), which is safe.
            self.cfg.set("workers", settings.http_workers)
            # A listening socket per worker, and the kernel spreads new connections over
            # them. On one shared socket the first worker awake takes a whole burst of
            # connections, and with keep-alive it keeps them: one core works, one idles.
            self.cfg.set("reuse_port", True)
            self.cfg.set("worker_class", "aiohttp.GunicornWebWorker")
            self.cfg.set("timeout", 30)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("keepalive", 5)
            self.cfg.set("loglevel", "warning")

        def load(self) -> Callable:
            async def application() -> web.Application:  # built inside the worker's loop
                return await web_application(settings)

            return application

    Server().run()
    return 0


async def _socket_mode(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_sdk.errors import SlackApiError

    from bot.slack.app import build_app, make_client, make_session
    from bot.slack.ops import make_sender

    # SIGTERM (a service manager) and Ctrl-C end the wait below, so the work already
    # acknowledged finishes; an exception raised from a signal handler would instead
    # land in whichever task was running and cut it short.
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    engine = start_services(settings)
    async with make_session() as session:
        client = make_client(settings, session)
        outbox = make_sender(settings, engine, client, session)
        app = build_app(settings, client, engine, outbox=outbox)
        handler = AsyncSocketModeHandler(app, settings.app_token, web_client=app.client)
        try:
            # The Socket Mode client retries a refused token forever; ask once first, so a
            # wrong or revoked token is one line to fix rather than a loop of tracebacks.
            opened = await app.client.apps_connections_open(app_token=settings.app_token)
            await app.client.auth_test()
            handler.client.wss_uri = opened["url"]  # connect with it rather than ask twice
        except SlackApiError as exc:
            error = exc.response.get("error", "error")
            await handler.close_async()
            raise ConfigError(
                f"Slack refused the tokens ({error}): check SLACK_APP_TOKEN (xapp-…, with "
                "connections:write) and SLACK_BOT_TOKEN (xoxb-…)"
            ) from exc
        try:
            await handler.connect_async()
            if outbox is not None:
                outbox.start()
            log.warning("amzerror is connected in Socket Mode; Ctrl-C stops it")
            await stop.wait()
        finally:
            await handler.close_async()
            await finish_running()
            if outbox is not None:
                await outbox.stop()


def serve_socket_mode(settings: Settings) -> int:
    with contextlib.suppress(KeyboardInterrupt):  # a Ctrl-C before the loop is listening
        asyncio.run(_socket_mode(settings))
    return 0


def serve(settings: Settings, http: bool = False, host: str = "0.0.0.0", port: int = 3000) -> int:
    require(settings, "http" if http else "socket")
    if http:
        return serve_http(settings, host, port)
    return serve_socket_mode(settings)

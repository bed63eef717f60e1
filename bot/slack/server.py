"""Run the bot: Socket Mode by default, or HTTP behind gunicorn for production."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import signal
import socket
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from bot.activity import forget_old_events
from bot.config import ConfigError, Settings
from bot.engine import Engine
from bot.offload import PasteProcess
from bot.slack.ack import finish_running
from bot.slack.verify import Refusal, RequestGate
from bot.store import StorageError, Store, ensure_knowledge

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# How long a health answer stands: a probe is a write, and /healthz may be polled hard.
HEALTH_CACHE_SECONDS = 1.0


def announce(line: str) -> None:
    """A start-up line on stderr, shown whatever the log level: where the bot can be reached."""
    print(f"amzerror: {line}", file=sys.stderr, flush=True)


def require(settings: Settings, mode: str) -> None:
    missing = settings.missing_for(mode)
    if missing:
        raise ConfigError(
            f"missing {', '.join(missing)}: create the Slack app from manifest.yml "
            "(see README, 'Running it in Slack') and export them"
        )
    usable_database(settings)


def usable_database(settings: Settings) -> None:
    """Fail at start, in one line, when AMZERROR_DB cannot be opened and written."""
    try:
        store = Store(settings.db_path)
        problem = store.check_writable()
        store.close()
    except (StorageError, sqlite3.Error, OSError) as exc:
        problem = str(exc)
    if problem:
        raise ConfigError(f"AMZERROR_DB: {settings.db_path} cannot be used: {problem}")


def start_services(settings: Settings) -> Engine:
    # First, while this process has no thread and no database connection to pass on.
    long_pastes = PasteProcess(settings)
    # Logs any rejected knowledge file.
    engine = Engine(settings, validate_cards=False, long_pastes=long_pastes)
    forget_old_events(engine.store)
    engine.cards.compile_all()
    # What is loaded now (knowledge, templates, libraries) lives as long as the process:
    # keep it out of the collector's full passes, which otherwise walk it again and again.
    gc.freeze()
    return engine


@dataclass
class HealthProbe:
    """Why the database cannot be written now (None: it can), probed at most once a second."""

    store: Store
    checked_at: float = -math.inf
    found: str | None = None

    def problem(self) -> str | None:
        if time.monotonic() - self.checked_at > HEALTH_CACHE_SECONDS:
            self.checked_at, self.found = time.monotonic(), self.store.check_writable()
        return self.found


async def web_application(settings: Settings) -> web.Application:
    """`POST /slack/events` for everything Slack sends; `GET /healthz` while it can serve."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response
    from slack_bolt.request.async_request import AsyncBoltRequest

    from bot.slack.app import build_app, make_client, make_session
    from bot.slack.ops import make_sender

    engine = start_services(settings)
    session = make_session()
    client = make_client(settings, session)
    # What a restart left unsent (ops posts, webhook deliveries) goes out from here.
    outbox = make_sender(settings, engine, client, session)
    bolt = build_app(settings, client, engine, outbox=outbox, signature_checked=True)
    gate = RequestGate(settings.signing_secret or "", body_seconds=settings.body_timeout_seconds)
    probe = HealthProbe(engine.store)

    async def slack_events(request: web.Request) -> web.Response:
        try:
            body = await gate.read(request)  # nothing is parsed before this
            try:
                bolt_request = AsyncBoltRequest(
                    body=body, query=request.query_string, headers=request.headers
                )
            except ValueError:
                raise Refusal(400, "signed, but not a body Slack sends") from None
        except Refusal as refusal:
            return gate.refuse(refusal, request)
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    async def health(request: web.Request) -> web.Response:
        # 503 says "restart me or page someone": answers go out, but nothing is stored.
        problem = probe.problem()
        if problem:
            return web.Response(status=503, text=f"database not writable: {problem}\n")
        return web.Response(text="ok\n")

    async def start_outbox(app: web.Application) -> None:
        if outbox is not None:
            outbox.start()

    async def finish(app: web.Application) -> None:
        await finish_running()
        engine.paste_process.close()
        if outbox is not None:
            await outbox.stop()
        await session.close()

    application = web.Application(client_max_size=gate.max_bytes)
    application.on_startup.append(start_outbox)
    application.add_routes([web.post(EVENTS_PATH, slack_events), web.get(HEALTH_PATH, health)])
    application.on_shutdown.append(finish)
    return application


def check_address(host: str, port: int) -> None:
    """Raise OSError, saying why, unless this process could serve on host:port.

    Each gunicorn worker binds its own socket (reuse_port): a worker that cannot is
    restarted, and fails again, for ever. Asked here first, a wrong host or a port in
    use is one line. The probe binds as the workers will (SO_REUSEPORT), so a port held
    for this server (`reserve_port`) passes; a port some program already serves on is
    refused, rather than shared with it.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            probe.bind(address)
    except OSError as exc:
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    local = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    try:
        socket.create_connection((local, port), timeout=0.5).close()
    except OSError:
        return  # nobody answers there: the port is ours
    # Someone answers there already (another amzerror, sharing the port by reuse_port).
    raise OSError(f"cannot listen on {host}:{port}: another server is listening there")


def reserve_port(host: str) -> socket.socket:
    """A port the kernel chooses, held (bound, never listening) while the server runs.

    Each gunicorn worker binds a socket of its own (reuse_port), so given port 0 each
    would get a different port. The port is chosen once here instead, on a socket with
    SO_REUSEPORT: the workers may join it, and the kernel hands it to no other program
    asking for a free port, as it would the moment a probed port was let go.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    held = socket.socket(family, socket.SOCK_STREAM)
    try:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        held.bind((host, 0))
    except OSError:
        held.close()
        raise
    return held


def serve_http(settings: Settings, host: str, port: int) -> int:
    held = None
    if port == 0:
        held = reserve_port(host)
        port = held.getsockname()[1]
        # Whoever started the server (a test, a supervisor) learns the port from this line.
        announce(f"port 0 asked, port {port} chosen: serving http://{host}:{port}")
    try:
        return _run_gunicorn(settings, host, port)
    finally:
        if held is not None:
            held.close()


def _run_gunicorn(settings: Settings, host: str, port: int) -> int:
    from gunicorn.app.base import BaseApplication

    check_address(host, port)
    # Built once here, before the workers start, which then find it up to date; and the
    # start-up line can say what it holds.
    store = Store(settings.db_path)
    try:
        knowledge = ensure_knowledge(store, settings.knowledge_dir)
    finally:
        store.close()  # no SQLite connection is carried into the forked workers

    def when_ready(server) -> None:
        # In the master, once, just before it starts the workers; each worker binds its
        # own socket (reuse_port), so the address is the one configured.
        where = ", ".join(
            f"http://[{a[0]}]:{a[1]}" if ":" in a[0] else f"http://{a[0]}:{a[1]}"
            for a in server.cfg.address
        )
        workers = settings.http_workers
        announce(
            f"listening on {where} ({workers} worker{'s' if workers > 1 else ''}); "
            f"{knowledge.summary()}"
        )

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
            self.cfg.set("when_ready", when_ready)

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
            identity = await app.client.auth_test()
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
            announce(
                f"connected to Slack as @{identity.get('user')} "
                f"(workspace {identity.get('team')}) in Socket Mode; "
                f"{engine.status.summary()}; Ctrl-C stops it"
            )
            await stop.wait()
        finally:
            await handler.close_async()
            await finish_running()
            engine.paste_process.close()
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

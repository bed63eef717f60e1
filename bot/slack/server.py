"""Run the bot: Socket Mode by default, or HTTP behind gunicorn for production."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable, Iterable

from bot.activity import forget_old_events
from bot.config import ConfigError, Settings
from bot.engine import Engine
from bot.webhook import WebhookDispatcher

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def require(settings: Settings, mode: str) -> None:
    missing = settings.missing_for(mode)
    if missing:
        raise ConfigError(
            f"missing {', '.join(missing)}: create the Slack app from manifest.yml "
            "(see README, 'Running it in Slack') and export them; "
            "meanwhile try a match locally: amzerror match 'Inactive SKU'"
        )


def start_services(settings: Settings) -> tuple[Engine, WebhookDispatcher | None]:
    engine = Engine(settings)
    for problem in engine.status.problems:
        log.error("knowledge: %s", problem)
    forget_old_events(engine.store)
    dispatcher = None
    if settings.reprocess_webhook:
        # Pending deliveries from before a restart go out again from here.
        dispatcher = WebhookDispatcher(
            engine.store, settings.reprocess_webhook, base_delay=settings.webhook_retry_seconds
        )
        dispatcher.start()
    return engine, dispatcher


def wsgi_application(settings: Settings) -> Callable:
    """`POST /slack/events` for everything Slack sends; `GET /healthz` once ready."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from bot.slack.app import build_app

    engine, dispatcher = start_services(settings)
    handler = SlackRequestHandler(build_app(settings, engine, webhook=dispatcher), EVENTS_PATH)

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        if path == EVENTS_PATH and method == "POST":
            return handler(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]

    return application


def serve_http(settings: Settings, host: str, port: int) -> int:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            # Threaded workers: Bolt acknowledges on a request thread and does the work in
            # its pool. Workers share state only through SQLite (WAL), which is safe.
            self.cfg.set("workers", settings.http_workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 16)
            self.cfg.set("timeout", 30)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("keepalive", 5)
            self.cfg.set("loglevel", "warning")

        def load(self) -> Callable:
            return wsgi_application(settings)

    Server().run()
    return 0


def serve_socket_mode(settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk import WebClient

    from bot.slack.app import build_app

    engine, dispatcher = start_services(settings)
    app = build_app(settings, engine, webhook=dispatcher)
    kwargs = {"base_url": settings.api_url} if settings.api_url else {}
    handler = SocketModeHandler(
        app, settings.app_token, web_client=WebClient(token=settings.app_token, **kwargs)
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log.warning("amzerror is connected in Socket Mode; Ctrl-C stops it")
    handler.start()
    return 0


def serve(settings: Settings, http: bool = False, host: str = "0.0.0.0", port: int = 3000) -> int:
    require(settings, "http" if http else "socket")
    if http:
        return serve_http(settings, host, port)
    return serve_socket_mode(settings)

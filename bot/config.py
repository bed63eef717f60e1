"""Settings read once from the environment, with the reason when one is wrong."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge import LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable."""


def _default_db_path() -> Path:
    # XDG data dir: per user, survives reinstalls, never inside the checkout.
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "amzerror" / "amzerror.db"


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from the environment."""

    db_path: Path = field(default_factory=_default_db_path)
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    templates_dir: Path = PROJECT_ROOT / "templates"
    bot_token: str | None = None
    app_token: str | None = None
    signing_secret: str | None = None
    api_url: str | None = None
    ops_channel: str | None = None
    watch_channels: frozenset[str] = frozenset()
    watch_all: bool = False
    ops_users: frozenset[str] = frozenset()
    reprocess_webhook: str | None = None
    vtex_account: str | None = None
    webhook_retry_seconds: float = 2.0
    webhook_retry_max_seconds: float = 300.0
    webhook_give_up_hours: float = 24.0
    http_workers: int = 2
    body_timeout_seconds: float = 5.0
    language: str = "en"
    ops_language: str = "en"  # of the ops channel's messages, whoever asked

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        watch = get("AMZERROR_WATCH_CHANNELS") or ""
        watch_ids = frozenset(c.strip() for c in watch.split(",") if c.strip())
        watch_all = watch_ids == {"all"}
        for channel in watch_ids - {"all"}:
            if channel[:1] not in {"C", "G"} or not channel.isalnum():
                raise ConfigError(
                    f"AMZERROR_WATCH_CHANNELS: {channel!r} is not a channel id "
                    "(like C0123456789), and not 'all'"
                )
        ops_users = frozenset(
            u.strip() for u in (get("AMZERROR_OPS_USERS") or "").split(",") if u.strip()
        )
        api_url = get("SLACK_API_URL")
        if api_url and not api_url.startswith(("http://", "https://")):
            raise ConfigError(f"SLACK_API_URL: {api_url!r} is not an http(s) URL")
        if api_url and not api_url.endswith("/"):
            api_url += "/"
        webhook = get("AMZERROR_REPROCESS_WEBHOOK")
        if webhook and not webhook.startswith(("http://", "https://")):
            raise ConfigError(f"AMZERROR_REPROCESS_WEBHOOK: {webhook!r} is not an http(s) URL")
        retry_seconds = _positive(get, "AMZERROR_WEBHOOK_RETRY_SECONDS", "2", "seconds")
        retry_max = _positive(get, "AMZERROR_WEBHOOK_RETRY_MAX_SECONDS", "300", "seconds")
        if retry_max < retry_seconds:
            raise ConfigError(
                f"AMZERROR_WEBHOOK_RETRY_MAX_SECONDS: {retry_max:g} is less than the first "
                f"delay, AMZERROR_WEBHOOK_RETRY_SECONDS={retry_seconds:g}"
            )
        give_up = _positive(get, "AMZERROR_WEBHOOK_GIVE_UP_HOURS", "24", "hours")
        body_timeout = get("AMZERROR_BODY_TIMEOUT_SECONDS") or "5"
        try:
            body_seconds = float(body_timeout)
        except ValueError:
            body_seconds = math.nan
        if not 0.1 <= body_seconds <= 60:
            raise ConfigError(
                f"AMZERROR_BODY_TIMEOUT_SECONDS: {body_timeout!r} is not a number of seconds "
                "from 0.1 to 60"
            )
        language = _language(get, "AMZERROR_DEFAULT_LANG")
        ops_language = _language(get, "AMZERROR_OPS_LANG")
        workers = get("AMZERROR_HTTP_WORKERS") or "2"
        if not workers.isdigit() or not 1 <= int(workers) <= 16:
            raise ConfigError(f"AMZERROR_HTTP_WORKERS: {workers!r} is not a number from 1 to 16")
        return cls(
            http_workers=int(workers),
            body_timeout_seconds=body_seconds,
            language=language,
            ops_language=ops_language,
            webhook_retry_seconds=retry_seconds,
            webhook_retry_max_seconds=retry_max,
            webhook_give_up_hours=give_up,
            db_path=Path(get("AMZERROR_DB") or _default_db_path()).expanduser(),
            knowledge_dir=Path(get("AMZERROR_KNOWLEDGE_DIR") or PROJECT_ROOT / "knowledge"),
            templates_dir=Path(get("AMZERROR_TEMPLATES_DIR") or PROJECT_ROOT / "templates"),
            bot_token=get("SLACK_BOT_TOKEN"),
            app_token=get("SLACK_APP_TOKEN"),
            signing_secret=get("SLACK_SIGNING_SECRET"),
            api_url=api_url,
            ops_channel=get("AMZERROR_OPS_CHANNEL"),
            watch_channels=watch_ids - {"all"},
            watch_all=watch_all,
            ops_users=ops_users,
            reprocess_webhook=webhook,
            vtex_account=get("AMZERROR_VTEX_ACCOUNT"),
        )

    def missing_for(self, mode: str) -> list[str]:
        """Names of the variables that `serve` in this mode still needs."""
        needed = {
            "socket": [("SLACK_BOT_TOKEN", self.bot_token), ("SLACK_APP_TOKEN", self.app_token)],
            "http": [
                ("SLACK_BOT_TOKEN", self.bot_token),
                ("SLACK_SIGNING_SECRET", self.signing_secret),
            ],
        }[mode]
        return [name for name, value in needed if not value]


def _language(get, name: str) -> str:
    """One of the languages the bot speaks, English when unset."""
    language = (get(name) or "en").lower()
    if language not in LANGUAGES:
        raise ConfigError(f"{name}: {language!r} is not one of {', '.join(LANGUAGES)}")
    return language


def _positive(get, name: str, default: str, unit: str) -> float:
    """A finite number above zero: `nan`, `inf`, 0 or less would retry forever or never wait."""
    raw = get(name) or default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name}: {raw!r} is not a number of {unit} above zero")
    return value

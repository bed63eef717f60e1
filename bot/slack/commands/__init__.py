"""Slash commands."""

from slack_bolt.async_app import AsyncApp

from bot.slack.commands import amzerror


def register(app: AsyncApp) -> None:
    amzerror.register(app)

"""Slash commands."""

from slack_bolt import App

from bot.slack.commands import amzerror


def register(app: App) -> None:
    amzerror.register(app)

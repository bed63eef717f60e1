"""Shortcuts."""

from slack_bolt.async_app import AsyncApp

from bot.slack.shortcuts import explain


def register(app: AsyncApp) -> None:
    explain.register(app)

"""Shortcuts."""

from slack_bolt import App

from bot.slack.shortcuts import explain


def register(app: App) -> None:
    explain.register(app)

"""Events API listeners."""

from slack_bolt import App

from bot.slack.events import mentions, messages


def register(app: App) -> None:
    mentions.register(app)
    messages.register(app)

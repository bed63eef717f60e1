"""Events API listeners."""

from slack_bolt.async_app import AsyncApp

from bot.slack.events import mentions, messages


def register(app: AsyncApp) -> None:
    mentions.register(app)
    messages.register(app)

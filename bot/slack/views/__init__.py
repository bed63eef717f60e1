"""Modal submissions."""

from slack_bolt.async_app import AsyncApp

from bot.slack.views import reprocess_target


def register(app: AsyncApp) -> None:
    reprocess_target.register(app)

"""Modal submissions."""

from slack_bolt.async_app import AsyncApp

from bot.slack.views import failed_reason, reprocess_targets


def register(app: AsyncApp) -> None:
    reprocess_targets.register(app)
    failed_reason.register(app)

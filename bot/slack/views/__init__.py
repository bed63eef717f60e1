"""Modal submissions."""

from slack_bolt import App

from bot.slack.views import reprocess_target


def register(app: App) -> None:
    reprocess_target.register(app)

"""Button clicks (interactivity)."""

from slack_bolt.async_app import AsyncApp

from bot.slack.actions import feedback, other_matches, reprocess


def register(app: AsyncApp) -> None:
    reprocess.register(app)
    feedback.register(app)
    other_matches.register(app)

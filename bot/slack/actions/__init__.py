"""Button clicks (interactivity)."""

from slack_bolt import App

from bot.slack.actions import feedback, other_matches, reprocess


def register(app: App) -> None:
    reprocess.register(app)
    feedback.register(app)
    other_matches.register(app)

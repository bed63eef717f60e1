"""The acknowledgement of listeners whose work all happens afterwards, in lazy listeners."""

from slack_bolt import Ack


def acknowledge(ack: Ack) -> None:
    """Answer Slack at once (well inside its 3 seconds); the lazy listener does the work."""
    ack()

"""The Slack layer: translates Slack events into core calls and results into Web API calls."""

"""Settings are read once and checked at start: a bad value is one line naming the variable."""

from __future__ import annotations

import os

import pytest

from bot.config import ConfigError, Settings
from tests.slackharness import run_amzerror


def test_the_webhook_schedule_has_safe_defaults():
    settings = Settings.from_env({})
    assert settings.webhook_retry_seconds == 2
    assert settings.webhook_retry_max_seconds == 300
    assert settings.webhook_give_up_hours == 24


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AMZERROR_WEBHOOK_RETRY_SECONDS", "nan"),
        ("AMZERROR_WEBHOOK_RETRY_SECONDS", "0"),
        ("AMZERROR_WEBHOOK_RETRY_SECONDS", "-1"),
        ("AMZERROR_WEBHOOK_RETRY_SECONDS", "inf"),
        ("AMZERROR_WEBHOOK_RETRY_SECONDS", "soon"),
        ("AMZERROR_WEBHOOK_RETRY_MAX_SECONDS", "0"),
        ("AMZERROR_WEBHOOK_RETRY_MAX_SECONDS", "1"),  # less than the first delay (2)
        ("AMZERROR_WEBHOOK_GIVE_UP_HOURS", "NaN"),
        ("AMZERROR_WEBHOOK_GIVE_UP_HOURS", "-24"),
    ],
)
def test_a_retry_setting_that_would_spin_or_never_wait_is_refused(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_the_ops_channel_speaks_english_unless_told():
    assert Settings.from_env({}).ops_language == "en"
    assert Settings.from_env({"AMZERROR_OPS_LANG": " PT "}).ops_language == "pt"


def test_an_ops_language_the_bot_does_not_speak_is_refused_in_one_line():
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"AMZERROR_OPS_LANG": "fr"})
    assert str(refused.value) == "AMZERROR_OPS_LANG: 'fr' is not one of en, pt, es"


def test_serve_with_a_bad_setting_is_one_line_and_exit_2(tmp_path):
    env = {
        **os.environ,
        "AMZERROR_DB": str(tmp_path / "c.db"),
        "AMZERROR_WEBHOOK_RETRY_SECONDS": "nan",
    }
    done = run_amzerror("serve", "--http", env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "amzerror: AMZERROR_WEBHOOK_RETRY_SECONDS: 'nan' is not a number of seconds above zero"
    ]

"""Installing the project, as `make install` does, says nothing to worry about."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from bot.config import PROJECT_ROOT as ROOT


def test_the_license_is_an_spdx_expression():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"


def test_an_editable_install_logs_no_warning_from_the_build(tmp_path):
    # Into a private prefix, so the environment running the tests stays as it is.
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--ignore-installed"]
        + ["--disable-pip-version-check", "--prefix", str(tmp_path), "-e", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    log = done.stdout + done.stderr
    assert "BuildBackendWarning" not in log
    assert "deprecated" not in log.lower()

"""`uponyaji dev token`: development only, and only against a running stack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def uponyaji(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uponyaji_launcher.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_dev_token_is_refused_outside_development(tmp_path: Path) -> None:
    env = {**os.environ, "UPONYAJI_RUN_DIR": str(tmp_path), "UPONYAJI_ENV": "production"}
    result = uponyaji("dev", "token", "demo.counsellor", env=env)
    assert result.returncode == 2
    assert "development tokens only" in result.stderr
    assert result.stdout.strip() == ""


def test_dev_token_needs_a_running_stack(tmp_path: Path) -> None:
    env = {**os.environ, "UPONYAJI_RUN_DIR": str(tmp_path)}
    env.pop("UPONYAJI_ENV", None)
    result = uponyaji("dev", "token", "demo.counsellor", env=env)
    assert result.returncode == 3
    assert "not running" in result.stderr

"""Development only: the demo accounts and their current TOTP codes for the sign-in page."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pyotp


def demo_accounts(path: Path | None, environment: str) -> list[dict[str, str]]:
    """Identity's demo accounts from the launcher's demo-logins.json, each with its current code.

    Empty outside development, or when the file is missing or unreadable.
    """
    if environment != "development" or path is None:
        return []
    try:
        stored: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    accounts = []
    for login in stored.get("identity") or []:
        if not isinstance(login, dict) or "totp_secret" not in login:
            continue
        totp = pyotp.TOTP(str(login["totp_secret"]))
        accounts.append(
            {
                "login": str(login.get("login", "")),
                "password": str(login.get("password", "")),
                "role": str(login.get("role", "")),
                "code": totp.at(time.time()),
                "seconds_left": str(30 - int(time.time()) % 30),
            }
        )
    return accounts

"""`python -m uponyaji_identity.devtoken <username>`: a token for scripts (development only).

The token belongs to a real session of that account (revocable like any other, no refresh
token) and carries its current roles and teams. Refused outside UPONYAJI_ENV=development.
"""

from __future__ import annotations

import asyncio
import os
import sys

from .context import standalone
from .errors import InvalidCredentials, PasswordChangeRequired
from .handlers.auth import normalise, start_session
from .handlers.streams import load_account
from .settings import Settings

USAGE = "usage: python -m uponyaji_identity.devtoken <username>"


async def token_for(settings: Settings, username: str) -> str | None:
    """An access token for an active account (None if there is no such account, or none may
    have one yet)."""
    async with standalone(settings) as ctx:
        staff_id = await ctx.pool.fetchval(
            "SELECT staff_id FROM accounts WHERE username = $1", normalise(username)
        )
        account = None if staff_id is None else await load_account(ctx, staff_id)
        if account is None:
            return None
        try:
            tokens = await start_session(ctx, account, with_refresh=False)
        except (InvalidCredentials, PasswordChangeRequired):
            return None  # inactive, or its owner has yet to replace an administrator's password
        return tokens.access_token


def main(argv: list[str]) -> int:
    """Print the token and exit 0; explain and exit non-zero otherwise."""
    if os.environ.get("UPONYAJI_ENV") != "development":
        print(
            "identity.devtoken: refused: development tokens are issued only when "
            "UPONYAJI_ENV=development",
            file=sys.stderr,
        )
        return 2
    if len(argv) != 1:
        print(USAGE, file=sys.stderr)
        return 64
    token = asyncio.run(token_for(Settings(), argv[0]))
    if token is None:
        print(
            f"identity.devtoken: no active account named {argv[0]!r} that may sign in",
            file=sys.stderr,
        )
        return 1
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

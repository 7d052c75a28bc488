"""`python -m uponyaji_identity.bootstrap <username> "<name>"`: a new install's first admin.

Works in every environment, for whoever can reach identity's database and read its KEK file (an
operator). Refuses when an active admin already exists. Prints a random first password once;
the new admin then enrols an authenticator (POST /auth/mfa/enrol) and confirms it giving a
password of their own (POST /auth/mfa/confirm with `new_password`): the printed one must be
replaced at the first sign-in, like every first password an administrator sets.
"""

from __future__ import annotations

import asyncio
import sys

from uponyaji_events.envelope import Actor

from .context import Identity, standalone
from .handlers import accounts
from .seed import demo_password
from .settings import Settings

USAGE = 'usage: python -m uponyaji_identity.bootstrap <username> "<display name>"'
BOOTSTRAP = Actor.system("identity-bootstrap")


async def bootstrap_admin(ctx: Identity, username: str, display_name: str) -> str | None:
    """Create the first admin and return its password; None if an active admin exists."""
    if await ctx.pool.fetchval(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE active AND 'admin' = ANY (roles))"
    ):
        return None
    password = demo_password(username)
    await accounts.create_account(
        ctx,
        username=username,
        display_name=display_name,
        password=password,
        roles=frozenset({"admin"}),
        teams=(),
        actor=BOOTSTRAP,
    )
    return password


async def _main(username: str, display_name: str) -> int:
    async with standalone(Settings()) as ctx:
        password = await bootstrap_admin(ctx, username, display_name)
    if password is None:
        print("identity.bootstrap: refused: an active admin exists already", file=sys.stderr)
        return 1
    print(f"admin {username} created; first password (shown once): {password}")
    return 0


def main(argv: list[str]) -> int:
    """Create the first admin, or explain why not."""
    if len(argv) != 2:
        print(USAGE, file=sys.stderr)
        return 64
    return asyncio.run(_main(argv[0], argv[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

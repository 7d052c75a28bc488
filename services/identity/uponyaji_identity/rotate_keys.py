"""`python -m uponyaji_identity.rotate_keys`: announce a new token-signing key now (anywhere).

The new key is published at once and signs after the usual lead time; the previous one stays
published until its tokens have expired, so nobody is logged out. For an operator with database
and KEK access (e.g. after a suspected key compromise, or on a schedule of one's own).
"""

from __future__ import annotations

import asyncio
import sys

from .context import standalone
from .security.keys import PUBLISH_LEAD
from .settings import Settings


async def rotate() -> str:
    """Announce a new signing key; its kid."""
    async with standalone(Settings()) as ctx:
        return (await ctx.keys.rotate()).kid


if __name__ == "__main__":
    kid = asyncio.run(rotate())
    print(f"new signing key {kid}: published now, signs in {PUBLISH_LEAD.total_seconds():.0f} s")
    sys.exit(0)

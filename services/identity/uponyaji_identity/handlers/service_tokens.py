"""Service tokens: a service proves its client secret and gets a short token for other services.

OAuth2 client credentials: client id = the service's name, secret checked against the argon2
hash in the clients file. Unknown client and wrong secret get the same 401 after the same argon2
work. Issuing is not an event (like sign-ins: frequent and operational); it is logged by client
id and audience, never with the secret or the token.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from uponyaji_access.service_tokens import SERVICE_TOKEN_LIFETIME

from ..context import Identity
from ..errors import InvalidClient, UnknownAudience
from ..handlers.auth import Tokens
from ..security.tokens import AUDIENCES, service_claims, sign

log = logging.getLogger("uponyaji.identity.service_tokens")
WRONG = "the client id or secret is not right"


async def issue(
    ctx: Identity, client_id: str, secret: str, audience: Sequence[str], client: str
) -> Tokens:
    """A service token for `audience` if the client's secret is right; 401 otherwise."""
    ctx.service_limiter.hit(client)
    unknown = sorted(set(audience) - set(AUDIENCES))
    if unknown:
        raise UnknownAudience(f"audience: no such service {', '.join(unknown)}")
    if not await ctx.service_clients.verify(client_id, secret):
        log.info("service token refused")  # no client id: it may be a secret typed in its place
        raise InvalidClient(WRONG)
    claims = service_claims(client_id=client_id, audiences=audience, now=datetime.now(UTC))
    log.info("service token issued to %s for %s", client_id, ",".join(claims["aud"]))
    return Tokens(sign(claims, ctx.keys.current), None, expires_in=SERVICE_TOKEN_LIFETIME)

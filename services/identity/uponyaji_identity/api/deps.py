"""Route dependencies as `Annotated` aliases: the handlers' context, the caller, the client."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from uponyaji_access import Grant, authorize
from uponyaji_events.envelope import Actor
from uponyaji_service import resource

from ..context import Identity

get_identity = resource(Identity)  # the handlers' context, built in the app's lifespan


async def client_address(request: Request, ctx: Annotated[Identity, Depends(get_identity)]) -> str:
    """The caller's address for rate limits, lockouts and audit: the direct peer, or what a
    trusted proxy (`UPONYAJI_TRUSTED_PROXIES`) reports in X-Forwarded-For."""
    return ctx.proxies.of(request)


def actor(grant: Grant) -> Actor:
    """The actor of events an allowed admin request causes."""
    return grant.principal.actor(grant.role or "admin")


IdentityDep = Annotated[Identity, Depends(get_identity)]
Client = Annotated[str, Depends(client_address)]
# Everything under /accounts and /teams is account management: admins only.
Manage = Annotated[Grant, Depends(authorize("accounts.manage", survivor=None))]
# The staff directory: any signed-in staff member.
Directory = Annotated[Grant, Depends(authorize("accounts.read", survivor=None))]
# Staff e-mail addresses, for other services' notification delivery: service identities only.
Addresses = Annotated[Grant, Depends(authorize("accounts.addresses.read", survivor=None))]

"""Staff addresses from identity's directory (`GET /staff/addresses`), read with a service token.

Identity keeps each staff member's work e-mail address (sealed); a service delivering its
notifications asks it for the addresses of the people a notification is for, at delivery time,
so an address changed or removed in identity is honoured from the next delivery on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

import httpx

from .channels import DeliveryFailed

Headers = Callable[[], Awaitable[dict[str, str]]]


class IdentityRecipients:
    """Staff addresses read from identity over HTTP (a `Recipients` directory)."""

    def __init__(self, client: httpx.AsyncClient, auth: Headers | None = None) -> None:
        self.client = client
        self.auth = auth

    async def addresses(
        self, staff: Sequence[UUID], role: str | None, team: str | None
    ) -> list[str]:
        """The addresses identity knows for these people and the role's holders on the team."""
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("staff_id", str(s)) for s in staff[:50]
        ]
        if role is not None:
            params.append(("role", role))
        if team is not None:
            params.append(("team", team))
        try:
            headers = await self.auth() if self.auth is not None else {}
            response = await self.client.get("/staff/addresses", params=params, headers=headers)
            response.raise_for_status()
            return [str(item["email"]) for item in response.json()["addresses"]]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as problem:
            raise DeliveryFailed(f"identity's staff directory: {type(problem).__name__}") from None

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()

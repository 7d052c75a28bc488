"""Who is calling: the staff member an access token names, with roles, teams and session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from uponyaji_events.envelope import Actor


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated staff member, as the verified access token describes them."""

    staff_id: UUID
    username: str
    roles: frozenset[str]
    teams: frozenset[str]
    sid: str
    token_id: str
    expires_at: datetime

    def has_role(self, role: str) -> bool:
        """Whether the token grants this role."""
        return role in self.roles

    def actor(self, role: str) -> Actor:
        """The kernel's actor for events this principal causes acting in `role`."""
        return Actor(id=str(self.staff_id), role=role)

    def __repr__(self) -> str:
        # No session or token ids in reprs: they end up in logs and tracebacks.
        return f"Principal(staff_id={self.staff_id}, roles={sorted(self.roles)})"

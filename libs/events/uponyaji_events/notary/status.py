"""What the notary last did, for health, the routes and the data protection officer's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from uponyaji_events.notary.heads import TreeHead


@dataclass
class NotaryStatus:
    """What the notary last did: its head, its last verification and any alarm."""

    last_head: TreeHead | None = None
    verified_at: datetime | None = None
    verified_events: int = 0
    problems: list[str] = field(default_factory=list)
    halted: bool = False

    def as_json(self) -> dict[str, Any]:
        """The status as JSON (for health and the data protection officer's page)."""
        return {
            "last_head": self.last_head.as_json() if self.last_head else None,
            "verified_at": self.verified_at.isoformat() if self.verified_at else None,
            "verified_events": self.verified_events,
            "problems": list(self.problems),
            "halted": self.halted,
        }

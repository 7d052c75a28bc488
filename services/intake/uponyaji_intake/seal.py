"""Sealing request values into event payloads, and reading them back for those allowed to see.

The context of every sealed value is `"<event type>/<field path>"` (docs/sealing.md), e.g.
`intake.SurvivorRegistered/full_name`, `intake.SurvivorRegistered/other_names[]`,
`intake.IncidentDocumented/reports[].reference`. Read tables keep the event type beside each
sealed value so that readers can rebuild its context.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from uponyaji_events.sealing import ERASED, Sealed, Sealer


class Seal:
    """Seals the values of one event about one survivor (bound to `record` when given)."""

    def __init__(
        self, sealer: Sealer, survivor_id: UUID, event_type: str, record: UUID | None = None
    ) -> None:
        self.sealer = sealer
        self.survivor_id = survivor_id
        self.event_type = event_type
        self.record = str(record) if record is not None else None

    async def __call__(self, path: str, value: str) -> Sealed:
        """Seal one value at a field path."""
        context = f"{self.event_type}/{path}"
        return await self.sealer.seal(self.survivor_id, context, value, record=self.record)

    async def optional(self, path: str, value: str | None) -> Sealed | None:
        """Seal a value if there is one."""
        return None if value is None else await self(path, value)

    async def each(self, path: str, values: list[str]) -> list[Sealed]:
        """Seal every value of a list (one context for all its items: `path[]`)."""
        return [await self(f"{path}[]", value) for value in values]


class Unseal:
    """Reads sealed values of one survivor; `[erased]` once the survivor's key is destroyed.

    A value that does not authenticate raises: the service's own work (the blind index, the
    minor check) must never go on with a value it could not read. Answers to readers use
    `Reveal`.
    """

    def __init__(self, sealer: Sealer, survivor_id: UUID, record: UUID | None = None) -> None:
        self.sealer = sealer
        self.survivor_id = survivor_id
        self.record = str(record) if record is not None else None

    async def __call__(self, event_type: str, path: str, value: Any) -> str | None:
        """The plaintext of a sealed value (None stays None)."""
        if value is None:
            return None
        return await self._open(f"{event_type}/{path}", str(value))

    async def each(self, event_type: str, path: str, values: list[Any] | None) -> list[str]:
        """The plaintexts of a sealed list."""
        return [await self._open(f"{event_type}/{path}[]", str(v)) for v in values or []]

    async def _open(self, context: str, sealed: str) -> str:
        return await self.sealer.unseal_or_erased(
            self.survivor_id, context, sealed, record=self.record
        )


class Reveal(Unseal):
    """Unseals for a reader: a value that does not belong here reads `[unreadable: …]` (logged).

    Like the other services' views (`Sealer.reveal`): one misplaced or altered value must not
    turn a survivor's whole record into an error.
    """

    async def _open(self, context: str, sealed: str) -> str:
        return await self.sealer.reveal(self.survivor_id, context, sealed, record=self.record)


def is_erased(value: str | None) -> bool:
    """Whether a read value is the erased marker."""
    return value == ERASED

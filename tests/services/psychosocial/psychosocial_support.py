"""Psychosocial test support: tokens like identity's, and a fake intake that publishes its events.

The fake intake keeps real `intake.*` events (validated by their contracts) in an event store of
its own, so they carry dense positions exactly as intake's feed and NATS deliver them; tests hand
them to the service's own intake consumer through the feed the app was given (`deliver`), or
publish them through a relay.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from kit import intake as kit_intake
from kit import tokens as kit
from kit.tokens import As as As
from kit.tokens import Staff as Staff
from kit.tokens import count_events as count_events
from pydantic import BaseModel
from uponyaji_events.contracts import intake as i
from uponyaji_events.contracts.types import example_sealed

NAIROBI = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000b1")
MOMBASA = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000b2")
# Consent given well before the dates the tests record work on (work may not precede it).
CONSENT_AT = datetime(2025, 1, 6, 7, 0, tzinfo=UTC)
PHQ9_RISKY = [3, 0, 1, 2, 0, 0, 1, 0, 3]  # PHQ-9: 10, moderate, item 9 = 3


@dataclass
class SigningKey(kit.SigningKey):
    """Identity's key as psychosocial's tests trust it: tokens for psychosocial."""

    audience: str = "psychosocial"


class FakeIntake(kit_intake.FakeIntake):
    """Intake's side of the contract: registers survivors, consents, closes, erases."""

    service = "psychosocial"

    async def register(
        self,
        *,
        team: uuid.UUID = NAIROBI,
        worker: uuid.UUID | None = None,
        consent: bool = True,
    ) -> uuid.UUID:
        """A registered, assigned survivor (with psychosocial consent unless told otherwise)."""
        survivor = uuid.uuid4()
        models = self.registration(survivor, team=team, worker=worker)
        if consent:
            models.append(self._consent(survivor, granted=True))
        await self.append("survivor", survivor, *models)
        return survivor

    def _consent(
        self,
        survivor: uuid.UUID,
        *,
        granted: bool,
        scope: str = "psychosocial_support",
        at: datetime = CONSENT_AT,
    ) -> BaseModel:
        return self.consent(survivor, scope, granted=granted, at=at)

    async def grant(self, survivor: uuid.UUID, at: datetime = CONSENT_AT) -> None:
        await self.append("survivor", survivor, self._consent(survivor, granted=True, at=at))

    async def withdraw(self, survivor: uuid.UUID) -> None:
        await self.append("survivor", survivor, self._consent(survivor, granted=False))

    async def assign(self, survivor: uuid.UUID, team: uuid.UUID, worker: uuid.UUID | None) -> None:
        model = i.CaseAssigned(survivor_id=survivor, team_id=team, lead_case_worker_id=worker)
        await self.append("survivor", survivor, model)

    async def reopen(self, survivor: uuid.UUID) -> None:
        model = i.CaseReopened(survivor_id=survivor, reason=example_sealed("reopen"))
        await self.append("survivor", survivor, model)

    async def merge(self, kept: uuid.UUID, merged: uuid.UUID) -> None:
        model = i.SurvivorsMerged(
            survivor_id=kept, merged_survivor_id=merged, merged_case_number="UPJ-2026-999999"
        )
        await self.append("survivor", kept, model)

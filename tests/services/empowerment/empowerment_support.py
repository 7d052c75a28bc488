"""Empowerment test support: tokens like identity's, and a fake intake that publishes its events.

The fake intake keeps real `intake.*` events (validated by their contracts) in an event store of
its own, so they carry dense positions as intake's feed and NATS deliver them; tests hand them
to the service's own intake consumer (`deliver`).
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
from uponyaji_events.contracts.vocabularies import ConsentScope

NAIROBI = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000c1")
MOMBASA = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000c2")


@dataclass
class SigningKey(kit.SigningKey):
    """Identity's key as empowerment's tests trust it: tokens for empowerment."""

    audience: str = "empowerment"


class FakeIntake(kit_intake.FakeIntake):
    """Intake's side of the contract: registers survivors, consents, refers, closes, erases."""

    service = "empowerment"

    async def register(
        self, *, team: uuid.UUID = NAIROBI, consent: bool = True, county: str = "047"
    ) -> uuid.UUID:
        """A registered survivor on `team`'s caseload (with empowerment consent unless told)."""
        survivor = uuid.uuid4()
        models = self.registration(survivor, team=team, county=county)
        if consent:
            models.append(self._consent(survivor, granted=True))
        await self.append("survivor", survivor, *models)
        return survivor

    def _consent(self, survivor: uuid.UUID, *, granted: bool) -> BaseModel:
        return self.consent(survivor, "empowerment", granted=granted, at=datetime.now(UTC))

    async def withdraw(self, survivor: uuid.UUID) -> None:
        await self.append("survivor", survivor, self._consent(survivor, granted=False))

    async def consent_to_reporting(self, survivor: uuid.UUID) -> None:
        """The survivor consents to de-identified reporting (counted in published figures)."""
        scope = ConsentScope.DEIDENTIFIED_REPORTING
        model = self._consent(survivor, granted=True).model_copy(update={"scope": scope})
        await self.append("survivor", survivor, model)

    async def refer(self, survivor: uuid.UUID, target: str = "empowerment") -> uuid.UUID:
        referral = uuid.uuid4()
        model = i.ReferralMade(
            referral_id=referral, survivor_id=survivor, target=target, urgency="routine"
        )
        await self.append("referral", referral, model)
        return referral

    async def cancel(self, survivor: uuid.UUID, referral: uuid.UUID) -> None:
        model = i.ReferralStatusChanged(
            referral_id=referral, survivor_id=survivor, status="cancelled"
        )
        await self.append("referral", referral, model)


NEEDS = {
    "household_size": 6,
    "dependants": 4,
    "earners": 1,
    "income_sources": ["casual_labour"],
    "monthly_income_kes": "4500.00",
    "housing": "rented",
    "hunger_answers": [2, 1, 0],
    "school_age_children": 3,
    "children_out_of_school": 1,
    "debts_kes": "12000",
    "skills": ["tailoring"],
    "barriers": ["injury", "lost_tools_or_assets"],
    "notes": "Synthetic needs note (FAKE)",
}
PLAN = {
    "started_on": "2026-01-10",
    "goals": [
        {
            "kind": "business_restore",
            "description": "Reopen the tailoring kiosk (FAKE)",
            "target_date": "2026-12-31",
            "steps": [{"description": "Buy a sewing machine"}],
        }
    ],
}

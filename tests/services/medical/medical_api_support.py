"""Medical API test support: tokens and step-up proofs like identity's, and a fake intake.

The fake intake keeps real `intake.*` events (validated by their contracts) in an event store of
its own; the app reads them through its intake consumer from that store's feed (`deliver`).
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from kit import intake as kit_intake
from kit import tokens as kit
from kit.tokens import As as As
from kit.tokens import Staff as Staff
from kit.tokens import count_events as count_events
from PIL import Image
from pydantic import BaseModel
from uponyaji_events.contracts import intake as i

NAIROBI = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000b1")
MOMBASA = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000b2")
EXAM = ("medical_examination",)
# Consent given early in the year: before the examinations the tests record (March 2026).
CONSENTED_AT = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@dataclass
class SigningKey(kit.SigningKey):
    """Identity's key as medical's tests trust it: tokens for medical."""

    audience: str = "medical"


class FakeIntake(kit_intake.FakeIntake):
    """Intake's side of the contract: registers survivors, consents, refers, erases."""

    service = "medical"

    def _consent(self, survivor: uuid.UUID, scope: str, *, granted: bool) -> BaseModel:
        return self.consent(survivor, scope, granted=granted, at=CONSENTED_AT)

    async def register(
        self, *, team: uuid.UUID = NAIROBI, scopes: tuple[str, ...] = EXAM
    ) -> uuid.UUID:
        """A registered survivor on `team`'s caseload with these consents."""
        survivor = uuid.uuid4()
        models = self.registration(survivor, team=team)
        models += [self._consent(survivor, scope, granted=True) for scope in scopes]
        await self.append("survivor", survivor, *models)
        return survivor

    async def grant(self, survivor: uuid.UUID, scope: str) -> None:
        await self.append("survivor", survivor, self._consent(survivor, scope, granted=True))

    async def withdraw(self, survivor: uuid.UUID, scope: str) -> None:
        await self.append("survivor", survivor, self._consent(survivor, scope, granted=False))

    async def refer(self, survivor: uuid.UUID) -> uuid.UUID:
        referral = uuid.uuid4()
        model = i.ReferralMade(
            referral_id=referral, survivor_id=survivor, target="medical", urgency="urgent"
        )
        await self.append("referral", referral, model)
        return referral

    async def answer(self, survivor: uuid.UUID, referral: uuid.UUID, status: str) -> None:
        """Intake records an answer to a referral through its own API."""
        model = i.ReferralStatusChanged(referral_id=referral, survivor_id=survivor, status=status)
        await self.append("referral", referral, model)


def photo_with_gps() -> bytes:
    """A small JPEG whose EXIF carries a capture time, a camera serial and a GPS position."""
    image = Image.new("RGB", (64, 48), (200, 120, 120))
    exif = Image.Exif()
    exif[0x0110] = "FAKE-CAM"  # model
    exif.get_ifd(0x8769)[36867] = "2026:03:04 10:40:00"  # DateTimeOriginal
    exif.get_ifd(0x8769)[0xA431] = "SERIAL-0001"  # BodySerialNumber
    exif.get_ifd(0x8825)[2] = (1.0, 17.0, 0.0)  # GPSLatitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()

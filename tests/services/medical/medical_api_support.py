"""Medical API test support: tokens and step-up proofs like identity's, and a fake intake.

The fake intake keeps real `intake.*` events (validated by their contracts) in an event store of
its own; the app reads them through its intake consumer from that store's feed (`deliver`).
"""

from __future__ import annotations

import io
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from jwt.algorithms import OKPAlgorithm
from PIL import Image
from pydantic import BaseModel
from uponyaji_events.contracts import default_registry
from uponyaji_events.contracts import intake as i
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.envelope import Actor
from uponyaji_events.store import EventStore
from uponyaji_service import running

NAIROBI = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000b1")
MOMBASA = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000b2")
REGISTRY = default_registry()
OFFICER = Actor(id=str(uuid.uuid4()), role="intake_officer")
EXAM = ("medical_examination",)
# Consent given early in the year: before the examinations the tests record (March 2026).
CONSENTED_AT = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@dataclass
class SigningKey:
    """An Ed25519 key pair with a kid, as identity holds it."""

    kid: str = field(default_factory=lambda: f"med-test-{uuid.uuid4().hex[:8]}")
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    def jwks(self) -> dict[str, Any]:
        public = OKPAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "EdDSA"}]}

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": self.kid})

    def token(self, staff: Staff) -> str:
        now = int(time.time())
        return self._sign(
            {
                "iss": "uponyaji-identity",
                "sub": str(staff.staff_id),
                "aud": ["medical"],
                "iat": now,
                "nbf": now,
                "exp": now + 900,
                "jti": uuid.uuid4().hex,
                "sid": f"sess-{uuid.uuid4().hex}",
                "username": "test.staff",
                "roles": list(staff.roles),
                "teams": [str(t) for t in staff.teams],
            }
        )

    def step_up(self, staff: Staff, *, age: int = 0, audience: str = "step-up:medical") -> str:
        now = int(time.time())
        return self._sign(
            {
                "iss": "uponyaji-identity",
                "sub": str(staff.staff_id),
                "aud": audience,
                "iat": now - age,
                "nbf": now - age,
                "exp": now - age + 120 if age < 100 else now + 60,
                "auth_time": now - age,
                "amr": ["otp"],
                "jti": uuid.uuid4().hex,
            }
        )


@dataclass
class Staff:
    """A synthetic staff member."""

    roles: tuple[str, ...]
    teams: tuple[uuid.UUID, ...] = ()
    staff_id: uuid.UUID = field(default_factory=uuid.uuid4)


class FakeIntake:
    """Intake's side of the contract: registers survivors, consents, refers, erases."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.versions: dict[uuid.UUID, int] = {}
        self.cases = 0

    async def _append(self, stream_type: str, stream_id: uuid.UUID, *models: BaseModel) -> None:
        events = [REGISTRY.to_new_event(m) for m in models]
        version = self.versions.get(stream_id, 0)
        await self.store.append(stream_type, str(stream_id), version, events, actor=OFFICER)
        self.versions[stream_id] = version + len(events)

    def _consent(self, survivor: uuid.UUID, scope: str, *, granted: bool) -> BaseModel:
        fields: dict[str, Any] = {
            "survivor_id": survivor,
            "scope": scope,
            "method": "verbal",
            "party": "survivor",
            "language": "sw",
            "at": CONSENTED_AT,
        }
        return i.ConsentGranted(**fields) if granted else i.ConsentWithdrawn(**fields)

    async def register(
        self, *, team: uuid.UUID = NAIROBI, scopes: tuple[str, ...] = EXAM
    ) -> uuid.UUID:
        """A registered survivor on `team`'s caseload with these consents."""
        survivor = uuid.uuid4()
        self.cases += 1
        models: list[BaseModel] = [
            i.SurvivorRegistered(
                survivor_id=survivor,
                case_number=f"UPJ-2026-{self.cases:06d}",
                full_name=example_sealed("name"),
                county_code="047",
                gender="female",
                age_band="25-34",
                preferred_language="sw",
            ),
            i.CaseAssigned(survivor_id=survivor, team_id=team, lead_case_worker_id=None),
            *[self._consent(survivor, scope, granted=True) for scope in scopes],
        ]
        await self._append("survivor", survivor, *models)
        return survivor

    async def grant(self, survivor: uuid.UUID, scope: str) -> None:
        await self._append("survivor", survivor, self._consent(survivor, scope, granted=True))

    async def withdraw(self, survivor: uuid.UUID, scope: str) -> None:
        await self._append("survivor", survivor, self._consent(survivor, scope, granted=False))

    async def refer(self, survivor: uuid.UUID) -> uuid.UUID:
        referral = uuid.uuid4()
        model = i.ReferralMade(
            referral_id=referral, survivor_id=survivor, target="medical", urgency="urgent"
        )
        await self._append("referral", referral, model)
        return referral

    async def answer(self, survivor: uuid.UUID, referral: uuid.UUID, status: str) -> None:
        """Intake records an answer to a referral through its own API."""
        model = i.ReferralStatusChanged(referral_id=referral, survivor_id=survivor, status=status)
        await self._append("referral", referral, model)

    async def erase(self, survivor: uuid.UUID) -> uuid.UUID:
        request = uuid.uuid4()
        model = i.ErasureRequested(
            request_id=request,
            survivor_id=survivor,
            case_number="UPJ-2026-000001",
            received_on=date.today(),
            services=["intake", "medical"],
        )
        await self._append("erasure", request, model)
        return request

    async def deliver(self, app: FastAPI) -> None:
        """Have the service's intake consumer apply every new event from this intake's feed."""
        await self.store.sequence()
        consumer = running(app).consumer("intake")
        assert consumer.feed is not None, "the app was not given this intake's feed"
        result = await consumer.apply(await consumer.feed.read(await consumer.position(), 1000))
        assert not result.failed, consumer.stats.last_error


class As:
    """Requests as one staff member."""

    def __init__(self, http: httpx.AsyncClient, key: SigningKey, staff: Staff) -> None:
        self.http, self.key, self.staff = http, key, staff

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key.token(self.staff)}", **extra}

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.get(url, headers=self.headers(), **kw)

    async def post(self, url: str, body: Any = None, **kw: Any) -> httpx.Response:
        return await self.http.post(url, json=body, headers=self.headers(), **kw)

    async def upload(self, url: str, data: bytes, **params: Any) -> httpx.Response:
        headers = self.headers(**{"Content-Type": "application/octet-stream"})
        return await self.http.post(url, content=data, params=params, headers=headers)

    def step_up(self, **kw: Any) -> str:
        return self.key.step_up(self.staff, **kw)


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


async def count_events(pool: asyncpg.Pool) -> int:
    """How many events the store holds, audit records excluded."""
    return int(await pool.fetchval("SELECT count(*) FROM events WHERE stream_type <> 'audit'"))

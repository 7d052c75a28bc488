"""Empowerment test support: tokens like identity's, and a fake intake that publishes its events.

The fake intake keeps real `intake.*` events (validated by their contracts) in an event store of
its own, so they carry dense positions as intake's feed and NATS deliver them; tests hand them
to the service's own intake consumer (`deliver`).
"""

from __future__ import annotations

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
from pydantic import BaseModel
from uponyaji_events.contracts import default_registry
from uponyaji_events.contracts import intake as i
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.contracts.vocabularies import ConsentScope
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.store import EventStore
from uponyaji_service import running

NAIROBI = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000c1")
MOMBASA = uuid.UUID("0190a8e5-7c00-7000-8000-0000000000c2")
REGISTRY = default_registry()
OFFICER = Actor(id=str(uuid.uuid4()), role="intake_officer")


@dataclass
class SigningKey:
    """An Ed25519 key pair with a kid, as identity holds it."""

    kid: str = field(default_factory=lambda: f"emp-test-{uuid.uuid4().hex[:8]}")
    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    def jwks(self) -> dict[str, Any]:
        public = OKPAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "EdDSA"}]}

    def token(self, staff: Staff) -> str:
        now = int(time.time())
        claims = {
            "iss": "uponyaji-identity",
            "sub": str(staff.staff_id),
            "aud": ["empowerment"],
            "iat": now,
            "nbf": now,
            "exp": now + 900,
            "jti": uuid.uuid4().hex,
            "sid": f"sess-{uuid.uuid4().hex}",
            "username": "test.staff",
            "roles": list(staff.roles),
            "teams": [str(t) for t in staff.teams],
        }
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": self.kid})


@dataclass
class Staff:
    """A synthetic staff member."""

    roles: tuple[str, ...]
    teams: tuple[uuid.UUID, ...] = ()
    staff_id: uuid.UUID = field(default_factory=uuid.uuid4)


class FakeIntake:
    """Intake's side of the contract: registers survivors, consents, refers, closes, erases."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.versions: dict[uuid.UUID, int] = {}
        self.cases = 0

    async def _append(self, stream_type: str, stream_id: uuid.UUID, *models: BaseModel) -> None:
        events = [REGISTRY.to_new_event(m) for m in models]
        version = self.versions.get(stream_id, 0)
        await self.store.append(stream_type, str(stream_id), version, events, actor=OFFICER)
        self.versions[stream_id] = version + len(events)

    async def register(
        self, *, team: uuid.UUID = NAIROBI, consent: bool = True, county: str = "047"
    ) -> uuid.UUID:
        """A registered survivor on `team`'s caseload (with empowerment consent unless told)."""
        survivor = uuid.uuid4()
        self.cases += 1
        models: list[BaseModel] = [
            i.SurvivorRegistered(
                survivor_id=survivor,
                case_number=f"UPJ-2026-{self.cases:06d}",
                full_name=example_sealed("name"),
                county_code=county,
                gender="female",
                age_band="25-34",
                preferred_language="sw",
            ),
            i.CaseAssigned(survivor_id=survivor, team_id=team),
        ]
        if consent:
            models.append(self._consent(survivor, granted=True))
        await self._append("survivor", survivor, *models)
        return survivor

    def _consent(self, survivor: uuid.UUID, *, granted: bool) -> BaseModel:
        fields: dict[str, Any] = {
            "survivor_id": survivor,
            "scope": "empowerment",
            "method": "verbal",
            "party": "survivor",
            "language": "sw",
            "at": datetime.now(UTC),
        }
        return i.ConsentGranted(**fields) if granted else i.ConsentWithdrawn(**fields)

    async def withdraw(self, survivor: uuid.UUID) -> None:
        await self._append("survivor", survivor, self._consent(survivor, granted=False))

    async def consent_to_reporting(self, survivor: uuid.UUID) -> None:
        """The survivor consents to de-identified reporting (counted in published figures)."""
        scope = ConsentScope.DEIDENTIFIED_REPORTING
        model = self._consent(survivor, granted=True).model_copy(update={"scope": scope})
        await self._append("survivor", survivor, model)

    async def close(self, survivor: uuid.UUID) -> None:
        model = i.CaseClosed(survivor_id=survivor, reason="goals_met")
        await self._append("survivor", survivor, model)

    async def refer(self, survivor: uuid.UUID, target: str = "empowerment") -> uuid.UUID:
        referral = uuid.uuid4()
        model = i.ReferralMade(
            referral_id=referral, survivor_id=survivor, target=target, urgency="routine"
        )
        await self._append("referral", referral, model)
        return referral

    async def cancel(self, survivor: uuid.UUID, referral: uuid.UUID) -> None:
        model = i.ReferralStatusChanged(
            referral_id=referral, survivor_id=survivor, status="cancelled"
        )
        await self._append("referral", referral, model)

    async def erase(self, survivor: uuid.UUID) -> uuid.UUID:
        request = uuid.uuid4()
        model = i.ErasureRequested(
            request_id=request,
            survivor_id=survivor,
            case_number="UPJ-2026-000001",
            received_on=date.today(),
            services=["intake", "empowerment"],
        )
        await self._append("erasure", request, model)
        return request

    async def events(self, after: int = 0) -> list[Event]:
        """Every event after a position (sequenced first, as intake's relay would)."""
        await self.store.sequence()
        return await self.store.read_all(after, 1000)

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

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key.token(self.staff)}"}

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.get(url, headers=self._headers(), **kw)

    async def post(self, url: str, body: Any = None, **kw: Any) -> httpx.Response:
        return await self.http.post(url, json=body, headers=self._headers(), **kw)


async def count_events(pool: asyncpg.Pool) -> int:
    """How many events the store holds, audit records excluded."""
    return int(await pool.fetchval("SELECT count(*) FROM events WHERE stream_type <> 'audit'"))


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

"""Intake's side of the event contract for the services that consume it: what intake would have
published (registrations, assignments, consents, referrals, closures, erasure requests), appended
to a signed store of the test's own, and handed to the service under test through its feed."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from fastapi import FastAPI
from pydantic import BaseModel
from uponyaji_events.contracts import default_registry
from uponyaji_events.contracts import intake as i
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.store import EventStore
from uponyaji_service import running

REGISTRY = default_registry()
OFFICER = Actor(id=str(uuid.uuid4()), role="intake_officer")


class FakeIntake:
    """The events intake publishes, built from its contracts; a service's tests subclass it."""

    service: ClassVar[str] = ""  # the service under test (named in erasure requests)

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.versions: dict[uuid.UUID, int] = {}
        self.cases = 0

    async def append(self, stream_type: str, stream_id: uuid.UUID, *models: BaseModel) -> None:
        """Append events to one of intake's streams, as intake's officer."""
        events = [REGISTRY.to_new_event(m) for m in models]
        version = self.versions.get(stream_id, 0)
        await self.store.append(stream_type, str(stream_id), version, events, actor=OFFICER)
        self.versions[stream_id] = version + len(events)

    def registration(
        self,
        survivor: uuid.UUID,
        *,
        team: uuid.UUID,
        worker: uuid.UUID | None = None,
        county: str = "047",
    ) -> list[BaseModel]:
        """A new synthetic survivor's registration and assignment to `team` (and `worker`)."""
        self.cases += 1
        return [
            i.SurvivorRegistered(
                survivor_id=survivor,
                case_number=f"UPJ-2026-{self.cases:06d}",
                full_name=example_sealed("name"),
                county_code=county,
                gender="female",
                age_band="25-34",
                preferred_language="sw",
            ),
            i.CaseAssigned(survivor_id=survivor, team_id=team, lead_case_worker_id=worker),
        ]

    @staticmethod
    def consent(survivor: uuid.UUID, scope: str, *, granted: bool, at: datetime) -> BaseModel:
        """A verbal consent of the survivor for one scope, granted or withdrawn at `at`."""
        fields: dict[str, Any] = {
            "survivor_id": survivor,
            "scope": scope,
            "method": "verbal",
            "party": "survivor",
            "language": "sw",
            "at": at,
        }
        return i.ConsentGranted(**fields) if granted else i.ConsentWithdrawn(**fields)

    async def close(self, survivor: uuid.UUID) -> None:
        """Close the survivor's case (goals met)."""
        model = i.CaseClosed(survivor_id=survivor, reason="goals_met")
        await self.append("survivor", survivor, model)

    async def erase(self, survivor: uuid.UUID) -> uuid.UUID:
        """Request the survivor's erasure from intake and the service under test."""
        request = uuid.uuid4()
        model = i.ErasureRequested(
            request_id=request,
            survivor_id=survivor,
            case_number="UPJ-2026-000001",
            received_on=date.today(),
            services=["intake", self.service],
        )
        await self.append("erasure", request, model)
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

"""Given/when/then helpers for intake's deciders: synthetic ids, sealed stand-ins, stored events."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime
from typing import Any

from uponyaji_events.contracts import intake as c
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.envelope import Actor, Event, NewEvent
from uponyaji_intake import domain
from uponyaji_intake.domain import SurvivorState

SURVIVOR = uuid.UUID("0190a8e5-7c00-7000-8000-000000000001")
OTHER = uuid.UUID("0190a8e5-7c00-7000-8000-000000000002")
CASE = "UPJ-2026-000001"
OTHER_CASE = "UPJ-2026-000002"
TEAM = uuid.UUID("0190a8e5-7c00-7000-8000-000000000201")
WORKER = uuid.UUID("0190a8e5-7c00-7000-8000-000000000101")
NOW = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
ACTOR = Actor(id=str(WORKER), role="intake_officer")
_versions = itertools.count(1)


def sealed(label: str) -> Any:
    """A well-formed sealed value standing in for ciphertext (deciders never read it)."""
    return example_sealed(label)


def stored(stream_id: uuid.UUID, version: int, new: NewEvent) -> Event:
    """The stored form of a decided event, as the store would return it."""
    return Event(
        event_id=uuid.uuid4(),
        stream_type="survivor",
        stream_id=str(stream_id),
        version=version,
        type=new.type,
        schema_version=new.schema_version,
        occurred_at=NOW,
        recorded_at=NOW,
        actor=ACTOR,
        correlation_id=uuid.uuid4(),
        causation_id=None,
        payload=new.payload,
        prev_hash=bytes(32),
        hash=bytes(32),
    )


def given(*commands: domain.SurvivorCommand, survivor: uuid.UUID = SURVIVOR) -> SurvivorState:
    """The state after deciding and applying each command in turn (each must succeed)."""
    state = SurvivorState()
    for command in commands:
        for new in domain.decide(state, command):
            if new.type.startswith("intake.Survivor") or new.type in SURVIVOR_STREAM:
                state = domain.evolve(state, stored(survivor, state.version + 1, new))
    return state


SURVIVOR_STREAM = {
    "intake.IdentityCorrected",
    "intake.ConsentGranted",
    "intake.ConsentWithdrawn",
    "intake.CaseAssigned",
    "intake.CaseClosed",
    "intake.CaseReopened",
}


def registration(
    survivor: uuid.UUID = SURVIVOR, case_number: str = CASE, **changes: Any
) -> domain.RegisterSurvivor:
    """Register a synthetic survivor."""
    candidates = changes.pop("candidates", ())
    details = c.SurvivorRegistered(
        survivor_id=survivor,
        case_number=case_number,
        full_name=sealed("full_name"),
        county_code="047",
        gender="female",
        age_band="25-34",
        preferred_language="sw",
        **changes,
    )
    return domain.RegisterSurvivor(details, candidates)


def grant(scope: str, survivor: uuid.UUID = SURVIVOR) -> domain.GrantConsent:
    """Grant one scope, verbally, in Kiswahili."""
    return domain.GrantConsent(
        c.ConsentGranted(
            survivor_id=survivor,
            scope=scope,
            method="verbal",
            party="survivor",
            language="sw",
            at=NOW,
        )
    )


def withdraw(scope: str, survivor: uuid.UUID = SURVIVOR) -> domain.WithdrawConsent:
    """Withdraw one scope."""
    return domain.WithdrawConsent(
        c.ConsentWithdrawn(
            survivor_id=survivor,
            scope=scope,
            method="written",
            party="survivor",
            language="en",
            at=NOW,
        )
    )


def incident(survivor: uuid.UUID = SURVIVOR, **changes: Any) -> domain.DocumentIncident:
    """Document a synthetic incident."""
    fields: dict[str, Any] = {
        "incident_id": uuid.uuid4(),
        "survivor_id": survivor,
        "occurred_from": date(2025, 11, 3),
        "place_type": "police_station",
        "perpetrators": ["kenya_police_service"],
        "methods": ["beating"],
        "narrative": sealed("narrative"),
        **changes,
    }
    return domain.DocumentIncident(c.IncidentDocumented(**fields))


def referral(
    target: str = "medical", incidents: frozenset[uuid.UUID] = frozenset(), **changes: Any
) -> domain.MakeReferral:
    """Refer the survivor."""
    details = c.ReferralMade(
        referral_id=uuid.uuid4(), survivor_id=SURVIVOR, target=target, urgency="urgent", **changes
    )
    return domain.MakeReferral(details, incidents)


def assign(team: uuid.UUID = TEAM, worker: uuid.UUID | None = WORKER) -> domain.AssignCase:
    """Assign the case."""
    return domain.AssignCase(
        c.CaseAssigned(survivor_id=SURVIVOR, team_id=team, lead_case_worker_id=worker)
    )


def close(reason: str = "goals_met") -> domain.CloseCase:
    """Close the case."""
    return domain.CloseCase(c.CaseClosed(survivor_id=SURVIVOR, reason=reason))


def reopen() -> domain.ReopenCase:
    """Reopen the case."""
    return domain.ReopenCase(c.CaseReopened(survivor_id=SURVIVOR, reason=sealed("reopen")))


def erasure(services: tuple[str, ...] = ("intake", "medical")) -> domain.RequestErasure:
    """Request erasure."""
    return domain.RequestErasure(
        c.ErasureRequested(
            request_id=uuid.uuid4(),
            survivor_id=SURVIVOR,
            case_number=CASE,
            received_on=date(2026, 4, 1),
            services=list(services),
        )
    )

"""Synthetic intake, psychosocial, medical and empowerment event stores for reporting's tests
(contract-valid events)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from pydantic import BaseModel
from uponyaji_events.contracts import empowerment as e
from uponyaji_events.contracts import intake as i
from uponyaji_events.contracts import kernel
from uponyaji_events.contracts import medical as m
from uponyaji_events.contracts import psychosocial as p
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.feed import StoreFeed
from uponyaji_events.signing import Signer
from uponyaji_events.store import EventStore
from uponyaji_reporting.settings import Settings

OFFICER = Actor(id=str(uuid4()), role="intake_officer")
COUNSELLOR = Actor(id=str(uuid4()), role="counsellor")
CLINICIAN = Actor(id=str(uuid4()), role="clinician")
EMPOWERMENT_OFFICER = Actor(id=str(uuid4()), role="empowerment_officer")
TEAM = "0190a8e5-7c00-7000-8000-000000000201"
WORKER = "0190a8e5-7c00-7000-8000-000000000101"
PHQ9 = {
    16: [2, 2, 2, 2, 2, 2, 2, 2, 0],
    9: [2, 1, 1, 1, 1, 1, 1, 1, 0],
    12: [2, 2, 2, 2, 1, 1, 1, 1, 0],
    14: [2, 2, 2, 2, 2, 2, 1, 0, 1],
}
BANDS = {16: "moderately_severe", 9: "mild", 12: "moderate", 14: "moderate"}


def day(text: str) -> datetime:
    """Noon UTC on a date."""
    return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC) + timedelta(
        hours=12
    )


def valid(model: type[BaseModel], payload: dict[str, Any]) -> dict[str, Any]:
    """The payload, checked against its contract and dumped as on the wire."""
    return model.model_validate(payload).model_dump(mode="json", exclude_none=True)


class Source:
    """One source service's event store (intake or psychosocial), signing as that service."""

    service = "source"

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.store = EventStore(pool, signer=Signer.generate(self.service))
        self.feed = StoreFeed(self.store)  # consumers verify with the store's public keys

    async def append(
        self,
        stream_type: str,
        stream_id: Any,
        type_: str,
        model: type[BaseModel],
        payload: dict[str, Any],
        at: datetime,
        actor: Actor,
    ) -> None:
        """Append one contract-valid event and give it its position."""
        event = NewEvent(type_, valid(model, payload), occurred_at=at)
        await self.store.append(stream_type, str(stream_id), None, [event], actor=actor)
        await self.store.sequence()


class Intake(Source):
    """Intake's events."""

    service = "intake"

    async def register(self, sid: UUID, case: str, county: str, gender: str, on: str) -> None:
        """Register and assign to TEAM on the same day."""
        reg = {
            "survivor_id": sid,
            "case_number": case,
            "full_name": example_sealed("n"),
            "county_code": county,
            "gender": gender,
            "age_band": "25-34",
            "preferred_language": "sw",
        }
        await self.append(
            "survivor",
            sid,
            "intake.SurvivorRegistered",
            i.SurvivorRegistered,
            reg,
            day(on),
            OFFICER,
        )
        assign = {"survivor_id": sid, "team_id": TEAM, "lead_case_worker_id": WORKER}
        await self.append(
            "survivor", sid, "intake.CaseAssigned", i.CaseAssigned, assign, day(on), OFFICER
        )
        await self.consent(sid, on, "deidentified_reporting")

    async def consent(self, sid: UUID, on: str, scope: str, *, withdraw: bool = False) -> None:
        """The survivor grants (or withdraws) consent for one scope."""
        body = {
            "survivor_id": sid,
            "scope": scope,
            "method": "verbal",
            "party": "survivor",
            "language": "sw",
            "at": day(on).isoformat(),
        }
        kind, model = (
            ("intake.ConsentWithdrawn", i.ConsentWithdrawn)
            if withdraw
            else ("intake.ConsentGranted", i.ConsentGranted)
        )
        await self.append("survivor", sid, kind, model, body, day(on), OFFICER)

    async def incident(self, sid: UUID, on: str, perpetrator: str, method: str) -> None:
        """Document an incident."""
        incident = uuid4()
        body = {
            "incident_id": incident,
            "survivor_id": sid,
            "occurred_from": "2025-11-03",
            "county_code": "047",
            "place_type": "police_station",
            "perpetrators": [perpetrator],
            "methods": [method],
            "narrative": example_sealed("narrative"),
        }
        await self.append(
            "incident",
            incident,
            "intake.IncidentDocumented",
            i.IncidentDocumented,
            body,
            day(on),
            OFFICER,
        )

    async def merge(self, kept: UUID, merged: UUID, merged_case: str, on: str) -> None:
        """Merge a duplicate record into the one kept."""
        body = {
            "survivor_id": kept,
            "merged_survivor_id": merged,
            "merged_case_number": merged_case,
        }
        await self.append(
            "survivor", kept, "intake.SurvivorsMerged", i.SurvivorsMerged, body, day(on), OFFICER
        )

    async def request_erasure(self, sid: UUID, case: str, services: list[str]) -> UUID:
        """The data protection officer records an erasure request."""
        request = uuid4()
        body = {
            "request_id": request,
            "survivor_id": sid,
            "case_number": case,
            "received_on": "2026-04-01",
            "services": services,
        }
        await self.append(
            "erasure",
            request,
            "intake.ErasureRequested",
            i.ErasureRequested,
            body,
            day("2026-04-01"),
            OFFICER,
        )
        return request

    async def close(self, sid: UUID, on: str) -> None:
        """Close the case."""
        body = {"survivor_id": sid, "reason": "goals_met"}
        await self.append(
            "survivor", sid, "intake.CaseClosed", i.CaseClosed, body, day(on), OFFICER
        )


class Psychosocial(Source):
    """Psychosocial's events."""

    service = "psychosocial"

    async def phq9(self, sid: UUID, on: str, total: int) -> UUID:
        """Record a PHQ-9 administration with the given total (and its item 9 risk flag)."""
        aid, responses = uuid4(), PHQ9[total]
        assert sum(responses) == total
        body = {
            "assessment_id": aid,
            "survivor_id": sid,
            "instrument": "PHQ-9",
            "responses": responses,
            "administered_at": day(on).isoformat(),
            "total": str(total),
            "band": BANDS[total],
            "caseness_cutoff": "10",
        }
        await self.append(
            "survivor",
            sid,
            "psychosocial.AssessmentRecorded",
            p.AssessmentRecorded,
            body,
            day(on),
            COUNSELLOR,
        )
        if responses[8]:
            flag = {
                "flag_id": uuid4(),
                "survivor_id": sid,
                "assessment_id": aid,
                "reason": "phq9_item9",
                "item": 9,
                "response": responses[8],
                "raised_at": day(on).isoformat(),
            }
            await self.append(
                "survivor",
                sid,
                "psychosocial.RiskFlagRaised",
                p.RiskFlagRaised,
                flag,
                day(on),
                COUNSELLOR,
            )
        return aid

    async def session(self, sid: UUID, on: str) -> None:
        """An attended individual session."""
        session = uuid4()
        body = {
            "session_id": session,
            "kind": "individual",
            "held_on": on,
            "duration_minutes": 50,
            "approach": "trauma_focused_cbt",
            "place": "office",
            "participants": [
                {"survivor_id": sid, "attendance": "attended", "notes": example_sealed("notes")}
            ],
        }
        await self.append(
            "session",
            session,
            "psychosocial.SessionRecorded",
            p.SessionRecorded,
            body,
            day(on),
            COUNSELLOR,
        )

    async def accessed(self, sid: UUID, staff: str, at: datetime, outcome: str = "allowed") -> None:
        """An audit record of a read of this survivor."""
        body = {
            "staff_id": staff,
            "role": "counsellor",
            "roles": ["counsellor"],
            "session_id": "s1",
            "action": "psychosocial.session.read",
            "survivor_id": sid,
            "purpose": "care",
            "outcome": outcome,
            "scope": "caseload",
            "method": "GET",
            "route": "/survivors/{survivor_id}/sessions",
            "at": at.isoformat(),
        }
        stream = f"audit-{at.date()}-{staff}"
        await self.append(
            "audit",
            stream,
            "psychosocial.SurvivorDataAccessed",
            kernel.SurvivorDataAccessed,
            body,
            at,
            Actor(id=staff, role="counsellor"),
        )


class Example(Source):
    """A service whose events are its contracts' examples with some fields changed."""

    service = ""
    actor = OFFICER

    async def add(
        self, model: type[BaseModel], stream: tuple[str, Any], on: str, **changes: Any
    ) -> None:
        """Append `<service>.<Model>`: the contract's example with `changes`, on a day."""
        example = dict(model.model_config["json_schema_extra"]["examples"][0])  # type: ignore[index]
        payload = {**example, **changes}
        type_ = f"{self.service}.{model.__name__}"
        await self.append(*stream, type_, model, payload, day(on), self.actor)


class Medical(Example):
    """Medical's events."""

    service, actor = "medical", CLINICIAN


class Empowerment(Example):
    """Empowerment's events."""

    service, actor = "empowerment", EMPOWERMENT_OFFICER


def settings(database_url: str, nats_url: str) -> Settings:
    """Reporting's settings for a test: no HTTP feeds (the app is given the sources' stores)."""
    return Settings(database_url=database_url, nats_url=nats_url)


SURVIVORS = [UUID(int=0x0190A8E57C0070008000000000001000 + n) for n in range(6)]


async def scenario(intake: Intake, psychosocial: Psychosocial) -> None:
    """Six survivors in Nairobi (047) registered in January 2026; see the tests for the sums.

    Survivors 0–4: PHQ-9 16 on 10 Jan, an attended session 10 days after registration, PHQ-9 9
    on 10 Mar (reliable recovery). Survivor 5: PHQ-9 12 then 14 (no reliable change; item 9 of the
    second is 1: one open risk flag), no session, and its case closed on 1 Mar.
    """
    for n, sid in enumerate(SURVIVORS):
        gender = "female" if n < 4 else "male"
        await intake.register(sid, f"UPJ-2026-{n + 1:06d}", "047", gender, f"2026-01-0{n + 1}")
        await intake.incident(sid, f"2026-01-0{n + 1}", "kenya_police_service", "beating")
    for n, sid in enumerate(SURVIVORS[:5]):
        await psychosocial.phq9(sid, "2026-01-10", 16)
        await psychosocial.session(sid, f"2026-01-{n + 11}")
        await psychosocial.phq9(sid, "2026-03-10", 9)
    await psychosocial.phq9(SURVIVORS[5], "2026-01-10", 12)
    await psychosocial.phq9(SURVIVORS[5], "2026-03-10", 14)
    await intake.close(SURVIVORS[5], "2026-03-01")


async def programme_scenario(medical: Medical, empowerment: Empowerment) -> None:
    """Medical and empowerment for the six survivors of `scenario`; see the tests for the sums.

    Medical: all six examined on 20 Jan; overall evaluation highly consistent for 0–4, consistent
    for 5; reports of 0–4 signed on 1 Feb (31, 30, 29, 28, 27 days after registration); an
    addendum, a P3, a treatment and a finding for survivor 0; a specialist referral's outcome for
    1; intake's referral of 2 accepted. Empowerment: needs assessed for all on 15 Jan (KES 5,000,
    moderate hunger); plans started; 0–4 approved KES 20,000 on 10 Feb and disbursed on 1 Mar
    (survivor 0 in two halves), 5 approved KES 15,000 on 2 Apr; 0–4 trained; 3-month follow-ups
    on 20 Apr: 0–4 KES 8,000, business operating, little or no hunger (survivor 4's first record
    said KES 4,000 and is corrected), 5 KES 3,000, business closed, severe hunger.
    """
    for n, sid in enumerate(SURVIVORS):
        encounter = uuid4()
        survivor = ("survivor", sid)
        await medical.add(
            m.EncounterOpened,
            survivor,
            "2026-01-20",
            survivor_id=sid,
            encounter_id=encounter,
            occurred_at=day("2026-01-20").isoformat(),
        )
        level = "highly_consistent" if n < 5 else "consistent"
        await medical.add(
            m.OverallEvaluationRecorded,
            survivor,
            "2026-01-25",
            survivor_id=sid,
            encounter_id=encounter,
            level=level,
        )
        if n < 5:
            report = uuid4()
            await medical.add(
                m.ReportSigned,
                ("report", report),
                "2026-02-01",
                survivor_id=sid,
                report_id=report,
                encounter_id=encounter,
                signed_at=day("2026-02-01").isoformat(),
            )
        if n == 0:
            await medical.add(
                m.AddendumSigned,
                ("report", report),
                "2026-02-03",
                survivor_id=sid,
                report_id=report,
                addendum_id=uuid4(),
                signed_at=day("2026-02-03").isoformat(),
            )
            for model, field in (
                (m.FormIssued, "document_id"),
                (m.TreatmentRecorded, "treatment_id"),
                (m.FindingDocumented, "finding_id"),
            ):
                await medical.add(
                    model,
                    survivor,
                    "2026-01-20",
                    survivor_id=sid,
                    encounter_id=encounter,
                    **{field: uuid4()},
                )
        if n == 1:
            await medical.add(
                m.SpecialistReferralOutcomeRecorded,
                survivor,
                "2026-02-10",
                survivor_id=sid,
                specialist_referral_id=uuid4(),
            )
        if n == 2:
            referral = uuid4()
            await medical.add(
                m.ReferralAccepted,
                ("referral", referral),
                "2026-01-18",
                survivor_id=sid,
                referral_id=referral,
            )
    for n, sid in enumerate(SURVIVORS):
        survivor = ("survivor", sid)
        await empowerment.add(
            e.NeedsAssessed,
            survivor,
            "2026-01-15",
            survivor_id=sid,
            assessment_id=uuid4(),
            assessed_on="2026-01-15",
            monthly_income_kes="5000.00",
            hunger_category="moderate",
        )
        await empowerment.add(
            e.LivelihoodPlanStarted,
            survivor,
            "2026-01-20",
            survivor_id=sid,
            plan_id=uuid4(),
            started_on="2026-01-20",
        )
        grant = uuid4()
        approved = ("20000.00", "2026-02-10") if n < 5 else ("15000.00", "2026-04-02")
        await empowerment.add(
            e.GrantApproved,
            survivor,
            approved[1],
            survivor_id=sid,
            grant_id=grant,
            amount_kes=approved[0],
            approved_on=approved[1],
        )
        if n < 5:
            halves = ["10000.00", "10000.00"] if n == 0 else ["20000.00"]
            for amount in halves:
                await empowerment.add(
                    e.GrantDisbursed,
                    survivor,
                    "2026-03-01",
                    survivor_id=sid,
                    grant_id=grant,
                    disbursement_id=uuid4(),
                    amount_kes=amount,
                    disbursed_on="2026-03-01",
                )
            await empowerment.add(
                e.TrainingCompleted,
                survivor,
                "2026-03-20",
                survivor_id=sid,
                course_id=uuid4(),
                completed_on="2026-03-20",
            )
        follow_up = uuid4()
        ok = n < 5
        await empowerment.add(
            e.FollowUpRecorded,
            survivor,
            "2026-04-20",
            survivor_id=sid,
            follow_up_id=follow_up,
            milestone="month_3",
            due_on="2026-04-15",
            held_on="2026-04-20",
            business_operating=ok,
            monthly_income_kes="4000.00" if n == 4 else "8000.00" if ok else "3000.00",
            hunger_category="little_or_none" if ok else "severe",
        )
        if n == 4:
            await empowerment.add(
                e.FollowUpCorrected,
                survivor,
                "2026-04-21",
                survivor_id=sid,
                follow_up_id=uuid4(),
                supersedes=follow_up,
                milestone="month_3",
                due_on="2026-04-15",
                held_on="2026-04-20",
                business_operating=True,
                monthly_income_kes="8000.00",
                hunger_category="little_or_none",
            )
    referral = uuid4()
    await empowerment.add(
        e.ReferralAnswered,
        ("referral", referral),
        "2026-01-14",
        survivor_id=SURVIVORS[3],
        referral_id=referral,
        answered_on="2026-01-14",
    )


def rounded(published: Any, n: int, base: int = 5) -> bool:
    """Whether a published count is one of the multiples of `base` around the true count n."""
    low = n - n % base
    return published in ({low} if n % base == 0 else {low, low + base})


async def exact(
    pool: Any, county: str | None = None, team: str | None = None, year: str = "2026"
) -> dict[str, Any]:
    """The dashboard of a year with a rounding base of 1: the true counts, to check by hand."""
    from uponyaji_reporting import queries
    from uponyaji_reporting.periods import Grain, parse

    return await queries.dashboard(
        pool, parse(Grain.YEAR, year), county, team, base=1, language="en"
    )

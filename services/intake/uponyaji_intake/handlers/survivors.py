"""Registering survivors (with duplicate detection), correcting identity, merging two records."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time
from uuid import UUID, uuid4

from uponyaji_events.contracts import intake as c
from uponyaji_events.eat import today as kenyan_today
from uponyaji_events.envelope import Actor, Event

from .. import domain, matching
from ..case_number import EAT, case_year, format_case_number
from ..errors import IntakeError, PossibleDuplicates, SurvivorNotFound
from ..identity import age_band, seal_fields, settled_band
from ..schemas import CorrectIdentityBody, MergeBody, RegisterSurvivorBody
from ..seal import Seal
from .base import Intake, survivor_tx


class TeamRequired(IntakeError):
    """A new survivor needs a team: give team_id (the caller is in no single team)."""

    status_code = 422


@dataclass(frozen=True)
class Registered:
    """What a registration produced."""

    survivor_id: UUID
    case_number: str
    possible_duplicates: tuple[UUID, ...]
    events: list[Event]


async def next_case_number(intake: Intake, at: datetime | None = None) -> str:
    """A fresh case number, numbered per prefix and year; never twice, gaps are possible."""
    year = case_year(at)
    number = await intake.store.pool.fetchval(
        "INSERT INTO case_number_counters (prefix, year, last) VALUES ($1, $2, 1) "
        "ON CONFLICT (prefix, year) DO UPDATE SET last = case_number_counters.last + 1 "
        "RETURNING last",
        intake.case_prefix,
        year,
    )
    return format_case_number(intake.case_prefix, year, int(number))


async def register(
    intake: Intake,
    body: RegisterSurvivorBody,
    actor: Actor,
    *,
    teams: frozenset[UUID] = frozenset(),
    worker: UUID | None = None,
) -> Registered:
    """Register a survivor and assign the case (to the caller's team and the caller by default)."""
    team = body.team_id or (next(iter(teams)) if len(teams) == 1 else None)
    if team is None:
        raise TeamRequired("team_id is required: you are not in exactly one team")
    entries = intake.indexer.entries(
        names=[body.full_name, *(body.other_names or [])],
        phone=body.phone,
        id_kind=body.id_document.kind if body.id_document else None,
        id_number=body.id_document.number if body.id_document else None,
    )
    candidates = await matching.duplicate_candidates(intake.store.pool, entries)
    if candidates and body.register_anyway_reason is None:
        raise PossibleDuplicates(candidates)  # before any key or case number is made
    case_number = await next_case_number(intake)
    survivor_id = uuid4()
    # A registration recorded later (registered_on) is dated, and its age band derived, then.
    today = body.registered_on or kenyan_today()
    occurred = datetime.combine(today, time(12), EAT) if body.registered_on else None
    async with survivor_tx(intake, survivor_id) as tx:
        # One atomic decision: claim the index values, then check again inside the claim, so
        # of two simultaneous registrations of one person the second sees the first.
        common = await matching.claim(tx.conn, entries)
        candidates = await matching.duplicate_candidates(tx.conn, entries, common_names=common)
        if candidates and body.register_anyway_reason is None:
            raise PossibleDuplicates(candidates)
        seal = Seal(tx.sealer, survivor_id, "intake.SurvivorRegistered")
        details = c.SurvivorRegistered(
            survivor_id=survivor_id,
            case_number=case_number,
            county_code=body.county_code,
            gender=body.gender,
            age_band=settled_band(body.age_band, body.birth_date, body.estimated_birth_year, today)
            or age_band(None, None, today),
            disabilities=body.disabilities,
            preferred_language=body.preferred_language,
            registered_on=body.registered_on,
            duplicate_override_reason=await seal.optional(
                "duplicate_override_reason", body.register_anyway_reason if candidates else None
            ),
            **await seal_fields(seal, body, body.full_name),
        )
        events = domain.decide(tx.state, domain.RegisterSurvivor(details, candidates))
        state = domain.SurvivorState(survivor_id=survivor_id, case_number=case_number, version=1)
        assignment = c.CaseAssigned(
            survivor_id=survivor_id,
            team_id=team,
            lead_case_worker_id=body.lead_case_worker_id or worker,
        )
        events += domain.decide(state, domain.AssignCase(assignment))
        if occurred is not None:
            events = [replace(event, occurred_at=occurred) for event in events]
        stored = await tx.record("survivor", survivor_id, 0, events, actor)
    return Registered(survivor_id, case_number, tuple(c.survivor_id for c in candidates), stored)


async def correct_identity(
    intake: Intake, survivor_id: UUID, body: CorrectIdentityBody, actor: Actor
) -> list[Event]:
    """Record corrected identity or aggregate fields (a new event; old values stay in history)."""
    # A corrected birth date re-derives the band (on the day of the correction).
    today = kenyan_today()
    band = settled_band(body.age_band, body.birth_date, body.estimated_birth_year, today)
    async with survivor_tx(intake, survivor_id) as tx:
        domain.admissible(tx.state, domain.CorrectIdentity)
        seal = Seal(tx.sealer, survivor_id, "intake.IdentityCorrected")
        details = c.IdentityCorrected(
            survivor_id=survivor_id,
            county_code=body.county_code,
            gender=body.gender,
            age_band=band,
            disabilities=body.disabilities,
            preferred_language=body.preferred_language,
            reason=await seal.optional("reason", body.reason),
            **await seal_fields(seal, body, body.full_name),
        )
        events = domain.decide(tx.state, domain.CorrectIdentity(details))
        return await tx.record("survivor", survivor_id, tx.state.version, events, actor)


async def merge(intake: Intake, survivor_id: UUID, body: MergeBody, actor: Actor) -> list[Event]:
    """Merge another record of the same person into this one (both streams stay as they are)."""
    async with survivor_tx(intake, survivor_id, body.merged_survivor_id) as tx:
        absorbed = await tx.state_of(body.merged_survivor_id)
        if not absorbed.registered or absorbed.case_number is None:
            raise SurvivorNotFound("the record to merge was not found")
        seal = Seal(tx.sealer, survivor_id, "intake.SurvivorsMerged")
        details = c.SurvivorsMerged(
            survivor_id=survivor_id,
            merged_survivor_id=body.merged_survivor_id,
            merged_case_number=absorbed.case_number,
            reason=await seal.optional("reason", body.reason),
        )
        events = domain.decide_merge(tx.state, absorbed, domain.MergeSurvivors(details))
        return await tx.record("survivor", survivor_id, tx.state.version, events, actor)

"""Intake's HTTP routes: parse, authorise (libs/access), call a handler or query, shape answers."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from uponyaji_access import (
    AccessDep,
    CurrentPrincipal,
    Grant,
    Listed,
    Listing,
    SearchListing,
    SurvivorCaseload,
    authorize,
)
from uponyaji_events.envelope import Actor, Event
from uponyaji_service import DirectRoute, resource

from . import queries, views
from . import responses as r
from .errors import PossibleDuplicates, SurvivorNotFound
from .handlers import Intake, care, erasure, survivors
from .schemas import (
    AssignmentBody,
    ClosureBody,
    ConsentBody,
    CorrectIdentityBody,
    ErasureBody,
    IncidentBody,
    MergeBody,
    ReferralBody,
    ReferralStatusBody,
    RegisterSurvivorBody,
    SearchBody,
)

get_intake = resource(Intake)  # the service's command side (built in the lifespan)


IntakeDep = Annotated[Intake, Depends(get_intake)]
Register = Annotated[Grant, Depends(authorize("survivor.register", survivor=None))]
Search = Annotated[Grant, Depends(authorize("survivor.search", survivor=None))]
Read = Annotated[Grant, Depends(authorize("survivor.read"))]
Correct = Annotated[Grant, Depends(authorize("survivor.identity.correct"))]
Merge = Annotated[Grant, Depends(authorize("survivor.merge"))]
ConsentRecord = Annotated[Grant, Depends(authorize("consent.record"))]
ConsentRead = Annotated[Grant, Depends(authorize("consent.read"))]
IncidentRecord = Annotated[Grant, Depends(authorize("incident.record"))]
IncidentRead = Annotated[Grant, Depends(authorize("incident.read"))]
ReferralMake = Annotated[Grant, Depends(authorize("referral.make"))]
ReferralRead = Annotated[Grant, Depends(authorize("referral.read"))]
Assign = Annotated[Grant, Depends(authorize("case.assign"))]
Close = Annotated[Grant, Depends(authorize("case.close"))]
EraseRequest = Annotated[Grant, Depends(authorize("erasure.request"))]
EraseRead = Annotated[Grant, Depends(authorize("erasure.read"))]
SearchText = Annotated[
    str, Query(min_length=2, max_length=200, description="Case number, phone, ID number or name")
]

router = APIRouter(tags=["survivors"], route_class=DirectRoute)


def actor(grant: Grant) -> Actor:
    """The events' actor: the caller, in the role the policy allowed them under."""
    return grant.principal.actor(grant.role or "unknown")


def written(events: list[Event]) -> dict[str, Any]:
    """The answer to a command: what was recorded."""
    return {
        "events": [{"type": e.type, "stream_id": e.stream_id, "version": e.version} for e in events]
    }


def _uuids(values: frozenset[str]) -> frozenset[UUID]:
    found = set()
    for value in values:
        try:
            found.add(UUID(value))
        except ValueError:
            continue
    return frozenset(found)


@router.post("/survivors", status_code=201, response_model=r.Registered)
async def register(
    body: RegisterSurvivorBody,
    grant: Register,
    intake: IntakeDep,
    access: AccessDep,
    request: Request,
    listed: Listing,
) -> r.Registered:
    """Register a survivor; 409 with candidates when the blind indexes find possible duplicates."""
    principal = grant.principal
    try:
        done = await survivors.register(
            intake, body, actor(grant), teams=_uuids(principal.teams), worker=principal.staff_id
        )
    except PossibleDuplicates as found:
        # Showing candidates is a search: it is audited like one, with the candidates named
        # (whose caseload they are on is not looked up: null).
        search = await access.authorize(
            principal,
            "survivor.search",
            survivor_level=False,
            survivor_id=None,
            purpose=grant.purpose,
            method=request.method,
            route="/survivors",
        )
        await listed(search, [(c.survivor_id, None) for c in found.candidates])
        raise
    return r.Registered.model_validate(
        {
            "survivor_id": done.survivor_id,
            "case_number": done.case_number,
            "possible_duplicates": list(done.possible_duplicates),
        }
    )


@router.get("/survivors", response_model=r.SearchResults)
async def search(
    q: SearchText, listed: SearchListing, grant: Search, intake: IntakeDep
) -> r.SearchResults:
    """Find survivors by case number, phone, ID number or name parts (blind indexes; audited
    with the survivors returned and a keyed hash of the text; 429 past the search limit)."""
    return r.SearchResults.model_validate(await _search(q, grant, intake, listed))


@router.post("/survivors/search", response_model=r.SearchResults)
async def search_by_body(
    body: SearchBody, listed: SearchListing, grant: Search, intake: IntakeDep
) -> r.SearchResults:
    """The same search with the text in the body, so that it never reaches a URL or access log."""
    return r.SearchResults.model_validate(await _search(body.q, grant, intake, listed))


async def _search(q: str, grant: Grant, intake: Intake, listed: Listed) -> dict[str, Any]:
    rows = await queries.search(intake.store.pool, intake.indexer, q, grant.caseload_filter())
    hits = []
    returned = []
    for row in rows:
        teams = {str(row["team_id"])} if row["team_id"] else set()
        workers = {str(row["lead_case_worker_id"])} if row["lead_case_worker_id"] else set()
        caseload = SurvivorCaseload.of(teams, workers)
        visible = grant.policy.field_visible(grant.principal, "identity", caseload)
        hits.append(await views.search_hit(intake.keys.sealer, row, identity=visible))
        returned.append((row["survivor_id"], caseload.includes(grant.principal)))
    await listed(grant, returned, query=q)
    return {"results": hits}


@router.get("/survivors/{survivor_id}", response_model=r.Survivor)
async def read(survivor_id: UUID, grant: Read, intake: IntakeDep) -> r.Survivor:
    """A survivor's record; identity fields only for those the field rules allow."""
    row = await queries.survivor(intake.store.pool, survivor_id)
    if row is None:
        raise SurvivorNotFound("survivor not found")
    merged = await queries.merged_records(intake.store.pool, survivor_id)
    return r.Survivor.model_validate(
        await views.survivor(
            intake.keys.sealer, row, identity=grant.sees("identity"), merged=merged
        )
    )


@router.post("/survivors/{survivor_id}/identity", response_model=r.Written)
async def correct(
    survivor_id: UUID, body: CorrectIdentityBody, grant: Correct, intake: IntakeDep
) -> r.Written:
    """Correct identity or aggregate fields (a new event; history kept)."""
    return r.Written.model_validate(
        written(await survivors.correct_identity(intake, survivor_id, body, actor(grant)))
    )


@router.post("/survivors/{survivor_id}/merge", response_model=r.Written)
async def merge(
    survivor_id: UUID,
    body: MergeBody,
    grant: Merge,
    intake: IntakeDep,
    access: AccessDep,
    principal: CurrentPrincipal,
    request: Request,
) -> r.Written:
    """Merge another record of the same person into this one (both must be on your caseload)."""
    await access.authorize(
        principal,
        "survivor.merge",
        survivor_level=True,
        survivor_id=body.merged_survivor_id,
        purpose=grant.purpose,
        method=request.method,
        route="/survivors/{survivor_id}/merge",
    )
    return r.Written.model_validate(
        written(await survivors.merge(intake, survivor_id, body, actor(grant)))
    )


@router.post("/survivors/{survivor_id}/consents", status_code=201, response_model=r.Written)
async def record_consent(
    survivor_id: UUID, body: ConsentBody, grant: ConsentRecord, intake: IntakeDep
) -> r.Written:
    """Grant or withdraw consent for one scope (published for other services to enforce)."""
    return r.Written.model_validate(
        written(await care.record_consent(intake, survivor_id, body, actor(grant)))
    )


@router.get(
    "/survivors/{survivor_id}/consents",
    response_model=r.Consents,
    response_model_exclude_unset=True,
)
async def read_consents(survivor_id: UUID, grant: ConsentRead, intake: IntakeDep) -> r.Consents:
    """Current consent per scope, and every grant and withdrawal."""
    pool = intake.store.pool
    return r.Consents.model_validate(
        await views.consents(
            intake.keys.sealer,
            survivor_id,
            await queries.consents(pool, survivor_id),
            await queries.consent_history(pool, survivor_id),
            witnesses=grant.sees("identity"),
        )
    )


@router.post(
    "/survivors/{survivor_id}/incidents", status_code=201, response_model=r.IncidentDocumented
)
async def document_incident(
    survivor_id: UUID, body: IncidentBody, grant: IncidentRecord, intake: IntakeDep
) -> r.IncidentDocumented:
    """Document an incident (needs documentation consent)."""
    events = await care.document_incident(intake, survivor_id, body, actor(grant))
    return r.IncidentDocumented.model_validate(
        {"incident_id": events[0].stream_id, **written(events)}
    )


async def _with_merged(intake: Intake, survivor_id: UUID) -> list[UUID]:
    merged = await queries.merged_records(intake.store.pool, survivor_id)
    return [survivor_id, *(row["survivor_id"] for row in merged)]


@router.get("/survivors/{survivor_id}/incidents", response_model=r.Incidents)
async def read_incidents(survivor_id: UUID, grant: IncidentRead, intake: IntakeDep) -> r.Incidents:
    """The survivor's incidents (and those of records merged in); narratives per field rules."""
    rows = await queries.incidents(intake.store.pool, await _with_merged(intake, survivor_id))
    shown = grant.sees("incident_narrative")
    return r.Incidents.model_validate(
        {"incidents": [await views.incident(intake.keys.sealer, r, narrative=shown) for r in rows]}
    )


@router.post("/survivors/{survivor_id}/referrals", status_code=201, response_model=r.ReferralMade)
async def make_referral(
    survivor_id: UUID, body: ReferralBody, grant: ReferralMake, intake: IntakeDep
) -> r.ReferralMade:
    """Refer the survivor to a service or an external provider (needs the matching consent)."""
    events = await care.make_referral(intake, survivor_id, body, actor(grant))
    return r.ReferralMade.model_validate(
        {"referral_id": events[0].stream_id, "status": "pending", **written(events)}
    )


@router.get("/survivors/{survivor_id}/referrals", response_model=r.Referrals)
async def read_referrals(survivor_id: UUID, grant: ReferralRead, intake: IntakeDep) -> r.Referrals:
    """The survivor's referrals and their status."""
    rows = await queries.referrals(intake.store.pool, await _with_merged(intake, survivor_id))
    notes = grant.sees("incident_narrative")
    return r.Referrals.model_validate(
        {"referrals": [await views.referral(intake.keys.sealer, r, notes=notes) for r in rows]}
    )


@router.post("/survivors/{survivor_id}/referrals/{referral_id}/status", response_model=r.Written)
async def update_referral(
    survivor_id: UUID,
    referral_id: UUID,
    body: ReferralStatusBody,
    grant: ReferralMake,
    intake: IntakeDep,
) -> r.Written:
    """Record the receiving side's answer to a referral (accepted, declined, completed…)."""
    return r.Written.model_validate(
        written(await care.update_referral(intake, survivor_id, referral_id, body, actor(grant)))
    )


@router.post("/survivors/{survivor_id}/assignment", response_model=r.Written)
async def assign(
    survivor_id: UUID, body: AssignmentBody, grant: Assign, intake: IntakeDep
) -> r.Written:
    """Assign or reassign the case to a team and a lead case worker."""
    return r.Written.model_validate(
        written(await care.assign_case(intake, survivor_id, body, actor(grant)))
    )


@router.post("/survivors/{survivor_id}/closure", response_model=r.Written)
async def close(survivor_id: UUID, body: ClosureBody, grant: Close, intake: IntakeDep) -> r.Written:
    """Close the case with a reason (`action: close`), or reopen it (`action: reopen`)."""
    return r.Written.model_validate(
        written(await care.close_or_reopen(intake, survivor_id, body, actor(grant)))
    )


@router.post(
    "/survivors/{survivor_id}/erasure-requests", status_code=202, response_model=r.ErasureRequested
)
async def request_erasure(
    survivor_id: UUID, body: ErasureBody, grant: EraseRequest, intake: IntakeDep
) -> r.ErasureRequested:
    """Record an erasure request; intake destroys its key now, other services confirm later."""
    events = await erasure.request_erasure(intake, survivor_id, body, actor(grant))
    requests = await queries.erasure_requests(intake.store.pool, survivor_id)
    return r.ErasureRequested.model_validate({"requests": requests, **written(events)})


@router.get("/survivors/{survivor_id}/erasure-requests", response_model=r.ErasureRequests)
async def read_erasure(survivor_id: UUID, grant: EraseRead, intake: IntakeDep) -> r.ErasureRequests:
    """Erasure requests of a survivor and which services have confirmed."""
    return r.ErasureRequests.model_validate(
        {"requests": await queries.erasure_requests(intake.store.pool, survivor_id)}
    )

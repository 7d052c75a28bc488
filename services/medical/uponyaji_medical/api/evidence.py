"""Routes of evidence: upload, physical samples, retrieval, custody hand-overs, referrals."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from uponyaji_access import Forbidden, Listing
from uponyaji_events.contracts import medical as m
from uponyaji_service import DirectRoute

from .. import queries, views
from .. import responses as answers
from ..errors import FileTooLarge, NotFound
from ..handlers import evidence as handle
from ..handlers.referrals import answer
from ..schemas import DecisionBody, HandOverBody, SampleBody
from .deps import Answer, EvidenceRead, EvidenceRecord, ListRead, MedDep, Read, actor, written

router = APIRouter(tags=["evidence and custody"], route_class=DirectRoute)
# Court and teaching use of photographs each need their own consent.
USE_CONSENT = {"legal": ("photography_court",), "teaching": ("photography_teaching",)}
# What a stored file can be (judged by its content at upload).
EVIDENCE_TYPES = ("image/jpeg", "image/png", "image/tiff", "application/pdf", "application/dicom")


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise FileTooLarge(f"file: larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise FileTooLarge(f"file: larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/survivors/{survivor_id}/evidence",
    status_code=201,
    response_model=answers.Uploaded,
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {}}}},
)
async def upload(
    survivor_id: UUID,
    request: Request,
    grant: EvidenceRecord,
    med: MedDep,
    kind: m.EvidenceKind,
    sha256: Annotated[str | None, Query(pattern=r"^[0-9a-fA-F]{64}$")] = None,
    encounter_id: UUID | None = None,
    identifying: bool = False,
    scale_present: bool = False,
) -> answers.Uploaded:
    """Upload a photograph, X-ray, scan or document (the raw file as the body, up to 50 MB);
    `sha256` if given must match. Photographs need photography-storage consent."""
    data = await _body(request, med.max_upload_bytes)
    up = handle.Upload(data, kind, sha256, encounter_id, identifying, scale_present)
    events = await handle.capture(med, survivor_id, up, actor(grant), grant.principal.staff_id)
    p = events[0].payload
    return answers.Uploaded.model_validate(
        {
            "evidence_id": p["evidence_id"],
            "sha256": p["sha256"],
            "media_type": p["media_type"],
            "captured_at": p.get("captured_at"),
            "events": written(events),
        }
    )


@router.post(
    "/survivors/{survivor_id}/samples", status_code=201, response_model=answers.EvidenceRecorded
)
async def sample(
    survivor_id: UUID, body: SampleBody, grant: EvidenceRecord, med: MedDep
) -> answers.EvidenceRecorded:
    """Describe a physical sample (never uploaded); the caller holds it."""
    events = await handle.describe_sample(
        med, survivor_id, body, actor(grant), grant.principal.staff_id
    )
    return answers.EvidenceRecorded.model_validate(
        {"evidence_id": events[0].payload["evidence_id"], "events": written(events)}
    )


@router.get("/survivors/{survivor_id}/evidence/{evidence_id}", response_model=answers.EvidenceView)
async def item(
    survivor_id: UUID, evidence_id: UUID, grant: Read, med: MedDep
) -> answers.EvidenceView:
    """One evidence item's metadata (never its file): what it is, where it is, who holds it;
    medico-legal, so only for those who see that field class."""
    if not grant.sees("medico_legal"):
        raise Forbidden("evidence items are medico-legal: your role does not see them")
    row = await queries.evidence_item(med.store.pool, survivor_id, evidence_id)
    if row is None:
        raise NotFound(f"no evidence item {evidence_id} of this survivor")
    who = await queries.survivor(med.store.pool, survivor_id)
    erased = who is not None and who["erasure_requested_at"] is not None
    read = views.Reader(med.keys.sealer, survivor_id, erased=erased)
    return answers.EvidenceView.model_validate(await views.evidence(row, read))


@router.get(
    "/survivors/{survivor_id}/evidence/{evidence_id}/file",
    response_class=Response,
    responses={
        200: {
            "description": "The file in its own media type",
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}} for kind in EVIDENCE_TYPES
            },
        }
    },
)
async def retrieve(
    survivor_id: UUID,
    evidence_id: UUID,
    grant: EvidenceRead,
    med: MedDep,
    original: bool = False,
) -> Response:
    """The file, hash re-verified (a mismatch is an alarm and nothing is served); a derivative
    without location or device data unless `original=true`. Purpose `legal` or `teaching`
    needs the survivor's court or teaching consent."""
    served = await handle.retrieve(
        med,
        survivor_id,
        evidence_id,
        actor(grant),
        grant.principal.staff_id,
        original=original,
        scopes=USE_CONSENT.get(grant.purpose, ()),
    )
    return Response(
        served.data,
        media_type=served.media_type,
        headers={
            "Cache-Control": "no-store",
            "X-Captured-SHA256": served.sha256,
        },
    )


@router.post(
    "/survivors/{survivor_id}/evidence/{evidence_id}/hand-overs",
    status_code=201,
    response_model=answers.EvidenceRecorded,
)
async def hand_over(
    survivor_id: UUID, evidence_id: UUID, body: HandOverBody, grant: EvidenceRecord, med: MedDep
) -> answers.EvidenceRecorded:
    """Record a custody hand-over (409 when the giver does not hold the item)."""
    events = await handle.hand_over(med, survivor_id, evidence_id, body, actor(grant))
    return answers.EvidenceRecorded.model_validate(
        {"evidence_id": str(evidence_id), "events": written(events)}
    )


@router.get(
    "/survivors/{survivor_id}/evidence/{evidence_id}/custody", response_model=answers.Custody
)
async def custody(
    survivor_id: UUID, evidence_id: UUID, grant: Read, med: MedDep
) -> answers.Custody:
    """The item's chain of custody: capture, hand-overs (reasons unsealed), accesses, alarms."""
    who = await queries.survivor(med.store.pool, survivor_id)
    erased = who is not None and who["erasure_requested_at"] is not None
    read = views.Reader(med.keys.sealer, survivor_id, erased=erased)
    rows = await queries.custody(med.store.pool, evidence_id)
    items = []
    for row in rows:
        event = {"captured": "EvidenceCaptured", "handed_over": "EvidenceHandedOver"}.get(
            row["kind"], ""
        )
        payload = await read.payload(event, row["payload"])
        if row["kind"] == "handed_over":
            payload["reason"] = await read.text(
                "EvidenceHandedOver", "reason", payload["reason"], record=evidence_id
            )
        if payload.get("survivor_id") != str(survivor_id):
            continue
        items.append(
            {
                **payload,
                "step": row["kind"],
                "actor": row["actor"],
                "recorded_at": row["at"].isoformat(),
            }
        )
    if not items:
        raise NotFound(f"no evidence item {evidence_id} of this survivor")
    return answers.Custody.model_validate({"evidence_id": str(evidence_id), "custody": items})


@router.get("/referrals", response_model=answers.PendingReferrals)
async def pending_referrals(
    grant: ListRead, med: MedDep, listed: Listing
) -> answers.PendingReferrals:
    """Referrals to medical not yet answered, on your caseload."""
    rows = await queries.pending_referrals(med.store.pool, grant.caseload_filter())
    await listed.filtered(grant, (r["survivor_id"] for r in rows))
    return answers.PendingReferrals.model_validate({"referrals": [views.plain(r) for r in rows]})


@router.post(
    "/referrals/{referral_id}/decision", status_code=201, response_model=answers.ReferralDecided
)
async def decide_referral(
    referral_id: UUID, body: DecisionBody, grant: Answer, med: MedDep
) -> answers.ReferralDecided:
    """Accept or decline a referral; intake's referral status follows the event."""
    assert grant.survivor_id is not None
    events = await answer(med, grant.survivor_id, referral_id, body, actor(grant))
    return answers.ReferralDecided.model_validate(
        {
            "referral_id": str(referral_id),
            "decision": body.decision.value,
            "events": written(events),
        }
    )

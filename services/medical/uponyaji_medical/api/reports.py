"""Routes of medico-legal reports: draft, sign, PDF, addenda, verification, P3 and MOH 363."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from uponyaji_access import AccessDep
from uponyaji_events.contracts import medical as m
from uponyaji_service import DirectRoute

from .. import domain, queries
from .. import responses as answers
from ..domain.report import TITLES
from ..errors import NotFound, ReportSigned
from ..handlers import Medical
from ..handlers import reports as handle
from ..handlers.assemble import gather, report_input
from ..handlers.base import intake_facts
from ..schemas import AddendumBody, FormBody, SignBody
from ..views import Reader
from .deps import MedDep, Read, Sign, Verify, actor, written

router = APIRouter(tags=["medico-legal reports"], route_class=DirectRoute)
PDF = "application/pdf"


# Binary answers declare their media type, not a JSON schema.
_BINARY = {"schema": {"type": "string", "format": "binary"}}
PDF_READ: dict[int | str, dict[str, Any]] = {
    200: {"content": {PDF: _BINARY}, "description": "The PDF"}
}
PDF_MADE: dict[int | str, dict[str, Any]] = {
    201: {"content": {PDF: _BINARY}, "description": "The signed or issued PDF"}
}
# A signed report never changes: the only answers are 409, or 404 for a report that is not there.
IMMUTABLE: dict[int | str, dict[str, Any]] = {
    404: {"model": answers.Refused, "description": "No such signed report of this survivor"},
    409: {"description": "Signed reports never change: add a signed addendum instead"},
}


def _pdf(
    data: bytes, name: str, headers: dict[str, str] | None = None, status: int = 200
) -> Response:
    return Response(
        data,
        status_code=status,
        media_type=PDF,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.pdf"',
            "Cache-Control": "no-store",
            "X-Content-SHA256": domain.sha256(data),
            **(headers or {}),
        },
    )


@router.get(
    "/survivors/{survivor_id}/encounters/{encounter_id}/report-draft",
    response_model=answers.ReportDraft,
)
async def draft(
    survivor_id: UUID, encounter_id: UUID, grant: Read, med: MedDep
) -> answers.ReportDraft:
    """The report as it would be assembled now, and the sections still missing before signing
    (signature details are added when signing)."""
    async with med.store.transaction() as conn:
        await intake_facts(conn, survivor_id)
        read = Reader(med.keys.sealer, survivor_id)
        found = await gather(conn, read, survivor_id, encounter_id)
        data = await report_input(found, read, encounter_id, survivor_id, None, False)
    gaps = domain.missing(data, for_signing=False)
    return answers.ReportDraft.model_validate(
        {
            "content": domain.assemble(data),
            "missing": [{"section": key, "title": TITLES[key]} for key in gaps],
        }
    )


@router.post(
    "/survivors/{survivor_id}/reports", status_code=201, response_class=Response, responses=PDF_MADE
)
async def sign(
    survivor_id: UUID, body: SignBody, grant: Sign, med: MedDep, access: AccessDep
) -> Response:
    """Sign the examination's report (complete, by an examiner, with a fresh TOTP step-up);
    answers the signed PDF, its hash in `X-Content-SHA256` and the report id in `Location`."""
    events, pdf = await handle.sign_report(
        med, access.verifier, survivor_id, body, actor(grant), grant.principal.staff_id
    )
    report_id = events[-1].stream_id
    return _pdf(
        pdf,
        f"report-{report_id}",
        {
            "Location": f"/survivors/{survivor_id}/reports/{report_id}",
            "X-Report-Id": report_id,
        },
        status=201,
    )


@router.get(
    "/survivors/{survivor_id}/reports/{report_id}/pdf",
    response_class=Response,
    responses=PDF_READ,
)
async def report_pdf(survivor_id: UUID, report_id: UUID, grant: Read, med: MedDep) -> Response:
    """The signed report's PDF (rendered again; it must hash to the signed one)."""
    row = await queries.report(med.store.pool, survivor_id, report_id)
    if row is None:
        raise NotFound(f"no signed report {report_id} of this survivor")
    return _pdf(await handle.pdf_of(med, survivor_id, row, "report"), f"report-{report_id}")


async def _immutable(med: Medical, survivor_id: UUID, report_id: UUID) -> None:
    if await queries.report(med.store.pool, survivor_id, report_id) is None:
        raise NotFound(f"no signed report {report_id} of this survivor")
    raise ReportSigned("the report is signed and immutable: add a signed addendum instead")


@router.put(
    "/survivors/{survivor_id}/reports/{report_id}",
    status_code=409,
    response_model=answers.Refused,
    responses=IMMUTABLE,
)
async def replace_report(survivor_id: UUID, report_id: UUID, grant: Sign, med: MedDep) -> None:
    """A signed report never changes: 409 (add a signed addendum instead)."""
    await _immutable(med, survivor_id, report_id)


@router.patch(
    "/survivors/{survivor_id}/reports/{report_id}",
    status_code=409,
    response_model=answers.Refused,
    responses=IMMUTABLE,
)
async def change_report(survivor_id: UUID, report_id: UUID, grant: Sign, med: MedDep) -> None:
    """A signed report never changes: 409 (add a signed addendum instead)."""
    await _immutable(med, survivor_id, report_id)


@router.delete(
    "/survivors/{survivor_id}/reports/{report_id}",
    status_code=409,
    response_model=answers.Refused,
    responses=IMMUTABLE,
)
async def delete_report(survivor_id: UUID, report_id: UUID, grant: Sign, med: MedDep) -> None:
    """A signed report is never deleted: 409 (erasure destroys the survivor's key instead)."""
    await _immutable(med, survivor_id, report_id)


@router.post(
    "/survivors/{survivor_id}/reports/{report_id}/addenda",
    status_code=201,
    response_class=Response,
    responses=PDF_MADE,
)
async def add_addendum(
    survivor_id: UUID,
    report_id: UUID,
    body: AddendumBody,
    grant: Sign,
    med: MedDep,
    access: AccessDep,
) -> Response:
    """Add a signed addendum (fresh TOTP step-up); answers its PDF."""
    events, pdf = await handle.sign_addendum(
        med, access.verifier, survivor_id, report_id, body, actor(grant), grant.principal.staff_id
    )
    addendum_id = events[-1].payload["addendum_id"]
    return _pdf(pdf, f"addendum-{addendum_id}", {"X-Addendum-Id": addendum_id}, status=201)


@router.get(
    "/survivors/{survivor_id}/reports/{report_id}/addenda/{addendum_id}/pdf",
    response_class=Response,
    responses=PDF_READ,
)
async def addendum_pdf(
    survivor_id: UUID, report_id: UUID, addendum_id: UUID, grant: Read, med: MedDep
) -> Response:
    """A signed addendum's PDF."""
    rows = [
        a
        for a in await queries.addenda(med.store.pool, report_id)
        if a["addendum_id"] == addendum_id and a["survivor_id"] == survivor_id
    ]
    if not rows:
        raise NotFound(f"no addendum {addendum_id} of report {report_id}")
    return _pdf(
        await handle.pdf_of(med, survivor_id, rows[0], "addendum"), f"addendum-{addendum_id}"
    )


@router.get("/reports/{report_id}/verification", response_model=answers.ReportVerification)
async def verification(
    report_id: UUID,
    grant: Verify,
    med: MedDep,
    sha256: str = Query(pattern=r"^[0-9a-fA-F]{64}$", description="SHA-256 of the PDF (hex)"),
) -> answers.ReportVerification:
    """Whether a PDF with this SHA-256 is the signed report (or one of its signed addenda),
    who signed it and when, and whether every signature verifies with the signer's key."""
    assert grant.survivor_id is not None
    row = await queries.report(med.store.pool, grant.survivor_id, report_id)
    if row is None:
        raise NotFound(f"no signed report {report_id}")
    result = handle.verify(row, await queries.addenda(med.store.pool, report_id), sha256.lower())
    return answers.ReportVerification.model_validate(dict(result.__dict__))


@router.post(
    "/survivors/{survivor_id}/forms/{form}",
    status_code=201,
    response_class=Response,
    responses=PDF_MADE,
)
async def issue_form(
    survivor_id: UUID, form: m.FormKind, body: FormBody, grant: Sign, med: MedDep
) -> Response:
    """Render the P3 (needs legal_proceedings consent) or MOH 363 from the record; what the
    record lacks is blank. The medico-legal report itself is signed at POST …/reports."""
    if form is m.FormKind.MEDICO_LEGAL_REPORT:
        raise NotFound("form: the medico-legal report is signed at POST …/reports")
    events, pdf = await handle.issue_form(
        med, survivor_id, body.encounter_id, form, actor(grant), grant.principal.staff_id
    )
    return _pdf(
        pdf,
        f"{form.value}-{events[0].payload['document_id']}",
        {"X-Blank-Fields": str(events[0].payload["blank_fields"])},
        status=201,
    )


__all__ = ["router", "written"]

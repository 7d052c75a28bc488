"""Signing reports and addenda, rendering their PDFs, verifying a PDF, issuing P3 and MOH 363."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from uponyaji_access import TokenVerifier
from uponyaji_events.contracts import medical as m
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.sealing import ERASED

from .. import domain, render, signing, stepup
from ..domain.report import TITLES
from ..errors import EvidenceTampered, NotExaminer, NotFound, ReportIncomplete, ReportSigned
from ..schemas import AddendumBody, SignBody
from ..views import Reader
from .assemble import form_input, gather, report_input
from .base import Medical, Tx, survivor_tx


def verification_ref(report_id: UUID) -> str:
    """Where a PDF of this report is checked."""
    return f"GET /reports/{report_id}/verification?sha256=<SHA-256 of the PDF>"


def block(kind_id: UUID, p: dict[str, Any]) -> dict[str, Any]:
    """The signature block printed on a PDF."""
    return {
        "report_id": str(kind_id),
        "signer_id": str(p["signer_id"]),
        "signed_at": str(p["signed_at"]),
        "content_sha256": p["content_sha256"],
        "key_id": str(p["key_id"]),
        "signature": p["signature"],
        "verification": verification_ref(UUID(str(p.get("report_id") or kind_id))),
    }


async def _signature(
    tx: Tx,
    signer: UUID,
    kind: str,
    document_id: UUID,
    content_sha: str,
    signed_at: str,
    actor: Actor,
) -> tuple[UUID, str]:
    """Sign with the clinician's key (publishing it if new); returns key id and signature."""
    key_id, key, new = await tx.med.signing.signer(tx.conn, signer)
    if new is not None:
        issued = domain.new_event(
            m.SigningKeyIssued(
                clinician_id=signer,
                key_id=new.key_id,
                public_key=new.public_key,
                issued_at=tx.med.now(),
            )
        )
        await tx.uow.append("clinician", signer, 0, [issued], actor=actor)
    message = domain.statement(kind, str(document_id), content_sha, signed_at)
    return key_id, signing.b64(key.sign(message))


async def sign_report(
    med: Medical,
    verifier: TokenVerifier,
    survivor_id: UUID,
    body: SignBody,
    actor: Actor,
    caller: UUID,
) -> tuple[list[Event], bytes]:
    """Sign the report of a medico-legal examination: complete, by an examiner, stepped up."""
    async with survivor_tx(med, survivor_id, domain.EXAMINATION, allow_closed=True) as tx:
        await stepup.check(tx.conn, verifier, body.step_up, caller, med.step_up_seconds)
        encounter = tx.state.encounters.get(body.encounter_id)
        if encounter is None:
            raise NotFound(f"encounter_id: no encounter {body.encounter_id} of this survivor")
        if caller not in encounter.clinician_ids:
            raise NotExaminer("only a clinician who examined the survivor may sign this report")
        if await tx.conn.fetchval(
            "SELECT 1 FROM reports WHERE encounter_id = $1", body.encounter_id
        ):
            raise ReportSigned("this examination's report is signed: add a signed addendum")
        report_id, signed = uuid4(), med.now()
        signed_at = signed.isoformat()
        read = Reader(tx.sealer, survivor_id)
        signer = {
            "staff_id": str(caller),
            "qualifications": body.qualifications,
            "county_code": body.county_code,
            "signed_at": signed_at,
        }
        found = await gather(tx.conn, read, survivor_id, body.encounter_id)
        data = await report_input(found, read, report_id, survivor_id, signer, body.truthful)
        read.check()  # never sign a report over values that did not open where they are stored
        gaps = domain.missing(data)
        if gaps:
            raise ReportIncomplete(
                "the report lacks: " + "; ".join(f"{key} ({TITLES[key]})" for key in gaps)
            )
        content = domain.assemble(data)
        canonical = domain.canonical(content)
        content_sha = domain.sha256(canonical)
        key_id, signature = await _signature(
            tx, caller, "report", report_id, content_sha, signed_at, actor
        )
        fields = {
            "signer_id": caller,
            "signed_at": signed_at,
            "content_sha256": content_sha,
            "key_id": key_id,
            "signature": signature,
        }
        # Rendered from the canonical form, exactly as every later re-rendering is.
        pdf = render.render_report(json.loads(canonical), block(report_id, fields))
        sealed = await tx.seal("medical.ReportSigned/content", canonical.decode(), record=report_id)
        assert sealed is not None
        payload = m.ReportSigned(
            report_id=report_id,
            survivor_id=survivor_id,
            encounter_id=body.encounter_id,
            content=sealed,
            content_sha256=content_sha,
            pdf_sha256=domain.sha256(pdf),
            signer_id=caller,
            key_id=key_id,
            signature=signature,
            signed_at=signed,
            place_county_code=body.county_code,
        )
        events = await tx.uow.append(
            "report", report_id, 0, [domain.new_event(payload)], actor=actor
        )
        return events, pdf


async def sign_addendum(
    med: Medical,
    verifier: TokenVerifier,
    survivor_id: UUID,
    report_id: UUID,
    body: AddendumBody,
    actor: Actor,
    caller: UUID,
) -> tuple[list[Event], bytes]:
    """Add a signed addendum to a signed report (the report itself never changes)."""
    async with survivor_tx(med, survivor_id, domain.EXAMINATION, allow_closed=True) as tx:
        report = await tx.conn.fetchrow(
            "SELECT encounter_id, content_sha256 FROM reports WHERE report_id = $1 "
            "AND survivor_id = $2",
            report_id,
            survivor_id,
        )
        state = domain.fold_report(await tx.uow.load(report_id))
        if report is None:
            raise NotFound(f"no signed report {report_id} of this survivor")
        domain.may_add(state)
        await stepup.check(tx.conn, verifier, body.step_up, caller, med.step_up_seconds)
        encounter = tx.state.encounters.get(UUID(str(report["encounter_id"])))
        if encounter is None or caller not in encounter.clinician_ids:
            raise NotExaminer("only a clinician who examined the survivor may sign an addendum")
        addendum_id, signed = uuid4(), med.now()
        signed_at = signed.isoformat()
        content = {
            "format": "uponyaji-medico-legal-addendum/1",
            "report_id": str(report_id),
            "report_content_sha256": report["content_sha256"],
            "text": body.text,
            "signer_id": str(caller),
            "signed_at": signed_at,
        }
        canonical = domain.canonical(content)
        content_sha = domain.sha256(canonical)
        key_id, signature = await _signature(
            tx, caller, "addendum", addendum_id, content_sha, signed_at, actor
        )
        fields = {
            "signer_id": caller,
            "signed_at": signed_at,
            "content_sha256": content_sha,
            "key_id": key_id,
            "signature": signature,
            "report_id": report_id,
        }
        pdf = render.render_addendum(json.loads(canonical), block(addendum_id, fields))
        sealed = await tx.seal(
            "medical.AddendumSigned/content", canonical.decode(), record=addendum_id
        )
        assert sealed is not None
        payload = m.AddendumSigned(
            addendum_id=addendum_id,
            report_id=report_id,
            survivor_id=survivor_id,
            content=sealed,
            content_sha256=content_sha,
            pdf_sha256=domain.sha256(pdf),
            signer_id=caller,
            key_id=key_id,
            signature=signature,
            signed_at=signed,
        )
        events = await tx.uow.append(
            "report", report_id, state.version, [domain.new_event(payload)], actor=actor
        )
        return events, pdf


async def pdf_of(med: Medical, survivor_id: UUID, row: Any, kind: str) -> bytes:
    """Re-render a signed report's or addendum's PDF; it must hash to what was signed."""
    read = Reader(med.keys.sealer, survivor_id)
    event = "ReportSigned" if kind == "report" else "AddendumSigned"
    doc_id = UUID(str(row["report_id"] if kind == "report" else row["addendum_id"]))
    text = await read.text(event, "content", row["content"], record=doc_id)
    if text is None or text == ERASED:
        raise NotFound("the report's content was erased with the survivor's key")
    read.check()  # content moved from another report or altered: refused, never re-rendered
    content = json.loads(text)
    fields = {key: row[key] for key in ("signer_id", "content_sha256", "key_id", "signature")}
    fields["signed_at"] = content.get("signed_at") or content["sections"]["signature"]["signed_at"]
    fields["report_id"] = row["report_id"]
    render_fn = render.render_report if kind == "report" else render.render_addendum
    pdf = render_fn(content, block(doc_id, fields))
    if domain.sha256(pdf) != row["pdf_sha256"]:
        raise EvidenceTampered("the rendered PDF does not match the signed one: not served")
    return pdf


@dataclass(frozen=True)
class Verification:
    """Whether a PDF (by its SHA-256) is a signed report or addendum, and the signature check."""

    report_id: str
    matches: bool
    matched: str | None
    signer_id: str
    signed_at: str
    content_sha256: str
    signature_valid: bool
    addenda: list[dict[str, Any]]


def _valid(row: Any, kind: str, document_id: Any) -> bool:
    message = domain.statement(
        kind, str(document_id), row["content_sha256"], row["signed_at"].isoformat()
    )
    return signing.verify(row["public_key"], message, row["signature"])


def verify(report: Any, addenda: list[Any], sha256: str) -> Verification:
    """Compare a PDF's hash with the signed report's and its addenda's; check every signature."""
    matched = "report" if sha256 == report["pdf_sha256"] else None
    listed = []
    valid = _valid(report, "report", report["report_id"])
    for a in addenda:
        if sha256 == a["pdf_sha256"]:
            matched = f"addendum {a['addendum_id']}"
        ok = _valid(a, "addendum", a["addendum_id"])
        valid = valid and ok
        listed.append(
            {
                "addendum_id": str(a["addendum_id"]),
                "pdf_sha256": a["pdf_sha256"],
                "signer_id": str(a["signer_id"]),
                "signed_at": a["signed_at"].isoformat(),
                "signature_valid": ok,
            }
        )
    return Verification(
        report_id=str(report["report_id"]),
        matches=matched is not None,
        matched=matched,
        signer_id=str(report["signer_id"]),
        signed_at=report["signed_at"].isoformat(),
        content_sha256=report["content_sha256"],
        signature_valid=valid,
        addenda=listed,
    )


async def issue_form(
    med: Medical,
    survivor_id: UUID,
    encounter_id: UUID,
    form: m.FormKind,
    actor: Actor,
    caller: UUID,
) -> tuple[list[Event], bytes]:
    """Render P3 (needs legal_proceedings consent) or MOH 363 from the record; record its issue."""
    scopes = ("legal_proceedings",) if form is m.FormKind.P3 else (domain.EXAMINATION,)
    async with survivor_tx(med, survivor_id, *scopes, allow_closed=True) as tx:
        read = Reader(tx.sealer, survivor_id)
        found = await gather(tx.conn, read, survivor_id, encounter_id)
        data = await form_input(found, read, caller)
        read.check()  # never issue a form over values that did not open where they are stored
        footer = f"{form.value} | case {found['case_number']} | encounter {encounter_id}"
        if form is m.FormKind.P3:
            pdf, blanks = render.render_form(
                "Kenya Police medical examination report (P3)", [("", render.p3(data))], footer
            )
        else:
            part_a, part_b = render.moh363(data)
            pdf, blanks = render.render_form(
                "MOH 363 post-rape care form",
                [("Part A - medical and forensic", part_a), ("Part B - psychological", part_b)],
                footer,
            )
        payload = m.FormIssued(
            document_id=uuid4(),
            survivor_id=survivor_id,
            encounter_id=encounter_id,
            form=form,
            pdf_sha256=domain.sha256(pdf),
            blank_fields=blanks,
        )
        command = domain.RecordCare(payload, med.today())
        return await tx.record(domain.decide(tx.state, command), actor), pdf

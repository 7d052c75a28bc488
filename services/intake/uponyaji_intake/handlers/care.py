"""Consent, incidents, referrals and the caseload: the work recorded about a registered survivor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from uponyaji_events.contracts import intake as c
from uponyaji_events.eat import eat_date
from uponyaji_events.envelope import Actor, Event

from .. import domain
from ..identity import minor_on
from ..schemas import (
    AssignmentBody,
    ClosureBody,
    ConsentBody,
    IncidentBody,
    ReferralBody,
    ReferralStatusBody,
)
from ..seal import Seal, Unseal
from .base import Intake, survivor_tx


async def record_consent(
    intake: Intake, survivor_id: UUID, body: ConsentBody, actor: Actor
) -> list[Event]:
    """Record a grant or a withdrawal of consent for one scope."""
    granting = body.decision == "grant"
    command_type = domain.GrantConsent if granting else domain.WithdrawConsent
    event_type = "intake.ConsentGranted" if granting else "intake.ConsentWithdrawn"
    async with survivor_tx(intake, survivor_id) as tx:
        domain.admissible(tx.state, command_type)
        seal = Seal(tx.sealer, survivor_id, event_type)
        common: dict[str, Any] = {
            "survivor_id": survivor_id,
            "scope": body.scope,
            "method": body.method,
            "party": body.party,
            "witness": await seal.optional("witness", body.witness),
            "language": body.language,
            "at": body.at or datetime.now(UTC),
        }
        command: domain.GrantConsent | domain.WithdrawConsent
        if granting:
            guardian = await seal.optional("guardian_name", body.guardian_name)
            # A minor or not on the consent's own date, not at registration: children grow up.
            day = eat_date(common["at"])
            minor = await minor_on(tx.conn, Unseal(tx.sealer, survivor_id), survivor_id, day)
            command = domain.GrantConsent(
                c.ConsentGranted(
                    **common,
                    guardian_name=guardian,
                    guardian_relationship=body.guardian_relationship,
                    child_assent=body.child_assent,
                ),
                minor,
            )
        else:
            reason = await seal.optional("reason", body.reason)
            command = domain.WithdrawConsent(c.ConsentWithdrawn(**common, reason=reason))
        events = domain.decide(tx.state, command)
        return await tx.record("survivor", survivor_id, tx.state.version, events, actor)


async def document_incident(
    intake: Intake, survivor_id: UUID, body: IncidentBody, actor: Actor
) -> list[Event]:
    """Document an incident in its own stream; needs the survivor's documentation consent."""
    incident_id = uuid4()
    async with survivor_tx(intake, survivor_id) as tx:
        domain.admissible(tx.state, domain.DocumentIncident)
        # Bound to the incident: a narrative cannot be moved to another incident of the survivor.
        seal = Seal(tx.sealer, survivor_id, "intake.IncidentDocumented", record=incident_id)
        reports = [
            c.IncidentReport(
                reported_to=report.reported_to,
                reported_on=report.reported_on,
                reference=await seal.optional("reports[].reference", report.reference),
            )
            for report in body.reports
        ]
        details = c.IncidentDocumented(
            incident_id=incident_id,
            survivor_id=survivor_id,
            occurred_from=body.occurred_from,
            occurred_until=body.occurred_until,
            date_is_approximate=body.date_is_approximate,
            county_code=body.county_code,
            place_type=body.place_type,
            place_description=await seal.optional("place_description", body.place_description),
            perpetrators=list(dict.fromkeys(body.perpetrators)),
            methods=list(dict.fromkeys(body.methods)),
            detention=c.Detention(**body.detention.model_dump()) if body.detention else None,
            reports=reports,
            other_survivor_ids=list(dict.fromkeys(body.other_survivor_ids)),
            other_survivors_count=body.other_survivors_count,
            narrative=await seal("narrative", body.narrative),
            witnesses=await seal.each("witnesses", body.witnesses),
        )
        rows = await tx.conn.fetch(
            "SELECT survivor_id FROM survivors WHERE survivor_id = ANY($1::uuid[])",
            details.other_survivor_ids,
        )
        registered = frozenset(row["survivor_id"] for row in rows)
        events = domain.decide(tx.state, domain.DocumentIncident(details, registered))
        return await tx.record("incident", incident_id, 0, events, actor)


async def make_referral(
    intake: Intake, survivor_id: UUID, body: ReferralBody, actor: Actor
) -> list[Event]:
    """Refer the survivor (a referral stream of its own); needs the matching consent."""
    referral_id = uuid4()
    async with survivor_tx(intake, survivor_id) as tx:
        domain.admissible(tx.state, domain.MakeReferral)
        rows = await tx.conn.fetch(
            "SELECT incident_id FROM incidents WHERE survivor_id = $1 OR survivor_id IN "
            "(SELECT survivor_id FROM survivors WHERE merged_into = $1)",
            survivor_id,
        )
        seal = Seal(tx.sealer, survivor_id, "intake.ReferralMade", record=referral_id)
        details = c.ReferralMade(
            referral_id=referral_id,
            survivor_id=survivor_id,
            target=body.target,
            urgency=body.urgency,
            external_provider=await seal.optional("external_provider", body.external_provider),
            reason=await seal.optional("reason", body.reason),
            incident_ids=list(dict.fromkeys(body.incident_ids)),
        )
        command = domain.MakeReferral(details, frozenset(r["incident_id"] for r in rows))
        events = domain.decide(tx.state, command)
        return await tx.record("referral", referral_id, 0, events, actor)


async def update_referral(
    intake: Intake,
    survivor_id: UUID,
    referral_id: UUID,
    body: ReferralStatusBody,
    actor: Actor,
    *,
    source_event_id: UUID | None = None,
) -> list[Event]:
    """Move a referral to the receiving side's answer."""
    async with survivor_tx(intake, survivor_id) as tx:
        referral = domain.fold_referral(await tx.load(referral_id))
        seal = Seal(tx.sealer, survivor_id, "intake.ReferralStatusChanged", record=referral_id)
        details = c.ReferralStatusChanged(
            referral_id=referral_id,
            survivor_id=survivor_id,
            status=body.status,
            note=None,
            source_event_id=source_event_id,
        )
        domain.decide_referral(referral, tx.state, domain.UpdateReferralStatus(details))
        details = details.model_copy(update={"note": await seal.optional("note", body.note)})
        events = domain.decide_referral(referral, tx.state, domain.UpdateReferralStatus(details))
        return await tx.record("referral", referral_id, referral.version, events, actor)


async def assign_case(
    intake: Intake, survivor_id: UUID, body: AssignmentBody, actor: Actor
) -> list[Event]:
    """Assign or reassign the case to a team and a lead case worker."""
    async with survivor_tx(intake, survivor_id) as tx:
        details = c.CaseAssigned(
            survivor_id=survivor_id,
            team_id=body.team_id,
            lead_case_worker_id=body.lead_case_worker_id,
        )
        events = domain.decide(tx.state, domain.AssignCase(details))
        return await tx.record("survivor", survivor_id, tx.state.version, events, actor)


async def close_or_reopen(
    intake: Intake, survivor_id: UUID, body: ClosureBody, actor: Actor
) -> list[Event]:
    """Close the case with a reason, or reopen it with a note."""
    async with survivor_tx(intake, survivor_id) as tx:
        command: domain.CloseCase | domain.ReopenCase
        if body.action == "close":
            domain.admissible(tx.state, domain.CloseCase)
            assert body.reason is not None  # the body's validator requires it
            seal = Seal(tx.sealer, survivor_id, "intake.CaseClosed")
            note = await seal.optional("note", body.note)
            command = domain.CloseCase(
                c.CaseClosed(survivor_id=survivor_id, reason=body.reason, note=note)
            )
        else:
            domain.admissible(tx.state, domain.ReopenCase)
            assert body.note is not None
            seal = Seal(tx.sealer, survivor_id, "intake.CaseReopened")
            reason = await seal("reason", body.note)
            command = domain.ReopenCase(c.CaseReopened(survivor_id=survivor_id, reason=reason))
        events = domain.decide(tx.state, command)
        return await tx.record("survivor", survivor_id, tx.state.version, events, actor)

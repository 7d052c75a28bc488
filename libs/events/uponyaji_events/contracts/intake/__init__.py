"""Event contracts of intake: survivors, consent, incidents, referrals, caseload, erasure.

Identity data, narratives and every free-text note are sealed under the survivor's data key
(docs/sealing.md); the unsealed fields are ids, codes and vocabularies that aggregates and other
services need. Blind indexes for duplicate detection are not in events: intake derives them
from the unsealed values in its own tables, so erasure removes them with the key. Contracts
describe shapes only; rules between fields (dates in order, a reason when overriding duplicates)
are the deciders' to enforce.
"""

from __future__ import annotations

from uponyaji_events.contracts.intake.caseload import CaseAssigned, CaseClosed, CaseReopened
from uponyaji_events.contracts.intake.common import SERVICE
from uponyaji_events.contracts.intake.consent import ConsentGranted, ConsentWithdrawn
from uponyaji_events.contracts.intake.erasure import (
    ErasureCompleted,
    ErasureConfirmation,
    ErasureRequested,
)
from uponyaji_events.contracts.intake.incidents import Detention, IncidentDocumented, IncidentReport
from uponyaji_events.contracts.intake.referrals import ReferralMade, ReferralStatusChanged
from uponyaji_events.contracts.intake.survivors import (
    IdentityCorrected,
    NextOfKin,
    SurvivorRegistered,
    SurvivorsMerged,
)
from uponyaji_events.contracts.registry import ContractRegistry


def register(registry: ContractRegistry) -> None:
    """Register intake's event contracts."""
    for model, stream_type in (
        (SurvivorRegistered, "survivor"),
        (IdentityCorrected, "survivor"),
        (SurvivorsMerged, "survivor"),
        (ConsentGranted, "survivor"),
        (ConsentWithdrawn, "survivor"),
        (CaseAssigned, "survivor"),
        (CaseClosed, "survivor"),
        (CaseReopened, "survivor"),
        (IncidentDocumented, "incident"),
        (ReferralMade, "referral"),
        (ReferralStatusChanged, "referral"),
        (ErasureRequested, "erasure"),
        (ErasureCompleted, "erasure"),
    ):
        registry.register(model, service=SERVICE, stream_type=stream_type)


__all__ = [
    "SERVICE",
    "CaseAssigned",
    "CaseClosed",
    "CaseReopened",
    "ConsentGranted",
    "ConsentWithdrawn",
    "Detention",
    "ErasureCompleted",
    "ErasureConfirmation",
    "ErasureRequested",
    "IdentityCorrected",
    "IncidentDocumented",
    "IncidentReport",
    "NextOfKin",
    "ReferralMade",
    "ReferralStatusChanged",
    "SurvivorRegistered",
    "SurvivorsMerged",
    "register",
]

"""The two-person rule: which account changes wait for a second administrator (pure)."""

from __future__ import annotations

from uuid import UUID

# Roles that open survivor records: granting one needs a second administrator's approval.
CLINICAL_ROLES: frozenset[str] = frozenset(
    {"clinician", "counsellor", "empowerment_officer", "legal_officer", "clinical_supervisor"}
)


def grants_clinical_role(current: frozenset[str], wanted: frozenset[str]) -> bool:
    """Whether going from `current` to `wanted` roles adds a clinical role."""
    return bool((wanted - current) & CLINICAL_ROLES)


def may_approve(approver: UUID, requested_by: UUID, staff_id: UUID) -> str | None:
    """Why `approver` may not approve this change (None: they may)."""
    if approver == requested_by:
        return "a change must be approved by a second administrator, not the one who asked"
    if approver == staff_id:
        return "an administrator cannot approve a change to their own account"
    return None

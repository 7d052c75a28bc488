"""Empowerment's errors, rooted in the kernel's: one handler renders `{"error", "detail"}`."""

from __future__ import annotations

from uponyaji_service import ServiceError


class EmpowermentError(ServiceError):
    """Base of empowerment's errors (a broken domain rule: 409 unless said otherwise)."""

    status_code = 409


class InvalidCommand(EmpowermentError):
    """Well-formed but impossible: a date in the future, more earners than people, a bad amount."""

    status_code = 422


class NotFound(EmpowermentError):
    """No such record (survivor, grant, budget line, course, referral, plan goal)."""

    status_code = 404


class SurvivorUnknown(NotFound):
    """Intake has not told this service about the survivor (yet)."""


class ConsentRequired(EmpowermentError):
    """The survivor has not granted, or has withdrawn, empowerment consent."""


class CaseClosed(EmpowermentError):
    """The survivor's case is closed in intake: it must be reopened first."""


class SurvivorErased(EmpowermentError):
    """The survivor's erasure was requested: nothing more may be recorded about them."""


class SurvivorMerged(EmpowermentError):
    """This record was merged into another in intake: act on the record it was merged into."""


class PlanRequired(EmpowermentError):
    """Follow-ups and goals need a livelihood plan first."""


class PlanExists(EmpowermentError):
    """The survivor already has a livelihood plan: add goals or review it instead."""


class AlreadySuperseded(EmpowermentError):
    """The record was already corrected: correct its current version instead."""


class GrantNotPending(EmpowermentError):
    """The grant was already approved or declined."""


class GrantNotApproved(EmpowermentError):
    """Only an approved grant can be disbursed."""


class OwnProposal(EmpowermentError):
    """Nobody approves or declines a grant they proposed themselves."""

    status_code = 403


class BudgetExceeded(EmpowermentError):
    """The approval would take the budget line past its amount."""


class OutsidePeriod(EmpowermentError):
    """The budget line's period has ended (or not begun)."""


class OverRemainder(EmpowermentError):
    """The disbursement is more than what remains of the approved amount."""


class ReferenceUsed(EmpowermentError):
    """The payment reference was already recorded for another disbursement."""


class FollowUpHeld(EmpowermentError):
    """This milestone already has a follow-up: correct it instead."""


class AlreadyCompleted(EmpowermentError):
    """The survivor already completed this course."""


class AlreadyAnswered(EmpowermentError):
    """The referral was already accepted or declined."""


class DuplicateCode(EmpowermentError):
    """A budget line with this code already exists."""

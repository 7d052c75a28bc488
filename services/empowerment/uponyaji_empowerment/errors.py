"""Empowerment's own errors, and the ones every stage shares (`uponyaji_service.errors`)."""

from __future__ import annotations

from uponyaji_service.errors import *  # noqa: F403  # the shared errors, re-exported
from uponyaji_service.errors import DomainError, Forbidden, ServiceError

EmpowermentError = ServiceError  # `except EmpowermentError` catches the shared errors too


class PlanRequired(DomainError):
    """Follow-ups and goals need a livelihood plan first."""


class PlanExists(DomainError):
    """The survivor already has a livelihood plan: add goals or review it instead."""


class AlreadySuperseded(DomainError):
    """The record was already corrected: correct its current version instead."""


class GrantNotPending(DomainError):
    """The grant was already approved or declined."""


class GrantNotApproved(DomainError):
    """Only an approved grant can be disbursed."""


class OwnProposal(Forbidden):
    """Nobody approves or declines a grant they proposed themselves."""


class BudgetExceeded(DomainError):
    """The approval would take the budget line past its amount."""


class OutsidePeriod(DomainError):
    """The budget line's period has ended (or not begun)."""


class OverRemainder(DomainError):
    """The disbursement is more than what remains of the approved amount."""


class ReferenceUsed(DomainError):
    """The payment reference was already recorded for another disbursement."""


class FollowUpHeld(DomainError):
    """This milestone already has a follow-up: correct it instead."""


class AlreadyCompleted(DomainError):
    """The survivor already completed this course."""


class DuplicateCode(DomainError):
    """A budget line with this code already exists."""

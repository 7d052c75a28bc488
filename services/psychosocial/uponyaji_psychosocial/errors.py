"""Psychosocial's own errors, and the ones every stage shares (`uponyaji_service.errors`)."""

from __future__ import annotations

from uponyaji_service.errors import *  # noqa: F403  # the shared errors, re-exported
from uponyaji_service.errors import DomainError, NotFound, ServiceError

PsychosocialError = ServiceError  # `except PsychosocialError` catches the shared errors too


class AssessmentNotFound(NotFound):
    """No such assessment of this survivor."""


class RiskFlagNotFound(NotFound):
    """No such risk flag."""


class GoalNotFound(NotFound):
    """No such care-plan goal of this survivor."""


class AssessmentSuperseded(DomainError):
    """The assessment was already corrected: correct its current version instead."""


class FlagAlreadyResolved(DomainError):
    """The risk flag already has a safety response."""


class SafetyResponseRequired(DomainError):
    """A risk flag is open: its safety response must be recorded before the session closes."""


class GoalClosed(DomainError):
    """The goal was achieved or discontinued: add a new goal instead."""

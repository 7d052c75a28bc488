"""Psychosocial's errors, rooted in the kernel's: one handler renders `{"error", "detail"}`."""

from __future__ import annotations

from uponyaji_service import ServiceError


class PsychosocialError(ServiceError):
    """Base of psychosocial's errors (a broken domain rule: 409 unless said otherwise)."""

    status_code = 409


class InvalidCommand(PsychosocialError):
    """A request that is well-formed but impossible (a date in the future, too many people)."""

    status_code = 422


class SurvivorUnknown(PsychosocialError):
    """Intake has not told this service about the survivor (yet)."""

    status_code = 404


class AssessmentNotFound(PsychosocialError):
    """No such assessment of this survivor."""

    status_code = 404


class RiskFlagNotFound(PsychosocialError):
    """No such risk flag."""

    status_code = 404


class GoalNotFound(PsychosocialError):
    """No such care-plan goal of this survivor."""

    status_code = 404


class ConsentRequired(PsychosocialError):
    """The survivor has not granted, or has withdrawn, psychosocial-support consent."""


class CaseClosed(PsychosocialError):
    """The survivor's case is closed in intake: it must be reopened first."""


class SurvivorErased(PsychosocialError):
    """The survivor's erasure was requested: nothing more may be recorded about them."""


class SurvivorMerged(PsychosocialError):
    """This record was merged into another in intake: act on the record it was merged into."""


class AssessmentSuperseded(PsychosocialError):
    """The assessment was already corrected: correct its current version instead."""


class FlagAlreadyResolved(PsychosocialError):
    """The risk flag already has a safety response."""


class SafetyResponseRequired(PsychosocialError):
    """A risk flag is open: its safety response must be recorded before the session closes."""


class GoalClosed(PsychosocialError):
    """The goal was achieved or discontinued: add a new goal instead."""


class WorkBeforeConsent(PsychosocialError):
    """Work dated before the consent that allows it, not marked as retrospective documentation."""

"""One error model: every service's errors derive from these, one handler renders them all.

The answer is `{"error": ClassName, "detail": message, **extra}` with the error's status and
headers (see `uponyaji_events.errors.UponyajiError`). A service names its errors by what
happened and picks the base by the answer it needs:

    class GoalClosed(DomainError): "The goal was achieved or discontinued."      -> 409
    class GoalNotFound(NotFound): "No such care-plan goal of this survivor."     -> 404

The errors every stage that follows intake shares (the survivor unknown here, consent absent,
case closed, erased, merged) are defined once below; a service's `errors.py` re-exports them
next to its own, so its code imports every error from one place.
"""

from __future__ import annotations

from uponyaji_events.errors import ConcurrencyError, UponyajiError

__all__ = [
    "AlreadyAnswered",
    "CaseClosed",
    "ConcurrencyError",
    "ConsentRequired",
    "DomainError",
    "Forbidden",
    "InvalidCommand",
    "NotFound",
    "RetryLater",
    "ServiceError",
    "SurvivorErased",
    "SurvivorMerged",
    "SurvivorUnknown",
    "Unauthorized",
    "Unavailable",
    "UponyajiError",
    "WorkBeforeConsent",
]


class ServiceError(UponyajiError):
    """Base of a service's own errors (a broken domain rule: 409 unless a subclass says else)."""

    status_code = 409


class DomainError(ServiceError):
    """A command that conflicts with what was recorded (409)."""

    status_code = 409


class NotFound(ServiceError):
    """No such record, or one the caller may not know exists (404)."""

    status_code = 404


class InvalidCommand(ServiceError):
    """A well-formed request that is impossible (a date in the future, too many people): 422."""

    status_code = 422


class Unauthorized(ServiceError):
    """The caller's credentials or proof are missing, wrong or stale (401)."""

    status_code = 401


class Forbidden(ServiceError):
    """The caller is known but may not do this, whatever the policy allows (403)."""

    status_code = 403


class Unavailable(ServiceError):
    """Something the service depends on does not answer; try again shortly (503)."""

    status_code = 503
    headers = {"Retry-After": "5"}  # noqa: RUF012  # read-only by convention


class RetryLater(ServiceError):
    """Refused for now: the answer says in how many seconds to try again (`Retry-After`)."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


# The survivor's standing as intake recorded it: every stage refuses work on the same grounds.


class SurvivorUnknown(NotFound):
    """Intake has not told this service about the survivor (yet)."""


class ConsentRequired(DomainError):
    """The survivor has not granted, or has withdrawn, the consent this work needs."""


class WorkBeforeConsent(DomainError):
    """Work dated before the consent that allows it, not marked as retrospective documentation."""


class CaseClosed(DomainError):
    """The survivor's case is closed (in intake): it must be reopened first."""


class SurvivorErased(DomainError):
    """The survivor's erasure was requested: nothing more may be recorded about them."""


class SurvivorMerged(DomainError):
    """This record was merged into another (in intake): act on the record it was merged into."""


class AlreadyAnswered(DomainError):
    """The referral was already accepted or declined (or cancelled): no answer is due."""

"""One error model: every service's errors derive from these, one handler renders them all.

The answer is `{"error": ClassName, "detail": message, **extra}` with the error's status and
headers (see `uponyaji_events.errors.UponyajiError`). A service names its errors by what
happened and picks the base by the answer it needs:

    class CaseClosed(DomainError): "The case is closed: reopen it first."        -> 409
    class SurvivorUnknown(NotFound): "Intake has not told us about the survivor." -> 404
"""

from __future__ import annotations

from uponyaji_events.errors import ConcurrencyError, UponyajiError

__all__ = [
    "ConcurrencyError",
    "DomainError",
    "InvalidCommand",
    "NotFound",
    "ServiceError",
    "Unavailable",
    "UponyajiError",
]


class ServiceError(UponyajiError):
    """Base of a service's own errors (a broken domain rule: 409 unless a subclass says else)."""

    status_code = 409


class DomainError(ServiceError):
    """A command that conflicts with what was recorded (409)."""

    status_code = 409


class NotFound(ServiceError):
    """No such record (404)."""

    status_code = 404


class InvalidCommand(ServiceError):
    """A well-formed request that is impossible (a date in the future, too many people): 422."""

    status_code = 422


class Unavailable(ServiceError):
    """Something the service depends on does not answer; try again shortly (503)."""

    status_code = 503
    headers = {"Retry-After": "5"}  # noqa: RUF012  # read-only by convention

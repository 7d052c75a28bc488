"""Access errors, rooted in the kernel's so one handler renders them as `{"error", "detail"}`.

A 401 carries `WWW-Authenticate`, a 503 `Retry-After` (the one handler sends an error's headers).
"""

from __future__ import annotations

from collections.abc import Mapping

from uponyaji_events.errors import UponyajiError

_BEARER: Mapping[str, str] = {"WWW-Authenticate": 'Bearer realm="uponyaji"'}
_RETRY: Mapping[str, str] = {"Retry-After": "5"}


class AccessError(UponyajiError):
    """Base of the access library's errors."""


class Unauthenticated(AccessError):
    """No valid access token: missing, malformed, expired, tampered, wrong audience or revoked."""

    status_code = 401
    headers = _BEARER


class Forbidden(AccessError):
    """The caller's roles do not allow the action at all."""

    status_code = 403


class SurvivorNotFound(AccessError):
    """No such survivor, or not one the caller may know exists."""

    status_code = 404


class InvalidPurpose(AccessError):
    """The declared purpose of access is not in the policy's vocabulary."""

    status_code = 422


class AuditUnavailable(AccessError):
    """An access could not be audited, so it is refused and no data is returned."""

    status_code = 503
    headers = _RETRY


class KeysUnavailable(AccessError):
    """No signing keys could be obtained from identity, so no token can be checked."""

    status_code = 503
    headers = _RETRY


class RevocationsUnavailable(AccessError):
    """identity's revoked sessions could not be refreshed recently, so survivor data is refused."""

    status_code = 503
    headers = _RETRY


class AccessNotReady(AccessError):
    """The service has not built its Access object yet (or is shutting down)."""

    status_code = 503
    headers = _RETRY


class PolicyError(AccessError):
    """The policy file is malformed, or code asked about an action it does not define."""

    status_code = 500


class MisconfiguredRoute(AccessError):
    """A route's authorisation cannot work as declared (e.g. a survivor parameter is missing)."""

    status_code = 500

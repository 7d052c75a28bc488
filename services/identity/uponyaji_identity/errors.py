"""Identity's errors, rooted in the kernel's: one handler renders `{"error", "detail"}`."""

from __future__ import annotations

from uponyaji_service import ServiceError

_BEARER = {"WWW-Authenticate": 'Bearer realm="uponyaji"'}


class IdentityError(ServiceError):
    """Base of identity's errors (409: a broken domain rule unless a subclass says otherwise)."""

    status_code = 409
    headers: dict[str, str] | None = None


class AccountNotFound(IdentityError):
    """No staff account with that id."""

    status_code = 404


class TeamNotFound(IdentityError):
    """No team with that id."""

    status_code = 404


class UsernameTaken(IdentityError):
    """Another account already has this username (usernames are never reused)."""


class TeamNameTaken(IdentityError):
    """Another team already has this name."""


class AccountExists(IdentityError):
    """An account with this id was already created."""


class AccountInactive(IdentityError):
    """The account is deactivated: reactivate it first."""


class AccountActive(IdentityError):
    """The account is active, so it cannot be reactivated."""


class TeamMembershipConflict(IdentityError):
    """A join of a team already joined, or a leave of a team not joined."""


class SelfLockout(IdentityError):
    """An admin may not deactivate their own account or drop their own admin role."""


class MfaNotEnrolled(IdentityError):
    """No authenticator is waiting for confirmation, or none to reset."""


class WeakPassword(IdentityError):
    """The password is too short, too common or too guessable."""

    status_code = 422


class InvalidCredentials(IdentityError):
    """Unknown username, wrong password or wrong code: deliberately the same answer for all."""

    status_code = 401
    headers: dict[str, str] | None = _BEARER


class InvalidRefreshToken(IdentityError):
    """The refresh token is unknown, already used, revoked or expired."""

    status_code = 401
    headers: dict[str, str] | None = _BEARER


class InvalidClient(IdentityError):
    """Unknown service client or wrong secret: deliberately the same answer for both."""

    status_code = 401
    headers: dict[str, str] | None = _BEARER


class UnknownAudience(IdentityError):
    """A service token was asked for a service identity does not issue tokens for."""

    status_code = 422


class MfaEnrolmentRequired(IdentityError):
    """The password was right but the account has no confirmed authenticator yet."""

    status_code = 403


class AccountLocked(IdentityError):
    """Too many failed sign-in attempts for this username: wait until the lock ends."""

    status_code = 423

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(max(1, retry_after))}


class TooManyRequests(IdentityError):
    """This client sent too many authentication requests: slow down."""

    status_code = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(max(1, retry_after))}


class DevelopmentOnly(IdentityError):
    """A development-only feature was asked for outside development."""

    status_code = 403


class ChangeNotFound(IdentityError):
    """No pending account change with that id."""

    status_code = 404


class ChangeDecided(IdentityError):
    """The account change was already approved or rejected."""


class SecondAdminRequired(IdentityError):
    """The two-person rule: this administrator may not approve this change."""

    status_code = 403


class PasswordChangeRequired(IdentityError):
    """An administrator set this password: sign in again giving a `new_password` of one's own."""

    status_code = 403

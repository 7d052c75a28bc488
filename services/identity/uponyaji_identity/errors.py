"""Identity's own errors, on the service error model: one handler renders `{"error", "detail"}`."""

from __future__ import annotations

from uponyaji_service.errors import (
    DomainError,
    Forbidden,
    InvalidCommand,
    NotFound,
    RetryLater,
    ServiceError,
    Unauthorized,
)

IdentityError = ServiceError  # the root of identity's errors, as of every service's


class AccountNotFound(NotFound):
    """No staff account with that id."""


class TeamNotFound(NotFound):
    """No team with that id."""


class ChangeNotFound(NotFound):
    """No pending account change with that id."""


class UsernameTaken(DomainError):
    """Another account already has this username (usernames are never reused)."""


class TeamNameTaken(DomainError):
    """Another team already has this name."""


class AccountExists(DomainError):
    """An account with this id was already created."""


class AccountInactive(DomainError):
    """The account is deactivated: reactivate it first."""


class AccountActive(DomainError):
    """The account is active, so it cannot be reactivated."""


class TeamMembershipConflict(DomainError):
    """A join of a team already joined, or a leave of a team not joined."""


class SelfLockout(DomainError):
    """An admin may not deactivate their own account or drop their own admin role."""


class MfaNotEnrolled(DomainError):
    """No authenticator is waiting for confirmation, or none to reset."""


class ChangeDecided(DomainError):
    """The account change was already approved or rejected."""


class WeakPassword(InvalidCommand):
    """The password is too short, too common or too guessable."""


class UnknownAudience(InvalidCommand):
    """A service token was asked for a service identity does not issue tokens for."""


class BearerRefused(Unauthorized):
    """A 401 that names the token scheme to use (`WWW-Authenticate: Bearer`)."""

    headers = {"WWW-Authenticate": 'Bearer realm="uponyaji"'}  # noqa: RUF012  # read-only


class InvalidCredentials(BearerRefused):
    """Unknown username, wrong password or wrong code: deliberately the same answer for all."""


class InvalidRefreshToken(BearerRefused):
    """The refresh token is unknown, already used, revoked or expired."""


class InvalidClient(BearerRefused):
    """Unknown service client or wrong secret: deliberately the same answer for both."""


class MfaEnrolmentRequired(Forbidden):
    """The password was right but the account has no confirmed authenticator yet."""


class DevelopmentOnly(Forbidden):
    """A development-only feature was asked for outside development."""


class SecondAdminRequired(Forbidden):
    """The two-person rule: this administrator may not approve this change."""


class PasswordChangeRequired(Forbidden):
    """An administrator set this password: sign in again giving a `new_password` of one's own."""


class AccountLocked(RetryLater):
    """Too many failed sign-in attempts for this username: wait until the lock ends."""

    status_code = 423


class TooManyRequests(RetryLater):
    """This client sent too many authentication requests: slow down."""

    status_code = 429

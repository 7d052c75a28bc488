"""Medical's own errors, and the ones every stage shares (`uponyaji_service.errors`)."""

from __future__ import annotations

from uponyaji_service.errors import *  # noqa: F403  # the shared errors, re-exported
from uponyaji_service.errors import DomainError, Forbidden, InvalidCommand, Unauthorized


class EntrySuperseded(DomainError):
    """The entry was already corrected: correct its current version instead."""


class ReportIncomplete(DomainError):
    """The report lacks sections the Istanbul Protocol requires: it cannot be signed."""


class ReportSigned(DomainError):
    """The report is signed and immutable: add a signed addendum instead."""


class NotSigned(DomainError):
    """The report is not signed yet: there is nothing to add to or verify."""


class NotHolder(DomainError):
    """The giver of a hand-over does not hold the evidence item."""


class EvidenceTampered(DomainError):
    """The stored file's hash differs from the one taken at capture: it is not served."""


class NotExaminer(Forbidden):
    """Only a clinician who examined the survivor in this encounter may sign its report."""


class StepUpRequired(Unauthorized):
    """Signing needs a fresh TOTP step-up proof from identity."""


class FileRefused(InvalidCommand):
    """The uploaded file is too large, of a type not accepted, or does not match its hash."""


class FileTooLarge(FileRefused):
    """The upload exceeds the limit (413)."""

    status_code = 413

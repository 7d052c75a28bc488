"""Medical's errors, rooted in the kernel's: one handler renders `{"error", "detail"}`."""

from __future__ import annotations

from uponyaji_events.errors import UponyajiError


class MedicalError(UponyajiError):
    """Base of medical's errors (a broken domain rule: 409 unless said otherwise)."""

    status_code = 409


class InvalidCommand(MedicalError):
    """A request that is well-formed but impossible (a future date, an unknown code)."""

    status_code = 422


class NotFound(MedicalError):
    """No such entry of this survivor (or one the caller may not know of)."""

    status_code = 404


class SurvivorUnknown(NotFound):
    """Intake has not told this service about the survivor (yet)."""


class ConsentRequired(MedicalError):
    """The consent this work needs is absent or withdrawn (recorded in intake)."""


class WorkBeforeConsent(MedicalError):
    """Work dated before the consent that allows it, not marked as retrospective documentation."""


class CaseClosed(MedicalError):
    """The survivor's case is closed in intake: it must be reopened first."""


class SurvivorErased(MedicalError):
    """The survivor's erasure was requested: nothing more may be recorded about them."""


class SurvivorMerged(MedicalError):
    """This record was merged into another in intake: act on the record it was merged into."""


class EntrySuperseded(MedicalError):
    """The entry was already corrected: correct its current version instead."""


class ReportIncomplete(MedicalError):
    """The report lacks sections the Istanbul Protocol requires: it cannot be signed."""


class ReportSigned(MedicalError):
    """The report is signed and immutable: add a signed addendum instead."""


class NotSigned(MedicalError):
    """The report is not signed yet: there is nothing to add to or verify."""


class NotExaminer(MedicalError):
    """Only a clinician who examined the survivor in this encounter may sign its report."""

    status_code = 403


class StepUpRequired(MedicalError):
    """Signing needs a fresh TOTP step-up proof from identity."""

    status_code = 401


class NotHolder(MedicalError):
    """The giver of a hand-over does not hold the evidence item."""


class EvidenceTampered(MedicalError):
    """The stored file's hash differs from the one taken at capture: it is not served."""

    status_code = 409


class FileRefused(MedicalError):
    """The uploaded file is too large, of a type not accepted, or does not match its hash."""

    status_code = 422


class FileTooLarge(FileRefused):
    """The upload exceeds the limit."""

    status_code = 413


class AlreadyAnswered(MedicalError):
    """The referral was already accepted or declined."""

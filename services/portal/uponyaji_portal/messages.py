"""The services' refusals in the user's language.

Services answer in English: `{"error": "<Code>", "detail": "...", "problems": [{"field", "problem",
"type"}]}`. Each known error code and each kind of field problem (the validation's `type`) has a
catalogue message here, so a Kiswahili page shows Kiswahili; an unknown code keeps the service's
own words (they name the specifics, and are better than nothing).
"""

from __future__ import annotations

import re

from .i18n import N_, gettext

# Domain refusals by the services' error codes (every service names them the same way).
ERRORS: dict[str, str] = {
    "ConsentRequired": N_("The survivor has not given the consent this needs."),
    "GuardianConsentRequired": N_("A child's record needs the consent of a parent or guardian."),
    "CaseClosed": N_("This case is closed: reopen it first."),
    "SurvivorErased": N_("This survivor's data was erased at their request."),
    "SurvivorMerged": N_("This record was merged into another: open that one."),
    "SurvivorUnknown": N_("This service has not heard of the survivor yet. Try again in a moment."),
    "ConcurrencyError": N_("Someone else changed this at the same time. Reload and try again."),
    "AgeBandContradicts": N_("The age band does not match the date of birth."),
    "ConsentConflict": N_("This consent decision contradicts the current one."),
    "NothingChanged": N_("Nothing was changed."),
    "InvalidMerge": N_(
        "These two records cannot be merged: they are the same record, or the other has records "
        "merged into it (merge the other way round)."
    ),
    "ErasureAlreadyRequested": N_("Erasure was already requested for this survivor."),
    "ReferralTransitionRefused": N_("This referral cannot move to that status."),
    "UsernameTaken": N_("This username is taken."),
    "WeakPassword": N_("The password is too weak: at least 12 characters, not a common one."),
    "SecondAdminRequired": N_("A second administrator must approve this change."),
    "ChangeDecided": N_("This change was already approved or rejected."),
    "EntrySuperseded": N_("This entry was already corrected: correct the newer one."),
    "ReportIncomplete": N_("The report still lacks sections: complete the record first."),
    "ReportSigned": N_("The report is signed and cannot change: add an addendum instead."),
    "NotSigned": N_("The report is not signed yet."),
    "NotExaminer": N_("Only a clinician who took part in the examination may sign."),
    "NotHolder": N_("The giver named does not hold this item now."),
    "FileRefused": N_("This kind of file is not accepted."),
    "FileTooLarge": N_("The file is too large."),
    "AlreadyAnswered": N_("This was already answered."),
    "AssessmentSuperseded": N_("This assessment was already corrected: correct the newer one."),
    "FlagAlreadyResolved": N_("The safety response to this flag is already recorded."),
    "SafetyResponseRequired": N_("An open risk flag needs its safety response first."),
    "GoalClosed": N_("This goal is closed."),
    "WorkBeforeConsent": N_(
        "This is dated before the consent that allows it: correct the date, or record it as "
        "retrospective documentation with a reason."
    ),
    "PlanRequired": N_("Start the livelihood plan first."),
    "PlanExists": N_("The livelihood plan is already started: add a goal to it."),
    "AlreadySuperseded": N_("This was already corrected: correct the newer one."),
    "GrantNotPending": N_("This grant was already decided."),
    "GrantNotApproved": N_("This grant is not approved."),
    "OwnProposal": N_("You cannot decide on a grant you proposed."),
    "BudgetExceeded": N_("The budget line does not have enough left for this grant."),
    "OutsidePeriod": N_("The date is outside the budget line's period."),
    "OverRemainder": N_("The payment is more than what remains of the grant."),
    "ReferenceUsed": N_("This payment reference was used before."),
    "FollowUpHeld": N_("This follow-up is already recorded: correct it instead."),
    "AlreadyCompleted": N_("This is already recorded as completed."),
    "DuplicateCode": N_("This code is already used."),
}

# Field problems by the validation's type.
PROBLEMS: dict[str, str] = {
    "missing": N_("Fill this in."),
    "string_too_short": N_("Fill this in."),
    "string_too_long": N_("This is too long."),
    "string_pattern_mismatch": N_("This is not in the expected format."),
    "int_parsing": N_("Type a whole number."),
    "int_type": N_("Type a whole number."),
    "int_from_float": N_("Type a whole number."),
    "float_parsing": N_("Type a number."),
    "decimal_parsing": N_("Type an amount."),
    "decimal_max_places": N_("Type at most two decimal places."),
    "enum": N_("Choose one of the listed options."),
    "literal_error": N_("Choose one of the listed options."),
    "uuid_parsing": N_("Choose one of the listed options."),
    "date_parsing": N_("Type a date."),
    "date_from_datetime_parsing": N_("Type a date."),
    "datetime_parsing": N_("Type a date and time."),
    "datetime_from_date_parsing": N_("Type a date and time."),
    "bool_parsing": N_("Choose yes or no."),
    "too_short": N_("Choose at least one."),
    "too_long": N_("Too many are chosen."),
}
# Limits: the number comes from the service's message ("... greater than or equal to 0").
LIMITS: dict[str, str] = {
    "greater_than": N_("Must be more than %(n)s."),
    "greater_than_equal": N_("Must be at least %(n)s."),
    "less_than": N_("Must be less than %(n)s."),
    "less_than_equal": N_("Must be at most %(n)s."),
}
_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)\D*$")


def error_text(code: str, detail: str) -> str:
    """A domain refusal in the user's language (the service's words for an unknown code)."""
    message = ERRORS.get(code)
    return gettext(message) if message else detail


def problem_text(kind: str | None, problem: str) -> str:
    """A field problem in the user's language (the service's words for an unknown kind)."""
    if kind in LIMITS:
        found = _NUMBER.search(problem)
        if found:
            return gettext(LIMITS[kind]) % {"n": found.group(1)}
    message = PROBLEMS.get(kind or "")
    if message:
        return gettext(message)
    return problem.removeprefix("Value error, ")

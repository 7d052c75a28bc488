"""Vocabularies of the later pages: account changes, notifications, escalation, custody steps."""

from __future__ import annotations

from .i18n import N_

STAFF: dict[str, dict[str, str]] = {
    "account_change": {
        "roles": N_("Roles"),
        "team_join": N_("Join a team"),
        "team_leave": N_("Leave a team"),
        "password_reset": N_("Password reset"),
        "mfa_reset": N_("Authenticator reset"),
    },
    "change_status": {
        "pending": N_("Waiting"),
        "approved": N_("Approved"),
        "rejected": N_("Rejected"),
    },
    "change_notice": {
        "requested": N_("Requested"),
        "approved": N_("Approved"),
        "rejected": N_("Rejected"),
    },
    "notification": {
        "risk_flag_raised": N_("A risk flag was raised on your team"),
        "risk_flag_escalated": N_("A risk flag without a safety response was escalated to you"),
    },
    "custody_step": {
        "captured": N_("Captured"),
        "handed_over": N_("Handed over"),
        "accessed": N_("File opened"),
        "alarm": N_("Integrity alarm"),
    },
    "escalation": {
        "0": N_("Not escalated"),
        "1": N_("Escalated to the clinical supervisor"),
        "2": N_("Escalated to the programme lead"),
    },
}

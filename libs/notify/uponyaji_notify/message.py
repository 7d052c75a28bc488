"""What a notification says: a kind, a subject and a text in English and Kiswahili, and a link.

A notification never carries a survivor's identity: no name, phone, case number or note, only
a link into the record, which the reader opens with their own authorisation (and audit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

_TEXTS: dict[str, tuple[str, str]] = {
    "risk_flag_raised": (
        "A risk flag was raised on your team",
        "Alama ya hatari imewekwa kwenye timu yako",
    ),
    "risk_flag_escalated": (
        "A risk flag has had no safety response in {hours} hours",
        "Alama ya hatari haijapata jibu la usalama kwa saa {hours}",
    ),
    # The breach register's 72-hour deadline to notify the Data Commissioner (identity).
    "breach_due_48h": (
        "Breach {reference}: the Data Commissioner must be notified within 48 hours",
        "Uvunjaji {reference}: Kamishna wa Data lazima ajulishwe ndani ya saa 48",
    ),
    "breach_due_24h": (
        "Breach {reference}: the Data Commissioner must be notified within 24 hours",
        "Uvunjaji {reference}: Kamishna wa Data lazima ajulishwe ndani ya saa 24",
    ),
    "breach_due_6h": (
        "Breach {reference}: 6 hours left to notify the Data Commissioner",
        "Uvunjaji {reference}: zimebaki saa 6 kumjulisha Kamishna wa Data",
    ),
    "breach_overdue": (
        "Breach {reference}: the 72 hours to notify the Data Commissioner have passed",
        "Uvunjaji {reference}: saa 72 za kumjulisha Kamishna wa Data zimepita",
    ),
}


@dataclass(frozen=True, slots=True)
class Notification:
    """One notification in the outbox: to whom (role, optionally one team), what and where."""

    notification_id: UUID
    recipient_role: str
    team: str | None
    kind: str
    subject: str
    text: str
    link: str
    created_at: datetime


def compose(kind: str, link: str, **facts: object) -> tuple[str, str]:
    """Subject and text of a notification kind: both languages, the link, nothing identifying."""
    try:
        english, kiswahili = _TEXTS[kind]
    except KeyError:
        raise ValueError(f"unknown notification kind {kind!r}") from None
    subject = english.format(**facts)
    text = (
        f"{subject}.\n{kiswahili.format(**facts)}.\n\n"
        f"Open the record (sign in first) / Fungua rekodi (ingia kwanza):\n{link}\n"
    )
    return subject, text

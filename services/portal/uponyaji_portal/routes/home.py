"""The start page: a card for every page the signed-in user's roles work on.

Pages reached from a survivor's record (the medical record, counselling, empowerment, care
lists) have no card: they need a survivor, found with "Find a survivor". Every other page a
role can use is in `CARDS` (a test fails when a page without a path parameter has no card).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..i18n import N_
from ..web import User, backend_of, render

router = APIRouter()
EVERYONE = ("*",)


@dataclass(frozen=True)
class Card:
    """A link on the start page, for the roles that use the page."""

    roles: tuple[str, ...]
    href: str
    title: str
    blurb: str


CARDS: tuple[Card, ...] = (
    Card(
        ("intake_officer",),
        "/survivors/new",
        N_("Register a survivor"),
        N_("The duplicate check runs before anything is saved."),
    ),
    Card(
        ("intake_officer", "counsellor", "clinician", "empowerment_officer"),
        "/survivors/search",
        N_("Find a survivor"),
        N_("By case number, phone, ID number or name."),
    ),
    Card(
        ("counsellor",),
        "/today",
        N_("Today's sessions"),
        N_("The sessions you logged today; switch to another day."),
    ),
    Card(
        ("counsellor",),
        "/caseload",
        N_("My caseload"),
        N_("Your open cases: last session, open risk flags, latest questionnaire band."),
    ),
    Card(
        ("counsellor", "clinician"),
        "/risk-flags",
        N_("Risk flags"),
        N_("Open risk flags on your caseload, each needing a safety response."),
    ),
    Card(
        ("clinician",),
        "/medical/referrals",
        N_("Referrals to medical"),
        N_(
            "Accept or decline referrals on your caseload. Encounters, evidence, samples and "
            "care are on each survivor's medical record."
        ),
    ),
    Card(
        ("clinician",),
        "/medical/appointments",
        N_("Appointment book"),
        N_("Follow-ups due this week on your caseload; record who came."),
    ),
    Card(
        ("clinician", "legal_officer", "data_protection_officer"),
        "/verify-report",
        N_("Verify a report"),
        N_("Whether a PDF is a signed medico-legal report, and whose signature it bears."),
    ),
    Card(
        ("empowerment_officer",),
        "/follow-ups",
        N_("Follow-ups due"),
        N_("Overdue follow-ups and those due in the next 30 days, on your caseload."),
    ),
    Card(
        ("empowerment_officer",),
        "/empowerment/referrals",
        N_("Referrals to empowerment"),
        N_("Accept or decline referrals from intake on your caseload."),
    ),
    Card(
        ("empowerment_officer",),
        "/trainings",
        N_("Trainings"),
        N_("Courses, group sessions with their attendance, and completions."),
    ),
    Card(
        ("programme_lead",),
        "/grants",
        N_("Grant decisions"),
        N_("Approve or decline proposed grants; budget lines; empowerment figures."),
    ),
    Card(
        ("programme_lead",),
        "/budget-lines",
        N_("Budget lines"),
        N_("Each line's amount, committed, disbursed and remaining; open a line."),
    ),
    Card(
        ("programme_lead",),
        "/medical/figures",
        N_("Medical figures"),
        N_("Examinations, overall evaluations and signed medico-legal reports, rounded to 5s."),
    ),
    Card(
        ("programme_lead",),
        "/empowerment/figures",
        N_("Empowerment figures"),
        N_("Finance and outcomes across the programme, counts rounded to multiples of 5."),
    ),
    Card(
        ("programme_lead", "data_protection_officer"),
        "/dashboard",
        N_("Dashboard"),
        N_("Programme counts, each rounded to a multiple of 5 so that nobody can be singled out."),
    ),
    Card(
        ("programme_lead",),
        "/journeys",
        N_("Journeys"),
        N_("De-identified healing journeys."),
    ),
    Card(
        ("admin",),
        "/accounts",
        N_("Staff accounts"),
        N_("Create accounts; roles, teams and work e-mail addresses."),
    ),
    Card(
        ("admin",),
        "/account-changes",
        N_("Account changes"),
        N_("Changes waiting for a second administrator, and the latest decisions."),
    ),
    Card(
        ("data_protection_officer",),
        "/audit",
        N_("Audit review"),
        N_("Who read survivor data, and alerts."),
    ),
    Card(
        ("data_protection_officer",),
        "/erasure",
        N_("Erasure requests"),
        N_("Data Protection Act, section 40."),
    ),
    Card(
        ("data_protection_officer",),
        "/subject-access",
        N_("Subject access"),
        N_("One survivor's data from every service, readable or as a file."),
    ),
    Card(
        ("data_protection_officer",),
        "/breaches",
        N_("Breach register"),
        N_("Record, assess and notify breaches within 72 hours."),
    ),
    Card(
        ("data_protection_officer",),
        "/notary",
        N_("Notary"),
        N_("Each service's signed tree heads, and inclusion proofs for court."),
    ),
    Card(
        ("data_protection_officer",),
        "/account-notifications",
        N_("Account change notices"),
        N_("Account changes requested, approved and rejected under the two-person rule."),
    ),
    Card(
        EVERYONE,
        "/notifications",
        N_("Notifications"),
        N_("What happened for your roles and teams, newest first."),
    ),
)


def cards_for(roles: list[str] | tuple[str, ...]) -> list[Card]:
    """The cards of the pages these roles use, in the order above."""
    return [c for c in CARDS if c.roles == EVERYONE or any(r in roles for r in c.roles)]


@router.get("/")
async def home(request: Request, user: User) -> Response:
    """Links to each role's pages; counsellors and clinicians see their open risk flags."""
    open_flags: int | None = None
    if user.has("counsellor", "clinician"):
        try:
            flags = await backend_of(request).get(
                "psychosocial", "/risk-flags", user.access_token, status="open"
            )
            open_flags = len(flags.get("flags", flags.get("items", [])))
        except ServiceError:
            open_flags = None
    context = {"open_flags": open_flags, "cards": cards_for(list(user.roles))}
    return render(request, "home.html", context)

"""The staff portal in real headless Chromium against the real stack, in English and Kiswahili.

One stack and one browser for the module. Each role's story runs once per language (a fresh
browser context signs in; the language is chosen with the header's switch before signing in):
the intake officer registers (a bad phone first: intake's 422 shown next to the field, what was
typed kept; then the duplicate check shown before saving), records consent and an incident; the
counsellor logs a session and a PHQ-9 with item 9 = 1, finds the flag in the inbox and records
the safety response; the programme lead sees the de-identified journey and the dashboard; the
data protection officer reads the audit review. axe-core finds no violation on any page visited.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kit.browser import (  # fixtures (browser, axe, lang) and page helpers, shared by name
    ROOT,
    axe,
    browser,
    check_page,
    lang,
    sign_in,
    submit,
    until,
    visit,
)
from kit.services import database_factory
from playwright.sync_api import Browser, Page, Response
from portal_stack import PortalStack, running_portal_stack
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.postgres import EmbeddedPostgres
from uponyaji_portal.session import COOKIE, SessionCodec, load_key

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
__all__ = ["axe", "browser", "lang"]  # fixtures, shared by name (test_portal_browser_more too)

SCREENS = ROOT / "docs" / "screens" if os.environ.get("UPONYAJI_SCREENS") == "1" else None
SHARED: dict[str, Any] = {}
consent_label = {
    "en": "De-identified reporting",
    "sw": "Ripoti bila utambulisho",
}  # what one story leaves for the next (per language)


@pytest.fixture(scope="module")
def stack(
    nats_server: EmbeddedNats,
    postgres: EmbeddedPostgres,
    kernel_template: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PortalStack]:
    """The services and the portal, once for the module."""
    database = database_factory(postgres, kernel_template)
    with running_portal_stack(nats_server, database, tmp_path_factory.mktemp("portal")) as s:
        yield s


def shot(page: Page, name: str, lang: str) -> None:
    """A screenshot of a main page for the README (when UPONYAJI_SCREENS=1)."""
    if SCREENS is not None:
        SCREENS.mkdir(parents=True, exist_ok=True)
        height = min(page.evaluate("document.documentElement.scrollHeight"), 1400)
        clip = {"x": 0, "y": 0, "width": 1280, "height": height}
        page.screenshot(path=str(SCREENS / f"{name}-{lang}.png"), full_page=True, clip=clip)


# --- sign-in and the forms' protection ---------------------------------------------------------


def test_sign_in_refuses_a_wrong_code_and_keeps_the_username(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    page = browser.new_context().new_page()
    visit(page, f"{stack.portal}/sign-in", axe)
    if lang != "en":
        with page.expect_navigation():
            page.click(f"form[action='/language'] button[value='{lang}']")
    page.fill("#username", "demo.nobody")
    page.fill("#password", "not the password at all")
    page.fill("#totp_code", "000000")
    response = submit(page, "/sign-in")
    assert response.status == 401
    assert page.input_value("#username") == "demo.nobody"
    expected = {"en": "is not right", "sw": "si sahihi"}[lang]
    assert expected in page.inner_text("#error-summary")
    check_page(page, axe)
    shot(page, "sign-in", lang)
    # A post without the form's CSRF token is refused, whoever sends it.
    refused = page.request.post(
        f"{stack.portal}/sign-in", form={"username": "x", "password": "y", "totp_code": "1"}
    )
    assert refused.status == 403
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["uponyaji_session"]
    assert session["httpOnly"]
    assert session["sameSite"] == "Strict"
    page.context.close()


# --- intake officer -----------------------------------------------------------------------------


def test_intake_officer_registers_with_consent_and_an_incident(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    page = sign_in(browser, stack, "intake_officer", lang, axe)
    name = f"Fake {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}"
    phone = "07" + str(uuid.uuid4().int)[:8]
    visit(page, f"{stack.portal}/survivors/new", axe)
    page.fill("#full_name", name)
    page.fill("#phone", "12")  # not a phone number: intake answers 422 naming the field
    page.select_option("#county_code", "047")
    page.select_option("#gender", "female")
    page.select_option("#age_band", "25-34")
    page.select_option("#preferred_language", "sw")
    response = submit(page, "/survivors/new")
    assert response.status == 422
    assert page.is_visible("#phone-error"), page.content()
    assert page.get_attribute("#phone", "aria-invalid") == "true"
    assert page.input_value("#full_name") == name
    assert page.input_value("#phone") == "12"
    check_page(page, axe)
    shot(page, "register-error", lang)
    page.fill("#phone", phone)
    response = submit(page, "/survivors/new")
    assert response.status == 200, page.content()
    match = re.search(r"/survivors/([0-9a-f-]{36})$", page.url)
    assert match, page.url
    survivor_id = match.group(1)
    check_page(page, axe, response)
    case_number = page.inner_text("h1 .case")
    assert name not in page.title()
    assert case_number not in page.title()
    assert name in page.content()  # identity fields visible to the officer on the caseload

    # The same phone again: intake's duplicate check is shown, and nothing is saved.
    visit(page, f"{stack.portal}/survivors/new", axe)
    page.fill("#full_name", f"Other {uuid.uuid4().hex[:8]}")
    page.fill("#phone", phone)
    page.select_option("#county_code", "001")
    page.select_option("#gender", "male")
    page.select_option("#preferred_language", "en")
    response = submit(page, "/survivors/new")
    assert response.status == 409
    assert case_number in page.inner_text("#duplicates")
    assert page.is_visible("#register_anyway_reason")
    check_page(page, axe)
    shot(page, "duplicates", lang)

    scopes = (
        "documentation",
        "psychosocial_support",
        "deidentified_reporting",
        "medical_examination",
        "legal_proceedings",
        "empowerment",
    )
    for scope in scopes:
        visit(page, f"{stack.portal}/survivors/{survivor_id}/consents/new", axe)
        page.select_option("#scope", scope)
        page.fill("#witness", "Fake Witness Delta")
        assert submit(page, f"/survivors/{survivor_id}/consents/new").status == 200
    assert page.url.endswith(f"/survivors/{survivor_id}")
    granted = page.locator("#consents-title ~ table tr", has_text=consent_label[lang])
    assert "EAT" in granted.inner_text()  # when it was granted, in East Africa Time

    visit(page, f"{stack.portal}/survivors/{survivor_id}/incidents/new", axe)
    page.fill("#occurred_from", "2025-11-03")
    page.select_option("#place_type", "police_station")
    page.check("input[name=perpetrators][value=kenya_police_service]")
    page.check("input[name=methods][value=beating]")
    page.fill("#narrative", "Synthetic narrative of a fake incident (test data).")
    response = submit(page, f"/survivors/{survivor_id}/incidents/new")
    assert response.status == 200
    check_page(page, axe, response)
    label = {"en": "Kenya Police Service", "sw": "Huduma ya Polisi ya Kenya"}[lang]
    assert label in page.inner_text("#incidents-title + ul")
    shot(page, "record", lang)

    visit(page, f"{stack.portal}/survivors/{survivor_id}/referrals/new", axe)
    page.select_option("#target", "psychosocial")
    page.fill("#reason", "Synthetic referral reason (test data).")
    response = submit(page, f"/survivors/{survivor_id}/referrals/new")
    assert response.status == 200
    label = {"en": "Counselling", "sw": "Ushauri nasaha"}[lang]
    assert label in page.inner_text("#referrals-title + ul")
    visit(page, f"{stack.portal}/survivors/{survivor_id}/assignment", axe)
    assert page.locator("#team_id option").count() >= 2  # a blank choice and the teams
    visit(page, f"{stack.portal}/survivors/{survivor_id}/closure", axe)
    # Not on anyone's caseload, or not there at all: the same answer, and an accessible page.
    response = page.goto(f"{stack.portal}/survivors/{uuid.uuid4()}")
    assert response is not None
    assert response.status == 404
    check_page(page, axe)

    visit(page, f"{stack.portal}/survivors/search", axe)
    page.fill("#q", case_number)
    response = submit(page, "/survivors/search")
    assert response.status == 200
    assert case_number in page.inner_text("table")
    assert case_number not in page.url
    assert name not in page.url
    check_page(page, axe, response)

    # A signed-in post without the CSRF token is refused and changes nothing.
    refused = page.request.post(
        f"{stack.portal}/survivors/{survivor_id}/consents/new",
        form={"scope": "photography", "decision": "grant", "method": "verbal", "language": "sw"},
    )
    assert refused.status == 403
    page.set_content(refused.text())  # the refusal page itself is accessible
    check_page(page, axe)
    SHARED[lang] = {"survivor_id": survivor_id, "case_number": case_number, "name": name}
    page.context.close()


# --- counsellor ---------------------------------------------------------------------------------


def test_counsellor_logs_a_session_and_a_phq9_then_answers_the_risk_flag(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    survivor_id = SHARED[lang]["survivor_id"]
    page = sign_in(browser, stack, "counsellor", lang, axe)
    visit(page, f"{stack.portal}/survivors/{survivor_id}/sessions/new", axe)
    page.fill("#notes", "Synthetic session notes (test data).")

    def send_session() -> Response:
        return submit(page, f"/survivors/{survivor_id}/sessions/new")

    # psychosocial hears of the survivor and the consent from intake over NATS.
    response = until(send_session, (404, 409))
    assert response.status == 200, page.content()

    visit(page, f"{stack.portal}/survivors/{survivor_id}/assessments/new?instrument=PHQ-9", axe)
    wording = {"en": "better off dead", "sw": "ingekuwa bora ukafa"}[lang]
    assert wording in page.inner_text("#item_9")
    shot(page, "phq9", lang)
    for item, answer in enumerate([2, 2, 1, 1, 1, 1, 1, 1], start=1):
        page.check(f"#item_{item}_{answer}")
    response = submit(page, f"/survivors/{survivor_id}/assessments/new")
    assert response.status == 422  # item 9 unanswered: psychosocial names the problem
    assert "9" in page.inner_text("#error-summary")
    assert page.is_checked("#item_1_2")  # what was answered is kept
    check_page(page, axe)
    page.check("#item_9_1")
    response = submit(page, f"/survivors/{survivor_id}/assessments/new")
    assert response.status == 201, page.content()
    check_page(page, axe)
    result = page.inner_text("dl.result")
    assert "11" in result  # 2+2+1+1+1+1+1+1+1
    band = {"en": "Moderate", "sw": "Wastani"}[lang]
    assert band in result
    assert page.is_visible("a[href$='/response']")
    shot(page, "phq9-result", lang)

    visit(page, f"{stack.portal}/risk-flags", axe)
    case_number = SHARED[lang]["case_number"]
    row = page.locator("tr", has_text=case_number)
    assert row.count() == 1
    shot(page, "risk-flags", lang)
    with page.expect_navigation():
        row.locator("a[href$='/response']").click()
    check_page(page, axe)
    page.check("input[name=actions][value=risk_assessed]")
    page.check("input[name=actions][value=safety_plan]")
    page.fill("#details", "Synthetic safety details (test data).")
    response = submit(page, page.url.removeprefix(stack.portal))
    assert response.status == 200
    assert page.url.endswith("/risk-flags")
    assert page.locator("tr", has_text=case_number).count() == 0
    check_page(page, axe, response)
    visit(page, f"{stack.portal}/journeys/{survivor_id}", axe)  # the full journey, with dates
    visit(page, f"{stack.portal}/survivors/{survivor_id}/care-plan/goals/new", axe)
    page.select_option("#domain", "safety")
    page.fill("#description", "Synthetic goal: a safety plan the survivor can use (test data).")
    page.fill("#target_date", "2027-03-01")
    response = submit(page, f"/survivors/{survivor_id}/care-plan/goals/new")
    assert response.status == 200
    with page.expect_navigation():
        page.click("#plan-title + ul a[href$='/review']")
    check_page(page, axe)
    page.check("input[name=status][value=partially_achieved]")
    response = submit(page, page.url.removeprefix(stack.portal))
    assert response.status == 200
    assert {"en": "Partially achieved", "sw": "Limefikiwa kwa sehemu"}[lang] in page.inner_text(
        "#plan-title + ul"
    )
    check_page(page, axe, response)
    shot(page, "record-counsellor", lang)

    # Sign-out revokes: the old session cookie no longer reaches any service.
    old = [c for c in page.context.cookies() if c["name"] == "uponyaji_session"]
    with page.expect_navigation():
        page.click("form[action='/sign-out'] button")
    assert page.url.endswith("/sign-in")
    replay = browser.new_context()
    replay.add_cookies(old)  # type: ignore[arg-type]
    replayed = replay.new_page()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        replayed.goto(f"{stack.portal}/risk-flags")
        if replayed.url.endswith("/sign-in"):
            break
        time.sleep(1)
    assert replayed.url.endswith("/sign-in")
    replay.close()
    page.context.close()


# --- clinician ----------------------------------------------------------------------------------


def test_clinician_records_an_examination_and_signs_the_report_with_totp(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    survivor_id = SHARED[lang]["survivor_id"]
    page = sign_in(browser, stack, "clinician", lang, axe)
    base = f"{stack.portal}/survivors/{survivor_id}/medical"

    # medical hears of the survivor and the consent from intake over NATS.
    def open_record() -> Response:
        answer = page.goto(base)
        assert answer is not None
        return answer

    assert until(open_record, (404,)).status == 200, stack.tails()
    check_page(page, axe)
    visit(page, f"{base}/encounters/new", axe)
    page.check("input[name=kind][value=medico_legal_examination]")
    # Today in East Africa Time: not before the consent recorded above (an examination dated
    # before its consent is refused unless documented retrospectively).
    eat_now = datetime.now(UTC) + timedelta(hours=3) - timedelta(minutes=1)
    page.fill("#occurred_at", eat_now.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#county_code", "047")
    page.fill("#facility", "Synthetic clinic (test data)")
    response = until(
        lambda: submit(page, f"/survivors/{survivor_id}/medical/encounters/new"), (409,)
    )
    assert response.status == 200, page.content()
    match = re.search(r"/medical/encounters/([0-9a-f-]{36})$", page.url)
    assert match, page.url
    encounter = f"/survivors/{survivor_id}/medical/encounters/{match.group(1)}"
    check_page(page, axe, response)
    missing = {"en": "Allegations", "sw": "Madai"}[lang]
    assert missing in page.inner_text(".missing")  # the draft names what is still missing

    visit(page, f"{stack.portal}{encounter}/history/new", axe)
    page.fill("#allegation", "Synthetic allegation: beaten on the feet (test data).")
    page.fill("#symptoms_acute", "Synthetic: pain walking (test data).")
    page.check("input[name=methods][value=falanga]")
    assert submit(page, f"{encounter}/history/new").status == 200

    # The no-JS fields first, with a position medical refuses: its 422 next to the field.
    visit(page, f"{stack.portal}{encounter}/findings/new", axe)
    page.select_option("#region", "foot_sole_left")
    page.select_option("#lesion", "contusion")
    page.fill("#length_mm", "40")
    page.select_option("#shape", "linear")
    page.select_option("#colour", "blue_purple")
    page.select_option("#estimated_age", "days_4_10")
    page.fill("#x", "1500")
    page.fill("#y", "900")
    response = submit(page, f"{encounter}/findings/new")
    assert response.status == 422
    assert page.is_visible("#x-error"), page.content()
    assert page.get_attribute("#x", "aria-invalid") == "true"
    assert page.input_value("#length_mm") == "40"
    check_page(page, axe)
    # Then a click on the back view places the mark (static/bodymap.js fills view, x and y).
    page.click("svg[data-view=back]", position={"x": 40, "y": 200})
    assert page.is_checked("input[name=view][value=back]")
    assert 0 <= int(page.input_value("#x")) <= 1000
    shot(page, "finding", lang)
    response = submit(page, f"{encounter}/findings/new")
    assert response.status == 200, page.content()
    assert page.locator("svg[data-view] .mark, .bodyview .mark").count() == 1
    grade_link = page.locator("a[href*='/grade']")
    with page.expect_navigation():
        grade_link.first.click()
    check_page(page, axe)
    page.check("input[name=level][value=highly_consistent]")
    assert submit(page, page.url.replace(stack.portal, "")).status == 200

    visit(page, f"{stack.portal}{encounter}/psychological/new", axe)
    page.fill("#summary", "Synthetic psychological summary (test data).")
    assert submit(page, f"{encounter}/psychological/new").status == 200
    visit(page, f"{stack.portal}{encounter}/psychological-grade/new", axe)
    page.check("input[name=level][value=consistent]")
    assert submit(page, f"{encounter}/psychological-grade/new").status == 200
    visit(page, f"{stack.portal}{encounter}/diagnoses/new", axe)
    assert page.locator("#code option").count() > 5  # the ICD-11 subset
    visit(page, f"{stack.portal}{encounter}/overall/new", axe)
    page.check("input[name=level][value=highly_consistent]")
    page.fill("#interpretation", "Synthetic interpretation (test data).")
    page.fill("#recommendations", "Synthetic recommendations (test data).")
    response = submit(page, f"{encounter}/overall/new")
    assert response.status == 200
    check_page(page, axe, response)
    assert page.locator(".missing").count() == 0, page.inner_text("main")
    shot(page, "encounter", lang)

    # Signing needs a fresh TOTP code (not the one that signed in) for identity's step-up.
    visit(page, f"{stack.portal}{encounter}/sign", axe)
    page.fill("#qualifications", "MBChB (synthetic)")
    page.select_option("#county_code", "047")
    page.check("#truthful")
    page.fill("#totp_code", "000000")
    response = submit(page, f"{encounter}/sign")
    assert response.status == 422
    assert page.is_visible("#totp_code-error")
    assert page.input_value("#qualifications") == "MBChB (synthetic)"
    check_page(page, axe)
    page.fill("#totp_code", stack.totp("clinician", stack.logins["clinician"]["totp_secret"]))
    response = submit(page, f"{encounter}/sign")
    assert response.status == 200, page.content()
    link = page.locator("a[href$='/pdf']")
    pdf = page.request.get(stack.portal + str(link.get_attribute("href")))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    for form in ("p3", "moh_363"):
        with page.expect_download() as download:
            page.click(f"form[action='{encounter}/forms/{form}'] button")
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.context.close()

    # The counsellor sees that an examination happened and its overall evaluation, no more.
    page = sign_in(browser, stack, "counsellor", lang, axe)
    visit(page, f"{stack.portal}/survivors/{survivor_id}", axe)
    level = {"en": "Highly consistent", "sw": "Inawiana sana"}[lang]
    assert level in page.inner_text("#medical-title + table")
    assert "Synthetic interpretation" not in page.content()
    page.context.close()


# --- empowerment officer and programme lead -------------------------------------------------------


def test_empowerment_officer_assesses_plans_and_pays_a_grant_the_lead_approved(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    survivor_id = SHARED[lang]["survivor_id"]
    lead = sign_in(browser, stack, "programme_lead", lang, axe)
    visit(lead, f"{stack.portal}/budget-lines", axe)
    code = f"GR-{lang.upper()}-{uuid.uuid4().hex[:4].upper()}"
    lead.fill("#code", code)
    lead.fill("#period_start", "2026-01-01")
    lead.fill("#period_end", "2027-12-31")
    lead.fill("#amount_kes", "500000")
    assert submit(lead, "/budget-lines").status == 200
    assert code in lead.inner_text("table")

    page = sign_in(browser, stack, "empowerment_officer", lang, axe)
    base = f"/survivors/{survivor_id}/empowerment"
    visit(page, f"{stack.portal}{base}/needs/new", axe)
    page.fill("#household_size", "5")
    page.fill("#dependants", "3")
    page.fill("#earners", "1")
    page.check("input[name=income_sources][value=casual_labour]")
    page.fill("#monthly_income_kes", "4500.50")
    page.select_option("#housing", "rented")
    page.check("#hunger_0-2")
    page.check("#hunger_1-2")
    page.check("#hunger_2-1")
    page.check("input[name=barriers][value=chronic_pain]")
    # empowerment hears of the survivor and the consent from intake over NATS.
    response = until(lambda: submit(page, f"{base}/needs/new"), (404, 409))
    assert response.status == 200, page.content()
    check_page(page, axe, response)
    # "Rarely or sometimes" twice (1 each) and "never" (0): empowerment scores 2, moderate.
    moderate = {"en": "Moderate hunger", "sw": "Njaa ya wastani"}[lang]
    assert f"2 — {moderate}" in page.inner_text("#needs-title + dl")

    visit(page, f"{stack.portal}{base}/plan/new", axe)
    page.check("input[name=kind][value=business_start]")
    page.fill("#description", "Synthetic goal: a vegetable stall (test data).")
    page.fill("#target_date", "2027-06-30")
    page.fill("#steps", "Find a stall\nBuy stock")
    assert submit(page, f"{base}/plan/new").status == 200

    visit(page, f"{stack.portal}{base}/grants/new", axe)
    page.select_option("#purpose", "business_start")
    page.fill("#amount_kes", "-5")
    page.select_option("#budget_line_id", label=code)
    response = submit(page, f"{base}/grants/new")
    assert response.status == 422
    assert page.is_visible("#amount_kes-error"), page.content()
    assert page.input_value("#amount_kes") == "-5"
    check_page(page, axe)
    page.fill("#amount_kes", "20000")
    assert submit(page, f"{base}/grants/new").status == 200
    visit(page, f"{stack.portal}/follow-ups", axe)

    visit(lead, f"{stack.portal}/grants", axe)
    row = lead.locator("tr", has_text=code)
    with lead.expect_navigation():
        row.locator("button[value=approve]").click()
    check_page(lead, axe)
    assert lead.locator("tr", has_text=code).count() == 0  # decided: no longer waiting
    visit(lead, f"{stack.portal}/empowerment/figures", axe)
    # One approved grant: published as 0 or 5 grants with no amount, never as "<5".
    assert "<5" not in lead.inner_text("main")
    assert {"en": "multiples of 5", "sw": "vigawe vya 5"}[lang] in lead.inner_text("p.note")
    shot(lead, "grant-figures", lang)
    lead.context.close()

    visit(page, f"{stack.portal}{base}", axe)
    with page.expect_navigation():
        page.click("a[href*='/disbursements/new']")
    check_page(page, axe)
    page.check("input[name=channel][value=mpesa]")
    page.fill("#amount_kes", "20000")
    page.fill("#reference", f"QX{uuid.uuid4().hex[:8].upper()}")
    response = submit(page, page.url.replace(stack.portal, ""))
    assert response.status == 200, page.content()
    paid = {"en": "M-Pesa", "sw": "M-Pesa"}[lang]
    assert paid in page.inner_text("#grants-title + table")
    assert page.locator("a[href*='/disbursements/new']").count() == 0  # nothing left to pay

    # A course, a group session recorded by case number (an unknown one named first), completion.
    visit(page, f"{stack.portal}/trainings", axe)
    title = f"Synthetic tailoring {uuid.uuid4().hex[:6]}"
    page.fill("#title", title)
    page.select_option("#skill", "tailoring")
    page.fill("#sessions_planned", "4")
    assert submit(page, "/trainings").status == 200
    with page.expect_navigation():
        page.locator("tr", has_text=title).locator("a").click()
    check_page(page, axe)
    action = page.url.replace(stack.portal, "")
    page.fill("#present", "NO-SUCH-CASE")
    assert submit(page, action).status == 422
    assert "NO-SUCH-CASE" in page.inner_text("#present-error")
    assert page.input_value("#present") == "NO-SUCH-CASE"
    check_page(page, axe)
    page.fill("#present", SHARED[lang]["case_number"])
    assert submit(page, action).status == 200, page.content()
    visit(page, f"{stack.portal}{base}", axe)
    with page.expect_navigation():
        page.click("#trainings-title + ul form button")
    assert title in page.inner_text("#trainings-title + ul")
    assert page.locator("#trainings-title + ul form").count() == 0  # completed
    check_page(page, axe)
    shot(page, "empowerment", lang)
    page.context.close()


# --- programme lead -----------------------------------------------------------------------------


def test_programme_lead_sees_the_journey_and_the_dashboard(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    survivor_id = SHARED[lang]["survivor_id"]
    page = sign_in(browser, stack, "programme_lead", lang, axe)
    # An access token about to expire is refreshed at identity before the page is served.
    codec = SessionCodec(load_key(stack.key_file, "test"))
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
    session = codec.open(cookie["value"])
    assert session is not None
    old_token, session.access_expires = session.access_token, 0.0
    page.context.add_cookies([{**cookie, "value": codec.seal(session)}])  # type: ignore[list-item]
    visit(page, f"{stack.portal}/", axe)
    renewed = codec.open(next(c["value"] for c in page.context.cookies() if c["name"] == COOKIE))
    assert renewed is not None
    assert renewed.access_token != old_token
    assert renewed.access_expires > time.time() + 600
    visit(page, f"{stack.portal}/journeys", axe)
    page.fill("#survivor_id", "not-an-id")
    assert submit(page, "/journeys").status == 422
    assert page.input_value("#survivor_id") == "not-an-id"
    page.fill("#survivor_id", survivor_id)
    submit(page, "/journeys")
    deadline = time.monotonic() + 60
    while "PHQ-9" not in page.content() and time.monotonic() < deadline:
        time.sleep(1)
        page.reload()
    check_page(page, axe)
    assert page.locator("svg.chart").count() >= 1
    assert SHARED[lang]["case_number"] not in page.content()  # de-identified
    assert SHARED[lang]["name"] not in page.content()
    shot(page, "journey", lang)

    response = visit(page, f"{stack.portal}/dashboard", axe)
    tiles = page.inner_text("dl.tiles")
    # One or two survivors registered so far: published rounded to 0 or 5, never 1 or 2.
    assert "<5" not in tiles
    assert page.inner_text("dl.tiles dd").strip() in ("0", "5")  # the survivors tile
    assert page.locator("svg.chart").count() == 7
    shot(page, "dashboard", lang)
    assert response.headers["cache-control"] == "no-store"
    with page.expect_download() as download:
        page.click("a[href^='/dashboard/export.csv']")
    csv = Path(download.value.path()).read_text()
    assert csv.startswith("table,row,value")
    assert re.search(r"^survivors,total,(0|5)$", csv, re.MULTILINE)

    # Medical's figures: the one signed report so far is published as 0 or 5, never as 1.
    visit(page, f"{stack.portal}/medical/figures", axe)
    assert page.inner_text("dl.tiles dd").strip() in ("0", "5")  # reports signed
    assert {"en": "multiples of 5", "sw": "vigawe vya 5"}[lang] in page.inner_text("p.note")
    assert page.locator("table caption").count() == 2
    page.context.close()


# --- data protection officer --------------------------------------------------------------------


def test_data_protection_officer_reviews_the_audit(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    survivor_id = SHARED[lang]["survivor_id"]
    page = sign_in(browser, stack, "data_protection_officer", lang, axe)
    deadline = time.monotonic() + 60
    visit(page, f"{stack.portal}/audit", axe)
    while "survivor.read" not in page.content() and time.monotonic() < deadline:
        time.sleep(1)
        page.reload()
    assert "survivor.read" in page.content()
    check_page(page, axe)
    shot(page, "audit", lang)
    visit(page, f"{stack.portal}/erasure", axe)
    page.fill("#survivor_id", survivor_id)
    submit(page, "/erasure")
    assert page.url.endswith(f"/survivors/{survivor_id}/erasure")
    check_page(page, axe)
    page.fill("#received_on", "2099-01-01")  # in the future: intake refuses it
    response = submit(page, f"/survivors/{survivor_id}/erasure")
    assert response.status == 422
    assert page.is_visible("#received_on-error")
    check_page(page, axe)
    page.fill("#received_on", "2026-12-01")
    response = submit(page, f"/survivors/{survivor_id}/erasure")
    assert response.status == 200
    request = page.locator("table tbody tr")
    assert request.count() == 1
    services = {"en": ("Intake", "Counselling", "Reporting"), "sw": ("Usajili", "Ushauri nasaha")}
    for service in services[lang]:  # the services that must destroy their key, named
        assert service in request.inner_text()
    check_page(page, axe, response)
    shot(page, "erasure", lang)
    page.context.close()


def test_no_survivor_data_in_the_portal_log(stack: PortalStack, lang: str) -> None:
    log = stack.logs["portal"].read_text(errors="replace")
    for story in SHARED.values():
        assert story["name"] not in log
        assert story["case_number"] not in log

"""More of the staff portal in real headless Chromium against the real stack, in both languages.

One stack and one browser for the module (the fixtures and page helpers of test_portal_browser).
Administrators decide account changes under the two-person rule (the one who asked is refused by
identity, a second approves), an account whose password an administrator set chooses its own at
sign-in, the language follows the account to a new browser, and the data protection officer reads
the notices. A referral reaches the clinician, who accepts it, signs a report, adds a signed
addendum, corrects an entry, uploads evidence and hands it over (the chain of custody shown); a
legal officer verifies the report's PDF (and not a tampered copy). A clinical supervisor reads the
notification of a risk flag; the empowerment officer corrects a needs assessment and reviews the
plan. axe-core finds no violation on any page visited.
"""

from __future__ import annotations

import io
import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Response
from portal_stack import PortalStack
from test_portal_browser import (  # the module's fixtures and page helpers
    axe,
    browser,
    check_page,
    lang,
    shot,
    sign_in,
    stack,
    submit,
    until,
    visit,
)
from uponyaji_portal.i18n import EAT
from uponyaji_portal.session import COOKIE, SessionCodec, load_key

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
__all__ = ["axe", "browser", "lang", "stack"]  # fixtures, shared by name

SHARED: dict[str, dict[str, Any]] = {}


def after_consent(consented: float) -> str:
    """A `datetime-local` value (East Africa Time) in a minute after the consents were granted:
    medical refuses an examination dated before the consent that allows it."""
    while int(time.time()) // 60 <= int(consented) // 60:
        time.sleep(1)
    return datetime.now(EAT).strftime("%Y-%m-%dT%H:%M")


def token_of(page: Page, stack: PortalStack) -> str:
    """The signed-in user's access token, from the portal's sealed cookie (test-only key)."""
    codec = SessionCodec(load_key(stack.key_file, "test"))
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
    session = codec.open(cookie["value"])
    assert session is not None
    assert session.access_token is not None
    return session.access_token


def enrolled(stack: PortalStack, token: str, username: str, roles: list[str]) -> dict[str, str]:
    """A new account (created by an admin through identity), its authenticator confirmed and
    its first password replaced by one of its own."""
    identity, password = stack.urls["identity"], f"Synthetic-{uuid.uuid4().hex}"
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "username": username,
        "display_name": f"Test {username} (FAKE)",
        "password": password,
        "roles": roles,
    }
    created = httpx.post(
        f"{identity}/accounts", json=body, headers=headers, trust_env=False, timeout=60
    )
    assert created.status_code == 201, created.text
    login = {"username": username, "password": password}
    enrol = httpx.post(f"{identity}/auth/mfa/enrol", json=login, trust_env=False, timeout=60)
    assert enrol.status_code == 200, enrol.text
    secret = enrol.json()["secret"]
    own = f"Own-{uuid.uuid4().hex}"  # the first password is the admin's: replaced at once
    confirm = {**login, "totp_code": stack.totp(username, secret), "new_password": own}
    done = httpx.post(f"{identity}/auth/mfa/confirm", json=confirm, trust_env=False, timeout=60)
    assert done.status_code == 200, done.text
    return {"staff_id": str(created.json()["staff_id"]), "secret": secret, **login, "password": own}


def sign_in_as(
    browser: Browser, stack: PortalStack, account: dict[str, str], lang: str | None, axe: str
) -> Page:
    """A new browser context signed in as a non-demo account (its code computed here)."""
    page = browser.new_context(locale="en-GB").new_page()
    visit(page, f"{stack.portal}/sign-in", axe)
    if lang is not None and lang != "en":
        with page.expect_navigation():
            page.click(f"form[action='/language'] button[value='{lang}']")
    page.fill("#username", account["username"])
    page.fill("#password", account["password"])
    page.fill("#totp_code", stack.totp(account["username"], account["secret"]))
    submit(page, "/sign-in")
    return page


# --- a survivor for the clinical stories --------------------------------------------------------
# (the admin story runs next: medical wants the examination in a later minute than the consent)


def test_intake_officer_registers_and_refers_to_medical(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    page = sign_in(browser, stack, "intake_officer", lang, axe)
    visit(page, f"{stack.portal}/survivors/new", axe)
    page.fill("#full_name", f"Fake {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}")
    page.fill("#phone", "07" + str(uuid.uuid4().int)[:8])
    page.select_option("#county_code", "047")
    page.select_option("#gender", "female")
    page.select_option("#age_band", "25-34")
    page.select_option("#preferred_language", "sw")
    # the day of a registration entered later reaches intake, which refuses a future one
    future = (datetime.now(EAT) + timedelta(days=5)).date().isoformat()
    page.fill("#registered_on", future)
    assert submit(page, "/survivors/new").status == 422, page.content()
    assert "registered_on" in page.inner_text("#error-summary")
    assert page.input_value("#registered_on") == future  # what was typed, kept
    check_page(page, axe)
    page.fill("#registered_on", (datetime.now(EAT) - timedelta(days=3)).date().isoformat())
    assert submit(page, "/survivors/new").status == 200, page.content()
    match = re.search(r"/survivors/([0-9a-f-]{36})$", page.url)
    assert match, page.url
    survivor_id = match.group(1)
    case_number = page.inner_text("h1 .case")
    for scope in (
        "documentation",
        "psychosocial_support",
        "medical_examination",
        "legal_proceedings",
        "empowerment",
        "deidentified_reporting",
        "photography",
        "photography_storage",
    ):
        visit(page, f"{stack.portal}/survivors/{survivor_id}/consents/new", axe)
        page.select_option("#scope", scope)
        assert submit(page, f"/survivors/{survivor_id}/consents/new").status == 200
    visit(page, f"{stack.portal}/survivors/{survivor_id}/referrals/new", axe)
    page.select_option("#target", "medical")
    page.fill("#reason", "Synthetic referral reason (test data).")
    assert submit(page, f"/survivors/{survivor_id}/referrals/new").status == 200
    SHARED[lang] = {
        "survivor_id": survivor_id,
        "case_number": case_number,
        "consented": time.time(),
    }
    page.context.close()


# --- administrators and the two-person rule -----------------------------------------------------


def test_account_changes_need_a_second_admin_and_an_admin_set_password_is_replaced(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    admin = sign_in(browser, stack, "admin", lang, axe)
    token = token_of(admin, stack)
    second = enrolled(stack, token, f"test.admin2.{lang}.{uuid.uuid4().hex[:6]}", ["admin"])
    clerk = enrolled(stack, token, f"test.clerk.{lang}.{uuid.uuid4().hex[:6]}", ["programme_lead"])
    identity, headers = stack.urls["identity"], {"Authorization": f"Bearer {token}"}
    set_by_admin = f"Admin-set-{uuid.uuid4().hex}"
    reset = httpx.post(
        f"{identity}/accounts/{clerk['staff_id']}/password",
        json={"new_password": set_by_admin},
        headers=headers,
        trust_env=False,
        timeout=60,
    )
    assert reset.status_code == 202, reset.text
    roles = httpx.post(
        f"{identity}/accounts/{clerk['staff_id']}/roles",
        json={"roles": ["programme_lead", "clinician"]},
        headers=headers,
        trust_env=False,
        timeout=60,
    )
    assert roles.status_code == 202, roles.text

    visit(admin, f"{stack.portal}/account-changes", axe)
    password_reset = {"en": "Password reset", "sw": "Kuweka upya nenosiri"}[lang]
    row = admin.locator("#pending-title + table tr", has_text=clerk["username"])
    assert row.count() == 2
    shot(admin, "account-changes", lang)
    # The administrator who asked is refused by identity; the page says why.
    with admin.expect_navigation() as refused:
        row.filter(has_text=password_reset).locator("button[value=approve]").click()
    assert refused.value is not None
    assert refused.value.status == 403
    second_admin = {"en": "second administrator", "sw": "msimamizi wa pili"}[lang]
    assert second_admin in admin.inner_text("#error-summary")
    check_page(admin, axe)
    # Withdrawing one's own request is allowed.
    roles_row = admin.locator("#pending-title + table tr", has_text=clerk["username"]).filter(
        has_text={"en": "Roles", "sw": "Majukumu"}[lang]
    )
    with admin.expect_navigation():
        roles_row.locator("button[value=reject]").click()
    check_page(admin, axe)
    decided = admin.locator("#decided-title + table tr", has_text=clerk["username"])
    assert {"en": "Rejected", "sw": "Imekataliwa"}[lang] in decided.first.inner_text()
    admin.context.close()

    other = sign_in_as(browser, stack, second, lang, axe)
    assert other.url == f"{stack.portal}/", other.content()
    visit(other, f"{stack.portal}/account-changes", axe)
    pending = other.locator("#pending-title + table tr", has_text=clerk["username"])
    with other.expect_navigation() as approved:
        pending.locator("button[value=approve]").click()
    assert approved.value is not None
    assert approved.value.status == 200
    assert other.locator("#pending-title + table tr", has_text=clerk["username"]).count() == 0
    check_page(other, axe)
    other.context.close()

    # The clerk signs in with the password an administrator set: asked for one of their own.
    page = sign_in_as(browser, stack, {**clerk, "password": set_by_admin}, lang, axe)
    assert page.is_visible("#new_password"), page.content()
    assert page.input_value("#username") == clerk["username"]
    check_page(page, axe)
    shot(page, "new-password", lang)
    own = f"Own-{uuid.uuid4().hex}"
    page.fill("#password", set_by_admin)
    page.fill("#new_password", own)
    page.fill("#new_password_again", own + "x")  # the two differ: said next to the field
    page.fill("#totp_code", "000000")  # (never sent: the portal stops at the difference)
    assert submit(page, "/sign-in").status == 422
    assert page.is_visible("#new_password_again-error")
    check_page(page, axe)
    page.fill("#password", set_by_admin)
    page.fill("#new_password", own)
    page.fill("#new_password_again", own)
    page.fill("#totp_code", stack.totp(clerk["username"], clerk["secret"]))
    submit(page, "/sign-in")
    assert page.url == f"{stack.portal}/", page.content()

    # The language chosen while signed in follows the account to a browser that never chose one.
    other_lang = "sw" if lang == "en" else "en"
    with page.expect_navigation():
        page.click(f"form[action='/language'] button[value='{other_lang}']")
    assert page.get_attribute("html", "lang") == other_lang
    page.context.close()
    # A fresh browser, its sign-in page in the story's language: the account's choice wins.
    fresh = sign_in_as(browser, stack, {**clerk, "password": own}, lang, axe)
    assert fresh.url == f"{stack.portal}/", fresh.content()
    assert fresh.get_attribute("html", "lang") == other_lang
    fresh.context.close()

    dpo = sign_in(browser, stack, "data_protection_officer", lang, axe)
    visit(dpo, f"{stack.portal}/account-notifications", axe)
    notices = dpo.locator("tr", has_text=clerk["username"])
    assert notices.count() == 4  # two requests, an approval and a rejection
    text = dpo.inner_text("table")
    for word in {
        "en": ("Requested", "Approved", "Rejected"),
        "sw": ("Imeombwa", "Imeidhinishwa", "Imekataliwa"),
    }[lang]:
        assert word in text
    shot(dpo, "account-notices", lang)
    dpo.context.close()


# --- clinician and legal officer ------------------------------------------------------------


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), (180, 120, 140)).save(out, format="PNG")
    return out.getvalue()


def test_clinician_answers_the_referral_signs_adds_an_addendum_and_hands_over_evidence(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    survivor_id, case_number = SHARED[lang]["survivor_id"], SHARED[lang]["case_number"]
    page = sign_in(browser, stack, "clinician", lang, axe)

    # The referral reaches medical from intake over NATS; the clinician accepts it.
    def referrals() -> Any:
        answer = page.goto(f"{stack.portal}/medical/referrals")
        assert answer is not None
        return answer

    deadline = time.monotonic() + 240  # medical's consumer may be catching up on a busy machine
    while case_number not in page.content() and time.monotonic() < deadline:
        referrals()
        time.sleep(0.5)
    row = page.locator("tr", has_text=case_number)
    assert row.count() == 1, stack.tails()
    check_page(page, axe)
    shot(page, "medical-referrals", lang)
    with page.expect_navigation():
        row.locator("button[value=accepted]").click()
    assert page.locator("tr", has_text=case_number).count() == 0
    check_page(page, axe)

    base = f"/survivors/{survivor_id}/medical"
    visit(page, f"{stack.portal}{base}/encounters/new", axe)
    page.check("input[name=kind][value=medico_legal_examination]")
    page.fill("#occurred_at", after_consent(SHARED[lang]["consented"]))
    page.select_option("#county_code", "047")
    page.fill("#facility", "Synthetic clinic (test data)")
    response = until(lambda: submit(page, f"{base}/encounters/new"), (404, 409), 240)
    assert response.status == 200, page.content()
    match = re.search(r"/medical/encounters/([0-9a-f-]{36})$", page.url)
    assert match, page.url
    encounter = f"{base}/encounters/{match.group(1)}"

    visit(page, f"{stack.portal}{encounter}/history/new", axe)
    page.fill("#allegation", "Synthetic allegation: beaten (test data).")
    page.fill("#symptoms_acute", "Synthetic: pain walking (test data).")
    page.check("input[name=methods][value=beating]")
    assert submit(page, f"{encounter}/history/new").status == 200
    # A correction: the history again, prefilled, with a reason; the record says it was corrected.
    with page.expect_navigation():
        page.click("#entries-title + ul a[href*='/history/new?corrects=']")
    check_page(page, axe)
    assert "beaten" in page.input_value("#allegation")
    assert page.is_checked("input[name=methods][value=beating]")
    page.fill("#allegation", "Synthetic allegation: beaten on the feet (test data).")
    page.fill("#reason", "Synthetic reason: the survivor added a detail (test data).")
    assert submit(page, f"{encounter}/history/new").status == 200
    entries = page.inner_text("#entries-title + ul")
    assert "on the feet" in entries
    assert "the survivor added a detail" in entries
    assert page.locator("#entries-title + ul > li").count() == 1  # the old entry is superseded

    visit(page, f"{stack.portal}{encounter}/findings/new", axe)
    page.select_option("#region", "foot_sole_left")
    page.select_option("#lesion", "contusion")
    page.select_option("#shape", "linear")
    page.select_option("#colour", "blue_purple")
    page.select_option("#estimated_age", "days_4_10")
    page.check("input[name=view][value=back]")
    page.fill("#x", "400")
    page.fill("#y", "900")
    assert submit(page, f"{encounter}/findings/new").status == 200, page.content()
    with page.expect_navigation():
        page.locator("a[href*='/grade']").first.click()
    page.check("input[name=level][value=highly_consistent]")
    assert submit(page, page.url.replace(stack.portal, "")).status == 200
    visit(page, f"{stack.portal}{encounter}/psychological/new", axe)
    page.fill("#summary", "Synthetic psychological summary (test data).")
    assert submit(page, f"{encounter}/psychological/new").status == 200
    visit(page, f"{stack.portal}{encounter}/psychological-grade/new", axe)
    page.check("input[name=level][value=consistent]")
    assert submit(page, f"{encounter}/psychological-grade/new").status == 200
    visit(page, f"{stack.portal}{encounter}/overall/new", axe)
    page.check("input[name=level][value=highly_consistent]")
    page.fill("#interpretation", "Synthetic interpretation (test data).")
    page.fill("#recommendations", "Synthetic recommendations (test data).")
    assert submit(page, f"{encounter}/overall/new").status == 200

    visit(page, f"{stack.portal}{encounter}/sign", axe)
    page.fill("#qualifications", "MBChB (synthetic)")
    page.select_option("#county_code", "047")
    page.check("#truthful")
    page.fill("#totp_code", stack.totp("clinician", stack.logins["clinician"]["totp_secret"]))
    assert submit(page, f"{encounter}/sign").status == 200, page.content()
    report_link = str(page.locator("a[href$='/pdf']").first.get_attribute("href"))
    report_id = report_link.split("/reports/")[1].split("/")[0]
    report_pdf = page.request.get(stack.portal + report_link).body()
    assert report_pdf.startswith(b"%PDF")

    # A signed addendum (a fresh code again); its PDF downloads.
    with page.expect_navigation():
        page.click("a[href$='/addenda/new']")
    check_page(page, axe)
    page.fill("#text", "Synthetic addendum: an X-ray result (test data).")
    page.fill("#totp_code", "000000")
    assert submit(page, page.url.replace(stack.portal, "")).status == 422
    assert page.is_visible("#totp_code-error")
    assert "X-ray" in page.input_value("#text")
    page.fill("#totp_code", stack.totp("clinician", stack.logins["clinician"]["totp_secret"]))
    response = submit(page, page.url.replace(stack.portal, ""))
    assert response.status == 200, page.content()
    check_page(page, axe, response)
    addendum = page.request.get(
        stack.portal + str(page.locator("a[href$='/pdf']").get_attribute("href"))
    )
    assert addendum.status == 200
    assert addendum.body().startswith(b"%PDF")

    # Evidence, handed over to the legal team: the chain of custody shows both steps.
    visit(page, f"{stack.portal}{encounter}/evidence/new", axe)
    page.check("input[name=kind][value=photograph]")
    page.set_input_files("#file", {"name": "photo.png", "mimeType": "image/png", "buffer": _png()})
    assert submit(page, f"{encounter}/evidence/new").status == 200, page.content()
    with page.expect_navigation():
        page.click("a[href$='/hand-over']")
    page.select_option("#from_location", "medical_record_store")
    page.select_option("#to_holder_id", label="Demo Legal Officer Njeri (FAKE)")
    page.select_option("#to_location", "legal_team")
    page.fill("#reason", "Synthetic reason: for the court file (test data).")
    assert submit(page, page.url.replace(stack.portal, "")).status == 200, page.content()
    with page.expect_navigation():
        page.click("a[href$='/custody']")
    check_page(page, axe)
    steps = page.inner_text("table")
    assert {"en": "Captured", "sw": "Ilipochukuliwa"}[lang] in steps
    assert {"en": "Handed over", "sw": "Imekabidhiwa"}[lang] in steps
    assert "for the court file" in steps
    assert "Demo Legal Officer Njeri (FAKE)" in steps
    shot(page, "custody", lang)
    page.context.close()

    # A legal officer verifies the PDF: the signed report verifies, a tampered copy does not.
    legal = sign_in(browser, stack, "legal_officer", lang, axe)
    visit(legal, f"{stack.portal}/verify-report", axe)
    legal.fill("#report_id", "not-a-report")
    legal.set_input_files(
        "#file", {"name": "r.pdf", "mimeType": "application/pdf", "buffer": report_pdf}
    )
    assert submit(legal, "/verify-report").status == 422
    assert legal.is_visible("#report_id-error")
    assert legal.input_value("#report_id") == "not-a-report"
    check_page(legal, axe)
    legal.fill("#report_id", report_id)
    legal.set_input_files(
        "#file", {"name": "r.pdf", "mimeType": "application/pdf", "buffer": report_pdf}
    )
    assert submit(legal, "/verify-report").status == 200, legal.content()
    verdict = legal.inner_text("#verification")
    assert {"en": "Verified", "sw": "Imethibitishwa"}[lang] in verdict
    assert "Demo Clinician Kamau (FAKE)" in verdict
    check_page(legal, axe)
    shot(legal, "verify-report", lang)
    legal.set_input_files(
        "#file",
        {"name": "r.pdf", "mimeType": "application/pdf", "buffer": report_pdf + b"\n% altered"},
    )
    assert submit(legal, "/verify-report").status == 200
    verdict = legal.inner_text("#verification")
    assert {"en": "Not verified", "sw": "Haijathibitishwa"}[lang] in verdict
    check_page(legal, axe)
    legal.context.close()


# --- risk flags reach the team's clinical supervisor --------------------------------------------


def test_a_risk_flag_is_notified_to_the_clinical_supervisor(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    survivor_id, case_number = SHARED[lang]["survivor_id"], SHARED[lang]["case_number"]
    page = sign_in(browser, stack, "counsellor", lang, axe)
    visit(page, f"{stack.portal}/survivors/{survivor_id}/assessments/new?instrument=PHQ-9", axe)
    for item, answer in enumerate([1, 1, 1, 1, 1, 1, 1, 1, 1], start=1):
        page.check(f"#item_{item}_{answer}")
    action = f"/survivors/{survivor_id}/assessments/new"
    response = until(lambda: submit(page, action), (404, 409), 240)
    assert response.status == 201, page.content()
    visit(page, f"{stack.portal}/risk-flags", axe)
    row = page.locator("tr", has_text=case_number)
    assert {"en": "Not escalated", "sw": "Haijapandishwa"}[lang] in row.inner_text()
    page.context.close()

    supervisor = sign_in(browser, stack, "clinical_supervisor", lang, axe)
    raised = {
        "en": "A risk flag was raised on your team",
        "sw": "Tahadhari ya hatari imeinuliwa katika timu yako",
    }[lang]
    deadline = time.monotonic() + 60
    visit(supervisor, f"{stack.portal}/notifications", axe)
    while raised not in supervisor.content() and time.monotonic() < deadline:
        time.sleep(1)
        supervisor.reload()
    assert raised in supervisor.inner_text("main"), stack.tails()
    assert case_number not in supervisor.content()  # no survivor identity in a notification
    link = supervisor.locator(f"a[href='/survivors/{survivor_id}']")
    assert link.count() >= 1
    check_page(supervisor, axe)
    shot(supervisor, "notifications", lang)
    supervisor.context.close()


# --- empowerment: a correction and a plan review ------------------------------------------------


def test_empowerment_officer_corrects_the_needs_and_reviews_the_plan(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    survivor_id = SHARED[lang]["survivor_id"]
    page = sign_in(browser, stack, "empowerment_officer", lang, axe)
    base = f"/survivors/{survivor_id}/empowerment"
    visit(page, f"{stack.portal}{base}/needs/new", axe)
    page.fill("#household_size", "4")
    page.fill("#dependants", "2")
    page.fill("#earners", "1")
    page.fill("#monthly_income_kes", "3000")
    page.check("input[name=income_sources][value=casual_labour]")
    page.select_option("#housing", "rented")
    for item in range(3):
        page.check(f"#hunger_{item}-1")
    response = until(lambda: submit(page, f"{base}/needs/new"), (404, 409), 240)
    assert response.status == 200, page.content()
    with page.expect_navigation():
        page.click("a[href*='/needs/new?corrects=']")
    check_page(page, axe)
    assert page.input_value("#household_size") == "4"  # what was recorded, to correct
    page.fill("#household_size", "-1")
    page.fill("#reason", "Synthetic reason: two more children live there (test data).")
    response = submit(page, f"{base}/needs/new")
    assert response.status == 422  # empowerment's refusal, next to the field, the rest kept
    assert page.is_visible("#household_size-error"), page.content()
    assert "two more children" in page.input_value("#reason")
    check_page(page, axe)
    page.fill("#household_size", "6")
    assert submit(page, f"{base}/needs/new").status == 200, page.content()
    needs = page.inner_text("#needs-title + dl")
    assert "6" in needs
    assert "two more children" in needs

    visit(page, f"{stack.portal}{base}/plan/new", axe)
    page.check("input[name=kind][value=business_start]")
    page.fill("#description", "Synthetic goal: a kiosk (test data).")
    page.fill("#target_date", "2027-06-30")
    page.fill("#steps", "Find a place\nBuy stock")
    assert submit(page, f"{base}/plan/new").status == 200
    visit(page, f"{stack.portal}{base}/plan/review", axe)
    page.locator("input[type=radio][value=in_progress]").first.check()
    page.locator("input[type=checkbox][name^=steps_]").first.check()
    page.fill("#note", "Synthetic review note (test data).")
    response = submit(page, f"{base}/plan/review")
    assert response.status == 200, page.content()
    plan = page.inner_text("#livelihood-title ~ ul")
    assert {"en": "In progress", "sw": "Linaendelea"}[lang] in plan
    assert {"en": "1 of 2 steps done", "sw": "1 kati ya hatua 2 zimekamilika"}[lang] in plan
    check_page(page, axe, response)
    shot(page, "plan-review", lang)
    page.context.close()


# --- care after an examination, referrals to empowerment, accounts, retrospective flags ---------


NO_CHECK = "f => { f.noValidate = true; }"  # let the service, not the browser, refuse


def _row_submit(page: Page, row: Any) -> Response:
    """Submit the form inside one table row; the page after the redirect."""
    with page.expect_navigation() as navigation:
        row.locator("button[type=submit]").click()
    response = navigation.value
    assert response is not None
    return response


def test_clinician_refers_to_a_specialist_and_books_a_follow_up(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    survivor_id = SHARED[lang]["survivor_id"]
    page = sign_in(browser, stack, "clinician", lang, axe)
    base = f"/survivors/{survivor_id}/medical"
    visit(page, f"{stack.portal}{base}/specialist-referrals/new", axe)
    page.select_option("#encounter_id", index=1)  # the examination recorded earlier
    page.fill("#reason", "Synthetic reason: suspected fracture (test data).")
    # the browser's own check of required fields is skipped: medical's refusal is what is tested
    page.eval_on_selector(f"form[action='{base}/specialist-referrals/new']", NO_CHECK)
    response = submit(page, f"{base}/specialist-referrals/new")
    assert response.status == 422  # no specialty: medical's refusal next to it, the rest kept
    assert page.is_visible("#specialty-error"), page.content()
    assert "suspected fracture" in page.input_value("#reason")
    check_page(page, axe)
    page.select_option("#specialty", "orthopaedics")
    assert submit(page, f"{base}/specialist-referrals/new").status == 200, page.content()
    assert page.url.endswith(f"{base}/care")
    row = page.locator("section[aria-labelledby=referrals-title] tbody tr")
    assert row.count() == 1
    assert "suspected fracture" in row.inner_text()
    row.locator("select[name=outcome]").select_option("treated")
    row.locator("input[name=note]").fill("Synthetic: cast applied (test data).")
    assert _row_submit(page, row).status == 200
    answered = page.locator("section[aria-labelledby=referrals-title] tbody tr").inner_text()
    assert {"en": "Treated", "sw": "Ametibiwa"}[lang] in answered
    assert "cast applied" in answered
    check_page(page, axe)

    visit(page, f"{stack.portal}{base}/follow-ups/new", axe)
    page.select_option("#encounter_id", index=1)
    page.fill("#due_on", (datetime.now(EAT) - timedelta(days=2)).date().isoformat())
    response = submit(page, f"{base}/follow-ups/new")
    assert response.status in (409, 422)  # medical refuses a day in the past
    assert page.is_visible("#error-summary"), page.content()
    check_page(page, axe)
    page.fill("#due_on", (datetime.now(EAT) + timedelta(days=14)).date().isoformat())
    assert submit(page, f"{base}/follow-ups/new").status == 200, page.content()
    row = page.locator("section[aria-labelledby=follow-ups-title] tbody tr")
    assert row.count() == 1
    row.locator("select[name=attendance]").select_option("attended")
    assert _row_submit(page, row).status == 200
    kept = page.locator("section[aria-labelledby=follow-ups-title] tbody tr").inner_text()
    assert {"en": "Attended", "sw": "Alihudhuria"}[lang] in kept
    check_page(page, axe)
    shot(page, "medical-care", lang)

    # the clinic's appointment book: this week's follow-up, its attendance recorded from the book
    visit(page, f"{stack.portal}{base}/follow-ups/new", axe)
    page.select_option("#encounter_id", index=1)
    page.fill("#due_on", (datetime.now(EAT) + timedelta(days=3)).date().isoformat())
    assert submit(page, f"{base}/follow-ups/new").status == 200, page.content()
    case_number = SHARED[lang]["case_number"]
    visit(page, f"{stack.portal}/medical/appointments", axe)
    week = page.locator("section[aria-labelledby=booked-title] tbody tr", has_text=case_number)
    assert week.count() == 1, page.content()  # the day-14 follow-up is after this week
    week.locator("select[name=attendance]").select_option("rescheduled")
    assert _row_submit(page, week).status == 200
    assert "/medical/appointments?day=" in page.url  # back on the same page of the book
    recorded = page.locator("section[aria-labelledby=booked-title] tbody tr", has_text=case_number)
    assert {"en": "Rescheduled", "sw": "Imepangwa upya"}[lang] in recorded.inner_text()
    check_page(page, axe)
    month = f"{stack.portal}/medical/appointments?days=31"
    visit(page, month, axe)
    booked = page.locator("section[aria-labelledby=booked-title] tbody tr", has_text=case_number)
    assert booked.count() == 2  # day 3's and day 14's
    refused = page.goto(f"{stack.portal}/medical/appointments?day=2026-02-30")
    assert refused is not None
    assert refused.status == 422  # no such day: said next to the field
    assert page.is_visible("#day-error"), page.content()
    check_page(page, axe, refused)
    page.context.close()


def test_empowerment_officer_answers_a_referral(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    survivor_id, case_number = SHARED[lang]["survivor_id"], SHARED[lang]["case_number"]
    intake = sign_in(browser, stack, "intake_officer", lang, axe)
    visit(intake, f"{stack.portal}/survivors/{survivor_id}/referrals/new", axe)
    intake.select_option("#target", "empowerment")
    intake.fill("#reason", "Synthetic referral reason: livelihood (test data).")
    assert submit(intake, f"/survivors/{survivor_id}/referrals/new").status == 200
    intake.context.close()

    page = sign_in(browser, stack, "empowerment_officer", lang, axe)
    deadline = time.monotonic() + 240  # empowerment's consumer may be catching up
    visit(page, f"{stack.portal}/empowerment/referrals", axe)
    while case_number not in page.content() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()
    row = page.locator("tr", has_text=case_number)
    assert row.count() == 1, stack.tails()
    check_page(page, axe)
    row.locator("input[name=note]").fill("Synthetic note (test data).")
    with page.expect_navigation():
        row.locator("button[value=accepted]").click()
    assert page.locator("tr", has_text=case_number).count() == 0  # no longer waiting
    visit(page, f"{stack.portal}/empowerment/referrals?status=accepted", axe)
    accepted = page.locator("tr", has_text=case_number).inner_text()
    assert {"en": "Accepted", "sw": "Imekubaliwa"}[lang] in accepted
    page.context.close()


def test_admin_creates_an_account_with_its_work_address_and_changes_it(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    page = sign_in(browser, stack, "admin", lang, axe)
    visit(page, f"{stack.portal}/accounts", axe)
    visit(page, f"{stack.portal}/accounts/new", axe)
    username = f"test.mail.{lang}.{uuid.uuid4().hex[:6]}"
    page.fill("#username", username)
    page.fill("#display_name", "Test Mail Person (FAKE)")
    page.fill("#password", f"Synthetic-{uuid.uuid4().hex}")
    page.fill("#email", "not-an-address")
    page.check("#roles input[value=programme_lead]")
    # the browser's own check of type=email is skipped: identity's refusal is what is tested
    page.eval_on_selector("form[action='/accounts/new']", NO_CHECK)
    response = submit(page, "/accounts/new")
    assert response.status == 422  # identity's refusal next to the address, the rest kept
    assert page.is_visible("#email-error"), page.content()
    assert page.input_value("#username") == username
    assert page.input_value("#password") == ""  # a password is never sent back
    check_page(page, axe)
    page.fill("#password", f"Synthetic-{uuid.uuid4().hex}")
    page.fill("#email", f"{username}@example.org")
    assert submit(page, "/accounts/new").status == 200, page.content()
    row = page.locator("tr", has_text=username)
    assert f"{username}@example.org" in row.inner_text()
    with page.expect_navigation():
        row.locator("a[href$='/email']").click()
    check_page(page, axe)
    assert page.input_value("#email") == f"{username}@example.org"
    page.fill("#email", f"changed.{username}@example.org")
    assert submit(page, page.url.removeprefix(stack.portal)).status == 200, page.content()
    assert f"changed.{username}@example.org" in page.locator("tr", has_text=username).inner_text()
    check_page(page, axe)
    page.context.close()


def test_a_flag_from_a_retrospective_questionnaire_is_marked(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    survivor_id, case_number = SHARED[lang]["survivor_id"], SHARED[lang]["case_number"]
    page = sign_in(browser, stack, "counsellor", lang, axe)
    before = datetime.fromtimestamp(SHARED[lang]["consented"] - 86_400, EAT)
    late = {
        "instrument": "PHQ-9",
        "responses": [1, 1, 1, 1, 1, 1, 1, 1, 1],
        "administered_at": before.isoformat(),
        "retrospective_reason": "Synthetic: paper form from an outreach day (test data).",
    }
    headers = {"Authorization": f"Bearer {token_of(page, stack)}"}
    recorded = httpx.post(
        f"{stack.urls['psychosocial']}/survivors/{survivor_id}/assessments",
        json=late,
        headers=headers,
        trust_env=False,
        timeout=60,
    )
    assert recorded.status_code == 201, recorded.text
    marker = {"en": "Documented retrospectively", "sw": "Imeandikwa baadaye"}[lang]
    visit(page, f"{stack.portal}/risk-flags", axe)
    rows = [r.inner_text() for r in page.locator("tr", has_text=case_number).all()]
    assert sum(marker in r for r in rows) == 1, rows  # the earlier flag is not marked
    visit(page, f"{stack.portal}/survivors/{survivor_id}", axe)
    assert marker.lower() in page.inner_text("#flags-title + ul")
    page.context.close()

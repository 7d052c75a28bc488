"""Corrections in headless Chromium (Debian's): an intake officer corrects a survivor's name (the
form sent unchanged and a name intake refuses shown first, the latter next to the field with what
was typed kept) and merges a duplicate record (merging the record into itself refused first), and
a counsellor corrects a PHQ-9 (the new score on the record, the old administration marked
superseded). Identity, intake, psychosocial and the portal run as processes, once for the module
(the counsellor day's stack fixture); every page is checked by axe-core.

English only: the catalog test already fails on any untranslated message, and the Kiswahili pages
are the same templates.
"""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest
from kit.browser import api_token, axe, browser, check_page, sign_in, submit, visit
from playwright.sync_api import Browser, Page
from portal_stack import PortalStack
from test_portal_counsellor_day import registered, stack  # its stack, started for this module

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
__all__ = ["axe", "browser", "stack"]  # fixtures, shared by name
LANG = "en"


def click_to(page: Page, selector: str, axe: str) -> None:
    """Follow a link and check the page it opens."""
    with page.expect_navigation() as navigation:
        page.click(selector)
    assert navigation.value is not None
    assert navigation.value.status == 200, page.url
    check_page(page, axe, navigation.value)


def phq9(stack: PortalStack, survivor_id: str, responses: list[int]) -> None:
    """A PHQ-9 recorded through psychosocial's API, once psychosocial has heard of the survivor."""
    headers = {"Authorization": f"Bearer {api_token(stack, 'counsellor')}"}
    url = f"{stack.urls['psychosocial']}/survivors/{survivor_id}/assessments"
    body = {"instrument": "PHQ-9", "responses": responses}
    deadline = time.monotonic() + 60
    while True:
        answer = httpx.post(url, json=body, headers=headers, trust_env=False)
        if answer.status_code != 404 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert answer.status_code == 201, answer.text


def test_identity_corrected_duplicate_merged_and_questionnaire_corrected(
    stack: PortalStack, browser: Browser, axe: str
) -> None:
    token = api_token(stack, "intake_officer")
    kept, duplicate = registered(stack, token), registered(stack, token)
    record = f"{stack.portal}/survivors/{kept['id']}"

    # --- the intake officer corrects the name: intake's refusal first, next to the field ---
    page = sign_in(browser, stack, "intake_officer", LANG, axe)
    visit(page, record, axe)
    click_to(page, "a[href$='/identity/correct']", axe)
    assert page.input_value("#full_name").startswith("Fake ")  # prefilled as recorded
    assert page.input_value("#county_code") == "047"
    assert page.input_value("#preferred_language") == "sw"
    response = submit(page, f"/survivors/{kept['id']}/identity/correct")  # nothing changed
    assert response.status == 422, page.content()
    assert "Nothing was changed" in page.inner_text("#error-summary")
    check_page(page, axe, response)
    too_long = "Test Survivor Alpha " + "x" * 200
    page.fill("#full_name", too_long)
    page.select_option("#county_code", "001")
    page.fill("#reason", "Misspelt at registration (synthetic test data).")
    response = submit(page, f"/survivors/{kept['id']}/identity/correct")
    assert response.status == 422, page.content()
    assert "too long" in page.inner_text("#full_name-error")
    assert page.get_attribute("#full_name", "aria-invalid") == "true"
    assert page.input_value("#full_name") == too_long  # what was typed, kept
    assert page.input_value("#county_code") == "001"
    assert "Misspelt" in page.input_value("#reason")
    check_page(page, axe, response)
    corrected = f"Test Survivor Alpha {uuid.uuid4().hex[:8]}"
    page.fill("#full_name", corrected)
    digits = str(uuid.uuid4().int)[:8]
    page.fill("#phone", f"07{digits}")
    page.select_option("#id_document_kind", "national_id")
    page.fill("#id_document_number", f"T{digits}")
    page.fill("#next_of_kin_relationship", "Sister")  # without a name: intake names it
    response = submit(page, f"/survivors/{kept['id']}/identity/correct")
    assert response.status == 422, page.content()
    assert page.is_visible("#next_of_kin_name-error")
    assert page.input_value("#full_name") == corrected
    page.fill("#next_of_kin_name", "Test Kin Beta")
    response = submit(page, f"/survivors/{kept['id']}/identity/correct")
    assert response.status == 200, page.content()
    assert page.url == record
    facts = page.inner_text("dl.facts")
    assert corrected in facts
    assert "Mombasa" in facts  # county 001
    assert f"+2547{digits}" in facts  # intake's form of the number
    check_page(page, axe, response)
    visit(page, f"{record}/identity/correct", axe)  # the document, as now recorded
    assert page.input_value("#id_document_number") == f"T{digits}"
    assert page.input_value("#full_name") == corrected
    assert page.input_value("#next_of_kin_name") == "Test Kin Beta"
    visit(page, record, axe)

    # --- the officer merges the duplicate: merging the record into itself is refused first ---
    click_to(page, "a[href$='/merge']", axe)
    page.fill("#q", kept["case"])
    response = submit(page, f"/survivors/{kept['id']}/merge")
    assert response.status == 200, page.content()
    assert "this record" in page.inner_text("#merge-candidates")
    check_page(page, axe, response)
    click_to(page, f"#merge-candidates a[href$='/merge/{kept['id']}']", axe)
    response = submit(page, f"/survivors/{kept['id']}/merge/{kept['id']}")
    assert response.status == 409, page.content()
    assert "same record" in page.inner_text("#error-summary")
    assert page.locator(f"form[action$='/merge/{kept['id']}']").count() == 0  # no retry offered
    check_page(page, axe, response)
    click_to(page, f"a[href='/survivors/{kept['id']}/merge']", axe)
    page.fill("#q", duplicate["case"])
    submit(page, f"/survivors/{kept['id']}/merge")
    click_to(page, f"#merge-candidates a[href$='/merge/{duplicate['id']}']", axe)
    compared = page.inner_text("#merge-compare")
    assert kept["case"] in compared
    assert duplicate["case"] in compared
    assert corrected in compared  # the names the officer may see
    assert duplicate["case"] in page.inner_text("#merge-warning")  # what is folded into what
    page.fill("#reason", "Registered twice (synthetic test data).")
    response = submit(page, f"/survivors/{kept['id']}/merge/{duplicate['id']}")
    assert response.status == 200, page.content()
    assert page.url == record
    assert page.inner_text("#merged-records") == duplicate["case"]
    check_page(page, axe, response)
    visit(page, f"{stack.portal}/survivors/{duplicate['id']}", axe)
    assert page.is_visible(f"#merged-into a[href='/survivors/{kept['id']}']")
    page.context.close()

    # --- a counsellor corrects a PHQ-9: the new score on the record, the old one superseded ---
    phq9(stack, kept["id"], [1, 1, 1, 1, 1, 1, 1, 1, 0])  # 8
    page = sign_in(browser, stack, "counsellor", LANG, axe)
    visit(page, record, axe)
    rows = page.locator("#administrations tbody tr")
    assert rows.count() == 1
    assert re.search(r"\b8\b", rows.inner_text())
    first = page.get_attribute("#administrations a[href$='/correct']", "href")
    assert first is not None
    click_to(page, "#administrations a[href$='/correct']", axe)
    assert page.is_checked("#item_1_1")  # prefilled with the recorded answers
    assert page.is_checked("#item_9_0")
    page.check("#item_2_3")  # 8 - 1 + 3 = 10
    page.fill("#reason", "Item 2 was marked in the wrong column (synthetic test data).")
    action = page.get_attribute("main form[method=post]", "action")
    assert action is not None
    response = submit(page, action)
    assert response.status == 201, page.content()
    assert "10" in page.inner_text("dl.result")
    check_page(page, axe, response)
    visit(page, record, axe)
    rows = page.locator("#administrations tbody tr")
    assert rows.count() == 2
    old = rows.filter(has_text="Superseded by a correction")
    new = rows.filter(has_text="wrong column")  # the correction, with its reason
    assert old.count() == 1
    assert new.count() == 1
    assert re.search(r"\b8\b", old.inner_text())
    assert re.search(r"\b10\b", new.inner_text())
    assert old.locator("a").count() == 0  # a superseded one is not corrected again
    assert new.locator("a[href$='/correct']").count() == 1
    assert "10" in page.inner_text("#progress-title + table")  # the latest score
    visit(page, f"{stack.portal}{first}", axe)  # the superseded one: sent to the newer one
    assert page.is_visible("#superseded a[href$='/correct']")
    assert page.locator("main form[method=post]").count() == 0
    page.context.close()

"""Clinicians' evidence pages in real headless Chromium against the real stack (English; the
catalog test covers Kiswahili): a physical sample recorded (a bad one first: medical's 422 next
to the field, nothing recorded) with its chain of custody; a photograph shown in the page and a
PDF opened and downloaded through the portal, each opening on the chain of custody, the file
never cached and named by opaque ids; a colleague of another role refused the file. The intake
officer's record page shows a backdated registration's day, and the start page links each role's
pages. axe-core finds no violation on any page visited.

One stack and one browser for the module; each demo role signs in once. The survivor is set up
through intake's API with consents dated the day before, so the examination (dated now) needs no
wait for the next minute.
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Response
from portal_stack import PortalStack
from reportlab.pdfgen.canvas import Canvas
from test_portal_browser import axe, browser, check_page, sign_in, stack, submit, until, visit
from test_portal_browser_more import token_of
from uponyaji_portal import i18n
from uponyaji_portal.i18n import EAT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
__all__ = ["axe", "browser", "stack"]  # fixtures, shared by name

LANG = "en"
ID = "[0-9a-f-]{36}"
FILE_URL = re.compile(rf"^/survivors/{ID}/medical/evidence/{ID}/file(\?[a-z=&]+)?$")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), (180, 120, 140)).save(out, format="PNG")
    return out.getvalue()


def _pdf() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, "Synthetic X-ray report (test data, FAKE)")
    canvas.save()
    return out.getvalue()


def _survivor(stack: PortalStack, token: str, registered_on: str) -> str:
    """A survivor registered on an earlier day, with consents given yesterday (intake's API)."""
    intake, headers = stack.urls["intake"], {"Authorization": f"Bearer {token}"}
    body = {
        "full_name": f"Fake {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}",
        "county_code": "047",
        "gender": "female",
        "preferred_language": "sw",
        "estimated_birth_year": 1990,
        "registered_on": registered_on,
    }
    made = httpx.post(f"{intake}/survivors", json=body, headers=headers, trust_env=False)
    assert made.status_code == 201, made.text
    survivor_id = str(made.json()["survivor_id"])
    yesterday = (datetime.now(EAT) - timedelta(days=1)).isoformat()
    for scope in ("documentation", "medical_examination", "photography", "photography_storage"):
        consent = {
            "scope": scope,
            "decision": "grant",
            "method": "written",
            "language": "sw",
            "at": yesterday,
        }
        answer = httpx.post(
            f"{intake}/survivors/{survivor_id}/consents",
            json=consent,
            headers=headers,
            trust_env=False,
        )
        assert answer.status_code == 201, answer.text
    return survivor_id


def _goto(page: Page, url: str) -> Response:
    answer = page.goto(url)
    assert answer is not None, url
    return answer


def _cards(page: Page) -> set[str]:
    return {str(a.get_attribute("href")) for a in page.locator("ul.cards a").all()}


def _upload(
    page: Page, stack: PortalStack, encounter: str, kind: str, file: dict[str, Any]
) -> None:
    page.goto(f"{stack.portal}{encounter}/evidence/new")
    page.check(f"input[name=kind][value={kind}]")
    page.set_input_files("#file", file)
    assert submit(page, f"{encounter}/evidence/new").status == 200, page.content()


def _open_item(page: Page, axe: str, kind_label: str) -> None:
    """Open an evidence item's page from the encounter's table of evidence."""
    with page.expect_navigation():
        page.click(f"#evidence-title + table td:first-child a:has-text('{kind_label}')")
    check_page(page, axe)


def test_clinician_records_a_sample_and_views_evidence_files(
    stack: PortalStack, browser: Browser, axe: str
) -> None:
    officer = sign_in(browser, stack, "intake_officer", LANG, axe)
    assert {"/survivors/new", "/survivors/search", "/notifications"} <= _cards(officer)
    assert "/medical/referrals" not in _cards(officer)
    day = (datetime.now(EAT) - timedelta(days=12)).date()
    survivor_id = _survivor(stack, token_of(officer, stack), day.isoformat())
    visit(officer, f"{stack.portal}/survivors/{survivor_id}", axe)
    i18n.use(LANG)
    assert officer.inner_text("#registered-on") == i18n.day(day.isoformat())

    page = sign_in(browser, stack, "clinician", LANG, axe)
    cards = _cards(page)
    for href in ("/survivors/search", "/medical/referrals", "/verify-report", "/notifications"):
        assert href in cards, cards
    assert "/accounts" not in cards

    # An examination dated now: the consents are from yesterday (medical learns of the survivor
    # and of them from intake's events: the record is 404 and the examination 409 until then).
    base = f"/survivors/{survivor_id}/medical"
    known = until(lambda: _goto(page, f"{stack.portal}{base}"), (404,), 240)
    assert known.status == 200, stack.tails()
    visit(page, f"{stack.portal}{base}/encounters/new", axe)
    page.check("input[name=kind][value=medico_legal_examination]")
    page.fill("#occurred_at", datetime.now(EAT).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#county_code", "047")
    page.fill("#facility", "Synthetic clinic (test data)")
    response = until(lambda: submit(page, f"{base}/encounters/new"), (409,), 240)
    assert response.status == 200, page.content()
    match = re.search(rf"/medical/encounters/({ID})$", page.url)
    assert match, page.url
    encounter = f"{base}/encounters/{match.group(1)}"

    # A sample: too long a description is refused by medical, said next to the field, kept.
    with page.expect_navigation():
        page.click(f"a[href='{encounter}/samples/new']")
    check_page(page, axe)
    too_long = "Synthetic blood swab (test data). " * 70
    page.fill("#description", too_long)
    page.select_option("#location", "laboratory")
    assert submit(page, f"{encounter}/samples/new").status == 422
    assert page.is_visible("#description-error"), page.content()
    assert page.get_attribute("#description", "aria-invalid") == "true"
    assert page.input_value("#description") == too_long  # what was typed, kept
    assert page.input_value("#location") == "laboratory"
    check_page(page, axe)
    page.fill("#description", "Synthetic blood swab from the left wrist (test data).")
    assert submit(page, f"{encounter}/samples/new").status == 200, page.content()
    assert page.url.endswith(encounter)
    check_page(page, axe)
    table = page.inner_text("#evidence-title + table")
    assert page.locator("#evidence-title + table tbody tr").count() == 1  # the refused: none
    assert "blood swab from the left wrist" in table
    assert "Laboratory" in table

    _open_item(page, axe, "Physical sample")
    assert "has no file" in page.inner_text("main")
    assert page.locator("img").count() == 0
    with page.expect_navigation():
        page.click("main a[href$='/custody']")
    check_page(page, axe)
    steps = page.inner_text("table")
    assert "Captured" in steps
    assert "Demo Clinician Kamau (FAKE), Laboratory" in steps

    # A photograph, shown in the page from medical's stripped copy, never cached.
    photo = {"name": "photo.png", "mimeType": "image/png", "buffer": _png()}
    _upload(page, stack, encounter, "photograph", photo)
    report = {"name": "xray-report.pdf", "mimeType": "application/pdf", "buffer": _pdf()}
    _upload(page, stack, encounter, "document", report)
    page.goto(f"{stack.portal}{encounter}")
    _open_item(page, axe, "Photograph")
    image = page.locator("figure.evidence img")
    src = str(image.get_attribute("src"))
    assert FILE_URL.match(src), src  # opaque ids only
    page.wait_for_function("document.querySelector('figure.evidence img').complete")
    assert page.evaluate("document.querySelector('figure.evidence img').naturalWidth") == 48
    photo_page = page.url
    served = page.request.get(stack.portal + src)
    assert served.status == 200
    headers = served.headers
    evidence_id = src.split("/evidence/")[1].split("/")[0]
    assert headers["content-type"] == "image/png"
    assert headers["cache-control"] == "no-store"
    assert headers["content-disposition"] == f'inline; filename="evidence-{evidence_id}.png"'
    assert headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert Image.open(io.BytesIO(served.body())).size == (48, 32)
    download = page.locator("a[download]")
    fetched = page.request.get(stack.portal + str(download.get_attribute("href")))
    assert fetched.headers["content-disposition"].startswith("attachment;")

    # Each opening is on the chain of custody (the page's image, the two fetches above).
    with page.expect_navigation():
        page.click("main a[href$='/custody']")
    check_page(page, axe)
    assert page.inner_text("table").count("File opened") == 3

    # A PDF: opened in the browser's viewer or downloaded, named by its id.
    page.goto(f"{stack.portal}{encounter}")
    _open_item(page, axe, "Document")
    assert page.locator("img").count() == 0
    opened = str(page.locator("a:has-text('Open the file')").get_attribute("href"))
    assert FILE_URL.match(opened), opened
    pdf = page.request.get(stack.portal + opened)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith('inline; filename="evidence-')
    assert pdf.headers["cache-control"] == "no-store"
    assert pdf.body().startswith(b"%PDF")
    saved = page.request.get(stack.portal + str(page.locator("a[download]").get_attribute("href")))
    assert saved.headers["content-disposition"].startswith('attachment; filename="evidence-')
    assert saved.headers["content-disposition"].endswith('.pdf"')

    # The medical record lists every item with a link to its page.
    visit(page, f"{stack.portal}{base}", axe)
    listed = page.locator("#evidence-title + table tbody tr")
    assert listed.count() == 3
    assert "blood swab from the left wrist" in listed.first.inner_text()
    photo_link = f"#evidence-title + table a[href='{photo_page[len(stack.portal) :]}']"
    assert page.locator(photo_link).count() == 1

    # A sample held without an encounter, recorded from the medical record's link: the record
    # lists it and links its page, which reads the one item, and it can be handed over from there.
    samples = f"{base}/samples/new"
    with page.expect_navigation():
        page.click(f"main a[href='{samples}']")
    check_page(page, axe)
    page.fill("#description", "Synthetic saliva sample (test data).")
    page.select_option("#location", "laboratory")
    assert submit(page, samples).status == 200, page.content()
    assert page.url.endswith(base)  # back on the medical record
    row = page.locator("#evidence-title + table tbody tr", has_text="Synthetic saliva sample")
    item = str(row.locator("a").first.get_attribute("href"))
    assert re.fullmatch(rf"{base}/evidence/{ID}", item), item  # no encounter in its address
    held_page = item
    visit(page, f"{stack.portal}{base}", axe)
    assert "not tied to an encounter" in page.inner_text("#evidence-title + table")
    with page.expect_navigation():
        page.click(f"#evidence-title + table a[href='{held_page}']")
    check_page(page, axe)
    assert "Synthetic saliva sample" in page.inner_text("main")
    assert "has no file" in page.inner_text("main")
    assert page.locator(f"main a[href='{base}']").count() == 1  # back to the record
    with page.expect_navigation():
        page.click(f"main a[href='{held_page}/hand-over']")
    check_page(page, axe)
    page.select_option("#from_location", "laboratory")
    page.select_option("#to_location", "clinic_evidence_safe")
    page.select_option("#to_holder_id", index=1)
    page.fill("#reason", "Synthetic transfer to the safe (test data).")
    assert submit(page, f"{held_page}/hand-over").status == 200, page.content()
    assert page.url.endswith(f"{held_page}/custody"), page.url
    check_page(page, axe)
    steps = page.inner_text("table")
    assert "Captured" in steps
    assert "Synthetic transfer to the safe" in steps

    # The intake officer may not open a clinical file: medical refuses, nothing is served.
    refused = officer.request.get(stack.portal + src)
    assert refused.status in (403, 404), refused.status
    assert not refused.body().startswith(b"\x89PNG")
    officer.context.close()
    visit(page, f"{photo_page}/custody", axe)  # (not the photograph's page: it would open it)
    assert page.inner_text("table").count("File opened") == 3  # the refusal opened nothing
    page.context.close()

"""A counsellor's day in headless Chromium (Debian's), in Kiswahili: their caseload, a family
session logged with others chosen from it (a refusal shown next to the list first), the session on
each participant's record (with their own note, not on the others'), the day's sessions with the
switch to other days, and the next session planned from the caseload (a past day refused first)
shown on that day. Identity, intake, psychosocial and the portal run as processes; every page is
checked by axe-core.

Kiswahili only: the catalog test already fails on any untranslated message, and the English pages
are the same templates.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from kit.browser import api_token, axe, browser, check_page, sign_in, submit, visit
from kit.services import database_factory
from playwright.sync_api import Browser, Page
from portal_stack import PortalStack, running_portal_stack
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
__all__ = ["axe", "browser"]  # fixtures, shared by name
LANG = "sw"
EAT = timezone(timedelta(hours=3))


@pytest.fixture(scope="module")
def stack(
    nats_server: EmbeddedNats,
    postgres: EmbeddedPostgres,
    kernel_template: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PortalStack]:
    """Identity, intake, psychosocial and the portal, once for the module."""
    database = database_factory(postgres, kernel_template)
    folder = tmp_path_factory.mktemp("portal-counsellor")
    services = ("identity", "intake", "psychosocial")
    with pytest.MonkeyPatch.context() as patch:
        # The services left out answer nowhere (never a stack another run left on the defaults).
        for name in ("medical", "empowerment", "reporting"):
            patch.setenv(f"PORTAL_{name.upper()}_URL", f"http://127.0.0.1:{free_port()}")
        with running_portal_stack(nats_server, database, folder, services) as s:
            yield s


def registered(stack: PortalStack, token: str) -> dict[str, Any]:
    """A synthetic survivor on the demo team, consenting to psychosocial support."""
    headers, intake = {"Authorization": f"Bearer {token}"}, stack.urls["intake"]
    body = {
        # Shares no part with another name: intake's duplicate check would ask first.
        "full_name": f"Fake {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}",
        "county_code": "047",
        "gender": "female",
        "age_band": "25-34",
        "preferred_language": "sw",
    }
    created = httpx.post(f"{intake}/survivors", json=body, headers=headers, trust_env=False)
    assert created.status_code == 201, created.text
    survivor = created.json()
    consent = {
        "scope": "psychosocial_support",
        "decision": "grant",
        "method": "verbal",
        "language": "sw",
    }
    given = httpx.post(
        f"{intake}/survivors/{survivor['survivor_id']}/consents",
        json=consent,
        headers=headers,
        trust_env=False,
    )
    assert given.status_code == 201, given.text
    return {"id": str(survivor["survivor_id"]), "case": str(survivor["case_number"])}


def caseload_shows(page: Page, stack: PortalStack, axe: str, cases: list[str]) -> None:
    """Reload the caseload until psychosocial has heard of every survivor from intake."""
    deadline = time.monotonic() + 60
    while True:
        visit(page, f"{stack.portal}/caseload", axe)
        text = page.inner_text("main")
        if all(case in text for case in cases) or time.monotonic() > deadline:
            return
        time.sleep(0.5)


def test_a_counsellor_logs_a_family_session_and_sees_their_day(
    stack: PortalStack, browser: Browser, axe: str
) -> None:
    token = api_token(stack, "intake_officer")
    first, second, third = (registered(stack, token) for _ in range(3))
    cases = [first["case"], second["case"], third["case"]]

    page = sign_in(browser, stack, "counsellor", LANG, axe)
    assert page.is_visible("a[href='/today']")
    with page.expect_navigation():
        page.click("main a[href='/caseload']")
    caseload_shows(page, stack, axe, cases)
    for case in cases:
        row = page.locator("main tr", has_text=case)
        assert row.count() == 1, page.content()
        assert "Bado hakuna" in row.inner_text()  # no session, no questionnaire yet
    assert all(case not in page.title() for case in cases)

    # An individual session with another survivor ticked: refused, said next to the list.
    visit(page, f"{stack.portal}/survivors/{first['id']}/sessions/new", axe)
    others = page.locator("#other_participants")
    offered = others.locator("label[for^=participant-]")
    assert offered.filter(has_text=second["case"]).count() == 1
    assert offered.filter(has_text=first["case"]).count() == 0  # the record's own survivor
    page.check(f"input[name=participants][value='{second['id']}']")
    page.fill("#notes", "Synthetic family session notes (test data).")
    response = submit(page, f"/survivors/{first['id']}/sessions/new")
    assert response.status == 422, page.content()
    assert "kikao cha wenzi wawili" in page.inner_text("#other_participants-error")
    assert page.is_checked(f"input[name=participants][value='{second['id']}']")  # kept
    check_page(page, axe)

    # The same as a family session, the third survivor ticked as having missed it.
    page.check("input[name=kind][value=family]")
    page.check(f"input[name=participants][value='{third['id']}']")
    page.select_option(f"select[name='attendance_{third['id']}']", "missed")
    page.fill(f"textarea[name='notes_{third['id']}']", "Synthetic note for the third (test data).")
    response = submit(page, f"/survivors/{first['id']}/sessions/new")
    assert response.status == 200, page.content()
    assert page.url == f"{stack.portal}/survivors/{first['id']}"
    assert "Familia" in page.inner_text("#sessions-title + table")
    check_page(page, axe, response)
    # Each participant's record shows the session, with their own attendance and no notes.
    visit(page, f"{stack.portal}/survivors/{third['id']}", axe)
    row = page.locator("#sessions-title + table tbody tr")
    assert row.count() == 1
    assert "Familia" in row.inner_text()
    assert "Hakuhudhuria" in row.inner_text()
    assert "Synthetic family session notes" not in page.content()
    assert "Synthetic note for the third" in row.inner_text()  # their own, sealed with them
    visit(page, f"{stack.portal}/survivors/{first['id']}", axe)
    assert "Synthetic note for the third" not in page.content()

    visit(page, f"{stack.portal}/today", axe)
    assert page.inner_text("h1") == "Vikao vya leo"
    table = page.inner_text("main table")
    for case in cases:
        assert case in table
    assert "Familia" in table
    assert "Hakuhudhuria" in table
    assert all(case not in page.title() and case not in page.url for case in cases)
    with page.expect_navigation() as previous:
        page.click("a[rel=prev]")
    assert previous.value is not None
    check_page(page, axe, previous.value)
    assert "Hakuna vikao vilivyoandikwa kwa siku hii." in page.inner_text("main")
    with page.expect_navigation():
        page.click("main nav a[href='/today']")
    assert first["case"] in page.inner_text("main table")

    # A date that does not exist: the service's refusal next to the date field.
    response = page.goto(f"{stack.portal}/today?day=2026-02-30")
    assert response is not None
    assert response.status == 422
    assert page.is_visible("#day-error")
    check_page(page, axe)

    caseload_shows(page, stack, axe, cases)

    def last_session(case: str) -> str:
        return page.locator("main tr", has_text=case).locator("td").nth(1).inner_text()

    assert "Bado hakuna" not in last_session(first["case"])  # a last session now
    assert "Bado hakuna" in last_session(third["case"])  # a missed session is not one held

    # The next session planned from the caseload: a past day refused next to the field first.
    with page.expect_navigation():
        page.locator("main tr", has_text=second["case"]).locator("a[href$='/next-session']").click()
    check_page(page, axe)
    today = datetime.now(EAT).date()
    page.fill("#planned_on", (today - timedelta(days=1)).isoformat())
    with page.expect_navigation() as refused:
        page.click("button[name=save]")
    assert refused.value is not None
    assert refused.value.status == 422
    assert page.is_visible("#planned_on-error")
    check_page(page, axe)
    tomorrow = (today + timedelta(days=1)).isoformat()
    page.fill("#planned_on", tomorrow)
    with page.expect_navigation() as saved:
        page.click("button[name=save]")
    assert saved.value is not None
    assert saved.value.status == 200
    assert page.url == f"{stack.portal}/caseload"
    row = page.locator("main tr", has_text=second["case"])
    assert "Hakijapangwa" not in row.locator("td").nth(2).inner_text()
    assert "Hakijapangwa" in page.locator("main tr", has_text=third["case"]).inner_text()
    visit(page, f"{stack.portal}/today?day={tomorrow}", axe)
    assert second["case"] in page.inner_text("#planned-title + ul")
    page.context.close()

"""The data protection officer's breach register and subject access pages in headless Chromium
(Debian's), in English and Kiswahili, each page checked by axe-core; identity, intake and the
portal run as processes (the other services are left out: the export says it could not gather
their parts instead of hiding the gap)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from kit.browser import api_token, axe, browser, check_page, lang, sign_in, submit, visit
from kit.services import database_factory
from playwright.sync_api import Browser
from portal_stack import PortalStack, running_portal_stack
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.postgres import EmbeddedPostgres

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
EAT = timezone(timedelta(hours=3))
__all__ = ["axe", "browser", "lang"]  # fixtures, shared by name


@pytest.fixture(scope="module")
def stack(
    nats_server: EmbeddedNats,
    postgres: EmbeddedPostgres,
    kernel_template: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[PortalStack]:
    """Identity, intake and the portal, once for the module."""
    database = database_factory(postgres, kernel_template)
    folder = tmp_path_factory.mktemp("portal-dpa")
    with running_portal_stack(nats_server, database, folder, ("identity", "intake")) as s:
        yield s


def local(moment: datetime) -> str:
    """A moment as a `datetime-local` input in East Africa Time."""
    return moment.astimezone(EAT).strftime("%Y-%m-%dT%H:%M")


def test_the_officer_records_assesses_and_notifies_a_breach(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    page = sign_in(browser, stack, "data_protection_officer", lang, axe)
    visit(page, f"{stack.portal}/breaches", axe)
    now = datetime.now(EAT)
    page.fill("#detected_at", local(now - timedelta(hours=2)))
    page.fill("#aware_at", local(now - timedelta(hours=1)))
    page.fill("#summary", "A synthetic test laptop was stolen (FAKE)")
    response = submit(page, "/breaches")  # no nature and no kind of data ticked
    assert response.status == 422
    check_page(page, axe)
    page.check("input[name=nature][value=confidentiality]")
    page.check("input[name=data_classes][value=health]")
    response = submit(page, "/breaches")
    assert response.status == 200
    assert "/breaches/" in page.url
    check_page(page, axe, response)
    reference = page.locator("h1").inner_text().split()[-1]
    assert reference.startswith("BR-")

    page.check("input[name=risk][value=high]")
    page.fill("#consequences", "Exposure of synthetic records (FAKE)")
    page.fill("#measures", "Sessions revoked (FAKE)")
    breach_path = page.url.removeprefix(stack.portal)
    response = submit(page, f"{breach_path}/assessment")
    assert response.status == 200
    page.fill("#notified_at", local(now))
    page.fill("#content", "Notice to the Data Commissioner (FAKE)")
    response = submit(page, f"{breach_path}/commissioner")
    assert response.status == 200
    check_page(page, axe, response)
    assert "Notice to the Data Commissioner (FAKE)" in page.content()
    visit(page, f"{stack.portal}/breaches", axe)
    assert reference in page.content()
    download = page.request.get(f"{stack.portal}/breaches/export.csv")
    assert download.status == 200
    assert reference in download.text()
    page.context.close()


def test_the_officer_gathers_a_survivors_export_in_their_language(
    stack: PortalStack, browser: Browser, axe: str, lang: str
) -> None:
    name = f"Fake {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}"  # shares no part with another
    token = api_token(stack, "intake_officer")
    body = {
        "full_name": name,
        "county_code": "047",
        "gender": "female",
        "age_band": "25-34",
        "preferred_language": "sw",
    }
    created = httpx.post(
        f"{stack.urls['intake']}/survivors",
        json=body,
        trust_env=False,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text
    survivor_id = created.json()["survivor_id"]

    page = sign_in(browser, stack, "data_protection_officer", lang, axe)
    visit(page, f"{stack.portal}/subject-access", axe)
    page.fill("#survivor_id", "not-an-id")
    response = submit(page, "/subject-access")
    assert response.status == 422
    check_page(page, axe)
    page.fill("#survivor_id", survivor_id)
    page.check("input[name=language][value=sw]")
    response = submit(page, "/subject-access")
    assert response.status == 200
    check_page(page, axe, response)
    text = page.content()
    assert "Taarifa zako binafsi" in text  # the survivor's language, whatever the officer's
    assert name in text  # intake's sealed identity, opened
    assert "Jina kamili" in text
    assert "Sehemu hii haikuweza kukusanywa" in text  # medical and the others were not running
    download = page.request.get(
        f"{stack.portal}/survivors/{survivor_id}/subject-access?language=en&download=true"
    )
    assert download.status == 200
    assert name in download.text()
    assert "Your personal data held by the centre" in download.text()
    page.context.close()

"""The browser tests' kit: Debian's headless Chromium through Playwright, axe-core, and the page
helpers every portal story uses (open and check a page, submit a form, sign in as a demo account).

axe-core comes from the npm registry into a cache directory (never a CDN) and is evaluated in the
page. Test modules import the fixtures (`browser`, `axe`, `lang`) by name.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_VERSION = "4.14.1"
ROOT = Path(__file__).resolve().parents[2]
AXE_CACHE = Path(os.environ.get("UPONYAJI_AXE_CACHE", ROOT / ".cache" / "axe-core"))
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class Portal(Protocol):
    """What the page helpers need of a running portal stack."""

    portal: str
    urls: dict[str, str]
    logins: dict[str, dict[str, Any]]

    def totp(self, key: str, secret: str) -> str: ...

    def tails(self, lines: int = 30) -> str: ...


def axe_source() -> str:
    """axe-core's browser bundle, installed from the npm registry into the cache on first use."""
    bundle = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not bundle.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed once to fetch axe-core (apt-get install -y npm)")
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(AXE_CACHE),
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
            timeout=300,
        )
    return bundle.read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium (Debian's) for the module."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def axe() -> str:
    """axe-core's source."""
    return axe_source()


@pytest.fixture(scope="module", params=["en", "sw"])
def lang(request: pytest.FixtureRequest) -> str:
    """Every story runs in English, then every story in Kiswahili."""
    return str(request.param)


def demo_code(page_html: str, username: str) -> str:
    """The current code the development sign-in page shows for an account."""
    found = re.search(
        rf"<code>{re.escape(username)}</code>.*?<code>[^<]*</code>.*?<code>(\d{{6}})</code>",
        page_html,
        re.S,
    )
    assert found, f"no demo code for {username} on the sign-in page"
    return found.group(1)


def check_page(page: Page, axe: str, response: Response | None = None) -> None:
    """axe-core (WCAG 2.2 A/AA rules) finds nothing; the page forbids caching and inline script."""
    page.evaluate(axe)  # evaluated through the DevTools protocol: the page's CSP is not bypassed
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: tags})).violations.map("
        "v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
        WCAG,
    )
    assert found == [], f"{page.url}: {found}"
    if response is not None:
        assert response.headers.get("cache-control") == "no-store", page.url
        assert "script-src 'self'" in response.headers.get("content-security-policy", "")


def visit(page: Page, url: str, axe: str) -> Response:
    """Open a page of the portal and check it."""
    response = page.goto(url)
    assert response is not None, url
    assert response.status == 200, (url, response.status)
    check_page(page, axe, response)
    return response


def submit(page: Page, form: str) -> Response:
    """Submit a form by its action and return the final answer (after any redirect)."""
    with page.expect_navigation() as navigation:
        page.click(f"form[action='{form}'] button[type=submit]")
    response = navigation.value
    assert response is not None
    return response


def sign_in(browser: Browser, stack: Portal, role: str, lang: str, axe: str) -> Page:
    """A new browser context: choose the language, read the demo code, sign in."""
    context: BrowserContext = browser.new_context(locale="en-GB")
    page = context.new_page()
    visit(page, f"{stack.portal}/sign-in", axe)
    if lang != "en":
        with page.expect_navigation():
            page.click(f"form[action='/language'] button[value='{lang}']")
    assert page.get_attribute("html", "lang") == lang
    username = stack.logins[role]["login"]
    demo_code(page.content(), username)  # the development sign-in page offers the demo codes
    page.fill("#username", username)
    page.fill("#password", stack.logins[role]["password"])
    page.fill("#totp_code", stack.totp(role, stack.logins[role]["totp_secret"]))
    response = submit(page, "/sign-in")
    assert response.status == 200, stack.tails()
    assert page.url == f"{stack.portal}/", stack.tails()
    check_page(page, axe, response)
    return page


def api_token(stack: Portal, role: str) -> str:
    """An access token of a demo account, for setting the scene through the services' APIs."""
    login = stack.logins[role]
    body = {
        "username": login["login"],
        "password": login["password"],
        "totp_code": stack.totp(role, login["totp_secret"]),
    }
    answer = httpx.post(f"{stack.urls['identity']}/auth/login", json=body, trust_env=False)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def until(send: Callable[[], Response], waiting: tuple[int, ...], seconds: float = 90) -> Response:
    """Repeat a submission while a service has not caught up yet (404/409 from a consumer lag)."""
    deadline = time.monotonic() + seconds
    while True:
        response = send()
        if response.status not in waiting or time.monotonic() > deadline:
            return response
        time.sleep(0.5)

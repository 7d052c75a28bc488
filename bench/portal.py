"""Portal page weight and first paint on a slow link, in Chromium: `python -m bench.portal`.

Runs against a stack started with `make up` (demo data): signs in as each demo role through the
sign-in page (which shows the demo codes in development), then loads each main page in a fresh
browser context (cold cache) and again (warm: static files cached), with the DevTools protocol's
network emulation at 400 kbit/s down and up and 400 ms round-trip latency, and prints for each
page the bytes transferred (HTML, CSS, JS: headers and bodies as on the wire; the portal has no
images) and the first contentful paint.
Targets: ≤ 100 KB per page, first paint ≤ 2 s.
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from rich.console import Console
from rich.table import Table

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SLOW = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}


@dataclass
class Load:
    """One page load on the slow link."""

    role: str
    page: str
    visit: str
    status: int
    requests: int
    bytes: int
    first_paint_ms: float
    load_ms: float


def throttled(context: BrowserContext) -> Page:
    """A page whose network is 400 kbit/s each way with 400 ms latency."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW)
    return page


def measure(context: BrowserContext, url: str, role: str, name: str, visit: str) -> Load:
    """Load `url` on the slow link; bytes on the wire and first contentful paint."""
    page = throttled(context)
    sizes: list[int] = []
    page.on(
        "requestfinished",
        lambda request: sizes.append(
            request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
        ),
    )
    started = time.perf_counter()
    response = page.goto(url, wait_until="load", timeout=120_000)
    load_ms = (time.perf_counter() - started) * 1000
    # Paint entries arrive asynchronously: observe them (buffered) rather than read them once.
    fcp: float = page.evaluate(
        """() => new Promise(resolve => {
            new PerformanceObserver(list => {
                for (const e of list.getEntries())
                    if (e.name === 'first-contentful-paint') resolve(e.startTime);
            }).observe({type: 'paint', buffered: true});
            setTimeout(() => resolve(NaN), 5000);
        })"""
    )
    page.close()
    status = response.status if response else 0
    return Load(role, name, visit, status, len(sizes), sum(sizes), fcp, load_ms)


def sign_in(browser: Browser, base: str, username: str, password: str) -> BrowserContext:
    """A context signed in as a demo account (code read from the development sign-in page)."""
    context = browser.new_context()
    page = context.new_page()
    for _attempt in range(3):
        page.goto(f"{base}/sign-in")
        found = re.search(
            rf"<code>{re.escape(username)}</code>.*?<code>[^<]*</code>.*?<code>(\d{{6}})</code>",
            page.content(),
            re.S,
        )
        if not found:
            raise SystemExit("the sign-in page shows no demo codes: is the stack in development?")
        page.fill("#username", username)
        page.fill("#password", password)
        page.fill("#totp_code", found.group(1))
        with page.expect_navigation():
            page.click("form[action='/sign-in'] button[type=submit]")
        if page.url.rstrip("/") == base:
            page.close()
            return context
        time.sleep(31)  # that code was used already: wait for the next one
    raise SystemExit(f"could not sign in as {username}")


def demo_logins(browser: Browser, base: str) -> dict[str, tuple[str, str]]:
    """Role → (username, password) from the development sign-in page."""
    page = browser.new_page()
    page.goto(f"{base}/sign-in")
    rows = page.eval_on_selector_all(
        ".demo tbody tr",
        "rows => rows.map(r => [...r.querySelectorAll('code')].map(c => c.textContent))",
    )
    page.close()
    return {row[0].removeprefix("demo."): (row[0], row[1]) for row in rows}


def main() -> None:
    """Measure the main pages of each role and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.portal", description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the portal")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    console = Console(width=140)
    loads: list[Load] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        loads.append(measure(browser.new_context(), f"{base}/sign-in", "anyone", "sign-in", "cold"))
        logins = demo_logins(browser, base)
        pages = {
            "intake_officer": ["/", "/survivors/search", "/survivors/new"],
            "counsellor": ["/risk-flags", "/today", "/caseload"],
            "programme_lead": ["/dashboard", "/journeys"],
            "data_protection_officer": ["/audit", "/erasure"],
        }
        for role, paths in pages.items():
            context = sign_in(browser, base, *logins[role])
            if role == "counsellor":
                probe = context.new_page()
                probe.goto(f"{base}/risk-flags")
                links = probe.eval_on_selector_all(
                    "table a[href^='/survivors/']", "a => a.map(x => x.getAttribute('href'))"
                )
                probe.close()
                if links:
                    paths += [
                        links[0],
                        f"{links[0]}/assessments/new?instrument=PCL-5",
                        links[0].replace("/survivors/", "/journeys/"),
                    ]
            for path in paths:
                name = re.sub(r"[0-9a-f-]{36}", "{id}", path)
                # Cold: a context whose cache holds nothing yet (the session cookie copied in).
                cold = browser.new_context()
                cold.add_cookies(context.cookies())  # type: ignore[arg-type]  # same shape
                loads.append(measure(cold, f"{base}{path}", role, name, "cold"))
                # Warm: the same page again, the stylesheet and script now in the cache.
                loads.append(measure(cold, f"{base}{path}", role, name, "warm"))
                # The session cookie is renewed on each page: carry it back.
                context.add_cookies(cold.cookies())  # type: ignore[arg-type]
                cold.close()
            context.close()
        browser.close()
    table = Table(title="Portal pages, 400 kbit/s each way, 400 ms RTT (Chromium)")
    columns = ("role", "page", "visit", "status", "requests", "KB on the wire", "first paint ms")
    for column in (*columns, "load ms"):
        table.add_column(column)
    for load in loads:
        table.add_row(
            load.role,
            load.page,
            load.visit,
            str(load.status),
            str(load.requests),
            f"{load.bytes / 1024:.1f}",
            f"{load.first_paint_ms:.0f}",
            f"{load.load_ms:.0f}",
        )
    console.print(table)


if __name__ == "__main__":
    main()

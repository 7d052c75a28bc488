"""Breach reminders e-mailed to the data protection officers through a real SMTP server
(aiosmtpd): on time, once each, to the officers' own addresses (the role mailbox only when none
has one), naming the breach's reference and never a survivor or the breach's summary."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from email.message import EmailMessage, Message
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from identity_support import SYSTEM, ServerClock, signed_in
from kit.smtp import Mailbox, mailbox
from uponyaji_identity.app import create_app
from uponyaji_identity.breaches import reminders
from uponyaji_identity.context import Identity
from uponyaji_identity.handlers import accounts
from uponyaji_identity.settings import Settings
from uponyaji_service import running

__all__ = ["mailbox"]  # the SMTP fixture, shared by name

LINK_BASE = "https://uponyaji.example.org"
OFFICE = "dpo-office@example.org"
SURVIVOR = str(uuid4())


@pytest.fixture
def clock() -> ServerClock:
    return ServerClock()


@pytest.fixture
async def app(
    settings_for: Callable[..., Settings], clock: ServerClock, mailbox: tuple[Mailbox, int]
) -> AsyncIterator[FastAPI]:
    """Identity on a movable clock, its reminder round every 0.2 s, e-mailing locally."""
    settings = settings_for(
        smtp_host="127.0.0.1",
        smtp_port=mailbox[1],
        reminder_check_seconds=0.2,
        notify_addresses={"data_protection_officer": OFFICE},
        link_base=LINK_BASE,
    )
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def ctx(app: FastAPI) -> Identity:
    found: Identity = running(app).resources
    return found


def _text(message: Message) -> str:
    assert isinstance(message, EmailMessage)
    body = message.get_body(("plain",))
    assert body is not None
    return f"{message['Subject']}\n{body.get_content()}"


async def test_breach_reminders_are_e_mailed_to_the_data_protection_officers(
    ctx: Identity,
    client: httpx.AsyncClient,
    clock: ServerClock,
    mailbox: tuple[Mailbox, int],
    wait_until: Callable[..., Any],
) -> None:
    box = mailbox[0]
    first = await signed_in(ctx, client, "data_protection_officer")
    second = await signed_in(ctx, client, "data_protection_officer")
    counsellor = await signed_in(ctx, client, "counsellor")
    for staff, address in (
        (first, "dpo.one@example.org"),
        (second, "dpo.two@example.org"),
        (counsellor, "counsellor@example.org"),
    ):
        await accounts.set_email(ctx, staff.staff_id, address, actor=SYSTEM, expected_version=None)
    summary = f"Test Survivor Alpha's file ({SURVIVOR}) left on a bus (FAKE)"
    aware = clock()
    body = {
        "detected_at": (aware - timedelta(hours=1)).isoformat(),
        "aware_at": aware.isoformat(),
        "summary": summary,
        "nature": ["confidentiality"],
        "data_classes": ["identity"],
        "people_affected": 1,
    }
    created = await client.post("/breaches", json=body, headers=first.access)
    assert created.status_code == 201, created.text
    breach_id, reference = created.json()["breach_id"], created.json()["reference"]
    assert box.messages == []  # nothing is due in the first 24 hours

    clock.shift = timedelta(hours=49)

    async def four() -> bool:
        return len(box.messages) >= 4

    await wait_until(four, what="the 48 h and 24 h reminders e-mailed to both officers")
    sent = list(box.messages)
    assert sorted(to for tos, _ in sent for to in tos) == sorted(
        ["dpo.one@example.org", "dpo.two@example.org"] * 2
    )
    subjects = sorted(str(m["Subject"]).strip() for _, m in sent)
    assert subjects == sorted(
        [
            f"[Uponyaji] Breach {reference}: the Data Commissioner must be notified within "
            f"{hours} hours"
            for hours in (48, 24, 48, 24)
        ]
    )
    for _, message in sent:
        text = _text(message)
        assert f"{LINK_BASE}/breaches/{breach_id}" in text
        assert SURVIVOR not in text
        assert "Test Survivor Alpha" not in text
        assert "bus" not in text
    # Sent once: another round delivers nothing more.
    assert await reminders.remind(ctx, clock(), reminders.channel(ctx.settings)) == 0
    assert len(box.messages) == 4

    # No officer has an address any more: the next reminder goes to the role's mailbox.
    for staff in (first, second):
        await accounts.set_email(ctx, staff.staff_id, None, actor=SYSTEM, expected_version=None)
    clock.shift = timedelta(hours=73)

    async def six() -> bool:
        return len(box.messages) >= 6

    await wait_until(six, what="the 6 h and overdue reminders e-mailed to the office mailbox")
    late = box.messages[4:]
    assert [tos for tos, _ in late] == [[OFFICE], [OFFICE]]
    assert sorted(str(m["Subject"]).strip() for _, m in late) == [
        f"[Uponyaji] Breach {reference}: 6 hours left to notify the Data Commissioner",
        f"[Uponyaji] Breach {reference}: the 72 hours to notify the Data Commissioner have passed",
    ]
    assert all(SURVIVOR not in _text(m) for _, m in late)

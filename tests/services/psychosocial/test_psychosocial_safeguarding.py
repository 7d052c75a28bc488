"""Safeguarding with real PostgreSQL and a real SMTP server (aiosmtpd): supervisors see their
teams' open flags, are notified when one is raised, and unanswered flags escalate on time (a
fake clock), with e-mails that carry a link and no survivor identity."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from kit.smtp import Mailbox, mailbox
from psychosocial_support import MOMBASA, NAIROBI, PHQ9_RISKY, As, FakeIntake, SigningKey, Staff
from uponyaji_events import StoreFeed
from uponyaji_psychosocial.app import channel, create_app, escalation_policy
from uponyaji_psychosocial.domain import EscalationPolicy
from uponyaji_psychosocial.handlers import Psychosocial
from uponyaji_psychosocial.handlers.escalation import deliver, escalate_due
from uponyaji_psychosocial.settings import Settings
from uponyaji_service import running

__all__ = ["mailbox"]  # the SMTP fixture, shared by name

START = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
SUPERVISORS, LEAD = "supervisors@example.org", "programme-lead@example.org"


@dataclass
class FakeClock:
    """The service's clock, moved by the test."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test moves."""
    return FakeClock()


@pytest.fixture
async def app(
    settings: Settings, intake: FakeIntake, clock: FakeClock, mailbox: tuple[Mailbox, int]
) -> AsyncIterator[FastAPI]:
    """Psychosocial on the fake clock, e-mailing through the local SMTP server."""
    configured = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox[1],
            "escalation_check_seconds": 3600.0,
            "notify_addresses": {"clinical_supervisor": SUPERVISORS, "programme_lead": LEAD},
            "link_base": "https://uponyaji.example.org",
        }
    )
    application = create_app(configured, feeds={"intake": StoreFeed(intake.store)}, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def as_role(http: httpx.AsyncClient, signing_key: SigningKey) -> Callable[..., As]:
    """A client acting as a new staff member of one role and team."""

    def make(role: str, team: Any = NAIROBI) -> As:
        return As(http, signing_key, Staff(roles=(role,), teams=(team,)))

    return make


def resources(app: FastAPI) -> tuple[Psychosocial, Settings, asyncpg.Pool]:
    ran = running(app)
    return ran.resources, ran.parts.settings, ran.parts.pool


async def risky(app: FastAPI, intake: FakeIntake, counsellor: As, team: Any = NAIROBI) -> str:
    survivor = await intake.register(team=team)
    await intake.deliver(app)
    answer = await counsellor.post(
        f"/survivors/{survivor}/assessments", {"instrument": "PHQ-9", "responses": PHQ9_RISKY}
    )
    assert answer.status_code == 201, answer.text
    return str(survivor)


async def test_a_supervisor_sees_their_teams_open_flags_and_is_notified(
    app: FastAPI, intake: FakeIntake, as_role: Callable[..., As]
) -> None:
    nairobi = await risky(app, intake, as_role("counsellor"))
    mombasa = await risky(app, intake, as_role("counsellor", MOMBASA), MOMBASA)
    supervisor = as_role("clinical_supervisor")
    flags = (await supervisor.get("/risk-flags")).json()["flags"]
    assert [f["survivor_id"] for f in flags] == [nairobi]  # not Mombasa's
    # The list's audit record names the survivors it returned, all on the supervisor's caseload.
    [record] = await resources(app)[2].fetch(
        "SELECT payload FROM events WHERE type = 'psychosocial.SurvivorsListed'"
    )
    assert record["payload"]["action"] == "riskflag.read"
    assert record["payload"]["results"] == [{"survivor_id": nairobi, "on_caseload": True}]
    assert record["payload"]["query_hash"] is None
    listed = (await supervisor.get("/notifications")).json()["notifications"]
    assert [(n["kind"], n["link"]) for n in listed] == [
        ("risk_flag_raised", f"/survivors/{nairobi}")
    ]
    elsewhere = (await as_role("clinical_supervisor", MOMBASA).get("/notifications")).json()
    assert [n["link"] for n in elsewhere["notifications"]] == [f"/survivors/{mombasa}"]
    mine = (await as_role("counsellor").get("/notifications")).json()["notifications"]
    assert mine == []  # addressed to supervisors, not to every member of the team


async def test_an_unanswered_flag_escalates_at_24_and_72_hours_by_email(
    app: FastAPI,
    intake: FakeIntake,
    as_role: Callable[..., As],
    clock: FakeClock,
    mailbox: tuple[Mailbox, int],
) -> None:
    survivor = await risky(app, intake, as_role("counsellor"))
    ps, settings, pool = resources(app)
    policy = escalation_policy(settings)
    clock.advance(hours=23, minutes=59)
    assert await escalate_due(ps, policy) == 0
    clock.advance(minutes=1)
    assert await escalate_due(ps, policy) == 1
    assert await escalate_due(ps, policy) == 0  # once per level
    flag = (await as_role("counsellor").get(f"/survivors/{survivor}/risk-flags")).json()
    assert flag["flags"][0]["escalation_level"] == 1
    clock.advance(hours=48)
    assert await escalate_due(ps, policy) == 1
    lead = (await as_role("programme_lead").get("/notifications")).json()["notifications"]
    assert [n["kind"] for n in lead] == ["risk_flag_escalated"]
    assert "72 hours" in lead[0]["subject"]

    box, _ = mailbox
    smtp = channel(settings)
    assert smtp is not None
    sent = await deliver(pool, ps, smtp, settings.notify_addresses, settings.link_base)
    assert sent == 3  # raised, first escalation, second escalation
    assert sorted(r[0] for r, _ in box.messages) == [LEAD, SUPERVISORS, SUPERVISORS]
    case_number = await pool.fetchval(
        "SELECT case_number FROM survivors WHERE survivor_id = $1::uuid", survivor
    )
    for _, message in box.messages:
        text = message.get_payload(decode=True).decode()
        assert f"https://uponyaji.example.org/survivors/{survivor}" in text
        assert case_number not in text
        assert case_number not in str(message["Subject"])
    assert await deliver(pool, ps, smtp, settings.notify_addresses, settings.link_base) == 0


async def test_a_flag_answered_in_time_is_never_escalated(
    app: FastAPI, intake: FakeIntake, as_role: Callable[..., As], clock: FakeClock
) -> None:
    counsellor = as_role("counsellor")
    survivor = await risky(app, intake, counsellor)
    flag_id = (await counsellor.get(f"/survivors/{survivor}/risk-flags")).json()["flags"][0][
        "flag_id"
    ]
    clock.advance(hours=2)
    answer = await counsellor.post(
        f"/risk-flags/{flag_id}/resolution", {"actions": ["risk_assessed", "safety_plan"]}
    )
    assert answer.status_code == 201, answer.text
    ps, settings, _ = resources(app)
    clock.advance(hours=100)
    assert await escalate_due(ps, escalation_policy(settings)) == 0


def test_escalation_times_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="first < second"):
        EscalationPolicy(first=timedelta(hours=72), second=timedelta(hours=24))


async def test_work_dated_before_consent_needs_to_be_marked_retrospective(
    app: FastAPI, intake: FakeIntake, as_role: Callable[..., As], pool: asyncpg.Pool
) -> None:
    counsellor = as_role("counsellor")
    survivor = await intake.register(consent=False)
    await intake.grant(survivor, at=datetime(2026, 3, 1, 6, 0, tzinfo=UTC))  # 09:00 in Nairobi
    await intake.deliver(app)
    early = {
        "instrument": "GAD-7",
        "responses": [1] * 7,
        "administered_at": "2026-02-15T08:00:00+03:00",
    }
    before = await pool.fetchval("SELECT count(*) FROM events")
    refused = await counsellor.post(f"/survivors/{survivor}/assessments", early)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "WorkBeforeConsent"
    session = {"held_on": "2026-02-20", "duration_minutes": 50, "approach": "other"}
    assert (await counsellor.post(f"/survivors/{survivor}/sessions", session)).status_code == 409
    assert await pool.fetchval("SELECT count(*) FROM events") == before  # nothing written
    reason = {"retrospective_reason": "Paper forms from the February outreach, typed up now"}
    accepted = await counsellor.post(f"/survivors/{survivor}/assessments", {**early, **reason})
    assert accepted.status_code == 201, accepted.text
    late_session = await counsellor.post(f"/survivors/{survivor}/sessions", {**session, **reason})
    assert late_session.status_code == 201, late_session.text
    same_day = await counsellor.post(
        f"/survivors/{survivor}/sessions", {**session, "held_on": "2026-03-01"}
    )
    assert same_day.status_code == 201, same_day.text
    stored = await pool.fetchval(
        "SELECT payload->'retrospective_reason' FROM events "
        "WHERE type = 'psychosocial.AssessmentRecorded'"
    )
    assert stored is not None
    assert "February" not in stored  # sealed, not in clear


@dataclass
class Directory:
    """Identity's staff directory as delivery sees it: addresses of people and of role holders
    (identity's own `GET /staff/addresses` is tested with identity)."""

    people: dict[Any, str] = field(default_factory=dict)
    holders: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)

    async def addresses(self, staff: Any, role: str | None, team: str | None) -> list[str]:
        found = [self.people[s] for s in staff if s in self.people]
        return found + self.holders.get((role or "", team), [])


async def test_notifications_go_to_the_people_assigned_before_any_role_mailbox(
    app: FastAPI,
    intake: FakeIntake,
    as_role: Callable[..., As],
    mailbox: tuple[Mailbox, int],
) -> None:
    worker = Staff(roles=("counsellor",), teams=(NAIROBI,))
    survivor = await intake.register(worker=worker.staff_id)
    await intake.deliver(app)
    counsellor = as_role("counsellor")
    answer = await counsellor.post(
        f"/survivors/{survivor}/assessments", {"instrument": "PHQ-9", "responses": PHQ9_RISKY}
    )
    assert answer.status_code == 201, answer.text
    # The survivor's case worker sees it among their own notifications, by name.
    mine = As(counsellor.http, counsellor.key, worker)
    listed = (await mine.get("/notifications")).json()["notifications"]
    assert [n["link"] for n in listed] == [f"/survivors/{survivor}"]

    ps, settings, pool = resources(app)
    smtp = channel(settings)
    assert smtp is not None
    supervisor = "test.supervisor.alpha@example.org"
    people = Directory(
        people={worker.staff_id: "test.counsellor.alpha@example.org"},
        holders={("clinical_supervisor", str(NAIROBI)): [supervisor]},
    )
    sent = await deliver(pool, ps, smtp, settings.notify_addresses, settings.link_base, people)
    assert sent == 1
    box, _ = mailbox
    assert [sorted(rcpt) for rcpt, _ in box.messages] == [
        ["test.counsellor.alpha@example.org"],
        [supervisor],
    ]  # the people, one message each; the shared SUPERVISORS mailbox got nothing

    # Nobody's address known (e.g. no supervisor on the team has one): the role's mailbox.
    other = await risky(app, intake, counsellor)
    assert (
        await deliver(pool, ps, smtp, settings.notify_addresses, settings.link_base, Directory())
        == 1
    )
    assert box.messages[-1][0] == [SUPERVISORS]
    assert other in box.messages[-1][1].get_payload(decode=True).decode()

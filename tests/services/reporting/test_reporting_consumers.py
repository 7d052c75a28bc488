"""Consumers of synthetic intake, psychosocial, medical and empowerment stores: journeys, facts,
audit; rebuild = live."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from reporting_support import (
    COUNSELLOR,
    SURVIVORS,
    TEAM,
    Empowerment,
    Intake,
    Medical,
    Psychosocial,
    day,
    exact,
    programme_scenario,
    scenario,
    settings,
)
from uponyaji_events.consumer import Consumer
from uponyaji_events.contracts import psychosocial as p
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.migrate import directory_migrations, migrate
from uponyaji_reporting import consumers, queries, views
from uponyaji_reporting.projections import MIGRATIONS

NewDatabase = Callable[..., Any]
programmes_sources = ("medical", "empowerment")


@pytest.fixture
async def programmes(new_database: NewDatabase) -> tuple[Medical, Empowerment]:
    return Medical(await new_database()), Empowerment(await new_database())


@pytest.fixture
async def world(
    new_database: NewDatabase, programmes: tuple[Medical, Empowerment]
) -> tuple[asyncpg.Pool, Intake, Psychosocial, list[Consumer]]:
    intake, psychosocial = Intake(await new_database()), Psychosocial(await new_database())
    pool = await new_database()
    async with pool.acquire() as conn:
        await migrate(conn, directory_migrations(MIGRATIONS, "reporting"))
    medical, empowerment = programmes
    feeds = {
        "intake": intake.feed,
        "psychosocial": psychosocial.feed,
        "medical": medical.feed,
        "empowerment": empowerment.feed,
    }
    built = consumers.build(pool, settings("postgresql://unused", "nats://unused"), feeds)
    return pool, intake, psychosocial, built


async def catch_up(built: list[Consumer]) -> None:
    for c in built:
        await c.catch_up()


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[Any]]:
    return {
        table: sorted(
            (tuple(r) for r in await pool.fetch(f"SELECT * FROM {table}")),  # noqa: S608
            key=repr,
        )
        for table in ("journey_entries", "survivor_facts", "access_records", "dashboard_cells")
    }


async def test_journey_and_dashboard_from_consumed_events(world: Any) -> None:
    pool, intake, psychosocial, built = world
    await scenario(intake, psychosocial)
    await catch_up(built)
    journey = await queries.journey(pool, SURVIVORS[0], None)
    assert journey.case_number == "UPJ-2026-000001"
    assert [m.kind for m in journey.milestones] == [
        "registered",
        "case_assigned",
        "consent_granted",
        "incident_documented",
        "assessment",
        "session",
        "assessment",
    ]
    assert [str(p.score) for p in journey.trajectories["PHQ-9"]] == ["16", "9"]
    assert str(journey.outcome("PHQ-9")) == "reliable_recovery"
    assert journey.stages == {"intake": "assigned", "psychosocial": "in_counselling"}
    now = day("2026-03-15")
    assert journey.days_since_intake(now) == 73  # 1 Jan → 15 Mar
    assert journey.days_since_last_contact(now) == 5
    last = await queries.journey(pool, SURVIVORS[5], None)
    assert last.open_risk_flags == 1
    assert last.stages == {"intake": "closed", "psychosocial": "open_risk_flag"}

    board = await exact(pool)
    assert board["survivors"] == 6
    assert board["active_caseload"] == 5  # one closed on 1 March
    assert board["registrations_per_month"] == {"2026-01": 6}
    assert board["by_county"] == {"Nairobi": 6}
    assert board["by_gender"] == {"female": 4, "male": 2}
    assert board["by_perpetrator"] == {"kenya_police_service": 6}
    assert board["services_received"] == {"counselling": 5}
    assert board["time_to_first_service"] == {"survivors": 5, "median_days": 10}
    assert board["outcomes"]["PHQ-9"] == {
        "assessed_twice": 6,
        "reliable_improvement": 5,
        "reliable_improvement_percent": 83.3,
        "reliable_recovery": 5,
        "reliable_recovery_percent": 83.3,
        "deterioration": 0,
        "deterioration_percent": 0.0,
    }
    assert board["open_risk_flags"] == 1
    assert (await exact(pool, team=TEAM))["survivors"] == 6
    assert (await exact(pool, county="001"))["survivors"] == 0
    # Survivor 5 withdraws consent to de-identified reporting: no longer counted anywhere.
    await intake.consent(SURVIVORS[5], "2026-03-20", "deidentified_reporting", withdraw=True)
    await catch_up(built)
    board = await exact(pool)
    assert (board["survivors"], board["by_gender"], board["open_risk_flags"]) == (
        5,
        {"female": 4, "male": 1},
        0,
    )
    lag = await consumers.lag(built)
    assert lag["intake"]["behind"] == 0
    assert lag["psychosocial"]["head"] == lag["psychosocial"]["position"] > 0


async def test_as_of_returns_the_journey_as_it_stood(world: Any) -> None:
    pool, intake, psychosocial, built = world
    sid = SURVIVORS[0]
    await intake.register(sid, "UPJ-2026-000001", "047", "female", "2026-01-01")
    await psychosocial.phq9(sid, "2026-01-10", 16)
    await catch_up(built)
    await asyncio.sleep(0.05)
    between = datetime.now(UTC)
    await asyncio.sleep(0.05)
    await psychosocial.phq9(sid, "2026-03-10", 9)
    await catch_up(built)
    before = await queries.journey(pool, sid, between)
    after = await queries.journey(pool, sid, None)
    assert [str(p.score) for p in before.trajectories["PHQ-9"]] == ["16"]
    assert before.outcome("PHQ-9") is None
    assert [str(p.score) for p in after.trajectories["PHQ-9"]] == ["16", "9"]
    assert (await queries.journey(pool, sid, datetime(2020, 1, 1, tzinfo=UTC))).milestones == []


async def test_rebuild_from_zero_equals_live_and_duplicates_are_no_ops(
    world: Any, programmes: tuple[Medical, Empowerment]
) -> None:
    pool, intake, psychosocial, built = world
    medical, empowerment = programmes
    await scenario(intake, psychosocial)
    await programme_scenario(medical, empowerment)
    await psychosocial.accessed(SURVIVORS[1], str(SURVIVORS[2]), day("2026-03-11"))
    await catch_up(built)
    live = await snapshot(pool)
    assert len(live["access_records"]) == 1
    events = await psychosocial.feed.read(0, 1000)
    await built[1].apply(events)  # redelivered: nothing changes
    await built[3].apply(await empowerment.feed.read(0, 1000))
    assert await snapshot(pool) == live
    replayed = await consumers.rebuild(pool, built, progress=False)
    others = [await s.feed.read(0, 1000) for s in (intake, medical, empowerment)]
    assert replayed == sum(map(len, others)) + len(events)
    assert await snapshot(pool) == live


async def test_a_survivor_listed_twice_in_a_session_is_one_entry_live_and_rebuilt(
    world: Any,
) -> None:
    # The contract does not forbid listing a participant twice. Live, the second listing's
    # entry is left out by the insert; a rebuild (which inserts into emptied tables without
    # that check) must leave it out too, keep the first, and not fail on the repeat.
    pool, intake, psychosocial, built = world
    await scenario(intake, psychosocial)
    session = uuid4()
    listing = [
        {"survivor_id": SURVIVORS[0], "attendance": a, "notes": example_sealed("notes")}
        for a in ("attended", "missed")
    ]
    body = {
        "session_id": session,
        "kind": "group",
        "held_on": "2026-03-20",
        "duration_minutes": 90,
        "approach": "trauma_focused_cbt",
        "place": "office",
        "participants": listing,
    }
    await psychosocial.append(
        "session",
        session,
        "psychosocial.SessionRecorded",
        p.SessionRecorded,
        body,
        day("2026-03-20"),
        COUNSELLOR,
    )
    await catch_up(built)
    live = await snapshot(pool)
    position = await psychosocial.store.head()
    made = [e for e in live["journey_entries"] if e[1] == "psychosocial" and e[2] == position]
    assert [e[7]["attendance"] for e in made] == ["attended"]

    await consumers.rebuild(pool, built, progress=False)

    assert await snapshot(pool) == live


async def test_medical_and_empowerment_journeys_and_dashboard_rows(
    world: Any, programmes: tuple[Medical, Empowerment]
) -> None:
    pool, intake, psychosocial, built = world
    medical, empowerment = programmes
    await scenario(intake, psychosocial)
    await programme_scenario(medical, empowerment)
    await catch_up(built)
    first = await queries.journey(pool, SURVIVORS[0], None)
    kinds = [(m.source, m.kind) for m in first.milestones if m.source in programmes_sources]
    assert kinds == [
        ("empowerment", "needs_assessed"),
        ("empowerment", "plan_started"),
        ("medical", "examined"),
        ("medical", "form_issued"),
        ("medical", "treatment"),
        ("medical", "finding_documented"),
        ("medical", "overall_evaluation"),
        ("medical", "report_signed"),
        ("medical", "report_addendum"),
        ("empowerment", "grant_approved"),
        ("empowerment", "grant_disbursed"),
        ("empowerment", "grant_disbursed"),
        ("empowerment", "training_completed"),
        ("empowerment", "follow_up"),
    ]
    assert first.stages["medical"] == "report_signed"
    assert first.stages["empowerment"] == "followed_up"
    follow_up = next(m for m in first.milestones if m.kind == "follow_up")
    assert follow_up.data["monthly_income_kes"] == "8000.00"
    assert follow_up.data["business_operating"] is True
    answered = [
        (m.source, m.data["decision"])
        for sid in SURVIVORS[2:4]
        for m in (await queries.journey(pool, sid, None)).milestones
        if m.kind == "referral_answered"
    ]
    assert answered == [("medical", "accepted"), ("empowerment", "accepted")]
    outcome = [
        m
        for m in (await queries.journey(pool, SURVIVORS[1], None)).milestones
        if m.kind == "specialist_referral_outcome"
    ]
    assert [m.data["outcome"] for m in outcome] == ["seen"]
    # no sealed value, payment reference or its digest is ever copied
    stored = await pool.fetch("SELECT data::text AS d FROM journey_entries")
    assert stored
    assert not [r["d"] for r in stored if "sealed:" in r["d"] or "reference" in r["d"]]
    shown = views.journey(first, now=day("2026-05-01"), deidentified=True, as_of=None)
    details = [m["details"] for m in shown["milestones"]]
    assert not [k for d in details for k in d if k.endswith("_id") or k == "due_on"]

    board = await exact(pool)
    assert board["medical"] == {
        "survivors_examined": 6,
        "overall_consistency": {"highly_consistent": 5, "consistent": 1},
        "reports_signed": 5,
        "p3_issued": 1,
        "intake_to_signed_report": {"survivors": 5, "median_days": 29},  # 31, 30, 29, 28, 27
    }
    assert board["empowerment"] == {
        "grants_approved": {
            "Nairobi": {
                "2026-Q1": {"survivors": 5, "kes": 100000},  # 5 × 20,000
                "2026-Q2": {"survivors": 1, "kes": None},  # one survivor's grant: never a total
            }
        },
        "grants_disbursed": {"Nairobi": {"2026-Q1": {"survivors": 5, "kes": 100000}}},
        "survivors_trained": 5,
        "business_survival": {"followed_up": 6, "operating": 5, "operating_percent": 83.3},
        "income_change": {"increased": 5, "same": 0, "decreased": 1},  # 4's corrected
        "hunger_category_change": {"improved": 5, "same": 0, "worsened": 1},
    }
    assert (await exact(pool, county="001"))["empowerment"]["grants_approved"] == {}
    csv = views.csv_text(board)
    assert "empowerment.grants_approved.Nairobi.2026-Q1,kes,100000" in csv


async def test_medical_and_empowerment_are_followed_only_where_deployed(
    new_database: NewDatabase,
) -> None:
    pool = await new_database()
    alone = consumers.build(pool, settings("postgresql://unused", "nats://unused"))
    assert [c.source for c in alone] == ["intake", "psychosocial"]
    deployed = settings("postgresql://unused", "nats://unused").model_copy(
        update={"service_urls": {"medical": "http://127.0.0.1:8003"}}
    )
    assert [c.source for c in consumers.build(pool, deployed)] == [
        "intake",
        "psychosocial",
        "medical",
    ]


async def test_rebuild_refuses_without_a_readable_feed(world: Any) -> None:
    pool, intake, psychosocial, built = world
    await scenario(intake, psychosocial)
    await catch_up(built)
    live = await snapshot(pool)
    built[0].feed = None
    with pytest.raises(RuntimeError, match="no feed for intake"):
        await consumers.rebuild(pool, built, progress=False)
    assert await snapshot(pool) == live


async def test_audit_alerts_on_repeated_refusals(world: Any) -> None:
    pool, _, psychosocial, built = world
    curious, careful = str(SURVIVORS[4]), str(SURVIVORS[5])
    for n, sid in enumerate(SURVIVORS[:3]):
        await psychosocial.accessed(sid, curious, day("2026-03-11"), "not_found")
        await psychosocial.accessed(sid, careful, day(f"2026-03-1{n + 1}"), "not_found")
    await psychosocial.accessed(SURVIVORS[0], curious, day("2026-03-12"))
    await catch_up(built)
    assert (
        len(
            await queries.access_records(
                pool, staff_id=curious, survivor_id=None, start=None, end=None, limit=10
            )
        )
        == 4
    )
    alerts = await queries.access_alerts(pool, start=None, end=None)
    assert alerts == [
        {
            "staff_id": curious,
            "day": "2026-03-11",
            "survivors_read": 0,
            "survivors_outside_caseload": 0,
            "survivors_refused": 3,
            "searches": 0,
            "survivors_listed": 0,
            "reasons": ["repeated_refusals_off_caseload"],
        },
    ]


async def test_a_merged_record_joins_the_journey_kept_and_is_not_counted_twice(world: Any) -> None:
    pool, intake, psychosocial, built = world
    kept, duplicate = SURVIVORS[0], SURVIVORS[1]
    await intake.register(kept, "UPJ-2026-000001", "047", "female", "2026-01-01")
    await intake.register(duplicate, "UPJ-2026-000002", "001", "female", "2026-01-03")
    await psychosocial.phq9(duplicate, "2026-01-10", 16)
    await psychosocial.phq9(kept, "2026-03-10", 9)
    await intake.merge(kept, duplicate, "UPJ-2026-000002", "2026-03-11")
    await catch_up(built)
    journey = await queries.journey(pool, kept, None)
    assert journey.case_number == "UPJ-2026-000001"
    assert [str(p.score) for p in journey.trajectories["PHQ-9"]] == ["16", "9"]
    assert str(journey.outcome("PHQ-9")) == "reliable_recovery"
    board = await exact(pool)
    assert board["by_county"] == {"Nairobi": 1}  # the duplicate's county (001) is gone
    counted = await pool.fetchval("SELECT count(*) FROM survivor_facts WHERE merged_into IS NULL")
    assert counted == 1
    live = await snapshot(pool)
    await consumers.rebuild(pool, built, progress=False)
    assert await snapshot(pool) == live

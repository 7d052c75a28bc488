"""Reporting end to end: HTTP commands at intake and psychosocial → journey and dashboard.

Identity, intake, psychosocial and reporting run as processes (tests/e2e/reporting_stack.py); demo
staff sign in at identity. Every number below is a hand calculation written out as a literal.
The dashboard publishes counts randomly rounded to multiples of 5 (docs/disclosure.md): a hand
count that is a multiple of 5 is published as it is, any other as one of the two multiples of 5
around it (`published_as`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from reporting_stack import (
    Stack,
    consent,
    created,
    incident,
    phq9,
    registration,
    running_stack,
    session,
    spread,
    until_accepted,
)
from uponyaji_events.eat import eat_date
from uponyaji_events.eat import today as eat_today
from uponyaji_launcher.nats import EmbeddedNats

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def stack(
    own_nats: EmbeddedNats, new_database_url: Callable[[], str], tmp_path: Path
) -> Iterator[Stack]:
    """The four services on the test's own NATS (which the test may kill and restart)."""
    with running_stack(own_nats, new_database_url, tmp_path) as running:
        yield running


def fake_name() -> str:
    """A synthetic name sharing only "Fake" with any other (no duplicate candidates)."""
    return f"Fake {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}"


Summary = dict[str, Any]


def point(p: dict[str, Any]) -> tuple[Any, ...]:
    """A trajectory point as (score, RC from previous, change from previous, from first)."""
    return (p["score"], p["rc_from_previous"], p["change_from_previous"], p["change_from_first"])


def summary(journey: dict[str, Any]) -> Summary:
    """What the hand calculation predicts of a journey: milestones by kind, stages, flags and
    each trajectory as (score, RC from previous, change from previous, change from first)."""
    return {
        "milestones": dict(Counter(m["kind"] for m in journey["milestones"])),
        "stages": journey["stages"],
        "open_risk_flags": journey["open_risk_flags"],
        "trajectories": {
            name: [point(p) for p in points] for name, points in journey["trajectories"].items()
        },
    }


async def settle(
    fetch: Callable[[], Awaitable[Any]], expected: Any, what: str, seconds: float = 120.0
) -> Any:
    """Poll until `fetch()` equals `expected`, then assert it (a timeout shows the difference)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        got = await fetch()
        if got == expected or loop.time() > deadline:
            break
        await asyncio.sleep(0.2)
    assert got == expected, f"{what} did not settle to the hand-calculated value"
    return got


async def board(stack: Stack, month: str, **params: str) -> dict[str, Any]:
    """GET /dashboard of a month as the programme lead, without the `lag` and `selection`."""
    async with stack.client("reporting", "programme_lead") as lead:
        response = await lead.get(
            "/dashboard", params={"grain": "month", "period": month, **params}
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    body.pop("lag")
    assert body.pop("selection")["period"] == month
    return body


def published_as(got: Any, hand: Any, path: str = "board") -> list[str]:
    """Where a published dashboard differs from the hand counts: each count n must be published
    as n when n is a multiple of 5, else as one of the multiples of 5 around it; a breakdown row
    published as 0 is absent; anything else (a median, a percentage) must be equal, but `...`
    marks a value the test checks against the published counts itself."""
    if isinstance(hand, dict):
        if not isinstance(got, dict):
            return [f"{path}: {got!r} is not a table"]
        problems = [f"{path}.{k}: not in the hand count" for k in set(got) - set(hand)]
        for key, value in hand.items():
            absent = 0 if isinstance(value, int) and not isinstance(value, bool) else None
            problems += published_as(got.get(key, absent), value, f"{path}.{key}")
        return problems
    if hand is ...:  # checked against the published counts by the test itself
        return []
    if isinstance(hand, int) and not isinstance(hand, bool):
        low = hand - hand % 5
        allowed = {low} if hand % 5 == 0 else {low, low + 5}
        return [] if got in allowed else [f"{path}: {got!r} for {hand}, not one of {allowed}"]
    return [] if got == hand else [f"{path}: {got!r}, expected {hand!r}"]


async def settle_published(
    stack: Stack, month: str, hand: dict[str, Any], what: str, seconds: float = 60.0, **params: str
) -> dict[str, Any]:
    """Poll the dashboard until it is published as the hand count says, then assert it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        got = await board(stack, month, **params)
        problems = published_as(got, hand)
        if not problems or loop.time() > deadline:
            break
        await asyncio.sleep(0.2)
    assert not problems, f"{what} did not settle to the hand count: {problems}"
    return got


async def journey(stack: Stack, survivor_id: str, role: str = "counsellor") -> dict[str, Any]:
    """GET /journeys/{id} as a counsellor on the caseload (or another role)."""
    async with stack.client("reporting", role) as client:
        response = await client.get(f"/journeys/{survivor_id}")
    if response.status_code == 404:  # reporting has not heard of the registration yet
        return {"milestones": [], "stages": {}, "open_risk_flags": None, "trajectories": {}}
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# ------------------------------------------------------------------------------------------------
# 1. A handful of survivors: journeys and the dashboard exactly as a hand calculation gives them


@dataclass(frozen=True)
class Plan:
    """What staff do for one synthetic survivor, in order: intake first, then psychosocial."""

    county: str
    gender: str
    age_band: str
    incidents: tuple[tuple[list[str], list[str]], ...]
    phq9: tuple[tuple[int, int], ...] = ()  # (total, item 9)
    pcl5: tuple[int, ...] = ()
    who5: tuple[int, ...] = ()  # raw scores (the percentage is raw × 4)
    attendance: str | None = None
    referral: bool = False
    closed: bool = False
    reporting: bool = True  # consents to de-identified reporting


KPS, APS = "kenya_police_service", "administration_police_service"
PLANS = {
    "S1": Plan(
        "047",
        "female",
        "25-34",
        (([KPS], ["beating", "threats"]), ([KPS], ["beating", "burns"])),
        phq9=((16, 0), (8, 0)),
        pcl5=(50, 30),
        attendance="attended",
        referral=True,
    ),
    "S2": Plan(
        "047",
        "female",
        "25-34",
        (([KPS], ["beating"]),),
        phq9=((22, 0), (14, 0)),
        pcl5=(40, 35),
        attendance="attended",
    ),
    "S3": Plan(
        "047",
        "male",
        "25-34",
        (([APS, KPS], ["beating", "electric_shock"]),),
        phq9=((8, 0), (15, 1)),
        attendance="attended",
    ),
    "S4": Plan(
        "001",
        "female",
        "18-24",
        (([KPS], ["beating"]),),
        phq9=((12, 0), (6, 0)),
        who5=(5, 15),
        attendance="attended",
    ),
    "S5": Plan(
        "047",
        "female",
        "25-34",
        ((["kenya_defence_forces"], ["threats"]),),
        phq9=((18, 2), (10, 0)),
        attendance="attended",
    ),
    "S6": Plan(
        "042",
        "male",
        "45-54",
        (([KPS], ["beating", "falanga"]),),
        phq9=((20, 0), (4, 0)),
        attendance="missed",
    ),
    "S7": Plan(
        "047", "female", "25-34", ((["kenya_prisons_service"], ["stress_positions"]),), closed=True
    ),
    # S8 refuses de-identified reporting: in no published count (Lamu, intersex)
    "S8": Plan(
        "005", "intersex", "18-24", ((["kenya_defence_forces"], ["rape"]),), reporting=False
    ),
}

# Reliable change (Jacobson & Truax): SE_diff = SD × √2 × √(1 − r); reliable when |RC| > 1.96.
#   PHQ-9: 5.3 × √2 × √0.16 = 2.9981 (caseness ≥ 10)
#   PCL-5: 14 × √2 × √0.18 = 8.4 exactly (caseness ≥ 33)
#   WHO-5: 22 × √2 × √0.17 = 12.828 percentage points (caseness < 50 %, higher is better)
# S1 PHQ-9 16 → 8: −8/2.9981 = −2.67, 16 ≥ 10 and 8 < 10 → reliable recovery
#    PCL-5 50 → 30: −20/8.4 = −2.38, 50 ≥ 33 and 30 < 33 → reliable recovery
# S2 PHQ-9 22 → 14: −2.67, 14 still ≥ 10 → reliable improvement
#    PCL-5 40 → 35: −5/8.4 = −0.595 → −0.6, no reliable change
# S3 PHQ-9 8 → 15: +7/2.9981 = 2.33 → reliable deterioration; item 9 = 1 opens a risk flag
#    (after the attended session, which an open flag would have refused)
# S4 PHQ-9 12 → 6: −6/2.9981 = −2.0013 → −2.0, 12 ≥ 10 and 6 < 10 → reliable recovery
#    WHO-5 raw 5 → 15 = 20 % → 60 %: +40/12.828 = 3.12, 20 < 50 and 60 ≥ 50 → reliable recovery
# S5 PHQ-9 18 → 10: −2.67, 10 still ≥ 10 → reliable improvement; item 9 = 2 on the first
#    raised a flag, resolved by a safety response before the session
# S6 PHQ-9 20 → 4: −16/2.9981 = −5.3367 → −5.34 → reliable recovery; the session was missed
# S7 closed at intake (goals met) with no psychosocial work
REC, IMP, NONE, DET = (
    "reliable_recovery",
    "reliable_improvement",
    "no_reliable_change",
    "reliable_deterioration",
)
INTAKE_ONLY = {"registered": 1, "case_assigned": 1, "consent_granted": 3, "incident_documented": 1}
EXPECTED_JOURNEYS: dict[str, Summary] = {
    "S1": {
        "milestones": {
            **INTAKE_ONLY,
            "incident_documented": 2,
            "referral_made": 1,
            "assessment": 4,
            "session": 1,
        },
        "stages": {"intake": "assigned", "psychosocial": "in_counselling"},
        "open_risk_flags": 0,
        "trajectories": {
            "PCL-5": [("50", None, None, None), ("30", -2.38, REC, REC)],
            "PHQ-9": [("16", None, None, None), ("8", -2.67, REC, REC)],
        },
    },
    "S2": {
        "milestones": {**INTAKE_ONLY, "assessment": 4, "session": 1},
        "stages": {"intake": "assigned", "psychosocial": "in_counselling"},
        "open_risk_flags": 0,
        "trajectories": {
            "PCL-5": [("40", None, None, None), ("35", -0.6, NONE, NONE)],
            "PHQ-9": [("22", None, None, None), ("14", -2.67, IMP, IMP)],
        },
    },
    "S3": {
        "milestones": {**INTAKE_ONLY, "assessment": 2, "session": 1, "risk_flag_raised": 1},
        "stages": {"intake": "assigned", "psychosocial": "open_risk_flag"},
        "open_risk_flags": 1,
        "trajectories": {"PHQ-9": [("8", None, None, None), ("15", 2.33, DET, DET)]},
    },
    "S4": {
        "milestones": {**INTAKE_ONLY, "assessment": 4, "session": 1},
        "stages": {"intake": "assigned", "psychosocial": "in_counselling"},
        "open_risk_flags": 0,
        "trajectories": {
            "PHQ-9": [("12", None, None, None), ("6", -2.0, REC, REC)],
            "WHO-5": [("20", None, None, None), ("60", 3.12, REC, REC)],
        },
    },
    "S5": {
        "milestones": {
            **INTAKE_ONLY,
            "assessment": 2,
            "session": 1,
            "risk_flag_raised": 1,
            "risk_flag_resolved": 1,
        },
        "stages": {"intake": "assigned", "psychosocial": "in_counselling"},
        "open_risk_flags": 0,
        "trajectories": {"PHQ-9": [("18", None, None, None), ("10", -2.67, IMP, IMP)]},
    },
    "S6": {
        "milestones": {**INTAKE_ONLY, "assessment": 2, "session": 1},
        "stages": {"intake": "assigned", "psychosocial": "assessed"},
        "open_risk_flags": 0,
        "trajectories": {"PHQ-9": [("20", None, None, None), ("4", -5.34, REC, REC)]},
    },
    "S7": {
        "milestones": {**INTAKE_ONLY, "case_closed": 1},
        "stages": {"intake": "closed", "psychosocial": "not_started"},
        "open_risk_flags": 0,
        "trajectories": {},
    },
    "S8": {
        "milestones": {**INTAKE_ONLY, "consent_granted": 2},
        "stages": {"intake": "assigned", "psychosocial": "not_started"},
        "open_risk_flags": 0,
        "trajectories": {},
    },
}


# This stack runs no medical or empowerment service: reporting does not follow them, and their
# dashboard rows are all empty.
NO_PROGRAMMES: dict[str, Any] = {
    "medical": {
        "survivors_examined": 0,
        "overall_consistency": {},
        "reports_signed": 0,
        "p3_issued": 0,
        "intake_to_signed_report": {"survivors": 0, "median_days": None},
    },
    "empowerment": {
        "grants_approved": {},
        "grants_disbursed": {},
        "survivors_trained": 0,
        "business_survival": {"followed_up": 0, "operating": 0, "operating_percent": None},
        "income_change": {"increased": 0, "same": 0, "decreased": 0},
        "hunger_category_change": {"improved": 0, "same": 0, "worsened": 0},
    },
}


def hand_dashboard(month: str) -> dict[str, Any]:
    """The dashboard of S1–S7 counted by hand from PLANS (S8 refused de-identified reporting).

    Medians and percentages are shown only over at least 10 published survivors: five survivors
    waited for a first session (published as 5), so no median; PHQ-9's percentages are checked
    against the published counts in the test.
    """
    return {
        "survivors": 7,
        "active_caseload": 6,  # S7 was closed today, before the end of the month
        "registrations_per_month": {month: 7},
        "by_county": {"Mombasa": 1, "Kisumu": 1, "Nairobi": 5},  # S4 | S6 | S1 S2 S3 S5 S7
        "by_gender": {"female": 5, "male": 2},  # S1 S2 S4 S5 S7 | S3 S6
        "by_age_band": {"18-24": 1, "25-34": 5, "45-54": 1},  # S4 | S1 S2 S3 S5 S7 | S6
        "by_perpetrator": {  # once per survivor: S1's two police incidents count once
            "administration_police_service": 1,  # S3
            "kenya_defence_forces": 1,  # S5
            "kenya_police_service": 5,  # S1 S2 S3 S4 S6
            "kenya_prisons_service": 1,  # S7
        },
        "by_torture_method": {
            "beating": 5,  # S1 (twice, once counted) S2 S3 S4 S6
            "burns": 1,  # S1
            "electric_shock": 1,  # S3
            "falanga": 1,  # S6
            "stress_positions": 1,  # S7
            "threats": 2,  # S1 S5
        },
        # attended sessions: S1–S5 (S6 missed hers); S1's referral to psychosocial
        "services_received": {"counselling": 5, "referral_psychosocial": 1},
        "time_to_first_service": {"survivors": 5, "median_days": None},
        "outcomes": {
            # PHQ-9 twice: S1–S6 = 6. Improved (recoveries included): S1 S2 S4 S5 S6 = 5.
            # Recovered: S1 S4 S6 = 3. Worse: S3 = 1.
            "PHQ-9": {
                "assessed_twice": 6,
                "reliable_improvement": 5,
                "reliable_recovery": 3,
                "deterioration": 1,
                "reliable_improvement_percent": ...,
                "reliable_recovery_percent": ...,
                "deterioration_percent": ...,
            },
            # PCL-5 twice: S1 (recovered), S2 (no change)
            "PCL-5": {
                "assessed_twice": 2,
                "reliable_improvement": 1,
                "reliable_improvement_percent": None,
                "reliable_recovery": 1,
                "reliable_recovery_percent": None,
                "deterioration": 0,
                "deterioration_percent": None,
            },
            # WHO-5 twice: S4 (recovered)
            "WHO-5": {
                "assessed_twice": 1,
                "reliable_improvement": 1,
                "reliable_improvement_percent": None,
                "reliable_recovery": 1,
                "reliable_recovery_percent": None,
                "deterioration": 0,
                "deterioration_percent": None,
            },
        },
        "open_risk_flags": 1,  # S3 (S5's was resolved)
        **NO_PROGRAMMES,
    }


async def intake_part(officer: httpx.AsyncClient, plan: Plan) -> str:
    """Register, consent, incidents, referral, closure at intake; the survivor id."""
    body = registration(fake_name(), plan.county, plan.gender, plan.age_band)
    survivor = created(await officer.post("/survivors", json=body))["survivor_id"]
    scopes = ("documentation", "psychosocial_support", "deidentified_reporting")
    for scope in scopes if plan.reporting else scopes[:2]:
        created(await officer.post(f"/survivors/{survivor}/consents", json=consent(scope)))
    for perpetrators, methods in plan.incidents:
        created(
            await officer.post(
                f"/survivors/{survivor}/incidents", json=incident(perpetrators, methods)
            )
        )
    if plan.referral:
        referral = {"target": "psychosocial", "urgency": "routine"}
        created(await officer.post(f"/survivors/{survivor}/referrals", json=referral))
    if plan.closed:
        created(await officer.post(f"/survivors/{survivor}/closure", json={"reason": "goals_met"}))
    return str(survivor)


async def psychosocial_part(
    counsellor: httpx.AsyncClient, survivor: str, plan: Plan, held_on: date
) -> None:
    """First administrations, safety responses to any flag, the session, second administrations."""
    url = f"/survivors/{survivor}/assessments"
    rounds: list[list[dict[str, Any]]] = [[], []]
    for n, (total, item9) in enumerate(plan.phq9):
        rounds[n].append({"instrument": "PHQ-9", "responses": phq9(total, item9)})
    for n, total in enumerate(plan.pcl5):
        rounds[n].append({"instrument": "PCL-5", "responses": spread(total, 20, 4)})
    for n, raw in enumerate(plan.who5):
        rounds[n].append({"instrument": "WHO-5", "responses": spread(raw, 5, 5)})
    for body in rounds[0]:
        answer = created(await until_accepted(partial(counsellor.post, url, json=body)))
        if answer["risk_flag_id"] is not None:
            response = {"actions": ["risk_assessed", "safety_plan"], "referral": "none"}
            created(
                await counsellor.post(
                    f"/risk-flags/{answer['risk_flag_id']}/resolution", json=response
                )
            )
    if plan.attendance:
        body = session(held_on.isoformat(), plan.attendance)
        created(
            await until_accepted(
                partial(counsellor.post, f"/survivors/{survivor}/sessions", json=body)
            )
        )
    for body in rounds[1]:
        created(await counsellor.post(url, json=body))


async def test_commands_reach_journeys_and_dashboard_exactly(stack: Stack) -> None:
    held_on = eat_today()  # sessions on the day of registration, a Kenyan day
    async with (
        stack.client("intake", "intake_officer") as officer,
        stack.client("psychosocial", "counsellor") as counsellor,
    ):
        ids = {key: await intake_part(officer, plan) for key, plan in PLANS.items()}
        for key, plan in PLANS.items():
            if not plan.closed and plan.phq9:
                await psychosocial_part(counsellor, ids[key], plan, held_on)

    for key, expected in EXPECTED_JOURNEYS.items():

        async def fetch(key: str = key) -> Summary:
            return summary(await journey(stack, ids[key]))

        await settle(fetch, expected, f"journey of {key}", seconds=120)

    full = await journey(stack, ids["S1"])
    registered = datetime.fromisoformat(full["registered_at"])
    assert full["case_number"].startswith("UPJ-")
    month = eat_date(registered).strftime("%Y-%m")  # reporting counts Kenyan days
    whole = await settle_published(stack, month, hand_dashboard(month), "the dashboard")
    assert whole["registrations_per_month"][month] == whole["survivors"]  # the same seven
    assert whole["by_county"]["Nairobi"] == 5  # a multiple of 5 is published as it is
    assert "Lamu" not in whole["by_county"]  # S8 refused de-identified reporting
    assert "intersex" not in whole["by_gender"]
    phq = whole["outcomes"]["PHQ-9"]
    assessed = phq["assessed_twice"]
    for name in ("reliable_improvement", "reliable_recovery", "deterioration"):
        share = round(100 * phq[name] / assessed, 1) if assessed >= 10 else None
        assert phq[f"{name}_percent"] == share  # percentages of published counts only

    # The team filter selects the same seven survivors: every figure is the same figure. The
    # county selects S1 S2 S3 S5 S7, of whom S7 is closed: 5 survivors, 4 active.
    assert await board(stack, month, team=stack.team) == whole
    nairobi = await board(stack, month, county="047")
    assert nairobi["survivors"] == 5
    assert nairobi["active_caseload"] in (0, 5)
    assert (await board(stack, month, team=str(uuid.uuid4())))["survivors"] == 0
    async with stack.client("reporting", "programme_lead") as lead:
        refused = await lead.get("/dashboard", params={"from": "2026-01-01", "to": "2026-01-31"})
    assert refused.status_code == 422

    # the programme lead reads the same journey de-identified: no ids, no dates, days only
    lead = await journey(stack, ids["S1"], "programme_lead")
    assert (lead["deidentified"], lead["survivor_id"], lead["case_number"]) == (True, None, None)
    assert {m["at"] for m in lead["milestones"]} == {None}
    assert summary(lead) == EXPECTED_JOURNEYS["S1"]
    assert full["case_number"] not in str(lead)
    assert stack.team not in str(lead)


# ------------------------------------------------------------------------------------------------
# 2. NATS killed (SIGKILL) in the middle of a stream of commands and restarted on the same port

STREAM = 20  # survivors, each: register, two consents, PHQ-9, attended session, PHQ-9
WORKERS = 4  # staff working at once
KILL_AFTER = 6  # registrations before NATS is killed
DOWN_FOR = 3.0  # seconds NATS stays down while commands keep coming


def stream_plan(n: int) -> tuple[str, tuple[int, int]]:
    """Survivor n's gender and PHQ-9 totals: even n 16 → 8, odd n 12 → 10."""
    return ("female" if n % 2 == 0 else "male"), ((16, 8) if n % 2 == 0 else (12, 10))


# Even n: −8/2.9981 = −2.67, 16 ≥ 10 and 8 < 10 → reliable recovery.
# Odd n: −2/2.9981 = −0.667 → −0.67, no reliable change.
STREAM_JOURNEY = {
    "milestones": {
        "registered": 1,
        "case_assigned": 1,
        "consent_granted": 2,
        "assessment": 2,
        "session": 1,
    },
    "stages": {"intake": "assigned", "psychosocial": "in_counselling"},
    "open_risk_flags": 0,
}
RECOVERED = [("16", None, None, None), ("8", -2.67, REC, REC)]
UNCHANGED = [("12", None, None, None), ("10", -0.67, NONE, NONE)]


async def test_nats_killed_mid_stream_every_journey_complete_nothing_twice(stack: Stack) -> None:
    held_on = eat_today()  # a Kenyan day: from 21:00 UTC it is already tomorrow
    registered = asyncio.Event()
    count = 0
    work: asyncio.Queue[int] = asyncio.Queue()
    for n in range(STREAM):
        work.put_nowait(n)
    ids: dict[int, str] = {}
    answered: list[float] = []  # when each command's 2xx arrived (loop time)
    crash_window: list[float] = []  # killed at, restarted at
    loop = asyncio.get_running_loop()

    def done(response: httpx.Response) -> dict[str, Any]:
        body = created(response)
        answered.append(loop.time())
        return body

    async def staff() -> None:
        nonlocal count
        async with (
            stack.client("intake", "intake_officer") as officer,
            stack.client("psychosocial", "counsellor") as counsellor,
        ):
            while not work.empty():
                n = work.get_nowait()
                gender, (first, second) = stream_plan(n)
                body = registration(fake_name(), "047", gender, "25-34")
                survivor = done(await officer.post("/survivors", json=body))["survivor_id"]
                ids[n] = survivor
                count += 1
                if count == KILL_AFTER:
                    registered.set()
                for scope in ("psychosocial_support", "deidentified_reporting"):
                    body = consent(scope)
                    done(await officer.post(f"/survivors/{survivor}/consents", json=body))
                url = f"/survivors/{survivor}/assessments"
                phq = {"instrument": "PHQ-9", "responses": phq9(first)}
                done(await until_accepted(partial(counsellor.post, url, json=phq)))
                visit = session(held_on.isoformat())
                done(await counsellor.post(f"/survivors/{survivor}/sessions", json=visit))
                phq = {"instrument": "PHQ-9", "responses": phq9(second)}
                done(await counsellor.post(url, json=phq))

    async def crash() -> None:
        await registered.wait()
        stack.nats.kill()  # SIGKILL: no flush, no goodbye to clients
        crash_window.append(loop.time())
        await asyncio.sleep(DOWN_FOR)
        await asyncio.to_thread(stack.nats.start)  # same port, same store directory
        crash_window.append(loop.time())

    await asyncio.gather(crash(), *(staff() for _ in range(WORKERS)))
    assert len(ids) == STREAM
    killed, restarted = crash_window
    # mid-stream: commands were answered before, during (intake needs no NATS) and after
    assert min(answered) < killed < restarted < max(answered)
    assert any(killed < t < restarted for t in answered)

    for n, survivor in sorted(ids.items()):
        expected = {**STREAM_JOURNEY, "trajectories": {"PHQ-9": UNCHANGED if n % 2 else RECOVERED}}

        async def fetch(survivor: str = survivor) -> Summary:
            return summary(await journey(stack, survivor))

        await settle(fetch, expected, f"journey of stream survivor {n}", seconds=180)

    first = await journey(stack, ids[0])
    registered_on = eat_date(datetime.fromisoformat(first["registered_at"]))
    month = registered_on.strftime("%Y-%m")
    # 20 survivors, 10 female (even n) and 10 male, all in 047 and 25-34, all counselled on the
    # day of registration. PHQ-9 twice: 20; improved = recovered = the 10 even ones = 50.0 %.
    # Every count is a multiple of 5, so every figure is published exactly.
    nothing = {
        "assessed_twice": 0,
        "reliable_improvement": 0,
        "reliable_improvement_percent": None,
        "reliable_recovery": 0,
        "reliable_recovery_percent": None,
        "deterioration": 0,
        "deterioration_percent": None,
    }
    expected_board = {
        "survivors": 20,
        "active_caseload": 20,
        "registrations_per_month": {month: 20},
        "by_county": {"Nairobi": 20},
        "by_gender": {"female": 10, "male": 10},
        "by_age_band": {"25-34": 20},
        "by_perpetrator": {},
        "by_torture_method": {},
        "services_received": {"counselling": 20},
        "time_to_first_service": {"survivors": 20, "median_days": (held_on - registered_on).days},
        "outcomes": {
            "PHQ-9": {
                "assessed_twice": 20,
                "reliable_improvement": 10,
                "reliable_improvement_percent": 50.0,
                "reliable_recovery": 10,
                "reliable_recovery_percent": 50.0,
                "deterioration": 0,
                "deterioration_percent": 0.0,
            },
            "PCL-5": nothing,
            "WHO-5": nothing,
        },
        "open_risk_flags": 0,
        **NO_PROGRAMMES,
    }
    await settle(lambda: board(stack, month), expected_board, "the dashboard after the crash", 60)

    # Nothing arrives late and twice: a while later every journey and the dashboard are the same.
    await asyncio.sleep(3)
    for n, survivor in sorted(ids.items()):
        trajectory = UNCHANGED if n % 2 else RECOVERED
        assert summary(await journey(stack, survivor)) == {
            **STREAM_JOURNEY,
            "trajectories": {"PHQ-9": trajectory},
        }
    assert await board(stack, month) == expected_board

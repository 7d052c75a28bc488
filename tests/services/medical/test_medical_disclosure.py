"""Medical's programme figures under the shared disclosure control, on real PostgreSQL.

The old figures showed counts of 1 to 4 as "<5": the key's presence told that someone was there,
and one call against the next (a survivor examined in between) gave the exact difference. Now
every count is a multiple of 5 drawn by the records' keys, survivors without consent to
de-identified reporting are not counted, and date ranges are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from fastapi import FastAPI
from medical_api_support import EXAM, As, FakeIntake
from uponyaji_disclosure.rounding import Publisher
from uponyaji_medical.figures import aggregates

REPORTING = (*EXAM, "deidentified_reporting")


def encounter(kind: str) -> dict[str, str]:
    """An encounter of a kind, in Nairobi."""
    return {
        "kind": kind,
        "occurred_at": "2026-03-04T07:00:00+00:00",
        "county_code": "047",
        "facility": "Synthetic Clinic (FAKE)",
    }


async def examine(clinician: As, survivor: UUID, kind: str) -> UUID:
    """Record an encounter through the API; its id."""
    made = await clinician.post(f"/survivors/{survivor}/encounters", encounter(kind))
    assert made.status_code == 201, made.text
    return UUID(made.json()["id"])


def counts(figures: dict[str, Any]) -> list[int]:
    """Every published count of medical's figures."""
    return [
        *figures["examinations"].values(),
        *figures["overall_levels"].values(),
        figures["reports_signed"],
        figures["reports_with_addenda"],
    ]


async def test_figures_are_rounded_consent_bound_and_resist_differencing(
    app: FastAPI, intake: FakeIntake, clinician: As, as_staff: Callable[..., As], pool: Any
) -> None:
    consenting = [await intake.register(scopes=REPORTING) for _ in range(9)]
    refusing = [await intake.register(scopes=EXAM) for _ in range(6)]
    await intake.deliver(app)
    first = [await examine(clinician, s, "initial_assessment") for s in consenting[:8]]
    rare = [await examine(clinician, consenting[8], "emergency")]  # one person's visit
    # Six follow-ups of survivors who refused de-identified reporting: never counted.
    for survivor in refusing:
        await examine(clinician, survivor, "follow_up")

    lead = as_staff("programme_lead", teams=())
    before = (await lead.get("/aggregates")).json()
    publisher = Publisher(await pool.fetchval("SELECT secret FROM disclosure_secret"))
    assert before["disclosure"] == {"method": "cell-key random rounding", "rounding_base": 5}
    assert all(n % 5 == 0 for n in counts(before))
    # Close to the truth: 8 assessments are published as 5 or 10, exactly as their keys decide.
    assert before["examinations"]["initial_assessment"] == publisher.count(first) in (5, 10)
    # One emergency is published as 0 (absent, like nobody) or 5 (like up to 9), never as "<5".
    assert before["examinations"].get("emergency", 0) == publisher.count(rare) in (0, 5)
    assert "follow_up" not in before["examinations"]  # the six refusing survivors' visits
    assert before["reports_signed"] == 0
    assert before["median_days_intake_to_signed_report"] is None
    assert (await lead.get("/aggregates")).json() == before  # no fresh draw to average away

    # Adjacent calls: one more emergency in between. The difference is 0 or ±5, not 1.
    rare.append(await examine(clinician, consenting[0], "emergency"))
    after = (await lead.get("/aggregates")).json()
    moved = after["examinations"].get("emergency", 0) - before["examinations"].get("emergency", 0)
    assert moved in (-5, 0, 5)
    assert after["examinations"].get("emergency", 0) == publisher.count(rare)

    # Withdrawing consent removes the survivor's records from every figure.
    await intake.withdraw(consenting[8], "deidentified_reporting")
    await intake.deliver(app)
    withdrawn = (await lead.get("/aggregates")).json()
    assert withdrawn["examinations"].get("emergency", 0) == publisher.count(rare[1:])

    for field in ("from", "to"):
        refused = await lead.get("/aggregates", params={field: "2026-02-09"})
        assert refused.status_code == 422, refused.text
        problem = refused.json()["problems"][0]
        assert problem["field"] == f"query.{field}", refused.text
        assert "date ranges are not published" in str(problem), refused.text


def test_reports_with_addenda_against_reports_signed_differ_by_a_multiple_of_five() -> None:
    """The outcome-rows attack: 7 reports signed, 5 with addenda told exactly 2 without; now
    both are multiples of 5 within 4 of the truth, and the median needs 10 published."""
    publisher = Publisher(b"synthetic test secret (FAKE)")
    for _ in range(50):  # fresh report ids each time: many different draws
        reports: list[Any] = [
            {"report_id": uuid4(), "with_addenda": n < 5, "days": Decimal(10 + n)} for n in range(7)
        ]
        figures = aggregates(
            {"encounters": [], "overall_levels": [], "reports": reports}, publisher
        )
        signed, amended = figures["reports_signed"], figures["reports_with_addenda"]
        assert signed in (5, 10)
        assert amended == 5
        assert (signed - amended) % 5 == 0
        median_days = figures["median_days_intake_to_signed_report"]
        assert median_days == (13.0 if signed == 10 else None)

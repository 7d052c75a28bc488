"""Pure projection logic: journeys, reliable change and the dashboard, numbers by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reporting_support import rounded
from uponyaji_events import HttpFeed
from uponyaji_events.contracts import default_registry
from uponyaji_events.envelope import Actor, Event
from uponyaji_reporting.dashboard import Facts, Filter, aggregate, facts
from uponyaji_reporting.disclosure import MODULUS, Group, publish, publish_amount
from uponyaji_reporting.instruments import PARAMETERS, Change, classify, rci
from uponyaji_reporting.journey import fold
from uponyaji_reporting.milestones import Entry, entries
from uponyaji_service import QuietFeed

A = UUID("00000000-0000-7000-8000-00000000000a")
TEAM = "00000000-0000-7000-8000-0000000000c9"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def entry(position: int, kind: str, day: str, source: str = "intake", **data: Any) -> Entry:
    return Entry(A, source, position, kind, at(day), at(day), at(day), data)


def phq9(position: int, day: str, total: int, ident: str, **more: Any) -> Entry:
    data = {"assessment_id": ident, "instrument": "PHQ-9", "total": str(total)}
    data |= {"caseness_cutoff": "10", **more}
    return Entry(A, "psychosocial", position, "assessment", at(day), at(day), at(day), data)


JOURNEY = [
    entry(
        1,
        "registered",
        "2026-01-05",
        case_number="UPJ-2026-000001",
        county_code="047",
        gender="female",
        age_band="25-34",
    ),
    entry(2, "case_assigned", "2026-01-05", team_id=TEAM),
    entry(
        3,
        "incident_documented",
        "2026-01-06",
        perpetrators=["kenya_police_service"],
        methods=["beating", "falanga"],
    ),
    entry(4, "referral_made", "2026-01-06", target="psychosocial", referral_id="r1"),
    phq9(1, "2026-01-10", 16, "a1"),
    entry(2, "risk_flag_raised", "2026-01-10", "psychosocial", flag_id="f1"),
    entry(3, "risk_flag_resolved", "2026-01-11", "psychosocial", flag_id="f1"),
    entry(4, "session", "2026-01-20", "psychosocial", attendance="attended"),
    entry(5, "session", "2026-03-12", "psychosocial", attendance="missed"),
    phq9(6, "2026-02-10", 12, "a2"),
    phq9(7, "2026-03-10", 9, "a3"),
]


def test_parameters_reproduce_the_published_criteria() -> None:
    # 1.96 × SE_diff: PHQ-9 5.9 points (6-point criterion), GAD-7 3.8, PCL-5 16.5
    assert round(1.96 * PARAMETERS["PHQ-9"].se_diff, 1) == 5.9
    assert round(1.96 * PARAMETERS["GAD-7"].se_diff, 1) == 3.8
    assert round(1.96 * PARAMETERS["PCL-5"].se_diff, 1) == 16.5


def test_reliable_change_by_hand() -> None:
    # PHQ-9 SE_diff = 5.3 × √2 × √0.16 = 2.998; 16 → 9 is −7 / 2.998 = −2.33
    assert round(rci("PHQ-9", 16, 9), 2) == -2.33
    assert classify("PHQ-9", 16, 9, 10) == Change.RELIABLE_RECOVERY
    assert classify("PHQ-9", 16, 10, 10) == Change.RELIABLE_IMPROVEMENT  # 10 is still a case
    assert classify("PHQ-9", 16, 11, 10) == Change.NO_RELIABLE_CHANGE  # −5 / 2.998 = −1.67
    # WHO-5 runs the other way: SE_diff = 22 × √2 × √0.17 = 12.83
    assert classify("WHO-5", 32, 60, 50) == Change.RELIABLE_RECOVERY  # +28 → 2.18
    assert classify("WHO-5", 40, 60, 50) == Change.NO_RELIABLE_CHANGE  # +20 → 1.56
    assert classify("WHO-5", 60, 32, 50) == Change.RELIABLE_DETERIORATION
    # PCL-5: SE_diff = 14 × √2 × √0.18 = 8.40; 40 → 60 is +2.38: worse
    assert classify("PCL-5", 40, 60, 33) == Change.RELIABLE_DETERIORATION


def test_journey_orders_milestones_and_scores_trajectories() -> None:
    journey = fold(A, reversed(JOURNEY))
    assert journey.case_number == "UPJ-2026-000001"
    assert [m.kind for m in journey.milestones][:5] == [
        "registered",
        "case_assigned",
        "incident_documented",
        "referral_made",
        "assessment",
    ]
    points = journey.trajectories["PHQ-9"]
    assert [p.score for p in points] == [Decimal(16), Decimal(12), Decimal(9)]
    assert [p.rc_from_previous for p in points] == [None, -1.33, -1.0]
    assert [p.change_from_previous for p in points][1:] == [Change.NO_RELIABLE_CHANGE] * 2
    assert points[-1].change_from_first == Change.RELIABLE_RECOVERY
    assert journey.open_risk_flags == 0
    assert journey.stages == {"intake": "assigned", "psychosocial": "in_counselling"}
    now = at("2026-03-15")
    assert journey.days_since_intake(now) == 69  # 26 + 28 + 15
    assert journey.days_since_last_contact(now) == 5  # the PHQ-9 of 10 March; 12 March missed


def test_a_correction_supersedes_and_an_open_flag_shows() -> None:
    corrected = Entry(
        A,
        "psychosocial",
        8,
        "assessment_corrected",
        at("2026-03-10"),
        at("2026-03-11"),
        at("2026-03-11"),
        {
            "assessment_id": "a4",
            "supersedes": "a3",
            "instrument": "PHQ-9",
            "total": "11",
            "caseness_cutoff": "10",
        },
    )
    flag = entry(9, "risk_flag_raised", "2026-03-10", "psychosocial", flag_id="f2")
    journey = fold(A, [*JOURNEY, corrected, flag])
    assert [p.assessment_id for p in journey.trajectories["PHQ-9"]] == ["a1", "a2", "a4"]
    assert journey.outcome("PHQ-9") == Change.NO_RELIABLE_CHANGE  # 16 → 11: −1.67
    assert journey.open_risk_flags == 1
    assert journey.stages["psychosocial"] == "open_risk_flag"


def test_closure_erasure_and_stage() -> None:
    rows = [*JOURNEY[:2], entry(5, "case_closed", "2026-04-01", reason="goals_met")]
    assert fold(A, rows).stages["intake"] == "closed"
    rows += [
        entry(6, "erasure_requested", "2026-04-02"),
        entry(7, "erasure_completed", "2026-04-03"),
    ]
    assert fold(A, rows).stages["intake"] == "erased"


def test_events_become_entries_with_unsealed_fields_only() -> None:
    sealed = {"ciphertext": "x", "key_id": "k"}
    event = SimpleNamespace(
        type="intake.SurvivorRegistered",
        position=7,
        occurred_at=at("2026-01-05"),
        recorded_at=at("2026-01-05"),
        payload={
            "survivor_id": str(A),
            "case_number": "UPJ-2026-000001",
            "full_name": sealed,
            "phone": sealed,
            "county_code": "047",
            "gender": "male",
            "age_band": "18-24",
        },
    )
    (made,) = entries("intake", event)  # type: ignore[arg-type]
    assert made.kind == "registered"
    assert made.position == 7
    assert made.data == {
        "case_number": "UPJ-2026-000001",
        "county_code": "047",
        "gender": "male",
        "age_band": "18-24",
    }
    session = SimpleNamespace(
        type="psychosocial.SessionRecorded",
        position=3,
        occurred_at=at("2026-02-01"),
        recorded_at=at("2026-02-01"),
        payload={
            "session_id": "s",
            "kind": "group",
            "held_on": "2026-01-31",
            "duration_minutes": 60,
            "approach": "psychoeducation",
            "place": "office",
            "participants": [
                {"survivor_id": str(A), "attendance": "attended", "notes": sealed},
                {"survivor_id": TEAM, "attendance": "missed"},
            ],
        },
    )
    made_two = entries("psychosocial", session)  # type: ignore[arg-type]
    assert [(e.survivor_id, e.data["attendance"], e.at.date()) for e in made_two] == [
        (A, "attended", date(2026, 1, 31)),
        (UUID(TEAM), "missed", date(2026, 1, 31)),
    ]
    assert all("notes" not in e.data for e in made_two)


def test_facts_of_a_journey() -> None:
    f = facts(fold(A, JOURNEY))
    assert (f.team, f.county, f.gender, f.age_band) == (TEAM, "047", "female", "25-34")
    assert f.registered_on == date(2026, 1, 5)
    assert f.first_service_on == date(2026, 1, 20)
    assert f.methods == {"beating", "falanga"}
    assert f.services == {
        "counselling",
        "referral_psychosocial",
    }
    assert f.outcomes == {"PHQ-9": "reliable_recovery"}
    assert not f.reportable  # no consent to de-identified reporting in this journey


def test_days_and_periods_are_kenyan_days() -> None:
    """An instant after 21:00 UTC is the next day in Kenya (UTC+3): it counts there."""

    def late(position: int, kind: str, day: str, source: str = "intake", **data: Any) -> Entry:
        moment = datetime.fromisoformat(f"{day}T22:30:00+00:00")  # 01:30 the next day in Kenya
        return Entry(A, source, position, kind, moment, moment, moment, data)

    journey = [
        late(1, "registered", "2026-03-31", case_number="UPJ-2026-000002", county_code="047"),
        late(2, "session", "2026-04-30", "psychosocial", attendance="attended"),
        late(3, "case_closed", "2026-06-30"),
        late(4, "report_signed", "2026-04-01", "medical", encounter_id="e1"),
        late(5, "grant_disbursed", "2026-06-30", "empowerment", grant_id="g1", amount_kes="5000"),
    ]
    f = facts(fold(A, journey))
    assert f.registered_on == date(2026, 4, 1)  # counted in April, not March
    assert f.first_service_on == date(2026, 5, 1)
    assert f.closed_on == date(2026, 7, 1)
    keys = dict(f.programme)
    assert keys["intake_to_signed_report_days"] == "1"  # 1 April to 2 April in Kenya
    assert keys["grants_disbursed"] == "047|2026-Q3|5000.00"  # 1 July in Kenya: the third quarter
    folded = fold(A, journey)
    # 22:30 UTC on 2 April is already 3 April in Kenya: two days after registration on 1 April.
    assert folded.days_since_intake(datetime(2026, 4, 2, 22, 30, tzinfo=UTC)) == 2
    assert folded.days_since_intake(datetime(2026, 4, 2, 20, 30, tzinfo=UTC)) == 1


def test_reporting_consent_is_the_latest_decision() -> None:
    def consent(position: int, kind: str, day: str, scope: str) -> Entry:
        return entry(position, kind, day, scope=scope, method="verbal", party="survivor")

    granted = consent(90, "consent_granted", "2026-01-06", "deidentified_reporting")
    withdrawn = consent(91, "consent_withdrawn", "2026-02-06", "deidentified_reporting")
    other = consent(92, "consent_withdrawn", "2026-02-07", "documentation")
    assert facts(fold(A, [*JOURNEY, granted, other])).reportable
    assert not facts(fold(A, [*JOURNEY, granted, withdrawn])).reportable


QUARTER, HALF = MODULUS // 4, MODULUS // 2  # record-key sums drawing 0.25 and 0.5


def test_counts_are_rounded_to_the_base_by_the_group_key() -> None:
    # n = 3: rounded up when the draw (key / 2^32) is below 3/5, else down; a zero stays zero.
    assert publish(Group(0, 0)) == 0
    assert publish(Group(3, QUARTER)) == 5
    assert publish(Group(3, HALF + QUARTER)) == 0  # 0.75 >= 0.6
    assert publish(Group(12, QUARTER)) == 15  # 0.25 < 2/5
    assert publish(Group(12, HALF)) == 10  # 0.5 >= 2/5
    assert publish(Group(12, HALF + 7 * MODULUS)) == 10  # keys add modulo 2^32
    assert publish(Group(10, QUARTER)) == publish(Group(10, HALF)) == 10
    assert publish(Group(4, QUARTER), base=3) == 6  # 4 = 3 + 1: up when the draw < 1/3
    # Money to whole thousands: 12,400 KES rounds up when the draw is below 0.4.
    assert publish_amount(Decimal("12400.00"), Group(5, QUARTER)) == 13000
    assert publish_amount(Decimal("12400.00"), Group(5, HALF)) == 12000


def survivor(n: int, county: str, registered: str, **more: Any) -> Facts:
    sid = UUID(int=n)
    return Facts(
        sid,
        TEAM,
        county,
        "female" if n % 2 else "male",
        "25-34",
        date.fromisoformat(registered),
        **({"reportable": True} | more),
    )


def test_dashboard_by_hand() -> None:
    people = [
        # six in Nairobi (047) in January, with waits of 5, 10, 15, 20, 25 days for five of them
        *(
            survivor(
                n,
                "047",
                "2026-01-01",
                first_service_on=date(2026, 1, 1 + 5 * n),
                services=frozenset({"counselling"}),
                outcomes={"PHQ-9": "reliable_recovery" if n <= 3 else "no_reliable_change"},
            )
            for n in range(1, 6)
        ),
        survivor(6, "047", "2026-01-20", closed_on=date(2026, 1, 25), open_risk_flags=1),
        # two in Mombasa (001) in February, one erased
        survivor(7, "001", "2026-02-02", outcomes={"PHQ-9": "reliable_deterioration"}),
        survivor(8, "001", "2026-02-03", erased=True),
        survivor(9, "047", "2025-12-31"),  # before the period
        survivor(10, "047", "2026-01-02", reportable=False),  # refused de-identified reporting
    ]
    key = b"test secret 0123"
    early = Filter(date(2026, 1, 1), date(2026, 2, 28))
    # With a base of 1 nothing is rounded: the true counts, by hand.
    board = aggregate(people, early, date(2026, 3, 1), key, base=1)
    assert board["survivors"] == 8
    assert board["active_caseload"] == 6  # 8 − one closed − one erased
    assert board["registrations_per_month"] == {"2026-01": 6, "2026-02": 2}
    assert board["by_county"] == {"Mombasa": 2, "Nairobi": 6}
    assert board["by_gender"] == {"female": 4, "male": 4}  # 1,3,5,7 and 2,4,6,8
    assert board["services_received"] == {"counselling": 5}
    assert board["time_to_first_service"] == {"survivors": 5, "median_days": 15}
    phq = board["outcomes"]["PHQ-9"]
    assert phq["assessed_twice"] == 6
    assert phq["reliable_improvement"] == 3
    assert phq["reliable_improvement_percent"] == 50.0
    assert phq["deterioration"] == 1
    assert board["outcomes"]["WHO-5"]["assessed_twice"] == 0
    assert board["open_risk_flags"] == 1
    nairobi = aggregate(people, Filter(county="047"), date(2026, 3, 1), key, base=1)
    assert nairobi["survivors"] == 7
    assert nairobi["active_caseload"] == 6
    assert aggregate(people, Filter(team="other"), date(2026, 3, 1), key)["survivors"] == 0
    # Published with the base of 5: each figure one of the multiples of 5 around the truth;
    # medians and percentages only over at least 10 published survivors.
    board = aggregate(people, early, date(2026, 3, 1), key)
    assert rounded(board["survivors"], 8)
    assert rounded(board["active_caseload"], 6)
    assert rounded(board["by_gender"].get("female", 0), 4)
    assert rounded(board["services_received"].get("counselling", 0), 5)
    assert board["services_received"]["counselling"] == 5  # a multiple of 5 is exact
    assert board["time_to_first_service"] == {"survivors": 5, "median_days": None}
    assert board["outcomes"]["PHQ-9"]["reliable_improvement_percent"] is None
    assert rounded(board["outcomes"]["PHQ-9"]["deterioration"], 1)


@given(st.permutations(JOURNEY))
def test_the_journey_does_not_depend_on_arrival_order(rows: list[Entry]) -> None:
    assert fold(A, rows) == fold(A, JOURNEY)
    assert facts(fold(A, rows)) == facts(fold(A, JOURNEY))


async def test_a_feed_that_refuses_reads_as_empty_and_its_head_as_unknown() -> None:
    calls = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(401, json={"error": "Unauthenticated"})

    client = httpx.AsyncClient(transport=httpx.MockTransport(refuse), base_url="http://intake")
    feed = QuietFeed(HttpFeed(client), "intake")
    assert await feed.read(0, 10) == []
    for _ in range(3):
        with pytest.raises(ValueError, match="cannot be read"):
            await feed.head()
    assert calls == ["/feed", "/feed"]  # the head is asked once a second at most


@pytest.mark.parametrize("source", ["medical", "empowerment"])
def test_no_sealed_value_or_payment_reference_reaches_a_journey_entry(source: str) -> None:
    """Every example of every medical and empowerment contract, as reporting would store it."""
    made = 0
    for contract in default_registry():
        if contract.service != source:
            continue
        for payload in contract.examples():
            now = at("2026-03-01")
            event = Event(
                event_id=uuid4(),
                stream_type=contract.stream_type,
                stream_id="s",
                version=1,
                type=contract.type,
                schema_version=1,
                occurred_at=now,
                recorded_at=now,
                actor=Actor.system(source),
                correlation_id=uuid4(),
                causation_id=None,
                payload=payload,
                prev_hash=b"",
                hash=b"",
                position=1,
            )
            for made_entry in entries(source, event):
                made += 1
                text = json.dumps(made_entry.data, default=str)
                assert "sealed:" not in text, contract.type
                assert "reference" not in text, contract.type
                assert "signature" not in text, contract.type
    # one example each: medical's 11 milestone events (examined … referral answered, both ways),
    # empowerment's 9 (needs assessed and corrected … referral answered)
    assert made == {"medical": 11, "empowerment": 9}[source]


def test_a_rebuild_leaves_the_garbage_collector_as_it_found_it() -> None:
    # A rebuild collects cyclic garbage less often; the service's process gets its own
    # thresholds back afterwards, also when the rebuild fails.
    import gc

    from uponyaji_reporting.consumers import REBUILD_GC_THRESHOLD, fewer_collections

    before = gc.get_threshold()
    during: list[tuple[int, ...]] = []

    def failing_rebuild() -> None:
        with fewer_collections():
            during.append(gc.get_threshold())
            raise RuntimeError("a feed went away")

    with pytest.raises(RuntimeError):
        failing_rebuild()
    assert during[0][0] == max(before[0], REBUILD_GC_THRESHOLD)
    assert gc.isenabled()
    assert gc.get_threshold() == before

"""Reporting's API in-process: access per role, de-identified journeys, dashboard, CSV, audit."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from fastapi import FastAPI
from kit.tokens import SigningKey, Staff
from openpyxl import load_workbook
from reporting_support import (
    SURVIVORS,
    TEAM,
    Empowerment,
    Intake,
    Psychosocial,
    rounded,
    scenario,
    settings,
)
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_reporting import queries
from uponyaji_reporting.app import create_app
from uponyaji_service import running

KEY = SigningKey(audience="reporting")
SVG_TEXT = "{http://www.w3.org/2000/svg}text"
OTHER_TEAM = "0190a8e5-7c00-7000-8000-0000000000b2"


def token(roles: tuple[str, ...], teams: tuple[str, ...] = (TEAM,), sub: str | None = None) -> str:
    staff = Staff(roles=roles, teams=teams, staff_id=uuid.UUID(sub) if sub else uuid.uuid4())
    return KEY.token(staff)


@pytest.fixture
async def intake(new_database: Callable[..., Any]) -> Intake:
    return Intake(await new_database())


@pytest.fixture
async def app(
    tmp_path: Path,
    intake: Intake,
    new_database: Callable[..., Any],
    new_database_url: Callable[[], str],
    nats_server: EmbeddedNats,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[FastAPI]:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(KEY.jwks()))
    monkeypatch.setenv("UPONYAJI_ENV", "test")
    monkeypatch.setenv("REPORTING_JWKS_FILE", str(jwks))
    monkeypatch.setenv("REPORTING_IDENTITY_URL", "http://127.0.0.1:9")
    psychosocial = Psychosocial(await new_database())
    await scenario(intake, psychosocial)
    empowerment = Empowerment(await new_database())  # deployed, nothing recorded yet
    feeds = {
        "intake": intake.feed,
        "psychosocial": psychosocial.feed,
        "empowerment": empowerment.feed,
    }
    application = create_app(settings(new_database_url(), nats_server.url), feeds=feeds)
    async with application.router.lifespan_context(application):
        await catch_up(application)
        yield application


async def catch_up(app: FastAPI) -> None:
    for consumer in running(app).consumers.values():
        await consumer.catch_up()


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[Callable[..., Any]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as client:

        async def get(url: str, *roles: str, teams: tuple[str, ...] = (TEAM,), **kw: Any) -> Any:
            headers = {"Authorization": f"Bearer {token(roles, teams, kw.pop('sub', None))}"}
            return await client.get(url, headers=headers, **kw)

        yield get


async def test_case_workers_see_the_journey_programme_leads_it_de_identified(http: Any) -> None:
    url = f"/journeys/{SURVIVORS[0]}"
    full = (await http(url, "counsellor")).json()
    assert full["case_number"] == "UPJ-2026-000001"
    assert [p["score"] for p in full["trajectories"]["PHQ-9"]] == ["16", "9"]
    assert full["trajectories"]["PHQ-9"][1]["change_from_first"] == "reliable_recovery"
    assert full["lag"]["intake"]["behind"] == 0
    lead = (await http(url, "programme_lead")).json()
    assert lead["deidentified"] is True
    assert (lead["case_number"], lead["survivor_id"], lead["registered_at"]) == (None, None, None)
    assert {m["at"] for m in lead["milestones"]} == {None}
    assert [m["day"] for m in lead["milestones"]] == [0, 0, 0, 0, 9, 10, 68]
    text = json.dumps(lead)
    assert "UPJ-2026" not in text
    assert TEAM not in text
    assert (await http(url, "counsellor", teams=(OTHER_TEAM,))).status_code == 404
    assert (await http(f"/journeys/{uuid.uuid4()}", "counsellor")).status_code == 404
    assert (await http(url, "admin")).status_code == 403
    assert (await http(url, "data_protection_officer")).status_code == 403
    bad = await http(url, "counsellor", params={"as_of": "yesterday"})
    assert bad.status_code == 422
    assert bad.json()["problems"][0]["field"] == "query.as_of"


async def test_as_of_through_the_api(http: Any) -> None:
    url = f"/journeys/{SURVIVORS[0]}"
    old = await http(url, "counsellor", params={"as_of": "2020-01-01T00:00:00Z"})
    assert old.json()["milestones"] == []
    naive = await http(url, "counsellor", params={"as_of": "2030-01-01T00:00:00"})
    assert naive.status_code == 422
    assert "as_of" in naive.json()["detail"]


YEAR = {"grain": "year", "period": "2026"}


async def test_dashboard_is_published_rounded_for_whole_periods(http: Any) -> None:
    board = (await http("/dashboard", "programme_lead", params=YEAR)).json()
    assert board["selection"]["period"] == "2026"
    assert board["selection"]["rounding_base"] == 5
    # Six registered in January 2026 (four women, two men); one case closed; one open flag.
    assert rounded(board["survivors"], 6)
    assert board["active_caseload"] == 5  # 6 − the case closed on 1 March: a multiple of 5
    assert rounded(board["by_gender"].get("female", 0), 4)
    assert rounded(board["by_gender"].get("male", 0), 2)
    assert rounded(board["open_risk_flags"], 1)
    assert board["by_county"] == {"Nairobi": board["survivors"]}  # the same six: the same figure
    phq = board["outcomes"]["PHQ-9"]  # 6 assessed twice, 5 recovered
    assert rounded(phq["assessed_twice"], 6)
    assert phq["reliable_recovery"] == 5
    whole = phq["assessed_twice"]
    assert phq["reliable_recovery_percent"] == (50.0 if whole == 10 else None)
    # medical is not deployed here (no URL, no feed): not followed; empowerment is, and is empty
    assert set(board["lag"]) == {"intake", "psychosocial", "empowerment", "reporting"}
    assert board["lag"]["empowerment"] == {"position": 0, "head": 0, "behind": 0}
    assert board["empowerment"]["grants_approved"] == {}
    assert board["medical"]["survivors_examined"] == 0
    # The quarter and the month hold the same six survivors: every count is the same figure,
    # but for the active caseload at the end of January, before the case closed on 1 March.
    for grain, period in (("quarter", "2026-Q1"), ("month", "2026-01")):
        other = (
            await http("/dashboard", "programme_lead", params={"grain": grain, "period": period})
        ).json()
        skipped = ["selection", "lag"] + (["active_caseload"] if grain == "month" else [])
        assert {k: v for k, v in other.items() if k not in skipped} == {
            k: v for k, v in board.items() if k not in skipped
        }
    january = (
        await http("/dashboard", "programme_lead", params={"grain": "month", "period": "2026-01"})
    ).json()
    assert rounded(january["active_caseload"], 6)
    march = await http(
        "/dashboard", "programme_lead", params={"grain": "month", "period": "2026-03"}
    )
    assert march.json()["survivors"] == 0
    assert (await http("/dashboard", "counsellor")).status_code == 403
    assert (await http("/dashboard", "data_protection_officer")).status_code == 200


REFUSED = [
    ({"from": "2026-01-01"}, "query.from"),
    ({"to": "2026-01-31", "grain": "month"}, "query.to"),
    ({"grain": "week"}, "query.grain"),
    ({"grain": "month", "period": "2026-13"}, "query.period"),
    ({"grain": "quarter", "period": "2026-03"}, "query.period"),
    ({"grain": "year", "period": "1999"}, "query.period"),
    ({"county": "47"}, "query.county"),
    ({"county": "048"}, "query.county"),
    ({"lang": "fr"}, "query.lang"),
]


async def test_date_ranges_and_malformed_selections_are_refused(http: Any) -> None:
    for params, field in REFUSED:
        for path in (
            "/dashboard",
            "/dashboard.csv",
            "/dashboard.xlsx",
            "/dashboard/charts/gender.svg",
        ):
            response = await http(path, "programme_lead", params=params)
            assert response.status_code == 422, (path, params)
            assert response.json()["problems"][0]["field"] == field, (path, params)


async def test_the_same_figure_everywhere_for_every_grain(http: Any) -> None:
    """Dashboard, CSV, XLSX and charts publish one figure per row, for each grain."""
    for grain, period in (("month", "2026-01"), ("quarter", "2026-Q1"), ("year", "2026")):
        params = {"grain": grain, "period": period}
        board = (await http("/dashboard", "programme_lead", params=params)).json()
        csv_rows = list(
            csv.reader(
                io.StringIO((await http("/dashboard.csv", "programme_lead", params=params)).text)
            )
        )[1:]
        book = load_workbook(
            io.BytesIO((await http("/dashboard.xlsx", "programme_lead", params=params)).content)
        )
        sheet_rows = [tuple(r) for r in book["dashboard"].iter_rows(min_row=2, values_only=True)]
        in_csv = {(t, r): v for t, r, v in csv_rows}
        in_xlsx = {(t, r): v for t, r, v in sheet_rows}
        assert in_csv.keys() == in_xlsx.keys()
        for where, value in in_xlsx.items():  # numbers are numbers, text is text
            if isinstance(value, int | float):  # the sheet reads 50.0 back as 50
                assert float(in_csv[where]) == value, where
            else:
                assert in_csv[where] == ("" if value is None else str(value)), where
        assert in_xlsx[("survivors", "total")] == board["survivors"]
        assert in_xlsx[("selection", "period")] == period
        for table, chart in (
            ("by_gender", "gender"),
            ("by_county", "county"),
            ("registrations_per_month", "registrations"),
        ):
            for row, count in board[table].items():
                assert in_xlsx[(table, row)] == count
                assert in_csv[(table, row)] == str(count)
            svg = await http(f"/dashboard/charts/{chart}.svg", "programme_lead", params=params)
            texts = svg_texts(svg.text)
            for row, count in board[table].items():
                assert row in texts
                assert str(count) in texts
        assert book["about"]["A1"].value == "disclosure control"
        assert "rounded to a multiple of the rounding base" in str(book["about"]["B1"].value)


async def test_csv_export(http: Any) -> None:
    response = await http("/dashboard.csv", "programme_lead", params=YEAR)
    assert response.status_code == 200
    lines = response.text.splitlines()
    assert lines[0] == "table,row,value"
    board = (await http("/dashboard", "programme_lead", params=YEAR)).json()
    assert f"survivors,total,{board['survivors']}" in lines
    assert "outcomes.PHQ-9,reliable_recovery,5" in lines
    assert "selection,grain,year" in lines
    assert "selection,rounding_base,5" in lines
    assert not any("<5" in line for line in lines)
    assert json.loads(response.headers["X-Uponyaji-Lag"])["intake"]["behind"] == 0
    assert (await http("/dashboard.csv", "data_protection_officer")).status_code == 403


async def test_audit_review_lists_journey_reads(app: FastAPI, http: Any) -> None:
    reader = str(uuid.uuid4())
    assert (await http(f"/journeys/{SURVIVORS[1]}", "counsellor", sub=reader)).status_code == 200
    await catch_up(app)
    audit = await http("/audit", "data_protection_officer", params={"staff_id": reader})
    (record,) = audit.json()["records"]
    assert record["survivor_id"] == str(SURVIVORS[1])
    assert (record["action"], record["source"], record["outcome"]) == (
        "journey.read",
        "reporting",
        "allowed",
    )
    assert (await http("/audit", "programme_lead")).status_code == 403
    bad = await http("/audit", "data_protection_officer", params={"staff_id": "x"})
    assert bad.json()["problems"][0]["field"] == "query.staff_id"


async def test_audit_review_alerts_on_many_survivors_read_off_the_caseload(
    app: FastAPI, http: Any
) -> None:
    wanderer = str(uuid.uuid4())
    # Ten survivors read off the caseload in one UTC day, as another service recorded it.
    at = datetime(2026, 3, 11, 12, tzinfo=UTC)
    for n in range(queries.OUTSIDE_CASELOAD_A_DAY):
        await running(app).parts.pool.execute(
            "INSERT INTO access_records (source, position, staff_id, role, action, survivor_id, "
            "purpose, outcome, route, at, on_caseload) VALUES ('intake', $1, $2, "
            "'intake_officer', 'survivor.read', $3, 'care', 'allowed', '/survivors/{survivor_id}', "
            "$4, false)",
            1_000_000 + n,
            wanderer,
            uuid.uuid4(),
            at + timedelta(minutes=n),
        )

    audit = (await http("/audit", "data_protection_officer")).json()

    theirs = [r for r in audit["records"] if r["staff_id"] == wanderer]
    assert len(theirs) == queries.OUTSIDE_CASELOAD_A_DAY
    assert {r["on_caseload"] for r in theirs} == {False}
    [alert] = audit["alerts"]
    assert (alert["staff_id"], alert["day"], alert["survivors_outside_caseload"]) == (
        wanderer,
        "2026-03-11",
        queries.OUTSIDE_CASELOAD_A_DAY,
    )
    assert alert["reasons"] == ["many_survivors_outside_caseload_in_a_day"]
    day = await http("/audit", "data_protection_officer", params={"from": "2026-03-12T00:00:00Z"})
    assert day.json()["alerts"] == []


async def test_audit_review_says_whose_caseload_each_journey_read_was_on(
    app: FastAPI, http: Any
) -> None:
    reader, lead = str(uuid.uuid4()), str(uuid.uuid4())
    ours = await http(f"/journeys/{SURVIVORS[1]}", "counsellor", sub=reader)
    theirs = await http(f"/journeys/{SURVIVORS[2]}", "counsellor", teams=(OTHER_TEAM,), sub=reader)
    deidentified = await http(f"/journeys/{SURVIVORS[3]}", "programme_lead", teams=(), sub=lead)
    assert (ours.status_code, theirs.status_code, deidentified.status_code) == (200, 404, 200)
    await catch_up(app)

    records = (await http("/audit", "data_protection_officer")).json()["records"]

    assert sorted((r["outcome"], r["on_caseload"]) for r in records if r["staff_id"] == reader) == [
        ("allowed", True),
        ("not_found", False),
    ]
    [read] = [r for r in records if r["staff_id"] == lead]
    assert (read["outcome"], read["on_caseload"]) == ("allowed", False)


def svg_texts(svg: str) -> list[str | None]:
    root = ElementTree.fromstring(svg)  # noqa: S314  # our own output, parsed to check it
    return [t.text for t in root.iter(SVG_TEXT)]


async def test_charts_are_svg_with_titles_and_no_small_cell_values(http: Any) -> None:
    chart = await http(f"/journeys/{SURVIVORS[0]}/chart.svg", "counsellor")
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert json.loads(chart.headers["X-Uponyaji-Lag"])["intake"]["behind"] == 0
    texts = svg_texts(chart.text)
    assert "Score trajectories — UPJ-2026-000001" in texts
    assert {"PHQ-9 score", "Days since intake", "16", "9", "recovery"} <= set(texts)
    lead = await http(f"/journeys/{SURVIVORS[0]}/chart.svg", "programme_lead")
    assert "UPJ-2026" not in lead.text
    gender = await http("/dashboard/charts/gender.svg", "programme_lead", params=YEAR)
    texts = svg_texts(gender.text)
    assert "<5" not in texts  # published counts only: female 4 and male 2 are never drawn
    assert "4" not in texts
    assert "2" not in texts
    assert "Survivors by gender" in texts
    assert "2026; counts rounded to multiples of 5" in texts
    unknown = await http("/dashboard/charts/names.svg", "programme_lead")
    assert unknown.status_code == 422
    assert unknown.json()["problems"][0]["field"] == "path.name"
    assert (await http("/dashboard/charts/county.svg", "counsellor")).status_code == 403


async def test_xlsx_export(http: Any) -> None:
    response = await http("/dashboard.xlsx", "programme_lead", params=YEAR)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["dashboard", "about"]
    rows = {(t, r): v for t, r, v in book["dashboard"].iter_rows(min_row=2, values_only=True)}
    assert isinstance(rows[("survivors", "total")], int)
    assert rows[("selection", "period")] == "2026"  # text, not the number 2026
    assert (await http("/dashboard.xlsx", "counsellor")).status_code == 403


async def test_reporting_confirms_erasure_requests_naming_it_once(
    app: FastAPI, intake: Intake
) -> None:
    mine = await intake.request_erasure(SURVIVORS[2], "UPJ-2026-000003", ["intake", "reporting"])
    await intake.request_erasure(SURVIVORS[3], "UPJ-2026-000004", ["intake", "psychosocial"])
    await catch_up(app)
    await running(app).consumer("intake").apply(await intake.feed.read(0, 1000))  # redelivered
    pool = running(app).parts.pool
    rows = await pool.fetch(
        "SELECT stream_id, payload FROM events WHERE type = 'reporting.DataKeyDestroyed'"
    )
    assert [r["stream_id"] for r in rows] == [str(mine)]
    payload = rows[0]["payload"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert payload["survivor_id"] == str(SURVIVORS[2])
    assert payload["key_id"] is None
    journey = await queries.journey(pool, SURVIVORS[2], None)
    assert journey.stages["intake"] == "erasure_requested"

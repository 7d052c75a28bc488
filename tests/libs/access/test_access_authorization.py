"""403 for roles the policy denies, 404 off the caseload, field rules, scopes, misconfiguration."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

import httpx
import pytest
from access_support import Mint, Staff, bearer
from access_testapp import World, create_app
from fastapi import Depends, FastAPI
from uponyaji_access import Access, Grant, MisconfiguredRoute, authorize, install_access

TEAM = "team-nairobi"


async def get(client: httpx.AsyncClient, mint: Mint, staff: Staff, path: str) -> httpx.Response:
    return await client.get(path, headers=bearer(mint(staff)))


async def test_roles_the_policy_denies_get_403(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    survivor = world.add_survivor(teams=(TEAM,))
    admin = Staff(("admin",), teams=(TEAM,))
    response = await get(client, mint, admin, f"/survivors/{survivor}")
    assert response.status_code == 403
    assert response.json() == {
        "error": "Forbidden",
        "detail": "your roles do not allow survivor.read",
    }
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    assert (
        await get(client, mint, counsellor, f"/survivors/{survivor}/medical")
    ).status_code == 403
    lead = Staff(("programme_lead",), teams=(TEAM,))
    assert (await get(client, mint, lead, f"/survivors/{survivor}")).status_code == 403
    # A denied role learns nothing about existence: 403 for an unknown survivor too.
    assert (await get(client, mint, admin, f"/survivors/{uuid.uuid4()}")).status_code == 403
    assert world.handled["survivor.read"] == 0
    assert world.handled["medical.read"] == 0


async def test_off_caseload_is_indistinguishable_from_unknown(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    theirs = world.add_survivor(teams=("team-mombasa",))
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    off = await get(client, mint, counsellor, f"/survivors/{theirs}")
    unknown = await get(client, mint, counsellor, f"/survivors/{uuid.uuid4()}")
    garbage = await get(client, mint, counsellor, "/survivors/not-a-uuid")
    assert off.status_code == unknown.status_code == garbage.status_code == 404
    assert off.json() == unknown.json() == garbage.json()
    assert world.handled["survivor.read"] == 0


async def test_on_caseload_by_team_or_as_case_worker(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    worker = Staff(("counsellor",), teams=("team-elsewhere",))
    by_team = world.add_survivor(teams=(TEAM,))
    by_worker = world.add_survivor(teams=("team-mombasa",), workers=(worker.staff_id,))
    colleague = Staff(("counsellor",), teams=(TEAM,))
    assert (await get(client, mint, colleague, f"/survivors/{by_team}")).status_code == 200
    assert (await get(client, mint, worker, f"/survivors/{by_worker}")).status_code == 200
    assert (await get(client, mint, worker, f"/survivors/{by_team}")).status_code == 404


async def test_identity_fields_only_for_intake_officers_and_case_workers(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    worker = Staff(("counsellor",), teams=(TEAM,))
    survivor = world.add_survivor(teams=(TEAM,), workers=(worker.staff_id,))
    name = world.survivors[survivor]["full_name"]
    officer = Staff(("intake_officer",), teams=(TEAM,))
    team_counsellor = Staff(("counsellor",), teams=(TEAM,))
    team_clinician = Staff(("clinician",), teams=(TEAM,))
    assert (await get(client, mint, officer, f"/survivors/{survivor}")).json()["full_name"] == name
    assert (await get(client, mint, worker, f"/survivors/{survivor}")).json()["full_name"] == name
    for staff in (team_counsellor, team_clinician):
        shown = (await get(client, mint, staff, f"/survivors/{survivor}")).json()
        assert shown["full_name"] is None
        assert shown["phone"] is None
        assert shown["case_number"] == world.survivors[survivor]["case_number"]


async def test_counselling_notes_only_for_counsellors(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    survivor = world.add_survivor(teams=(TEAM,))
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    clinician = Staff(("clinician",), teams=(TEAM,))
    notes = world.survivors[survivor]["notes"]
    path = f"/survivors/{survivor}/sessions"
    assert (await get(client, mint, counsellor, path)).json()[0]["notes"] == notes
    assert (await get(client, mint, clinician, path)).json()[0]["notes"] is None


async def test_medico_legal_findings_only_for_clinicians(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    survivor = world.add_survivor(teams=(TEAM,))
    clinician = Staff(("clinician",), teams=(TEAM,))
    path = f"/survivors/{survivor}/medical"
    findings = world.survivors[survivor]["injuries"]
    assert (await get(client, mint, clinician, path)).json() == {"injuries": findings}


async def test_programme_leads_get_deidentified_journeys(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    survivor = world.add_survivor(teams=("team-mombasa",))
    lead = Staff(("programme_lead",))
    journey = await get(client, mint, lead, f"/journeys/{survivor}")
    assert journey.status_code == 200
    assert journey.json()["case_number"] is None
    assert (await get(client, mint, lead, f"/journeys/{uuid.uuid4()}")).status_code == 404
    assert (await get(client, mint, lead, "/dashboard")).status_code == 200
    counsellor = Staff(("counsellor",), teams=("team-mombasa",))
    journey = await get(client, mint, counsellor, f"/journeys/{survivor}")
    assert journey.json()["case_number"] == world.survivors[survivor]["case_number"]


async def test_lists_under_caseload_scope_are_filtered(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    ours = world.add_survivor(teams=(TEAM,))
    world.add_survivor(teams=("team-mombasa",))
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    officer = Staff(("intake_officer",), teams=(TEAM,))
    assert (await get(client, mint, counsellor, "/survivors")).json() == [
        world.survivors[ours]["case_number"]
    ]
    assert len((await get(client, mint, officer, "/survivors")).json()) == 2


async def test_a_locator_finds_the_survivor_behind_another_resource(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    ours = world.add_flag(world.add_survivor(teams=(TEAM,)))
    theirs = world.add_flag(world.add_survivor(teams=("team-mombasa",)))
    counsellor = Staff(("counsellor",), teams=(TEAM,))

    async def resolve(flag: uuid.UUID | str) -> int:
        response = await client.post(
            f"/risk-flags/{flag}/resolution", headers=bearer(mint(counsellor))
        )
        return response.status_code

    assert await resolve(ours) == 200
    assert await resolve(theirs) == 404
    assert await resolve(uuid.uuid4()) == 404


async def test_several_roles_take_the_broadest_allowed_scope(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    survivor = world.add_survivor(teams=("team-mombasa",))
    dpo_and_officer = Staff(("intake_officer", "data_protection_officer"), teams=(TEAM,))
    response = await client.post(
        f"/survivors/{survivor}/erasure-requests", headers=bearer(mint(dpo_and_officer))
    )
    assert response.status_code == 202  # erasure.request is `any` for the DPO
    assert (await get(client, mint, dpo_and_officer, f"/survivors/{survivor}")).status_code == 404


async def test_an_unknown_purpose_is_refused(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    survivor = world.add_survivor(teams=(TEAM,))
    staff = Staff(("counsellor",), teams=(TEAM,))
    response = await client.get(
        f"/survivors/{survivor}", headers={**bearer(mint(staff)), "X-Purpose": "curiosity"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "InvalidPurpose"
    ok = await client.get(f"/survivors/{survivor}?purpose=supervision", headers=bearer(mint(staff)))
    assert ok.status_code == 200


def test_routes_that_cannot_find_their_survivor_refuse_to_start(access: Access) -> None:
    app = FastAPI()
    install_access(app)

    @app.get("/survivors/{id}")
    async def read(id: str, grant: Annotated[Grant, Depends(authorize("survivor.read"))]) -> None:
        """Names its parameter `id`, but authorises with the default `survivor_id`."""

    with pytest.raises(MisconfiguredRoute, match="lacks"):
        access.attach(app)

    other = FastAPI()

    @other.get("/survivors/{survivor_id}/notes")
    async def notes(
        survivor_id: str,
        grant: Annotated[Grant, Depends(authorize("survivor.read", survivor=None))],
    ) -> None:
        """Names a survivor but says it is not about one."""

    with pytest.raises(MisconfiguredRoute, match="survivor=None"):
        access.attach(other)


def test_routes_naming_an_unknown_action_refuse_to_start(access: Access) -> None:
    app = FastAPI()

    @app.get("/things")
    async def things(
        grant: Annotated[Grant, Depends(authorize("things.read", survivor=None))],
    ) -> None:
        """An action the policy does not define."""

    with pytest.raises(Exception, match="not defined in the policy"):
        access.attach(app)


async def test_openapi_names_each_routes_action(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert paths["/survivors/{survivor_id}"]["get"]["x-uponyaji-action"] == "survivor.read"
    assert paths["/survivors"]["get"]["x-uponyaji-action"] == "survivor.search"
    assert paths["/whoami"]["get"]["x-uponyaji-auth"] == "bearer"
    assert "x-uponyaji-action" not in paths["/whoami"]["get"]
    assert "x-uponyaji-auth" not in paths["/health"]["get"]
    included = paths["/reports/{survivor_id}/summary"]["get"]
    assert included["x-uponyaji-action"] == "journey.read"
    assert included["x-uponyaji-survivor"] == "survivor_id"
    flag = paths["/risk-flags/{flag_id}/resolution"]["post"]
    assert flag["x-uponyaji-survivor"] == "locator"


async def test_routes_of_included_routers_are_checked_too(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    survivor = world.add_survivor(teams=("team-mombasa",))
    counsellor = Staff(("counsellor",), teams=(TEAM,))
    lead = Staff(("programme_lead",))
    path = f"/reports/{survivor}/summary"
    assert (await get(client, mint, counsellor, path)).status_code == 404
    assert (await get(client, mint, lead, path)).json() == {"deidentified": True}
    assert (await client.get(path)).status_code == 401


def test_an_included_router_without_its_survivor_refuses_to_start(access: Access) -> None:
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/{case}/notes")
    async def notes(
        case: str, grant: Annotated[Grant, Depends(authorize("psychosocial.session.read"))]
    ) -> None:
        """Authorises about `{survivor_id}`, which the effective path lacks."""

    app = FastAPI()
    app.include_router(router, prefix="/cases")
    with pytest.raises(MisconfiguredRoute, match=re.escape("/cases/{case}/notes")):
        access.attach(app)


async def test_roles_unknown_to_the_policy_grant_nothing(
    client: httpx.AsyncClient, mint: Mint, world: World
) -> None:
    survivor = world.add_survivor(teams=(TEAM,))
    stranger = Staff(("superuser", "root"), teams=(TEAM,))
    assert (await get(client, mint, stranger, f"/survivors/{survivor}")).status_code == 403
    assert (await get(client, mint, stranger, "/dashboard")).status_code == 403
    assert (await get(client, mint, stranger, "/whoami")).status_code == 200  # authenticated only


def test_survivor_routes_without_a_caseload_refuse_to_start(access: Access, world: World) -> None:
    access.caseload = None
    with pytest.raises(MisconfiguredRoute, match="no Caseload"):
        create_app(access, world)

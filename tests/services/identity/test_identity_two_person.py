"""The two-person rule: clinical roles, teams, password and MFA resets wait for a second admin."""

from __future__ import annotations

import httpx
from identity_support import Staff, enrol, new_staff, signed_in, strong_password
from uponyaji_identity.context import Identity


async def _notifications(client: httpx.AsyncClient, dpo: Staff) -> list[dict[str, object]]:
    response = await client.get("/dpo/notifications", headers=dpo.access)
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()["notifications"]
    return found


async def test_a_clinical_role_waits_for_a_second_admin_and_the_dpo_is_told(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    second = await signed_in(ctx, client, "admin")
    dpo = await signed_in(ctx, client, "data_protection_officer")
    target = await new_staff(ctx, "programme_lead")
    path = f"/accounts/{target.staff_id}/roles"
    response = await client.post(path, json={"roles": ["clinician"]}, headers=admin.access)
    assert response.status_code == 202, response.text
    change = response.json()["change_id"]
    account = (await client.get(f"/accounts/{target.staff_id}", headers=admin.access)).json()
    assert account["roles"] == ["programme_lead"]  # nothing granted yet
    assert account["pending_changes"] == [change]

    # the admin who asked cannot approve; nor can the account's owner (were they an admin)
    refused = await client.post(f"/account-changes/{change}/approval", headers=admin.access)
    assert refused.status_code == 403
    assert refused.json()["error"] == "SecondAdminRequired"
    account = (await client.get(f"/accounts/{target.staff_id}", headers=admin.access)).json()
    assert account["roles"] == ["programme_lead"]
    # only the DPO lists the notifications
    assert (await client.get("/dpo/notifications", headers=admin.access)).status_code == 403
    told = await _notifications(client, dpo)
    assert [(n["kind"], n["change_kind"]) for n in told] == [("requested", "roles")]
    assert told[0]["actor_id"] == str(admin.staff_id)

    approved = await client.post(f"/account-changes/{change}/approval", headers=second.access)
    assert approved.status_code == 200, approved.text
    assert approved.json()["decided_by"] == str(second.staff_id)
    account = (await client.get(f"/accounts/{target.staff_id}", headers=admin.access)).json()
    assert account["roles"] == ["clinician"]
    again = await client.post(f"/account-changes/{change}/approval", headers=second.access)
    assert again.status_code == 409
    assert again.json()["error"] == "ChangeDecided"
    told = await _notifications(client, dpo)
    assert {(n["kind"], n["actor_id"]) for n in told} == {
        ("requested", str(admin.staff_id)),
        ("approved", str(second.staff_id)),
    }


async def test_an_admin_cannot_approve_a_change_to_their_own_account(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    second = await signed_in(ctx, client, "admin")
    response = await client.post(
        f"/accounts/{second.staff_id}/roles",
        json={"roles": ["admin", "counsellor"]},
        headers=admin.access,
    )
    assert response.status_code == 202, response.text
    change = response.json()["change_id"]
    refused = await client.post(f"/account-changes/{change}/approval", headers=second.access)
    assert refused.status_code == 403
    rejected = await client.post(f"/account-changes/{change}/rejection", headers=second.access)
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    account = (await client.get(f"/accounts/{second.staff_id}", headers=admin.access)).json()
    assert account["roles"] == ["admin"]


async def test_a_password_reset_waits_and_then_must_be_changed(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    second = await signed_in(ctx, client, "admin")
    staff = await enrol(client, await new_staff(ctx, "counsellor"))
    new_password = strong_password()
    response = await client.post(
        f"/accounts/{staff.staff_id}/password",
        json={"new_password": new_password},
        headers=admin.access,
    )
    assert response.status_code == 202, response.text
    assert new_password not in response.text
    change = response.json()["change_id"]
    listed = (await client.get("/account-changes", headers=admin.access)).text
    assert new_password not in listed
    assert "argon2" not in listed
    # until approved, the old password still signs in and the admin's does not
    assert (await client.post("/auth/login", json=staff.login_body())).status_code == 200
    approved = await client.post(f"/account-changes/{change}/approval", headers=second.access)
    assert approved.status_code == 200, approved.text
    assert (await client.post("/auth/login", json=staff.login_body())).status_code == 401
    account = (await client.get(f"/accounts/{staff.staff_id}", headers=admin.access)).json()
    assert account["must_change_password"] is True
    # the admin's password opens no session: its owner must replace it at this sign-in
    staff.password = new_password
    refused = await client.post("/auth/login", json=staff.login_body())
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "PasswordChangeRequired"
    own = strong_password()
    same = await client.post(
        "/auth/login", json={**staff.login_body(), "new_password": new_password}
    )
    assert same.status_code == 422, same.text
    signed = await client.post("/auth/login", json={**staff.login_body(), "new_password": own})
    assert signed.status_code == 200, signed.text
    account = (await client.get(f"/accounts/{staff.staff_id}", headers=admin.access)).json()
    assert account["must_change_password"] is False
    staff.password = own
    assert (await client.post("/auth/login", json=staff.login_body())).status_code == 200


async def test_an_mfa_reset_waits_for_a_second_admin(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    second = await signed_in(ctx, client, "admin")
    staff = await enrol(client, await new_staff(ctx, "counsellor"))
    response = await client.post(
        f"/accounts/{staff.staff_id}/mfa-reset", json={}, headers=admin.access
    )
    assert response.status_code == 202, response.text
    account = (await client.get(f"/accounts/{staff.staff_id}", headers=admin.access)).json()
    assert account["mfa_confirmed"] is True
    change = response.json()["change_id"]
    approved = await client.post(f"/account-changes/{change}/approval", headers=second.access)
    assert approved.status_code == 200, approved.text
    account = (await client.get(f"/accounts/{staff.staff_id}", headers=admin.access)).json()
    assert account["mfa_confirmed"] is False
    assert (await client.get("/auth/revocations", headers=staff.access)).status_code == 401

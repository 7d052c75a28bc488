"""A first password an administrator set is replaced by its owner before any session starts, and
accounts created before that rule (AccountCreated v1) load unchanged."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

import httpx
from identity_support import Staff, event_count, signed_in, strong_password
from uponyaji_events.contracts import default_registry
from uponyaji_events.contracts.identity import AccountCreated
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_identity import projections
from uponyaji_identity.context import Identity
from uponyaji_identity.handlers.accounts import DISPLAY_NAME_CONTEXT
from uponyaji_identity.handlers.streams import load_account


async def _sessions(ctx: Identity, staff_id: UUID) -> int:
    return int(
        await ctx.pool.fetchval("SELECT count(*) FROM sessions WHERE staff_id = $1", staff_id)
    )


async def test_an_account_an_admin_created_gets_no_session_until_its_owner_chose_a_password(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    admin = await signed_in(ctx, client, "admin")
    first = strong_password()
    body = {
        "username": "test.first.password",
        "display_name": "Test First Password (FAKE)",
        "password": first,
        "roles": ["programme_lead"],
    }
    made = await client.post("/accounts", json=body, headers=admin.access)
    assert made.status_code == 201, made.text
    assert made.json()["must_change_password"] is True
    staff = Staff(
        body["username"], first, UUID(made.json()["staff_id"]), ("programme_lead",), clock=ctx.clock
    )
    enrolment = await client.post("/auth/mfa/enrol", json=staff.credentials())
    assert enrolment.status_code == 200, enrolment.text
    staff.secret = enrolment.json()["secret"]

    # The administrator's password again as one's own: refused, nothing written.
    before = await event_count(ctx)
    same = await client.post(
        "/auth/mfa/confirm", json={**staff.login_body(), "new_password": first}
    )
    assert same.status_code == 422, same.text
    assert same.json()["error"] == "WeakPassword"
    assert first not in same.text
    assert await event_count(ctx) == before
    account = await load_account(ctx, staff.staff_id)
    assert account is not None
    assert account.mfa is None
    assert account.must_change_password

    # Confirming without a password of one's own: the authenticator counts, no token is issued.
    bare = await client.post("/auth/mfa/confirm", json=staff.login_body())
    assert bare.status_code == 403, bare.text
    assert bare.json()["error"] == "PasswordChangeRequired"
    assert "access_token" not in bare.text
    login = await client.post("/auth/login", json=staff.login_body())
    assert login.status_code == 403, login.text
    assert login.json()["error"] == "PasswordChangeRequired"
    assert await _sessions(ctx, staff.staff_id) == 0

    own = strong_password()
    signed = await client.post("/auth/login", json={**staff.login_body(), "new_password": own})
    assert signed.status_code == 200, signed.text
    assert await _sessions(ctx, staff.staff_id) == 1
    view = await client.get(f"/accounts/{staff.staff_id}", headers=admin.access)
    assert view.json()["must_change_password"] is False
    old = await client.post("/auth/login", json=staff.login_body())
    assert old.status_code == 401  # the administrator's password is gone
    again = await client.post(
        "/auth/login", json={**staff.login_body(), "password": own}
    )  # and the owner's own works without another change
    assert again.status_code == 200, again.text

    # Audited: who (the owner, as themself) and when; never a password.
    rows = await ctx.pool.fetch(
        "SELECT type, actor_id, actor_role, recorded_at, payload::text AS payload FROM events "
        "ORDER BY position"
    )
    changed = [r for r in rows if r["type"] == "identity.PasswordChanged"]
    assert len(changed) == 1
    assert (changed[0]["actor_id"], changed[0]["actor_role"]) == (str(staff.staff_id), "self")
    assert json.loads(changed[0]["payload"])["must_change"] is False
    audited = [
        json.loads(r["payload"])
        for r in rows
        if r["type"] == "identity.AuthenticationAudited"
        and json.loads(r["payload"])["kind"] == "password_changed"
    ]
    assert [a["staff_id"] for a in audited] == [str(staff.staff_id)]
    assert all(first not in r["payload"] and own not in r["payload"] for r in rows)


async def test_an_account_created_before_the_rule_signs_in_as_it_did(ctx: Identity) -> None:
    staff_id = uuid4()
    name = await ctx.sealer.seal(staff_id, DISPLAY_NAME_CONTEXT, "Test Old Account (FAKE)")
    v1 = {
        "staff_id": str(staff_id),
        "username": "test.old.account",
        "display_name": str(name),
        "roles": ["programme_lead"],
        "email": None,
    }
    await ctx.store.append(
        "account",
        str(staff_id),
        None,
        [NewEvent("identity.AccountCreated", v1, schema_version=1)],
        actor=Actor.system("identity-tests"),
    )
    account = await load_account(ctx, staff_id)
    assert account is not None
    assert account.must_change_password is False  # v1 never forced a change: upcast to false
    await projections.rebuild(ctx.store)
    row = await ctx.pool.fetchrow(
        "SELECT username, must_change_password FROM accounts WHERE staff_id = $1", staff_id
    )
    assert (row["username"], row["must_change_password"]) == ("test.old.account", False)
    stored = await ctx.pool.fetchrow(
        "SELECT schema_version, payload::text AS payload FROM events WHERE stream_id = $1",
        str(staff_id),
    )
    assert stored["schema_version"] == 1  # never rewritten
    assert "must_change_password" not in stored["payload"]
    contract = default_registry().get("identity.AccountCreated")
    assert contract.schema_version == 2
    assert contract.model is AccountCreated

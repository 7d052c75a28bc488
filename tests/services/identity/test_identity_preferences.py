"""One's own preferences: the staff application's language follows the account, not the device."""

from __future__ import annotations

import httpx
from identity_support import signed_in
from uponyaji_identity.context import Identity


async def test_the_language_is_kept_per_account_and_only_for_oneself(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    counsellor = await signed_in(ctx, client, "counsellor")
    colleague = await signed_in(ctx, client, "intake_officer")
    first = await client.get("/me/preferences", headers=counsellor.access)
    assert first.status_code == 200, first.text
    assert first.json() == {"language": None}  # nothing chosen yet

    kept = await client.put("/me/preferences", json={"language": "sw"}, headers=counsellor.access)
    assert kept.status_code == 200, kept.text
    assert (await client.get("/me/preferences", headers=counsellor.access)).json() == {
        "language": "sw"
    }
    # Another account's choice is its own.
    assert (await client.get("/me/preferences", headers=colleague.access)).json() == {
        "language": None
    }
    again = await client.put("/me/preferences", json={"language": "en"}, headers=counsellor.access)
    assert again.json() == {"language": "en"}


async def test_bad_preferences_are_refused_and_nothing_is_kept(
    ctx: Identity, client: httpx.AsyncClient
) -> None:
    lead = await signed_in(ctx, client, "programme_lead")
    for body in ({"language": "fr"}, {"language": "sw", "theme": "dark"}, {}):
        refused = await client.put("/me/preferences", json=body, headers=lead.access)
        assert refused.status_code == 422, body
    assert (await client.get("/me/preferences", headers=lead.access)).json() == {"language": None}
    assert (await client.get("/me/preferences")).status_code == 401  # no token, no preferences

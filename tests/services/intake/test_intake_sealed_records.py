"""A sealed identity moved to another survivor's record does not open there, and the record still
reads (the moved field says it is unreadable, the rest is shown).

The attacker holds intake's database runtime role: they can update read tables but do not have
the KEK. Copying one survivor's sealed name and ID document into another's row must show neither.
"""

from __future__ import annotations

import json
from uuid import UUID

import asyncpg
from intake_support import As, fake_name, registration
from uponyaji_events.sealing import UNREADABLE


async def test_identity_moved_to_another_survivor_reads_unreadable(
    officer: As, pool: asyncpg.Pool
) -> None:
    document = {"kind": "national_id", "number": "99887766"}
    beta_name = fake_name()
    alpha = await officer.post("/survivors", registration())
    beta = await officer.post("/survivors", registration(beta_name, id_document=document))
    assert alpha.status_code == beta.status_code == 201, beta.text
    alpha_id, beta_id = UUID(alpha.json()["survivor_id"]), UUID(beta.json()["survivor_id"])

    stored = await pool.fetchval("SELECT identity FROM survivors WHERE survivor_id = $1", beta_id)
    beta_identity = json.loads(stored) if isinstance(stored, str) else dict(stored)
    moved = {name: beta_identity[name] for name in ("full_name", "id_document")}
    await pool.execute(
        "UPDATE survivors SET identity = identity || $2::jsonb WHERE survivor_id = $1",
        alpha_id,
        json.dumps(moved) if isinstance(stored, str) else moved,
    )

    read = await officer.get(f"/survivors/{alpha_id}")
    assert read.status_code == 200, read.text
    identity = read.json()["identity"]
    assert identity["full_name"] == UNREADABLE
    assert identity["id_document"] == {"kind": UNREADABLE, "number": UNREADABLE}
    assert beta_name not in read.text
    assert "99887766" not in read.text
    # Beta's own record still opens.
    own = (await officer.get(f"/survivors/{beta_id}")).json()["identity"]
    assert own["full_name"] == beta_name
    assert own["id_document"] == document

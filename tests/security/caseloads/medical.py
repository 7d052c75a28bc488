"""Medical's caseload hook for the authorisation matrix: a survivor on a team, as intake would."""

from __future__ import annotations

from uuid import UUID, uuid4

import asyncpg


async def seed_caseload(
    database_url: str, survivor_id: UUID, team: str, worker_id: str
) -> dict[str, str]:
    """Put a survivor on `team`'s caseload with medical consent, as intake's events would.

    Returns ids of the survivor's other records that routes locate the survivor by (a signed
    report, a pending referral), keyed by path parameter.
    """
    del worker_id  # team relation only
    report_id, referral_id, encounter_id = uuid4(), uuid4(), uuid4()
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO survivors (survivor_id, case_number) VALUES ($1, $2)",
                survivor_id,
                f"UPJ-2026-8{survivor_id.int % 100000:05d}",
            )
            await conn.execute(
                "INSERT INTO caseload (survivor_id, team, assigned_at) VALUES ($1, $2, now())",
                survivor_id,
                team,
            )
            await conn.execute(
                "INSERT INTO consents (survivor_id, scope, granted, changed_at) "
                "VALUES ($1, 'medical_examination', true, now())",
                survivor_id,
            )
            await conn.execute(
                "INSERT INTO referrals (referral_id, survivor_id, urgency, made_at) "
                "VALUES ($1, $2, 'routine', now())",
                referral_id,
                survivor_id,
            )
            await conn.execute(
                "INSERT INTO signing_public_keys (key_id, clinician_id, public_key, issued_at) "
                "VALUES ($1, $2, $3, now())",
                report_id,
                uuid4(),
                "A" * 43,
            )
            await conn.execute(
                "INSERT INTO reports (report_id, survivor_id, encounter_id, content, "
                "content_sha256, pdf_sha256, signer_id, key_id, signature, signed_at, "
                "place_county_code) VALUES ($1, $2, $3, 'x', $4, $4, $5, $1, $6, now(), '047')",
                report_id,
                survivor_id,
                encounter_id,
                "0" * 64,
                uuid4(),
                "A" * 86,
            )
    finally:
        await conn.close()
    return {"report_id": str(report_id), "referral_id": str(referral_id)}

"""`python -m uponyaji_medical.seed`: demo medical records, development only, idempotent.

Run by the launcher after every service is healthy and after intake's seed, with medical's
environment. Survivors come from intake's events, which the running service's consumer keeps in
the local tables: the seed waits until that consumer has caught up with intake's head. It seeds
survivors with medical_examination consent, an open case and no medical record yet (a second
run adds nothing): about 80 records, a fifth of them medico-legal examinations, synthetic
photographs where photography consent allows, and two signed reports, one with an addendum.

Signing goes through the same handler as the API, step-up check included: the seed mints its
step-up proofs with a throwaway key that only its own verifier trusts (the running service
never does), because no one types a TOTP code during a demo seed.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid5

import asyncpg
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from uponyaji_access import JwksCache, TokenVerifier
from uponyaji_events import EventStore
from uponyaji_events.contracts import medical as m
from uponyaji_events.envelope import Actor
from uponyaji_service import Keys
from uponyaji_service.seeding import stage_seeding

from . import demo
from .app import MIGRATIONS
from .handlers import Medical
from .handlers import evidence as evidence_handlers
from .handlers import record as h
from .handlers.reports import sign_addendum, sign_report
from .schemas import (
    AddendumBody,
    DiagnosisBody,
    EncounterBody,
    FindingBody,
    FollowUpBody,
    GradeBody,
    HistoryBody,
    OverallBody,
    PsychologicalBody,
    SignBody,
    SpecialistBody,
    TreatmentBody,
)
from .settings import Settings
from .signing import SigningKeys

SEEDER = Actor.system("medical-seed")
LIMIT = 80
SIGNED = 2
PHOTOS = 12
_LOCK = 0x6D65_6473_6565  # "medsee": one seeder at a time
_ELIGIBLE = """
SELECT s.survivor_id, c.case_worker,
       EXISTS (SELECT 1 FROM consents p WHERE p.survivor_id = s.survivor_id AND p.granted
               AND p.scope IN ('photography', 'photography_storage')) AS photos
FROM survivors s
JOIN consents k ON k.survivor_id = s.survivor_id AND k.scope = 'medical_examination'
LEFT JOIN caseload c ON c.survivor_id = s.survivor_id
WHERE k.granted AND s.status = 'open' AND s.merged_into IS NULL
  AND s.erasure_requested_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM encounters e WHERE e.survivor_id = s.survivor_id)
ORDER BY s.case_number, s.survivor_id LIMIT $1
"""


class StepUps:
    """Step-up proofs for the seed's own verifier (a throwaway key; development only)."""

    def __init__(self) -> None:
        self.key, self.kid = Ed25519PrivateKey.generate(), f"medical-seed-{uuid.uuid4().hex[:8]}"
        public = OKPAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwks = {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "EdDSA"}]}
        self.verifier = TokenVerifier("medical", JwksCache.static_keys(jwks))

    def proof(self, staff_id: UUID) -> str:
        """A fresh proof for one signature."""
        now = int(time.time())
        claims = {
            "iss": "uponyaji-identity",
            "sub": str(staff_id),
            "aud": "step-up:medical",
            "iat": now,
            "nbf": now,
            "exp": now + 120,
            "auth_time": now,
            "amr": ["otp"],
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.key, algorithm="EdDSA", headers={"kid": self.kid})


async def seed_one(
    med: Medical,
    survivor_id: UUID,
    clinician: UUID,
    *,
    medico_legal: bool,
    photos: bool,
    steps: StepUps | None,
) -> int:
    """Record one survivor's demo record; return how many reports it signed (0 or 1)."""
    plan = demo.record(survivor_id, med.today(), medico_legal=medico_legal)
    body = EncounterBody.model_validate({**plan.encounter, "clinician_ids": [str(clinician)]})
    events = await h.open_encounter(med, survivor_id, body, SEEDER, clinician)
    encounter = UUID(events[0].payload["encounter_id"])
    at: dict[str, Any] = {"encounter_id": str(encounter)}
    await h.record_entry(
        med, survivor_id, HistoryBody.model_validate({**at, **plan.history}), SEEDER
    )
    photo_ids: list[str] = []
    if photos:
        for identifying in (True, False):
            label = f"case photo {'identifying' if identifying else 'close-up with scale'}"
            upload = evidence_handlers.Upload(
                demo.synthetic_photo(label, identifying=identifying),
                m.EvidenceKind.PHOTOGRAPH,
                None,
                encounter,
                identifying,
                not identifying,
            )
            made = await evidence_handlers.capture(med, survivor_id, upload, SEEDER, clinician)
            photo_ids.append(made[0].payload["evidence_id"])
    for index, (finding, grade) in enumerate(zip(plan.findings, plan.grades, strict=True)):
        extra = {"photo_ids": photo_ids[1:]} if index == 0 and photo_ids else {}
        made = await h.record_entry(
            med, survivor_id, FindingBody.model_validate({**at, **finding, **extra}), SEEDER
        )
        if medico_legal:
            await h.grade_finding(
                med,
                survivor_id,
                UUID(made[0].payload["finding_id"]),
                GradeBody(level=m.ConsistencyLevel(grade)),
                SEEDER,
            )
    if plan.psychological is not None:
        body_p = PsychologicalBody.model_validate({**at, **plan.psychological})
        await h.record_entry(med, survivor_id, body_p, SEEDER)
        if medico_legal and plan.psych_grade is not None:
            await h.grade_psychological(
                med,
                survivor_id,
                encounter,
                GradeBody(level=m.ConsistencyLevel(plan.psych_grade)),
                SEEDER,
            )
    for code in plan.diagnoses:
        await h.record_entry(
            med, survivor_id, DiagnosisBody.model_validate({**at, "code": code}), SEEDER
        )
    if plan.treatment is not None:
        await h.record_entry(
            med, survivor_id, TreatmentBody.model_validate({**at, **plan.treatment}), SEEDER
        )
    if plan.specialist is not None:
        await h.record_care(
            med,
            survivor_id,
            SpecialistBody.model_validate({**at, "specialty": plan.specialist}),
            SEEDER,
        )
    if plan.follow_up_in_days is not None:
        due = med.today() + timedelta(days=plan.follow_up_in_days)
        await h.record_care(
            med, survivor_id, FollowUpBody.model_validate({**at, "due_on": due.isoformat()}), SEEDER
        )
    if plan.overall is not None:
        await h.record_overall(
            med, survivor_id, encounter, OverallBody.model_validate(plan.overall), SEEDER
        )
    if steps is None or not medico_legal:
        return 0
    sign = SignBody(
        encounter_id=encounter,
        qualifications="MBChB, demo clinician (FAKE)",
        county_code=plan.encounter["county_code"],
        truthful=True,
        step_up=steps.proof(clinician),
    )
    signed, _ = await sign_report(med, steps.verifier, survivor_id, sign, SEEDER, clinician)
    return 1 if signed else 0


async def seed(settings: Settings, *, limit: int = LIMIT, wait: float = 120.0) -> tuple[int, int]:
    """Seed demo records for eligible survivors; return (records, signed reports)."""
    assert settings.kek_file is not None
    async with stage_seeding(settings, "medical", MIGRATIONS, _LOCK, wait) as (pool, conn):
        keys = Keys.open(pool, settings.kek_file, create=settings.development)
        med = Medical(EventStore(pool), keys, SigningKeys(keys.kek))
        steps, photos = StepUps(), 0
        signers: list[tuple[UUID, UUID]] = []
        rows = await conn.fetch(_ELIGIBLE, limit)
        for index, row in enumerate(rows):
            survivor, worker = row["survivor_id"], row["case_worker"]
            clinician = UUID(worker) if worker else uuid5(survivor, "demo-clinician")
            with_photos = bool(row["photos"]) and photos < PHOTOS
            photos += 2 * with_photos
            signs = len(signers) < SIGNED
            if await seed_one(
                med,
                survivor,
                clinician,
                medico_legal=index % 5 == 0,
                photos=with_photos,
                steps=steps if signs else None,
            ):
                signers.append((survivor, clinician))
        if signers:  # the first signed report gets an addendum
            await _addendum(med, steps, *signers[0], pool)
        return len(rows), len(signers)


async def _addendum(
    med: Medical, steps: StepUps, survivor: UUID, clinician: UUID, pool: asyncpg.Pool
) -> None:
    report_id = await pool.fetchval(
        "SELECT report_id FROM reports WHERE survivor_id = $1", survivor
    )
    body = AddendumBody(
        text="Synthetic demo addendum (FAKE): X-ray report received; no fracture seen.",
        step_up=steps.proof(clinician),
    )
    await sign_addendum(med, steps.verifier, survivor, report_id, body, SEEDER, clinician)


def main() -> int:
    """Seed when UPONYAJI_ENV is development (or test); refuse anywhere else."""
    settings = Settings()
    if not settings.development:
        print("medical.seed: demo data is for development only; nothing done", file=sys.stderr)
        return 2
    started = time.monotonic()
    made, signed = asyncio.run(seed(settings))
    took = time.monotonic() - started
    print(
        f"medical.seed: {made} synthetic records ({signed} signed reports) in {took:.1f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Medical in-process for the benchmark: its app, a test-key identity, an intake of events."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from uponyaji_events.contracts import default_registry
from uponyaji_events.contracts import intake as i
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.envelope import Actor
from uponyaji_events.feed import FeedSource
from uponyaji_events.store import EventStore

TEAM = "bench-team"
OFFICER = Actor(id=str(uuid.uuid4()), role="intake_officer")


class Clinic:
    """One clinician of the bench team, the key 'identity' signs with, and medical's app."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.key, self.kid = Ed25519PrivateKey.generate(), f"bench-{uuid.uuid4().hex[:8]}"
        self.staff_id = uuid.uuid4()
        self.registry = default_registry()
        self.app: Any = None

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="EdDSA", headers={"kid": self.kid})

    def headers(self) -> dict[str, str]:
        """A fresh access token of the clinician."""
        now = int(time.time())
        token = self._sign(
            {
                "iss": "uponyaji-identity",
                "sub": str(self.staff_id),
                "aud": ["medical"],
                "iat": now,
                "nbf": now,
                "exp": now + 900,
                "jti": uuid.uuid4().hex,
                "sid": f"bench-{uuid.uuid4().hex}",
                "username": "bench.clinician",
                "roles": ["clinician"],
                "teams": [TEAM],
            }
        )
        return {"Authorization": f"Bearer {token}"}

    def step_up(self) -> str:
        """A fresh step-up proof."""
        now = int(time.time())
        return self._sign(
            {
                "iss": "uponyaji-identity",
                "sub": str(self.staff_id),
                "aud": "step-up:medical",
                "iat": now,
                "nbf": now,
                "exp": now + 120,
                "auth_time": now,
                "amr": ["otp"],
                "jti": uuid.uuid4().hex,
            }
        )

    @asynccontextmanager
    async def running(
        self, database_url: str, nats_url: str, intake: FeedSource
    ) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
        """Medical's app in its lifespan, trusting this clinic's key (test mode)."""
        from uponyaji_medical.app import create_app
        from uponyaji_medical.settings import Settings
        from uponyaji_service import running

        public = OKPAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwks = self.root / "jwks.json"
        jwks.write_text(json.dumps({"keys": [{**public, "kid": self.kid, "alg": "EdDSA"}]}))
        os.environ.update(
            {
                "UPONYAJI_ENV": "test",
                "MEDICAL_JWKS_FILE": str(jwks),
                "MEDICAL_IDENTITY_URL": "http://127.0.0.1:9",
            }
        )
        kek = str(self.root / "medical.kek")
        settings = Settings.model_validate(
            {"database_url": database_url, "nats_url": nats_url, "kek_file": kek}
        )
        self.app = create_app(settings, feeds={"intake": intake})
        async with self.app.router.lifespan_context(self.app):
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://medical", timeout=60
            ) as http:
                yield http, running(self.app).parts.pool

    async def survivors(self, intake: EventStore, http: httpx.AsyncClient, count: int) -> list[str]:
        """Survivors registered in intake with medical and photography consent, delivered."""
        from uponyaji_service import running

        made = []
        for n in range(count):
            sid = uuid.uuid4()
            at = "2026-01-05T08:00:00+00:00"  # consent precedes the examinations below
            models = [
                i.SurvivorRegistered.model_validate(
                    {
                        "survivor_id": str(sid),
                        "case_number": f"UPJ-2026-{n:06d}",
                        "full_name": example_sealed("n"),
                        "county_code": "047",
                        "gender": "female",
                        "age_band": "25-34",
                        "preferred_language": "sw",
                    }
                ),
                i.CaseAssigned(survivor_id=sid, team_id=uuid.uuid5(uuid.NAMESPACE_DNS, TEAM)),
                *[
                    i.ConsentGranted.model_validate(
                        {
                            "survivor_id": str(sid),
                            "scope": scope,
                            "method": "verbal",
                            "party": "survivor",
                            "language": "sw",
                            "at": at,
                        }
                    )
                    for scope in ("medical_examination", "photography_storage")
                ],
            ]
            events = [self.registry.to_new_event(m) for m in models]
            await intake.append("survivor", str(sid), 0, events, actor=OFFICER)
            made.append(str(sid))
        await intake.sequence()
        consumer = running(self.app).consumer("intake")
        assert consumer.feed is not None
        await consumer.apply(await consumer.feed.read(0, 10_000))
        pool = running(self.app).parts.pool
        await pool.execute("UPDATE caseload SET team = $1", TEAM)  # tokens carry the team name
        for survivor in made:
            await self._record(http, survivor)
        return made

    async def _post(self, http: httpx.AsyncClient, url: str, body: Any) -> httpx.Response:
        response = await http.post(url, json=body, headers=self.headers())
        if response.status_code >= 400:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
        return response

    async def _record(self, http: httpx.AsyncClient, sid: str) -> None:
        base = f"/survivors/{sid}"
        eid = (
            await self._post(
                http,
                f"{base}/encounters",
                {
                    "kind": "medico_legal_examination",
                    "occurred_at": "2026-03-04T07:00:00+00:00",
                    "county_code": "047",
                    "facility": "Synthetic Bench Clinic (FAKE)",
                    "clinician_ids": [str(self.staff_id)],
                },
            )
        ).json()["id"]
        at = {"encounter_id": eid}
        await self._post(
            http,
            f"{base}/history",
            {**at, "allegation": "Synthetic (FAKE)", "symptoms_current": "pain"},
        )
        for region in ("foot_sole_left", "foot_sole_right", "back_upper"):
            fid = (
                await self._post(
                    http,
                    f"{base}/findings",
                    {
                        **at,
                        "region": region,
                        "lesion": "contusion",
                        "length_mm": 40,
                        "width_mm": 10,
                        "shape": "linear",
                        "colour": "blue_purple",
                        "estimated_age": "days_4_10",
                        "position": {"view": "back", "x": 400, "y": 900},
                        "description": "Synthetic (FAKE)",
                    },
                )
            ).json()["id"]
            await self._post(http, f"{base}/findings/{fid}/grade", {"level": "typical"})
        await self._post(http, f"{base}/psychological-findings", {**at, "summary": "Synthetic"})
        await self._post(
            http, f"{base}/encounters/{eid}/psychological-grade", {"level": "consistent"}
        )
        await self._post(
            http,
            f"{base}/encounters/{eid}/overall-evaluation",
            {
                "level": "highly_consistent",
                "interpretation": "Synthetic (FAKE)",
                "recommendations": "Synthetic (FAKE)",
            },
        )
        await self._post(http, f"{base}/diagnoses", {**at, "code": "6B40"})

    async def signed_report(self, http: httpx.AsyncClient, sid: str) -> tuple[str, str]:
        """Sign the survivor's examination report; (survivor, report id)."""
        record = (await http.get(f"/survivors/{sid}/record", headers=self.headers())).json()
        eid = record["encounters"][0]["encounter_id"]
        signed = await self._post(
            http,
            f"/survivors/{sid}/reports",
            {
                "encounter_id": eid,
                "qualifications": "MBChB (FAKE)",
                "county_code": "047",
                "truthful": True,
                "step_up": self.step_up(),
            },
        )
        return sid, signed.headers["X-Report-Id"]

    def upload(
        self, http: httpx.AsyncClient, sid: str, data: bytes
    ) -> Callable[[], Awaitable[None]]:
        """One evidence upload."""

        async def call() -> None:
            headers = {**self.headers(), "Content-Type": "application/octet-stream"}
            response = await http.post(
                f"/survivors/{sid}/evidence",
                content=data,
                params={"kind": "photograph"},
                headers=headers,
            )
            assert response.status_code == 201, response.text[:200]

        return call

    def report_pdf(
        self, http: httpx.AsyncClient, sid: str, report: str
    ) -> Callable[[], Awaitable[None]]:
        """One signed report PDF."""

        async def call() -> None:
            response = await http.get(
                f"/survivors/{sid}/reports/{report}/pdf", headers=self.headers()
            )
            assert response.status_code == 200, response.text[:200]

        return call

    def read_record(self, http: httpx.AsyncClient, sid: str) -> Callable[[], Awaitable[None]]:
        """One record read."""

        async def call() -> None:
            response = await http.get(f"/survivors/{sid}/record", headers=self.headers())
            assert response.status_code == 200, response.text[:200]

        return call

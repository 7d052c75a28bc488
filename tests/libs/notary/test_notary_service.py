"""The notary inside a service built by the factory: its routes, its policy, its own schedule."""

from __future__ import annotations

import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from kit.offline import trust_offline
from pydantic import Field
from uponyaji_access import StaticCaseload
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.notary import HeadsFile
from uponyaji_events.notary.merkle import verify_consistency, verify_inclusion
from uponyaji_events.signing import ensure_signing_key
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import Parts, Service, ServiceSettings, resource, running, service_config

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "libs" / "access"))

from access_support import SigningKey, Staff, bearer  # noqa: E402

ACTOR = Actor(id="staff-test-1", role="counsellor")
ALPHA, BRAVO = uuid.uuid4(), uuid.uuid4()  # two synthetic survivors
CASELOAD = StaticCaseload()
CASELOAD.assign(ALPHA, teams={"team-a"})
CASELOAD.assign(BRAVO, teams={"team-a"})


class LedgerSettings(ServiceSettings):
    model_config = service_config("ledger")
    port: int = Field(8098, ge=1, le=65535)


class Ledger:
    def __init__(self, parts: Parts[LedgerSettings]) -> None:
        self.parts = parts


router = APIRouter()


@router.post("/notes/{survivor_id}", status_code=201)
async def note(
    survivor_id: uuid.UUID, ledger: Annotated[Ledger, Depends(resource(Ledger))]
) -> dict[str, Any]:
    stored = await ledger.parts.store.append(
        "note",
        f"note-{uuid.uuid4()}",
        0,
        [NewEvent("ledger.Noted", {"survivor_id": str(survivor_id)})],
        actor=ACTOR,
    )
    return {"event_id": str(stored[0].event_id)}


LEDGER: Service[LedgerSettings, Ledger] = Service(
    name="ledger",
    title="Ledger",
    description="A test service with a notary",
    build=Ledger,
    routers=[router],
    caseload=lambda parts: CASELOAD,
)

KEY = SigningKey()


def _as(*roles: str, teams: tuple[str, ...] = ()) -> dict[str, str]:
    """A fresh token for a synthetic staff member (made at use: tokens live 15 minutes, and a
    full test run reaches this module later than that after collection)."""
    return bearer(KEY.sign(Staff(roles=roles, teams=teams).claims(aud=["ledger"])))


def as_dpo() -> dict[str, str]:
    """Headers for a synthetic data protection officer."""
    return _as("data_protection_officer")


def as_admin() -> dict[str, str]:
    """Headers for a synthetic admin."""
    return _as("admin")


def as_counsellor() -> dict[str, str]:
    """Headers for a synthetic counsellor."""
    return _as("counsellor", teams=("team-a",))


@pytest.fixture
def settings_factory(
    tmp_path_factory: pytest.TempPathFactory,
    new_database_url: Callable[[], str],
    nats_server: EmbeddedNats,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., LedgerSettings]:
    folder = tmp_path_factory.mktemp("ledger")
    folder.chmod(0o700)
    trust_offline(monkeypatch, folder, "LEDGER", KEY.jwks())
    ensure_signing_key(folder / "keys")

    def make(**extra: Any) -> LedgerSettings:
        return LedgerSettings(
            database_url=new_database_url(),
            nats_url=nats_server.url,
            signing_key_dir=folder / "keys",
            notary_heads_file=folder / "notary" / "ledger.heads.jsonl",
            **extra,
        )

    return make


@pytest.fixture
async def app(settings_factory: Callable[..., LedgerSettings]) -> AsyncIterator[FastAPI]:
    application = LEDGER.create_app(settings_factory(), feeds={})  # driven: tests tick the notary
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ledger") as client:
        yield client


async def test_the_dpo_reads_heads_others_are_refused(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    await http.post(f"/notes/{ALPHA}")
    notary = running(app).notary
    assert notary is not None
    await running(app).parts.store.sequence()
    head = await notary.tick()
    assert head is not None

    dpo = await http.get("/notary/heads", headers=as_dpo())
    admin = await http.get("/notary/heads", headers=as_admin())
    counsellor = await http.get("/notary/heads", headers=as_counsellor())

    assert dpo.status_code == 200, dpo.text
    body = dpo.json()
    assert body["heads"][0]["root_hash"] == head.root.hex()
    assert body["heads"][0]["tree_size"] == head.tree_size
    assert body["heads_file"].endswith("ledger.heads.jsonl")
    assert (admin.status_code, counsellor.status_code) == (403, 403)


async def test_a_survivors_record_is_proved_and_the_export_audited(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    mine = [(await http.post(f"/notes/{ALPHA}")).json()["event_id"] for _ in range(3)]
    await http.post(f"/notes/{BRAVO}")
    notary = running(app).notary
    assert notary is not None
    await running(app).parts.store.sequence()
    await notary.tick()

    one = await http.get(f"/notary/proofs/events/{mine[0]}", headers=as_dpo())
    record = await http.get(f"/notary/proofs/survivors/{ALPHA}", headers=as_dpo())
    refused = await http.get(f"/notary/proofs/survivors/{ALPHA}", headers=as_counsellor())

    assert one.status_code == 200, one.text
    assert [p["event_id"] for p in one.json()["proofs"]] == [mine[0]]
    assert record.status_code == 200, record.text
    exported = record.json()
    proved = {p["event_id"] for p in exported["proofs"]}
    assert set(mine) <= proved
    assert all(p["stream_id"].startswith("note-") for p in exported["proofs"])
    head = exported["tree_head"]
    for proof in exported["proofs"]:
        assert verify_inclusion(
            bytes.fromhex(proof["leaf_hash"]),
            proof["leaf_index"],
            head["tree_size"],
            [bytes.fromhex(h) for h in proof["inclusion_path"]],
            bytes.fromhex(head["root_hash"]),
        )
    assert refused.status_code == 403
    pool = running(app).parts.pool
    audited = await pool.fetch(
        "SELECT payload FROM events WHERE type = 'ledger.SurvivorDataAccessed' "
        "AND payload->>'action' = 'notary.proof'"
    )
    assert any(r["payload"]["survivor_id"] == str(ALPHA) for r in audited)


async def test_bad_and_unknown_requests_get_clear_answers(http: httpx.AsyncClient) -> None:
    malformed = await http.get("/notary/proofs/events/not-a-uuid", headers=as_dpo())
    unknown = await http.get(f"/notary/proofs/events/{uuid.uuid4()}", headers=as_dpo())
    stranger = await http.get(f"/notary/proofs/survivors/{uuid.uuid4()}", headers=as_dpo())
    too_many = await http.get("/notary/heads?limit=100000", headers=as_dpo())

    assert malformed.status_code == 422
    assert (unknown.status_code, unknown.json()["error"]) == (404, "NotNotarisedYet")
    assert stranger.status_code == 404
    assert too_many.status_code == 422


async def test_a_running_service_signs_heads_on_its_own_schedule(
    settings_factory: Callable[..., LedgerSettings], wait_until: Callable[..., Any]
) -> None:
    settings = settings_factory(notary_interval=0.2)
    assert settings.notary_heads_file is not None
    application = LEDGER.create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://l") as client:
            await client.post(f"/notes/{ALPHA}")
        heads = HeadsFile(settings.notary_heads_file)

        async def signed() -> bool:
            return bool(heads.read()) and heads.read()[-1].tree_size >= 1

        await wait_until(signed, 20, "the notary's first head")
        notary = running(application).notary
        assert notary is not None
        assert notary.status.verified_at is not None  # verified at start, then on schedule
        assert notary.status.problems == []


async def test_a_service_without_a_heads_file_says_so(
    settings_factory: Callable[..., LedgerSettings],
) -> None:
    settings = settings_factory().model_copy(update={"notary_heads_file": None})
    application = LEDGER.create_app(settings, feeds={})
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://l") as client:
            heads = await client.get("/notary/heads", headers=as_dpo())
            proof = await client.get(f"/notary/proofs/events/{uuid.uuid4()}", headers=as_dpo())

    assert heads.status_code == 200
    assert (heads.json()["configured"], heads.json()["heads"]) == (False, [])
    assert (proof.status_code, proof.json()["error"]) == (404, "NotaryOff")


async def test_a_deleted_audit_stream_raises_the_alarm(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    event_id = (await http.post(f"/notes/{ALPHA}")).json()["event_id"]
    await http.get(f"/notary/proofs/events/{event_id}", headers=as_dpo())  # audited
    await http.get(f"/notary/proofs/survivors/{ALPHA}", headers=as_dpo())  # audited, names ALPHA
    notary = running(app).notary
    assert notary is not None
    await running(app).parts.store.sequence()
    assert await notary.tick() is not None
    pool = running(app).parts.pool
    audit_stream = await pool.fetchval(
        "SELECT stream_id FROM events WHERE type = 'ledger.SurvivorDataAccessed' LIMIT 1"
    )
    assert audit_stream is not None
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute("DELETE FROM events WHERE stream_id = $1", audit_stream)

    problems = await notary.check()

    assert any("no event (removed)" in p or "events deleted" in p for p in problems), problems
    heads = await http.get("/notary/heads", headers=as_dpo())
    assert heads.json()["status"]["halted"] is True
    assert await pool.fetchval("SELECT count(*) FROM integrity_alarms WHERE path = 'notary'") == 1


async def test_a_consistency_proof_between_two_signed_heads(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    notary = running(app).notary
    assert notary is not None
    sizes = []
    for _ in range(2):
        await http.post(f"/notes/{BRAVO}")
        await running(app).parts.store.sequence()
        head = await notary.tick()
        assert head is not None
        sizes.append(head.tree_size)
    older, newer = sizes

    latest = await http.get(f"/notary/proofs/consistency?first={older}", headers=as_dpo())
    backwards = await http.get(
        f"/notary/proofs/consistency?first={newer}&second={older}", headers=as_dpo()
    )
    unsigned = await http.get(f"/notary/proofs/consistency?first={newer + 5}", headers=as_dpo())
    refused = await http.get(f"/notary/proofs/consistency?first={older}", headers=as_admin())

    assert latest.status_code == 200, latest.text
    body = latest.json()
    assert (body["first"]["tree_size"], body["second"]["tree_size"]) == (older, newer)
    assert verify_consistency(
        older,
        newer,
        bytes.fromhex(body["first"]["root_hash"]),
        bytes.fromhex(body["second"]["root_hash"]),
        [bytes.fromhex(h) for h in body["proof"]],
    )
    assert (backwards.status_code, backwards.json()["error"]) == (422, "HeadsOutOfOrder")
    assert (unsigned.status_code, unsigned.json()["error"]) == (404, "NotNotarisedYet")
    assert refused.status_code == 403

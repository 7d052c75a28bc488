"""Lag from a psychosocial command's HTTP 2xx to its entry in reporting's journey, stack running.

Intake, psychosocial and reporting run as uvicorn processes exactly as the launcher starts them
(one database each on the benchmark's PostgreSQL, the benchmark's NATS, `UPONYAJI_SERVICE_URLS`),
trusting a signing key of the benchmark's own (`<NAME>_JWKS_FILE`, `UPONYAJI_ENV=test`) instead
of identity. Survivors are registered and given consent over HTTP first; then PHQ-9 assessments
are posted open-loop at a fixed rate, each to its own survivor in turn, and a watcher notes when
each assessment's entry becomes visible in `journey_entries` (what `GET /journeys/{id}` reads).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import time
import uuid
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
import nats
import psutil
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from nats.js.errors import NotFoundError
from uponyaji_access.service_tokens import SERVICE_ROLE, service_subject, service_username
from uponyaji_events.natsconn import stream_name
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.processes import app_command
from uponyaji_launcher.services import KNOWN_SERVICES

from bench.probe import Measurement, Probe
from bench.servers import Servers

SERVICES = ("intake", "psychosocial", "reporting")
IN_FLIGHT = 32  # commands sent at once at most (staff at their keyboards, many more)
POLL = 0.002  # the watcher's interval (adds ≤ 2 ms, 1 ms on average)
TEAM = str(uuid.UUID("0190a8e5-7c00-7000-8000-0000000000c1"))
KID = f"bench-{uuid.uuid4().hex[:8]}"


PACKAGES = {spec.name: spec.package for spec in KNOWN_SERVICES}  # uponyaji_<name>, or <name>


@dataclass
class CommandLag:
    """What one run measured (times in ms)."""

    lags: list[float] = field(default_factory=list)  # 2xx → journey entry
    latencies: list[float] = field(default_factory=list)  # command due → 2xx
    sent: int = 0
    refused: list[str] = field(default_factory=list)  # non-2xx answers, status and body
    refusals: list[float] = field(default_factory=list)  # sent → 503 answer (ms)
    seconds: float = 0.0  # from the first send to the last 2xx
    cpu: dict[str, float] = field(default_factory=dict)  # cores per service process


@dataclass
class Signer:
    """The benchmark's stand-in for identity: an Ed25519 key and tokens shaped like identity's."""

    private: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    def jwks(self) -> dict[str, Any]:
        """The public key as a JWKS document."""
        public = OKPAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "EdDSA"}]}

    def token(self, role: str, audience: str) -> str:
        """A 15-minute access token of a synthetic staff member of the benchmark's team."""
        now = int(time.time())
        claims = {
            "iss": "uponyaji-identity",
            "sub": str(uuid.uuid4()),
            "aud": [audience],
            "iat": now,
            "nbf": now,
            "exp": now + 900,
            "jti": uuid.uuid4().hex,
            "sid": f"sess-{uuid.uuid4().hex}",
            "username": f"bench.{role}",
            "roles": [role],
            "teams": [TEAM],
        }
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": KID})

    def service_token(self, client: str) -> str:
        """A 15-minute service token of `client` for every service of the stack (feed.read: the
        consumers read their sources' signing keys beside the feeds with it)."""
        now = int(time.time())
        claims = {
            "iss": "uponyaji-identity",
            "sub": str(service_subject(client)),
            "aud": list(SERVICES),
            "iat": now,
            "nbf": now,
            "exp": now + 900,
            "jti": uuid.uuid4().hex,
            "sid": f"svc-{uuid.uuid4().hex}",
            "username": service_username(client),
            "roles": [SERVICE_ROLE],
            "teams": [],
        }
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": KID})


@dataclass
class Stack:
    """The running service processes."""

    urls: dict[str, str]
    databases: dict[str, str]
    processes: dict[str, Process]
    logs: dict[str, Path]


async def _healthy(name: str, url: str, process: Process, log: Path) -> None:
    deadline = time.monotonic() + 120
    async with httpx.AsyncClient(timeout=1, trust_env=False) as client:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{url}/health")).status_code == 200:
                    return
            if process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not become healthy; see {log}")
            await asyncio.sleep(0.2)


async def fresh_streams(nats_url: str) -> None:
    """Delete the services' JetStream streams (and so their durable consumers) if there are any.

    The benchmarks share one NATS: the append-path lag leaves an INTAKE stream whose events, at
    the same positions as this stack's intake will use, the new consumers would otherwise take
    for this intake's and so skip the real ones as duplicates.
    """
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        for name in SERVICES:
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(stream_name(name))
    finally:
        await client.close()


@contextlib.asynccontextmanager
async def running_stack(
    servers: Servers,
    signer: Signer,
    *,
    workers: int = 1,
    limits: dict[str, str] | None = None,
    uvicorn: tuple[str, ...] = (),
    profile_out: Path | None = None,
) -> AsyncIterator[Stack]:
    """Intake, psychosocial and reporting as uvicorn processes, as the launcher runs them
    (psychosocial with `workers` worker processes; under `bench.profiled_service`, writing
    its profile to `profile_out`, when that is given)."""
    await fresh_streams(servers.nats_url)
    folder = servers.root / "command-lag"
    (folder / "secrets").mkdir(parents=True, exist_ok=True)
    jwks = folder / "jwks.json"
    jwks.write_text(json.dumps(signer.jwks()))
    ports = {name: free_port() for name in SERVICES}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    databases = {name: await servers.new_database(f"cmd_{name}") for name in SERVICES}
    processes: dict[str, Process] = {}
    logs = {name: folder / f"{name}.log" for name in SERVICES}
    base = {k: v for k, v in os.environ.items() if not k.endswith(("_DATABASE_URL", "_NATS_URL"))}
    try:
        for name in SERVICES:
            prefix = name.upper()
            env = {
                **base,
                "UPONYAJI_ENV": "test",
                "UPONYAJI_SERVICE_URLS": json.dumps(urls),
                f"{prefix}_DATABASE_URL": databases[name],
                f"{prefix}_NATS_URL": servers.nats_url,
                f"{prefix}_KEK_FILE": str(folder / "secrets" / f"{name}.kek"),
                f"{prefix}_PORT": str(ports[name]),
                f"{prefix}_JWKS_FILE": str(jwks),
                f"{prefix}_IDENTITY_URL": f"http://127.0.0.1:{free_port()}",  # nobody listens
                f"{prefix}_FEED_TOKEN": signer.service_token(name),
            }
            if name == "psychosocial":  # e.g. MAX_CONCURRENT_REQUESTS: its overload limit
                env.update({f"{prefix}_{key}": value for key, value in (limits or {}).items()})
            count = workers if name == "psychosocial" else 1
            command = app_command(sys.executable, PACKAGES[name], ports[name], count)
            if name == "psychosocial" and profile_out is not None:
                env["UPONYAJI_PROFILE_OUT"] = str(profile_out)
                command[1:3] = ["-m", "bench.profiled_service"]  # instead of -m uvicorn
            with logs[name].open("wb") as log:
                processes[name] = await asyncio.create_subprocess_exec(
                    *command,
                    *uvicorn,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        for name in SERVICES:
            await _healthy(name, urls[name], processes[name], logs[name])
        yield Stack(urls, databases, processes, logs)
    finally:
        for process in processes.values():
            if process.returncode is None:
                process.terminate()
        for process in processes.values():
            try:
                async with asyncio.timeout(15):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()


def _client(
    stack: Stack, signer: Signer, service: str, role: str, in_flight: int = IN_FLIGHT
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=stack.urls[service],
        headers={"Authorization": f"Bearer {signer.token(role, service)}"},
        timeout=60,
        trust_env=False,
        # Idle connections are dropped before uvicorn's 5 s keep-alive ends: a request sent on a
        # connection the server is closing at that moment fails with ReadError.
        limits=httpx.Limits(
            max_connections=in_flight, max_keepalive_connections=in_flight, keepalive_expiry=2.0
        ),
    )


async def _register(officer: httpx.AsyncClient, n: int) -> str:
    body = {
        "full_name": f"Fake Bench {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}",
        "county_code": f"{1 + n % 47:03d}",
        "gender": "female" if n % 2 else "male",
        "age_band": "25-34",
        "preferred_language": "sw",
    }
    response = await officer.post("/survivors", json=body)
    if response.status_code != 201:
        raise RuntimeError(f"registration refused: {response.status_code} {response.text}")
    survivor = str(response.json()["survivor_id"])
    grant = {
        "scope": "psychosocial_support",
        "decision": "grant",
        "method": "verbal",
        "language": "sw",
    }
    response = await officer.post(f"/survivors/{survivor}/consents", json=grant)
    if response.status_code != 201:
        raise RuntimeError(f"consent refused: {response.status_code} {response.text}")
    return survivor


async def _until(check: Callable[[], Any], what: str, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def prepare(stack: Stack, signer: Signer, count: int) -> list[str]:
    """Register `count` consenting survivors; wait until psychosocial and reporting have them."""
    gate = asyncio.Semaphore(8)
    async with _client(stack, signer, "intake", "intake_officer") as officer:

        async def one(n: int) -> str:
            async with gate:
                return await _register(officer, n)

        survivors = await asyncio.gather(*(one(n) for n in range(count)))
    psychosocial = await asyncpg.connect(stack.databases["psychosocial"])
    reporting = await asyncpg.connect(stack.databases["reporting"])
    try:
        await _until(
            lambda: _at_least(
                psychosocial,
                "SELECT count(*) FROM consents WHERE scope = 'psychosocial_support' AND granted",
                count,
            ),
            "psychosocial to hear of every consent",
        )
        await _until(  # registered, case_assigned, consent_granted
            lambda: _at_least(
                reporting, "SELECT count(*) FROM journey_entries WHERE source = 'intake'", 3 * count
            ),
            "reporting to hear of every registration",
        )
    finally:
        await psychosocial.close()
        await reporting.close()
    return list(survivors)


async def _at_least(conn: asyncpg.Connection, sql: str, count: int) -> bool:
    return int(await conn.fetchval(sql)) >= count


async def watch(conn: asyncpg.Connection, seen: dict[str, float], stop: asyncio.Event) -> None:
    """Note when each assessment's journey entry becomes visible."""
    after = int(
        await conn.fetchval(
            "SELECT coalesce(max(position), 0) FROM journey_entries WHERE source = 'psychosocial'"
        )
    )
    while not stop.is_set():
        rows = await conn.fetch(
            "SELECT position, data->>'assessment_id' AS aid FROM journey_entries "
            "WHERE source = 'psychosocial' AND position > $1 ORDER BY position",
            after,
        )
        now = time.perf_counter()
        for row in rows:
            if row["aid"] is not None:
                seen.setdefault(row["aid"], now)
            after = max(after, row["position"])
        await asyncio.sleep(POLL)


def _responses(rng: random.Random) -> list[int]:
    return [rng.randint(0, 3) for _ in range(8)] + [0]  # item 9 = 0: no risk flag


async def fire(
    stack: Stack,
    signer: Signer,
    survivors: list[str],
    rate: float,
    seconds: float,
    in_flight: int = IN_FLIGHT,
) -> tuple[CommandLag, dict[str, float]]:
    """Post PHQ-9s open-loop at `rate`/s for `seconds`; each one's 2xx time by assessment id.

    Commands are due at fixed times whatever the answers; IN_FLIGHT senders take them in order,
    and the latency counts from when a command was due, so a backlog shows (no coordinated
    omission). Bounding what is in flight keeps the benchmark's own client cheap: thousands of
    requests pending in one httpx pool cost the shared CPU more than the services do.
    """
    result, acked, rng = CommandLag(), {}, random.Random(600)
    due: asyncio.Queue[tuple[float, str, dict[str, Any]] | None] = asyncio.Queue()
    async with _client(stack, signer, "psychosocial", "counsellor", in_flight) as counsellor:

        async def sender() -> None:
            while (item := await due.get()) is not None:
                at, survivor, body = item
                sent = time.perf_counter()
                try:
                    response = await counsellor.post(
                        f"/survivors/{survivor}/assessments", json=body
                    )
                except httpx.TransportError as exc:  # a dropped connection counts as refused
                    result.refused.append(f"transport {type(exc).__name__}: {exc}")
                    continue
                done = time.perf_counter()
                if response.status_code != 201:
                    result.refused.append(f"{response.status_code} {response.text[:200]}")
                    if response.status_code == 503:
                        result.refusals.append((done - sent) * 1000)
                    continue
                acked[str(response.json()["assessment_id"])] = done
                result.latencies.append((done - at) * 1000)

        senders = [asyncio.create_task(sender()) for _ in range(in_flight)]
        begin = time.perf_counter()
        for n in range(int(rate * seconds)):
            at = begin + n / rate
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            body = {"instrument": "PHQ-9", "responses": _responses(rng)}
            due.put_nowait((at, survivors[n % len(survivors)], body))
            result.sent += 1
        for _ in senders:
            due.put_nowait(None)
        await asyncio.gather(*senders)
        result.seconds = time.perf_counter() - begin
    return result, acked


def _cpu(processes: dict[str, Process]) -> dict[str, float]:
    seconds: dict[str, float] = {}
    for name, process in processes.items():
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(process.pid).cpu_times()
            seconds[name] = times.user + times.system
    return seconds


async def measure_command_lag(
    servers: Servers, probe: Probe, survivors: int, rates: list[tuple[float, float]]
) -> list[tuple[CommandLag, Measurement]]:
    """Start the stack, prepare survivors, warm up, then measure at each (rate/s, seconds) in
    turn (a measurement covers the commands and the wait for their last journey entries)."""
    signer = Signer()
    runs: list[tuple[CommandLag, Measurement]] = []
    async with running_stack(servers, signer) as stack:
        ids = await prepare(stack, signer, survivors)
        await fire(stack, signer, ids, 20.0, 2.0)  # untimed warm-up: connections, caches
        for rate, seconds in rates:
            runs.append(await _measure(stack, signer, probe, ids, rate, seconds))
    return runs


async def measure_overload(
    servers: Servers,
    probe: Probe,
    survivors: int,
    rate: float,
    seconds: float,
    in_flight: int,
    limits: dict[str, str],
) -> tuple[CommandLag, Measurement]:
    """More commands than psychosocial can take, from `in_flight` senders, with its concurrency
    limit set by `limits`: what is refused (503 + Retry-After) and how fast, what is served."""
    signer = Signer()
    async with running_stack(servers, signer, limits=limits) as stack:
        ids = await prepare(stack, signer, survivors)
        await fire(stack, signer, ids, 20.0, 2.0)  # untimed warm-up
        cpu_before, wall = _cpu(stack.processes), time.perf_counter()
        with probe.measure() as measured:
            result, _ = await fire(stack, signer, ids, rate, seconds, in_flight)
        cpu_after, wall = _cpu(stack.processes), time.perf_counter() - wall
        result.cpu = {n: (cpu_after[n] - cpu_before.get(n, 0.0)) / wall for n in cpu_after}
    return result, measured


async def _measure(
    stack: Stack, signer: Signer, probe: Probe, ids: list[str], rate: float, seconds: float
) -> tuple[CommandLag, Measurement]:
    conn = await asyncpg.connect(stack.databases["reporting"])
    seen: dict[str, float] = {}
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(conn, seen, stop))
    cpu_before, wall = _cpu(stack.processes), time.perf_counter()
    try:
        with probe.measure() as measured:
            result, acked = await fire(stack, signer, ids, rate, seconds)
            for _ in range(1200):  # up to a minute for the last entries
                if len(seen.keys() & acked.keys()) == len(acked):
                    break
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await watcher
        await conn.close()
    cpu_after, wall = _cpu(stack.processes), time.perf_counter() - wall
    missing = len(acked) - len(seen.keys() & acked.keys())
    if missing:
        raise RuntimeError(
            f"{missing} of {len(acked)} acknowledged assessments never reached the journey"
        )
    result.lags = [(seen[aid] - at) * 1000 for aid, at in acked.items()]
    result.cpu = {n: (cpu_after[n] - cpu_before.get(n, 0.0)) / wall for n in cpu_after}
    return result, measured

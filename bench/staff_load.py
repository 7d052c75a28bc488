"""Staff load on a running stack: many concurrent staff sessions doing a realistic mix of work.

    make up                                   # or any stack the launcher started
    .venv/bin/python -m bench.staff_load --sessions 200 --seconds 600

Each virtual staff session has an account of its own (made through identity's admin API the
first time, see bench/staff_accounts.py), signs in once (password and TOTP, from a loopback
address of its own) and then, until the time is up, does one action and thinks (exponential
pauses, mean `--think` seconds), as a person at a keyboard would:

- intake officers (30 %): search by name (40 %), read a record (40 %), register a survivor
  with consent (20 %, two commands);
- counsellors (50 %): read a survivor's sessions (40 %), log a session (30 %), submit a PHQ-9
  (30 %);
- programme leads (20 %): the dashboard (50 %), a survivor's journey (50 %).

They work on `--survivors` consenting survivors registered beforehand (eight at a time; kept in
`<run dir>/load-survivors.json` for a later run on the same stack). It prints latency percentiles
for reads and commands, every answer that was not 2xx, the resident memory of each service
process (the launcher's pids) before, each minute and after, each minute's load average and CPU
of the machine, the stack, the generator and the rest (`other`), and per service whether memory
was flat (the second half of the run adds at most FLAT_MIB). Figures go to docs/benchmarks.md
with the machine and what else ran on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from uponyaji_events.eat import today as eat_today

from bench.staff_accounts import (
    Account,
    Provisioner,
    Tokens,
    bearer,
    client_from,
    refresh,
    sign_in,
)

ROLES = {"intake_officer": 0.3, "counsellor": 0.5, "programme_lead": 0.2}
TOKEN_REFRESH_S = 600  # access tokens live 15 minutes: refresh after 10
CLEAN_PHQ9 = [1, 1, 1, 0, 0, 1, 0, 1, 0]  # total 5, no self-harm item: no risk flag
# An idle pooled connection is dropped after 2 s, as the portal does, well before a server closes
# it (uvicorn: 5 s by default, the launcher's 75 s). httpx keeps one 5 s by default: a session
# thinking about 5 s then reuses a connection the server is closing, and the request is dropped.
KEEPALIVE_S = 2.0
SURVIVORS_FILE = "load-survivors.json"  # the prepared caseload, reused by later runs
PREPARE_AT_ONCE = 8  # registrations in flight while the caseload is prepared


@dataclass
class Tally:
    """Latencies by operation and class, and every failure."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)

    def record(self, kind: str, name: str, started: float, response: httpx.Response | None) -> None:
        """One answered (or failed) request; `kind` is read or command."""
        elapsed = (time.perf_counter() - started) * 1000
        if response is None or not response.is_success:
            status = "error" if response is None else str(response.status_code)
            body = "" if response is None else response.text[:160]
            self.failures.append(f"{name}: {status} {body}")
            return
        self.latencies[kind].append(elapsed)
        self.latencies[name].append(elapsed)


@dataclass
class Stack:
    """URLs and process ids of a launcher-started stack, and its demo logins."""

    urls: dict[str, str]
    pids: dict[str, int]
    logins: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, run_dir: Path) -> Stack:
        """Read `.run/stack.json` and `.run/demo-logins.json` (the demo logins by role)."""
        state = json.loads((run_dir / "stack.json").read_text())
        urls = {s["name"]: s["url"] for s in state["summary"]["services"]}
        pids = {
            name.split(":", 1)[1]: int(record["pid"])
            for name, record in state["processes"].items()
            if name.startswith("service:")
        }
        stored = json.loads((run_dir / "demo-logins.json").read_text())
        logins = {login["role"]: login for login in stored.get("identity", [])}
        return cls(urls, pids, logins)

    def memory_mb(self) -> dict[str, float]:
        """Resident memory of each service process (with its worker children), in MB."""
        out: dict[str, float] = {}
        for name, pid in self.pids.items():
            try:
                process = psutil.Process(pid)
                rss = process.memory_info().rss + sum(
                    child.memory_info().rss for child in process.children(recursive=True)
                )
            except psutil.Error:
                continue
            out[name] = round(rss / 2**20, 1)
        return out


class Session:
    """One virtual member of staff."""

    def __init__(
        self,
        role: str,
        tokens: Tokens,
        stack: Stack,
        client: httpx.AsyncClient,
        survivors: list[str],
        tally: Tally,
        rng: random.Random,
    ) -> None:
        self.role, self.stack, self.client = role, stack, client
        self.tokens = tokens
        self.survivors, self.tally, self.rng = survivors, tally, rng
        self.last_answer = time.monotonic()

    @property
    def headers(self) -> dict[str, str]:
        """The session's Authorization header."""
        return bearer(self.tokens)

    async def call(self, kind: str, name: str, method: str, url: str, body: Any = None) -> Any:
        """One request, timed and tallied; the JSON answer when it succeeded."""
        started = time.perf_counter()
        idle = time.monotonic() - self.last_answer  # how long this session's connections rested
        try:
            response = await self.client.request(method, url, json=body, headers=self.headers)
        except httpx.HTTPError as exc:
            self.tally.failures.append(f"{name}: {type(exc).__name__} {{after {idle:.2f} s idle}}")
            return None
        finally:
            self.last_answer = time.monotonic()
        self.tally.record(kind, name, started, response)
        return response.json() if response.is_success else None

    def url(self, service: str, path: str) -> str:
        """A URL at one of the stack's services."""
        return f"{self.stack.urls[service]}{path}"

    async def act(self) -> None:
        """One action of this role, chosen by the mix."""
        survivor = self.rng.choice(self.survivors)
        pick = self.rng.random()
        body: dict[str, Any]
        if self.role == "intake_officer":
            if pick < 0.4:
                body = {"q": "Fake"}
                await self.call(
                    "read", "search", "POST", self.url("intake", "/survivors/search"), body
                )
            elif pick < 0.8:
                await self.call(
                    "read", "read record", "GET", self.url("intake", f"/survivors/{survivor}")
                )
            else:
                await register(self)
        elif self.role == "counsellor":
            path = f"/survivors/{survivor}"
            if pick < 0.4:
                await self.call(
                    "read", "read sessions", "GET", self.url("psychosocial", f"{path}/sessions")
                )
            elif pick < 0.7:
                body = {
                    "held_on": eat_today().isoformat(),  # the Kenyan day, as the service judges it
                    "duration_minutes": 50,
                    "approach": "trauma_focused_cbt",
                    "attendance": "attended",
                }
                await self.call(
                    "command",
                    "log session",
                    "POST",
                    self.url("psychosocial", f"{path}/sessions"),
                    body,
                )
            else:
                body = {"instrument": "PHQ-9", "responses": list(CLEAN_PHQ9)}
                await self.call(
                    "command",
                    "assessment",
                    "POST",
                    self.url("psychosocial", f"{path}/assessments"),
                    body,
                )
        elif pick < 0.5:
            await self.call("read", "dashboard", "GET", self.url("reporting", "/dashboard"))
        else:
            await self.call(
                "read", "journey", "GET", self.url("reporting", f"/journeys/{survivor}")
            )

    async def run(self, until: float, think: float) -> None:
        """Act and think until the time is up (a random start spreads the first actions)."""
        await asyncio.sleep(self.rng.uniform(0, think))
        while time.monotonic() < until:
            if time.monotonic() - self.tokens.issued > TOKEN_REFRESH_S:
                try:
                    self.tokens = await refresh(
                        self.client, self.stack.urls["identity"], self.tokens
                    )
                except httpx.HTTPError as exc:
                    self.tally.failures.append(f"refresh: {type(exc).__name__} {exc}"[:200])
            await self.act()
            await asyncio.sleep(self.rng.expovariate(1 / think))


def registration() -> dict[str, Any]:
    """A synthetic survivor to register (distinctive name parts after "Fake Load")."""
    return {
        "full_name": f"Fake Load {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}",
        "county_code": "047",
        "gender": "female",
        "age_band": "25-34",
        "preferred_language": "sw",
    }


async def register(session: Session) -> str | None:
    """Register a synthetic survivor and record both consents (three commands)."""
    body = registration()
    answer = await session.call(
        "command", "register", "POST", session.url("intake", "/survivors"), body
    )
    if answer is None:
        return None
    survivor = str(answer["survivor_id"])
    for scope in ("documentation", "psychosocial_support"):
        grant = {"scope": scope, "decision": "grant", "method": "verbal", "language": "sw"}
        consents = session.url("intake", f"/survivors/{survivor}/consents")
        await session.call("command", "consent", "POST", consents, grant)
    return survivor


async def prepare(
    session: Session, counsellor: Tokens, count: int, at_once: int = PREPARE_AT_ONCE
) -> list[str]:
    """`count` consenting survivors that psychosocial already knows (so commands are accepted),
    registered `at_once` at a time (a caseload of thousands takes minutes one by one)."""
    slots = asyncio.Semaphore(at_once)

    async def one() -> str | None:
        async with slots:
            return await register(session)

    survivors = [s for s in await asyncio.gather(*(one() for _ in range(count))) if s]
    if len(survivors) < count:
        raise RuntimeError(f"only {len(survivors)} of {count} survivors registered")
    deadline = time.monotonic() + 120 + count / 20  # the projections catch up after the burst
    headers = bearer(counsellor)
    for survivor in survivors:
        url = session.url("psychosocial", f"/survivors/{survivor}/sessions")
        while (await session.client.get(url, headers=headers)).status_code != 200:
            if time.monotonic() > deadline:
                raise RuntimeError("psychosocial never heard of the prepared survivors")
            await asyncio.sleep(0.2)
    return survivors


def _stack_cpu_s(stack: Stack) -> float:
    """CPU seconds used so far by the stack's service processes (with their children)."""
    total = 0.0
    for pid in stack.pids.values():
        try:
            process = psutil.Process(pid)
            for each in [process, *process.children(recursive=True)]:
                times = each.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            continue
    return total


@dataclass
class Minute:
    """What one minute of the run used: memory per service, and the CPU of the machine, of the
    stack, of this generator and of everything else (`other`), in % of all cores."""

    memory: dict[str, float]
    load_1m: float
    machine_busy: float
    stack_busy: float
    generator_busy: float

    @property
    def other_busy(self) -> float:
        """CPU the stack and the generator did not use: other people's work on the machine."""
        return max(0.0, self.machine_busy - self.stack_busy - self.generator_busy)


async def _sample_minutes(stack: Stack, samples: list[Minute], every: float = 60) -> None:
    """Each minute: resident memory per service (whether growth levels off), the load average and
    who used the CPU (the stack, the generator, the rest), until cancelled."""
    cores = os.cpu_count() or 1
    me = psutil.Process()
    machine, ours, own = psutil.cpu_times(), _stack_cpu_s(stack), me.cpu_times()
    while True:
        await asyncio.sleep(every)
        machine_now, ours_now, own_now = psutil.cpu_times(), _stack_cpu_s(stack), me.cpu_times()
        wall = every * cores
        busy = (sum(machine_now) - machine_now.idle) - (sum(machine) - machine.idle)
        mine = own_now.user + own_now.system - own.user - own.system
        samples.append(
            Minute(
                memory=stack.memory_mb(),
                load_1m=os.getloadavg()[0],
                machine_busy=round(100 * busy / wall, 1),
                stack_busy=round(100 * (ours_now - ours) / wall, 1),
                generator_busy=round(100 * mine / wall, 1),
            )
        )
        machine, ours, own = machine_now, ours_now, own_now


FLAT_MIB = 2.0  # "flat": the second half of the run adds at most this much to a service


def flatness(by_minute: list[float | None]) -> dict[str, Any]:
    """Growth of one service over the run and over its second half (minute n/2 to n), and
    whether it is flat: the second half adds at most FLAT_MIB (its largest value, a peak
    included, against the value at the middle)."""
    values = [v for v in by_minute if v is not None]
    if len(values) < 2:
        return {"flat": None}
    half = values[(len(values) - 1) // 2 :]
    second = max(half) - half[0]
    return {
        "first_to_last": round(values[-1] - values[0], 1),
        "second_half": round(half[-1] - half[0], 1),
        "second_half_peak": round(second, 1),
        "flat": second <= FLAT_MIB,
    }


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of the values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """Sign in, prepare survivors, run the sessions, return the figures."""
    stack = Stack.load(args.run_dir)
    rng = random.Random(args.seed)
    limits = httpx.Limits(
        max_connections=args.connections,
        max_keepalive_connections=args.connections,
        keepalive_expiry=KEEPALIVE_S,
    )
    identity = stack.urls["identity"]
    roles = rng.choices(list(ROLES), weights=list(ROLES.values()), k=args.sessions)
    provisioned = time.monotonic()
    provisioner = Provisioner(args.run_dir, identity, stack.logins)
    stored = len(provisioner.accounts)
    accounts = await provisioner.ensure(roles)
    provisioned = time.monotonic() - provisioned
    async with contextlib.AsyncExitStack() as stack_of_clients:
        client = await stack_of_clients.enter_async_context(
            httpx.AsyncClient(timeout=30, trust_env=False, limits=limits)
        )
        setup_tokens = {
            role: await sign_in(client, identity, stack.logins[role])
            for role in ("intake_officer", "counsellor")
        }
        setup = Session(
            "intake_officer", setup_tokens["intake_officer"], stack, client, [], Tally(), rng
        )
        prepared = time.monotonic()
        kept = args.run_dir / SURVIVORS_FILE
        survivors = json.loads(kept.read_text()) if kept.exists() else []
        if len(survivors) < args.survivors:  # a stack restarted on its data keeps its caseload
            survivors += await prepare(
                setup, setup_tokens["counsellor"], args.survivors - len(survivors)
            )
            kept.write_text(json.dumps(survivors))
        survivors = survivors[: args.survivors]
        prepared = time.monotonic() - prepared
        own_limits = httpx.Limits(
            max_connections=8, max_keepalive_connections=8, keepalive_expiry=KEEPALIVE_S
        )
        clients = [
            await stack_of_clients.enter_async_context(
                client_from(account.address, timeout=30, limits=own_limits)
            )
            for account in accounts
        ]
        slots = asyncio.Semaphore(8)

        async def signed_in(account: Account, own: httpx.AsyncClient) -> Tokens:
            fresh = provisioner.fresh.pop(account.login, None)
            if fresh is not None:
                return fresh
            async with slots:
                return await sign_in(own, identity, asdict(account))

        tokens = await asyncio.gather(
            *(signed_in(a, c) for a, c in zip(accounts, clients, strict=True))
        )
        memory_before = stack.memory_mb()
        tally = Tally()
        sessions = [
            Session(a.role, t, stack, c, survivors, tally, random.Random(rng.random()))
            for a, t, c in zip(accounts, tokens, clients, strict=True)
        ]
        cpu_before = psutil.cpu_times()
        started = time.monotonic()
        minutes: list[Minute] = []
        sampling = asyncio.create_task(_sample_minutes(stack, minutes))
        await asyncio.gather(*(s.run(started + args.seconds, args.think) for s in sessions))
        elapsed = time.monotonic() - started
        sampling.cancel()
        cpu_after = psutil.cpu_times()
    busy = sum(cpu_after) - sum(cpu_before) - (cpu_after.idle - cpu_before.idle)
    figures: dict[str, Any] = {
        "sessions": args.sessions,
        "accounts": len({a.login for a in accounts}),
        "accounts_made_now": len(provisioner.accounts) - stored,
        "accounts_made_s": round(provisioned, 1),
        "survivors": len(survivors),
        "survivors_prepared_s": round(prepared, 1),
        "seconds": round(elapsed, 1),
        "think_s": args.think,
        "requests": sum(len(v) for k, v in tally.latencies.items() if k in ("read", "command"))
        + len(tally.failures),
        "failures": len(tally.failures),
        "failures_by_kind": dict(Counter(f.split(" {", 1)[0] for f in tally.failures)),
        "failure_samples": tally.failures[:5],
        "machine_cpu_busy_percent": round(100 * busy / (elapsed * (os.cpu_count() or 1)), 1),
        "memory_mb_before": memory_before,
        "memory_mb_after": stack.memory_mb(),
        "memory_mb_by_minute": {
            name: [minute.memory.get(name) for minute in minutes] for name in memory_before
        },
        "load_1m_by_minute": [round(m.load_1m, 2) for m in minutes],
        "cpu_percent_by_minute": {
            "machine": [m.machine_busy for m in minutes],
            "stack": [m.stack_busy for m in minutes],
            "generator": [m.generator_busy for m in minutes],
            "other": [round(m.other_busy, 1) for m in minutes],
        },
    }
    figures["memory_flat"] = {
        name: flatness(series) for name, series in figures["memory_mb_by_minute"].items()
    }
    figures["requests_per_s"] = round(figures["requests"] / elapsed, 1)
    for name, values in sorted(tally.latencies.items()):
        figures[f"{name}_ms"] = {
            "n": len(values),
            "p50": round(statistics.median(values), 1),
            "p95": round(percentile(values, 0.95), 1),
            "p99": round(percentile(values, 0.99), 1),
            "max": round(max(values), 1),
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.staff_load", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--run-dir", type=Path, default=Path(os.environ.get("UPONYAJI_RUN_DIR", ".run"))
    )
    parser.add_argument("--sessions", type=int, default=200, help="concurrent staff sessions")
    parser.add_argument("--seconds", type=float, default=600, help="how long the sessions work")
    parser.add_argument("--think", type=float, default=3.0, help="mean pause between actions (s)")
    parser.add_argument("--survivors", type=int, default=20, help="survivors prepared beforehand")
    parser.add_argument("--connections", type=int, default=100, help="HTTP connections at most")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(main_async(args)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

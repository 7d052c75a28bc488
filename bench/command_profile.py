"""Where psychosocial's CPU goes per PHQ-9 command: a sampling profile under closed-loop load.

    .venv/bin/python -m bench.command_profile --seconds 20 --concurrency 16 [--workers 1]
    .venv/bin/python -m bench.command_profile --no-profile --rate 50   # open loop, 50/s

Starts intake, psychosocial and reporting as the command-lag benchmark does (fresh embedded
servers, the benchmark's own signing key), registers consenting survivors, warms up, then posts
PHQ-9 assessments from `--concurrency` closed-loop clients (or open loop at `--rate` per
second) for `--seconds` while `py-spy` samples every psychosocial process (`--nonblocking`, so
the process is not paused). It prints the commands answered per second, psychosocial's CPU per
command (user + system time of its processes, as psutil reads it), the cores each part of the
stack used and what the rest of the machine took (`other`), and the functions with the most
samples: by self time (the frame that was running) and by inclusive time (anywhere on the stack).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import pstats
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench.probe import _cpu_seconds, _machine_busy
from bench.reporting_command_lag import (
    Signer,
    Stack,
    _client,
    _responses,
    prepare,
    running_stack,
)
from bench.servers import Servers, started_servers


def _psychosocial_pids(stack: Stack) -> list[int]:
    """The psychosocial process and its children (uvicorn workers, when there are several)."""
    root = psutil.Process(stack.processes["psychosocial"].pid)
    return [root.pid, *(child.pid for child in root.children(recursive=True))]


def _cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


def _machine(stack: Stack, servers: Servers, pids: list[int]) -> dict[str, float]:
    """CPU seconds so far: psychosocial, the other two services, PostgreSQL, NATS, this client,
    and the whole machine (busy time of every core), to tell what else used the CPU."""
    others = [p.pid for name, p in stack.processes.items() if name != "psychosocial"]
    return {
        "psychosocial": _cpu(pids),
        "intake+reporting": sum(_cpu_seconds(pid, tree=True) for pid in others),
        "postgres": _cpu_seconds(servers.postgres.postmaster_pid(), tree=True),
        "nats": _cpu_seconds(servers.nats.pid, tree=True),
        "client": _cpu_seconds(psutil.Process().pid, tree=False),
        "machine": _machine_busy(),
    }


def _cores(before: dict[str, float], after: dict[str, float], wall: float) -> str:
    """Cores each part used over `wall` seconds; `other` is the rest of the machine's use."""
    used = {name: max(0.0, after[name] - before[name]) / wall for name in before}
    other = max(0.0, used.pop("machine") - sum(used.values()))
    parts = [f"{name} {value:.2f}" for name, value in used.items()]
    return ", ".join([*parts, f"other {other:.2f}"])


async def load(
    stack: Stack, signer: Signer, survivors: list[str], seconds: float, clients: int
) -> tuple[int, list[str], list[float]]:
    """Closed loop: `clients` senders post PHQ-9s back to back for `seconds`."""
    rng, refused, latencies = random.Random(19), [], []
    done = 0
    deadline = time.perf_counter() + seconds
    async with _client(stack, signer, "psychosocial", "counsellor") as counsellor:

        async def sender(n: int) -> None:
            nonlocal done
            turn = n
            while time.perf_counter() < deadline:
                survivor = survivors[turn % len(survivors)]
                turn += clients
                body = {"instrument": "PHQ-9", "responses": _responses(rng)}
                started = time.perf_counter()
                response = await counsellor.post(f"/survivors/{survivor}/assessments", json=body)
                if response.status_code == 201:
                    done += 1
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    refused.append(f"{response.status_code} {response.text[:200]}")

        await asyncio.gather(*(sender(n) for n in range(clients)))
    return done, refused, latencies


async def paced(
    stack: Stack, signer: Signer, survivors: list[str], seconds: float, rate: float
) -> tuple[int, list[str], list[float]]:
    """Open loop: a PHQ-9 every 1/`rate` s for `seconds`, each sent when due (not when the
    previous one is answered), so the service does the same work however fast it answers."""
    rng, refused, latencies = random.Random(19), [], []
    done = 0
    async with _client(stack, signer, "psychosocial", "counsellor") as counsellor:

        async def one(n: int) -> None:
            nonlocal done
            body = {"instrument": "PHQ-9", "responses": _responses(rng)}
            started = time.perf_counter()
            response = await counsellor.post(
                f"/survivors/{survivors[n % len(survivors)]}/assessments", json=body
            )
            if response.status_code == 201:
                done += 1
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                refused.append(f"{response.status_code} {response.text[:200]}")

        start, sent = time.perf_counter(), []
        for n in range(int(seconds * rate)):
            await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
            sent.append(asyncio.create_task(one(n)))
        await asyncio.gather(*sent)
    return done, refused, latencies


async def _spy(
    pid: int, out: Path, seconds: float, *, gil: bool = False
) -> asyncio.subprocess.Process:
    """py-spy sampling one process for `seconds`, without pausing it, into `out` (raw stacks);
    with `gil`, only samples of a thread holding the GIL (Python's CPU, C extensions included,
    not waits)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return await asyncio.create_subprocess_exec(
        spy,
        "record",
        "--pid",
        str(pid),
        *(["--gil"] if gil else []),
        "--nonblocking",
        "--rate",
        "200",
        "--format",
        "raw",
        "--duration",
        str(int(seconds)),
        "-o",
        str(out),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def top(raw: Path, count: int) -> tuple[list[tuple[str, int]], list[tuple[str, int]], int]:
    """Self and inclusive sample counts per function from py-spy's raw (collapsed) output."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, number = line.rpartition(" ")
        if not stack or not number.isdigit():  # py-spy's notes, not samples
            continue
        samples = int(number)
        total += samples
        frames = [_short(frame) for frame in stack.split(";")]
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    return own.most_common(count), inclusive.most_common(count), total


def _short(frame: str) -> str:
    """`func (path/to/site-packages/pkg/mod.py:12)` → `func (pkg/mod.py)`."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    parts = Path(path).parts
    for anchor in ("site-packages", "libs", "services", "lib"):
        if anchor in parts:
            parts = parts[parts.index(anchor) + 1 :]
            break
    return f"{name} ({'/'.join(parts[-3:])})"


# What the cProfile summary names per command (inclusive CPU): (label, file suffix, function)
PARTS = (
    ("request, all of it", "fastapi/routing.py", "app"),
    ("FastAPI dependencies", "fastapi/dependencies/utils.py", "solve_dependencies"),
    ("authorisation", "uponyaji_access/dependencies.py", "__call__"),
    ("handler record_assessment", "handlers/assessments.py", "record_assessment"),
    (
        "survivor_unit (lock, consent, load, fold)",
        "uponyaji_service/survivor_unit.py",
        "survivor_unit",
    ),
    ("store append", "uponyaji_events/store.py", "append"),
    ("projection", "uponyaji_psychosocial/projections.py", "apply_all"),
    ("route matching", "starlette/routing.py", "matches"),
    ("response send", "uvicorn/protocols/http/httptools_impl.py", "send"),
    ("access log", "logging/__init__.py", "info"),
    ("asyncpg execute", "asyncpg/connection.py", "_do_execute"),
    ("relay", "uponyaji_events/relay.py", "_lead"),
)


def cprofile_summary(path: Path, commands: int, count: int) -> None:
    """Print the profile's CPU per command: named parts (inclusive) and the top own-time entries."""
    stats = pstats.Stats(str(path))
    table: dict[tuple[str, int, str], tuple[int, int, float, float, Any]]
    table = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in table.values())  # own time of everything = all CPU
    print(
        f"\ncProfile: {total:.2f} s of CPU profiled, {total / commands * 1000:.2f} ms per command"
    )
    print("  ms/cmd   share  part (inclusive)")
    for label, suffix, name in PARTS:
        found = [e for (f, _, n), e in table.items() if n == name and f.endswith(suffix)]
        cumulative = sum(e[3] for e in found)  # e.g. Route.matches and Mount.matches
        print(f"  {cumulative / commands * 1000:6.3f}  {cumulative / total:6.1%}  {label}")
    print("  ms/cmd   share  calls/cmd  function (own time)")
    ranked = sorted(table.items(), key=lambda item: item[1][2], reverse=True)[:count]
    for (file, line, name), entry in ranked:
        where = _short(f"{name} ({file}:{line})")
        print(
            f"  {entry[2] / commands * 1000:6.3f}  {entry[2] / total:6.1%}  "
            f"{entry[1] / commands:9.1f}  {where}"
        )


async def main_async(args: argparse.Namespace) -> None:
    """Start the stack, load it under the profiler, print the figures and the top entries."""
    signer = Signer()
    stats_file = args.out / "cprofile.pstats" if args.cprofile else None
    with started_servers() as servers:
        uvicorn = tuple(args.uvicorn.split())
        async with running_stack(
            servers, signer, workers=args.workers, uvicorn=uvicorn, profile_out=stats_file
        ) as stack:
            survivors = await prepare(stack, signer, args.survivors)
            await load(stack, signer, survivors, 3.0, args.concurrency)  # warm-up
            pids = _psychosocial_pids(stack)
            outputs = [args.out / f"profile-{pid}.txt" for pid in pids] if args.profile else []
            spies = (
                [
                    await _spy(pid, out, args.seconds, gil=args.gil)
                    for pid, out in zip(pids, outputs, strict=True)
                ]
                if args.profile
                else []
            )
            if spies:
                await asyncio.sleep(0.5)
            load_before = psutil.getloadavg()
            machine_before, wall = _machine(stack, servers, pids), time.perf_counter()
            cpu_before = machine_before["psychosocial"]
            if stats_file is not None:
                os.kill(pids[0], signal.SIGUSR1)  # cProfile on
            done, refused, latencies = (
                await paced(stack, signer, survivors, args.seconds, args.rate)
                if args.rate
                else await load(stack, signer, survivors, args.seconds, args.concurrency)
            )
            wall = time.perf_counter() - wall
            machine_after = _machine(stack, servers, pids)
            cpu = machine_after["psychosocial"] - cpu_before
            if stats_file is not None:
                os.kill(pids[0], signal.SIGUSR2)  # cProfile off, statistics written
                for _ in range(100):
                    if stats_file.exists():
                        break
                    await asyncio.sleep(0.1)
            for spy_process in spies:
                await spy_process.wait()
    latencies.sort()

    def p(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    print(
        f"load average: {' '.join(f'{x:.2f}' for x in load_before)} at the start, "
        f"{' '.join(f'{x:.2f}' for x in psutil.getloadavg())} at the end"
    )
    print(f"cores used: {_cores(machine_before, machine_after, wall)}")
    sent = f"{args.rate:g}/s open loop" if args.rate else f"{args.concurrency} closed-loop clients"
    print(
        f"{done} PHQ-9 commands in {wall:.1f} s = {done / wall:.0f}/s answered "
        f"({sent}, {args.workers} worker(s)); "
        f"p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms; refused {len(refused)}"
    )
    if refused:
        print(f"  e.g. {refused[0]}")
    if done:
        print(
            f"psychosocial CPU: {cpu:.2f} s = {cpu / wall:.2f} cores, "
            f"{cpu / done * 1000:.2f} ms per command"
        )
    if stats_file is not None and stats_file.exists() and done:
        cprofile_summary(stats_file, done, args.top)
    for out in outputs if args.profile else []:
        if not out.exists():
            continue
        own, inclusive, total = top(out, args.top)
        print(f"\nprofile {out.name}: {total} samples")
        print("  self %   function")
        for name, samples in own:
            print(f"  {samples / total:6.1%}  {name}")
        print("  incl %   function")
        for name, samples in inclusive:
            print(f"  {samples / total:6.1%}  {name}")


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(prog="python -m bench.command_profile", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--rate", type=float, default=0.0, help="commands/s sent open loop (0: closed loop)"
    )
    parser.add_argument("--survivors", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1, help="psychosocial worker processes")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--uvicorn", default="", help="extra uvicorn options, e.g. '--http h11 --loop asyncio'"
    )
    parser.add_argument("--out", type=Path, help="where py-spy's raw samples are kept")
    parser.add_argument(
        "--no-profile", dest="profile", action="store_false", help="CPU per command, no sampler"
    )
    parser.add_argument(
        "--gil", action="store_true", help="py-spy: only samples holding the GIL (CPU, not waits)"
    )
    parser.add_argument(
        "--cprofile",
        action="store_true",
        help="profile psychosocial with cProfile (CPU clock) instead of py-spy; one worker",
    )
    args = parser.parse_args(argv)
    if args.cprofile:
        args.profile = False
        args.workers = 1
    if (
        args.profile or args.cprofile
    ):  # py-spy's raw samples are kept (and named in the output) for a closer look
        args.out = args.out or Path(tempfile.mkdtemp(prefix="uponyaji-profile-"))
        args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()

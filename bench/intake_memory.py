"""What grows in intake's memory under the staff load's intake mix (tracemalloc, in process).

    .venv/bin/python -m bench.intake_memory --warmup 300 --registrations 1500

Intake runs in this process under uvicorn (fresh embedded PostgreSQL and NATS, tokens signed by
the benchmark's own key as in bench.worker_throughput) with tracemalloc on. Officers (one token
each) register a synthetic survivor with two consents, search by name and read a record, as the
staff load's intake sessions do, `--parallel` at a time. After `--warmup` registrations a
snapshot is taken, after `--registrations` more a second one; the benchmark prints the
allocations that grew most between the two (by allocating line, with the caller chain inside
Uponyaji), Python's traced total and the process's resident memory at each point.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import signal
import sys
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import uvicorn
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.processes import app_command

from bench.reporting_command_lag import Signer
from bench.servers import started_servers
from bench.staff_load import registration

OFFICERS = 60
# Tokens live 15 minutes. New ones only when needed: intake caches each verified token, so new
# tokens at every checkpoint would measure that cache filling, not intake's work.
TOKEN_REFRESH_S = 600


def _environment(folder: Path, database: str, nats: str, port: int, signer: Signer) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jwks.json").write_text(json.dumps(signer.jwks()))
    os.environ.update(
        {
            "UPONYAJI_ENV": "test",
            "INTAKE_PORT": str(port),
            "INTAKE_DATABASE_URL": database,
            "INTAKE_NATS_URL": nats,
            "INTAKE_KEK_FILE": str(folder / "kek"),
            "INTAKE_JWKS_FILE": str(folder / "jwks.json"),
            "INTAKE_IDENTITY_URL": f"http://127.0.0.1:{free_port()}",  # nobody listens
        }
    )


async def _officer_work(
    client: httpx.AsyncClient, token: str, survivors: list[str], query: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    body = registration()
    made = await client.post("/survivors", json=body, headers=headers)
    made.raise_for_status()
    survivor = str(made.json()["survivor_id"])
    survivors.append(survivor)
    for scope in ("documentation", "psychosocial_support"):
        grant = {"scope": scope, "decision": "grant", "method": "verbal", "language": "sw"}
        answer = await client.post(f"/survivors/{survivor}/consents", json=grant, headers=headers)
        answer.raise_for_status()
    await client.post("/survivors/search", json={"q": query}, headers=headers)
    await client.get(f"/survivors/{random.choice(survivors)}", headers=headers)


async def _drive(
    client: httpx.AsyncClient,
    tokens: list[str],
    count: int,
    survivors: list[str],
    parallel: int,
    query: str,
) -> None:
    """`count` rounds of officer work (the officers in turn), `parallel` at a time."""
    slots = asyncio.Semaphore(parallel)

    async def one(token: str) -> None:
        async with slots:
            await _officer_work(client, token, survivors, query)

    await asyncio.gather(*(one(tokens[i % len(tokens)]) for i in range(count)))


def _point(label: str, served: psutil.Process) -> dict[str, Any]:
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    overhead = tracemalloc.get_tracemalloc_memory()
    rss = served.memory_info().rss
    return {
        "at": label,
        "traced_mb": round(current / 2**20, 1),
        "tracemalloc_own_mb": round(overhead / 2**20, 1),
        "rss_mb": round(rss / 2**20, 1),
    }


def _growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, top: int) -> list[str]:
    keep = [tracemalloc.Filter(False, tracemalloc.__file__)]
    stats = after.filter_traces(keep).compare_to(before.filter_traces(keep), "traceback")
    out = []
    for stat in sorted(stats, key=lambda s: s.size_diff, reverse=True)[:top]:
        frames = [
            f"{Path(f.filename).name}:{f.lineno}"
            for f in stat.traceback
            if "uponyaji" in f.filename or "/bench/" in f.filename
        ][-4:]
        where = " < ".join(reversed(frames)) or str(stat.traceback[-1])
        last = stat.traceback[-1]
        out.append(
            f"{stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks  "
            f"{last.filename.rsplit('/', 2)[-1]}:{last.lineno}  ({where})"
        )
    return out


@contextlib.asynccontextmanager
async def _in_process(port: int) -> AsyncIterator[psutil.Process]:
    """Intake served by uvicorn in this process (tracemalloc sees its Python heap)."""
    from uponyaji_intake.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.1)
        yield psutil.Process()
    finally:
        server.should_exit = True
        await serving


@contextlib.asynccontextmanager
async def _child_process(port: int, wrap: list[str]) -> AsyncIterator[psutil.Process]:
    """Intake served as the launcher serves it (its command line), alone in a child process, so
    that its resident memory is not mixed with the benchmark's client; `wrap` goes before the
    command (e.g. a memory profiler)."""
    argv = [*wrap, *app_command(sys.executable, "uponyaji_intake", port)]
    child = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.DEVNULL)
    served = psutil.Process(child.pid)
    try:
        async with httpx.AsyncClient(trust_env=False) as probe:
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if (await probe.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                        break
                if child.returncode is not None:
                    raise RuntimeError(f"intake exited with code {child.returncode}")
                await asyncio.sleep(0.2)
        if wrap:  # the wrapper's own child that runs Python
            served = next(p for p in served.children(recursive=True) if "uvicorn" in p.cmdline())
        yield served
    finally:
        with contextlib.suppress(psutil.Error):
            served.send_signal(signal.SIGTERM)  # uvicorn shuts down; a wrapper then ends too
        await child.wait()


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """Start intake (in process or as a child), drive it, snapshot, report the growth."""
    if args.frames and not args.child:
        tracemalloc.start(args.frames)
    signer = Signer()
    with started_servers() as servers:
        port = free_port()
        database = await servers.new_database("intake_memory")
        _environment(servers.root / "intake", database, servers.nats_url, port, signer)
        serving = _child_process(port, args.wrap.split()) if args.child else _in_process(port)
        async with serving as served:
            tokens = [signer.token("intake_officer", "intake") for _ in range(OFFICERS)]
            survivors: list[str] = []
            url = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=url, timeout=60, trust_env=False) as client:
                started = time.monotonic()
                await _drive(client, tokens, args.warmup, survivors, args.parallel, args.query)
                points = [_point(f"after {args.warmup} registrations", served)]
                traced = args.frames and not args.child
                first = tracemalloc.take_snapshot() if traced else None
                step = args.registrations // args.steps
                signed = time.monotonic()
                for done in range(step, args.registrations + 1, step):
                    if time.monotonic() - signed > TOKEN_REFRESH_S:  # before they expire
                        tokens = [signer.token("intake_officer", "intake") for _ in range(OFFICERS)]
                        signed = time.monotonic()
                    await _drive(client, tokens, step, survivors, args.parallel, args.query)
                    points.append(_point(f"after {args.warmup + done} registrations", served))
                second = tracemalloc.take_snapshot() if traced else None
                elapsed = time.monotonic() - started
    return {
        "seconds": round(elapsed, 1),
        "points": points,
        "grew_most": _growth(first, second, args.top) if first and second else [],
    }


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.intake_memory")
    parser.add_argument("--warmup", type=int, default=300, help="registrations before snapshot 1")
    parser.add_argument("--registrations", type=int, default=1500, help="then, before snapshot 2")
    parser.add_argument(
        "--frames", type=int, default=12, help="traceback depth traced (0: tracemalloc off)"
    )
    parser.add_argument("--query", default="Fake", help="what the officers search for")
    parser.add_argument("--steps", type=int, default=1, help="resident memory points after warm-up")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--parallel", type=int, default=8, help="officers at work at once")
    parser.add_argument(
        "--child",
        action="store_true",
        help="serve intake in a child process as the launcher does (its memory alone; no tracing)",
    )
    parser.add_argument("--wrap", default="", help="with --child: a command line before uvicorn's")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(main_async(args)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

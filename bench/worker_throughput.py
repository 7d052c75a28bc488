"""HTTP command throughput of one service with N uvicorn workers, as the image serves it.

    .venv/bin/python -m bench.worker_throughput --workers 1 2 --seconds 20 --concurrency 32

For each worker count: fresh embedded PostgreSQL and NATS, intake started with `uponyaji-serve
intake` (`UPONYAJI_WORKERS=N`), then `--concurrency` clients register synthetic survivors as
fast as they are answered (closed loop) for `--seconds`. Prints commands/s, latency percentiles,
refusals and the machine's CPU use. Tokens are signed by the benchmark's own key (a JWKS file,
test mode), as in the reporting command-lag benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil
from uponyaji_launcher.ports import free_port

from bench.reporting_command_lag import Signer
from bench.servers import Servers, started_servers


def _start(env: dict[str, str], folder: Path, signer: Signer) -> subprocess.Popen[bytes]:
    """`uponyaji-serve intake` with this environment, logging into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jwks.json").write_text(json.dumps(signer.jwks()))
    serve = str(Path(sys.executable).parent / "uponyaji-serve")
    with (folder / "intake.log").open("wb") as log:
        return subprocess.Popen([serve, "intake"], env=env, stdout=log, stderr=subprocess.STDOUT)


async def _serve(
    servers: Servers, workers: int, folder: Path, signer: Signer
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "UPONYAJI_ENV": "test",
        "UPONYAJI_HOST": "127.0.0.1",
        "UPONYAJI_WORKERS": str(workers),
        "INTAKE_PORT": str(port),
        "INTAKE_DATABASE_URL": await servers.new_database(f"throughput_{workers}"),
        "INTAKE_NATS_URL": servers.nats_url,
        "INTAKE_KEK_FILE": str(folder / "kek"),
        "INTAKE_JWKS_FILE": str(folder / "jwks.json"),
        "INTAKE_IDENTITY_URL": f"http://127.0.0.1:{free_port()}",  # nobody listens
    }
    process = await asyncio.to_thread(_start, env, folder, signer)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    async with httpx.AsyncClient(timeout=2, trust_env=False) as client:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{url}/ready")).status_code == 200:
                    return process, url
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"intake did not start; see {folder / 'intake.log'}")
            await asyncio.sleep(0.2)


async def measure(url: str, signer: Signer, seconds: float, concurrency: int) -> dict[str, Any]:
    """Closed-loop registrations for `seconds`; the figures."""
    headers = {"Authorization": f"Bearer {signer.token('intake_officer', 'intake')}"}
    latencies: list[float] = []
    refused: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=60, trust_env=False, limits=limits
    ) as client:

        async def one_client(until: float) -> None:
            while time.monotonic() < until:
                body = {
                    "full_name": f"Fake Rate {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}",
                    "county_code": "047",
                    "gender": "female",
                    "age_band": "25-34",
                    "preferred_language": "sw",
                }
                started = time.perf_counter()
                response = await client.post("/survivors", json=body)
                if response.status_code == 201:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    refused.append(f"{response.status_code} {response.text[:120]}")

        cpu = psutil.cpu_times()
        started = time.monotonic()
        await asyncio.gather(*(one_client(started + seconds) for _ in range(concurrency)))
        elapsed = time.monotonic() - started
        after = psutil.cpu_times()
    busy = sum(after) - sum(cpu) - (after.idle - cpu.idle)
    ordered = sorted(latencies)
    return {
        "commands_per_s": round(len(latencies) / elapsed, 1),
        "commands": len(latencies),
        "seconds": round(elapsed, 1),
        "refused": len(refused),
        "refused_samples": refused[:3],
        "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 1) if ordered else None,
        "machine_cpu_busy_percent": round(100 * busy / (elapsed * (os.cpu_count() or 1)), 1),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """One run per worker count on the same servers (a fresh database each)."""
    signer, results = Signer(), {}
    with started_servers() as servers:
        for workers in args.workers:
            process, url = await _serve(servers, workers, servers.root / f"w{workers}", signer)
            try:
                results[f"workers={workers}"] = await measure(
                    url, signer, args.seconds, args.concurrency
                )
            finally:
                process.terminate()
                process.wait(30)
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.worker_throughput")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(main_async(args)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

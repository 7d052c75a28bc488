"""What the figures were measured on: the machine and the servers' versions."""

from __future__ import annotations

import asyncio
import os
import platform
import subprocess
from pathlib import Path

import asyncpg
import psutil
from uponyaji_launcher.nats import nats_server_binary

from bench.servers import Servers


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _nats_version() -> str:
    result = subprocess.run(
        [str(nats_server_binary()), "--version"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


async def describe(servers: Servers) -> dict[str, str]:
    """The machine, the servers and their durability settings, for the record."""
    conn = await asyncpg.connect(servers.postgres.url())
    try:
        version = str(await conn.fetchval("SHOW server_version"))
        fsync = str(await conn.fetchval("SHOW fsync"))
        sync_commit = str(await conn.fetchval("SHOW synchronous_commit"))
    finally:
        await conn.close()
    nats_version = await asyncio.to_thread(_nats_version)
    memory = psutil.virtual_memory()
    return {
        "cpus": str(os.cpu_count()),
        "cpu model": _cpu_model(),
        "memory": f"{memory.total / 2**30:.1f} GiB",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "postgresql": f"{version} (fsync={fsync}, synchronous_commit={sync_commit})",
        "nats-server": nats_version,
    }

"""Wall time and CPU use of one measurement: ours (client, PostgreSQL, NATS) and the machine's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psutil

from bench.servers import Servers


@dataclass(frozen=True)
class CpuUse:
    """Cores kept busy during a measurement (CPU seconds per wall second), by whom."""

    client: float
    postgres: float
    nats: float
    other: float  # everything else on the machine: other people's test runs

    def brief(self) -> str:
        """Compact form for a table cell: client/postgres/nats/other."""
        return f"{self.client:.2f}/{self.postgres:.2f}/{self.nats:.2f}/{self.other:.2f}"


@dataclass
class Measurement:
    """Filled in when the measured block ends."""

    seconds: float = 0.0
    cpu: CpuUse | None = None

    @classmethod
    def combined(cls, parts: list[Measurement]) -> Measurement:
        """One measurement from several slices: their time added, their CPU time-weighted."""
        seconds = sum(p.seconds for p in parts)
        timed = [p for p in parts if p.cpu is not None]
        if not timed or seconds <= 0:
            return cls(seconds=seconds)

        def mean(attr: str) -> float:
            return sum(float(getattr(p.cpu, attr)) * p.seconds for p in timed) / seconds

        cpu = CpuUse(mean("client"), mean("postgres"), mean("nats"), mean("other"))
        return cls(seconds=seconds, cpu=cpu)


def _cpu_seconds(pid: int | None, *, tree: bool) -> float:
    """CPU time of a process; with `tree`, plus its live children and those it has reaped."""
    if pid is None:
        return 0.0
    try:
        root = psutil.Process(pid)
        times = root.cpu_times()
        procs = root.children(recursive=True) if tree else []
    except psutil.Error:
        return 0.0
    total = float(times.user) + float(times.system)
    if tree:
        # A backend that exits mid-measurement (asyncpg recycles a connection after 50,000
        # queries) hands its whole CPU time to the postmaster's reaped-children counters.
        total += float(times.children_user) + float(times.children_system)
    for proc in procs:
        try:
            child = proc.cpu_times()
        except psutil.Error:
            continue
        total += float(child.user) + float(child.system)
    return total


def _machine_busy() -> float:
    times = psutil.cpu_times()
    idle = float(times.idle) + float(getattr(times, "iowait", 0.0))
    return float(sum(times)) - idle


class Probe:
    """Measures blocks of benchmark code on one set of servers."""

    def __init__(self, servers: Servers) -> None:
        self.servers = servers

    def _snapshot(self) -> tuple[float, float, float, float]:
        return (
            _cpu_seconds(psutil.Process().pid, tree=False),  # nats-server is our child
            _cpu_seconds(self.servers.postgres.postmaster_pid(), tree=True),
            _cpu_seconds(self.servers.nats.pid, tree=True),
            _machine_busy(),
        )

    @contextmanager
    def measure(self) -> Iterator[Measurement]:
        """Time the block and attribute the CPU it used."""
        result = Measurement()
        before = self._snapshot()
        started = time.perf_counter()
        try:
            yield result
        finally:
            result.seconds = max(time.perf_counter() - started, 1e-9)
            after = self._snapshot()
            wall = result.seconds
            client, postgres, nats, machine = (
                max(0.0, b - a) / wall for a, b in zip(before, after, strict=True)
            )
            other = max(0.0, machine - client - postgres - nats)
            result.cpu = CpuUse(client=client, postgres=postgres, nats=nats, other=other)

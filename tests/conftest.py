"""Test session: real PostgreSQL and real NATS JetStream from the embedded wheels."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from kit.services import database_factory
from natskit import authenticated_nats
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from uponyaji_events.db import create_pool
from uponyaji_events.migrate import kernel_migrations, migrate
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres

_TEMPLATE = "kernel_template"

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch directory for this session's servers."""
    path = tmp_path_factory.mktemp("stack")
    path.chmod(0o755)
    return path


@pytest.fixture(scope="session")
def postgres(run_dir: Path) -> Iterator[EmbeddedPostgres]:
    """One PostgreSQL server for the whole test session (fsync on, as in production)."""
    server = EmbeddedPostgres(data_dir=run_dir / "pg", port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def nats_server(run_dir: Path) -> Iterator[EmbeddedNats]:
    """One nats-server with JetStream for the session (tests may stop and restart it)."""
    server = authenticated_nats(run_dir / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A nats-server of the test's own, which the test may stop, kill and restart."""
    server = authenticated_nats(tmp_path / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def kernel_template(postgres: EmbeddedPostgres) -> str:
    """A template database holding the kernel's migrations, cloned for each test."""
    postgres.ensure_database(_TEMPLATE)
    conn = await asyncpg.connect(postgres.url(_TEMPLATE))
    try:
        await migrate(conn, kernel_migrations())
    finally:
        await conn.close()
    return _TEMPLATE


@pytest.fixture
def new_database_url(postgres: EmbeddedPostgres, kernel_template: str) -> Callable[[], str]:
    """Factory of fresh databases (kernel tables migrated), returning their URLs."""
    return database_factory(postgres, kernel_template)


@pytest.fixture
async def new_database(new_database_url: Callable[[], str]) -> AsyncIterator[NewDatabase]:
    """Factory of pools on fresh databases (kernel tables migrated), closed after the test."""
    pools: list[asyncpg.Pool] = []

    async def make(max_size: int = 20) -> asyncpg.Pool:
        pool = await create_pool(new_database_url(), min_size=1, max_size=max_size)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        await pool.close()


@pytest.fixture
async def db(new_database: NewDatabase) -> asyncpg.Pool:
    """A pool on a fresh database with the kernel's tables."""
    return await new_database()


WaitUntil = Callable[..., Awaitable[None]]


@pytest.fixture
def wait_until() -> WaitUntil:
    """Poll an async condition until it holds, failing the test with a message on timeout."""
    import asyncio

    async def wait(
        condition: Callable[[], Awaitable[bool]], seconds: float = 30.0, what: str = "condition"
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            if await condition():
                return
            await asyncio.sleep(0.05)
        pytest.fail(f"timed out after {seconds}s waiting for {what}")

    return wait


@pytest.fixture(scope="session")
def span_exporter() -> InMemorySpanExporter:
    """Collect every finished OpenTelemetry span of the session in memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return exporter

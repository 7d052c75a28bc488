"""Fresh PostgreSQL and NATS servers in a temporary directory, one fresh database per benchmark."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from uponyaji_events.migrate import kernel_migrations, migrate
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres

_TEMPLATE = "bench_kernel_template"


@dataclass
class Servers:
    """The servers of one benchmark run (fsync on, as in production)."""

    postgres: EmbeddedPostgres
    nats: EmbeddedNats
    root: Path
    _names: Iterator[int] = field(default_factory=itertools.count)
    _template_ready: bool = False

    @property
    def nats_url(self) -> str:
        """Client URL of the NATS server."""
        return self.nats.url

    async def new_database(self, label: str) -> str:
        """Create a fresh database holding the kernel's tables and return its URL."""
        if not self._template_ready:
            await self._create_template()
        name = f"{label}_{next(self._names)}"
        admin = await asyncpg.connect(self.postgres.url())
        try:
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATE}"')
        finally:
            await admin.close()
        return self.postgres.url(name)

    async def _create_template(self) -> None:
        admin = await asyncpg.connect(self.postgres.url())
        try:
            await admin.execute(f'CREATE DATABASE "{_TEMPLATE}"')
        finally:
            await admin.close()
        conn = await asyncpg.connect(self.postgres.url(_TEMPLATE))
        try:
            await migrate(conn, kernel_migrations())
        finally:
            await conn.close()
        self._template_ready = True


@contextmanager
def started_servers() -> Iterator[Servers]:
    """Start PostgreSQL and NATS in a new temporary directory; stop and delete them afterwards."""
    root = Path(tempfile.mkdtemp(prefix="uponyaji-bench-"))
    root.chmod(0o755)  # PostgreSQL runs as its own system user when we are root
    postgres = EmbeddedPostgres(data_dir=root / "pg", port=free_port())
    nats = EmbeddedNats.with_test_kit(root / "nats", free_port())
    try:
        postgres.start()
        nats.start()
        yield Servers(postgres=postgres, nats=nats, root=root)
    finally:
        nats.stop()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)

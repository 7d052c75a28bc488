"""`fakesvc.app:create_app`: checks the launcher's environment, then serves /health."""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import nats
from fastapi import FastAPI, Response
from uponyaji_events.natsauth import NatsCredentials


def _env(name: str) -> str:
    return os.environ[f"FAKESVC_{name}"]


def create_app() -> FastAPI:
    """Build the fake service.

    FAKESVC_FAIL_AT_START makes its startup crash, as a bug would; FAKESVC_UNHEALTHY makes
    /health answer 503 for ever.
    """
    kek_file = Path(_env("KEK_FILE"))
    client_secret = Path(_env("SERVICE_CLIENT_SECRET_FILE"))
    facts: dict[str, Any] = {
        "kek_bytes": len(base64.b64decode(kek_file.read_bytes(), validate=True)),
        "kek_mode": oct(stat.S_IMODE(kek_file.stat().st_mode)),
        "client_secret_file": str(client_secret),
        "client_secret_mode": oct(stat.S_IMODE(client_secret.stat().st_mode)),
    }
    credentials = os.environ.get("FAKESVC_NATS_CREDENTIALS_FILE")
    nats_credentials = Path(credentials) if credentials else None
    if nats_credentials is not None:
        facts["nats_credentials_mode"] = oct(stat.S_IMODE(nats_credentials.stat().st_mode))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if os.environ.get("FAKESVC_FAIL_AT_START"):
            raise RuntimeError("FAKESVC_FAIL_AT_START: simulated startup failure")
        # Migrate as the owner role when the launcher gives one; then work as the runtime role.
        owner_url = os.environ.get("FAKESVC_MIGRATION_DATABASE_URL") or _env("DATABASE_URL")
        owner = await asyncpg.connect(owner_url)
        try:
            await owner.execute("CREATE TABLE IF NOT EXISTS starts (at timestamptz DEFAULT now())")
            await owner.execute(
                "CREATE TABLE IF NOT EXISTS demo_accounts "
                "(login text PRIMARY KEY, password text, totp_secret text, role text)"
            )
        finally:
            await owner.close()
        conn = await asyncpg.connect(_env("DATABASE_URL"))
        try:
            facts["database_role"] = await conn.fetchval("SELECT current_user")
            await conn.execute("INSERT INTO starts DEFAULT VALUES")
            facts["starts"] = await conn.fetchval("SELECT count(*) FROM starts")
        finally:
            await conn.close()
        options: dict[str, Any] = {}
        if nats_credentials is not None:
            options = NatsCredentials.load(nats_credentials).connect_options()
        client = await nats.connect(_env("NATS_URL"), **options)
        try:
            info = await client.jetstream().account_info()
            facts["jetstream"] = info.streams is not None
        finally:
            await client.close()
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    async def health(response: Response) -> dict[str, Any]:
        if os.environ.get("FAKESVC_UNHEALTHY"):
            response.status_code = 503
        return {
            "status": "ok",
            **facts,
            "env": os.environ.get("UPONYAJI_ENV"),
            "port": _env("PORT"),
            "database_url": _env("DATABASE_URL"),
            "nats_url": _env("NATS_URL"),
            "service_urls": json.loads(os.environ["UPONYAJI_SERVICE_URLS"]),
        }

    return app

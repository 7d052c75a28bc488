"""What identity's handlers work with, built once per process (app lifespan, seed, devtoken)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import asyncpg
from uponyaji_access import AuditKey, AuditLog, DenyList, TrustedProxies
from uponyaji_events.db import create_pool
from uponyaji_events.migrate import directory_migrations, kernel_migrations, migrate
from uponyaji_events.sealing import KeyStore, Sealer, load_kek
from uponyaji_events.store import EventStore
from uponyaji_service import Clock, utc_now

from .auth_audit import AuthAudit
from .credentials import Credentials
from .security.keys import KeyRing
from .security.passwords import Passwords
from .service_clients import ServiceClients
from .sessions import Sessions
from .settings import SERVICE, Settings
from .throttle import LoginThrottle, RateLimiter

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Identity:
    """Identity's ports and policies: store, sealing, keys, password hashing and throttles."""

    settings: Settings
    pool: asyncpg.Pool
    store: EventStore
    sealer: Sealer
    keys: KeyRing
    passwords: Passwords
    throttle: LoginThrottle
    limiter: RateLimiter
    service_clients: ServiceClients
    service_limiter: RateLimiter  # its own budget: staff sign-ins cannot starve services
    deny_list: DenyList
    credentials: Credentials
    sessions: Sessions
    audit: AuthAudit  # sign-in events, usernames as keyed hashes
    proxies: TrustedProxies  # whose X-Forwarded-For names the client
    clock: Clock = utc_now  # the time TOTP codes are checked against


async def build(
    settings: Settings,
    pool: asyncpg.Pool,
    store: EventStore,
    *,
    deny_list: DenyList | None = None,
    clock: Clock = utc_now,
) -> Identity:
    """Load the KEK, open the key ring (rotating if due) and assemble the handlers' context."""
    kek = load_kek(settings.kek_file, create=settings.may_create_kek)
    sealer = Sealer(KeyStore(pool, kek))
    keys = KeyRing(pool, sealer, max_age=timedelta(days=settings.signing_key_max_age_days))
    await keys.ensure_current()
    passwords = Passwords()
    service_clients = ServiceClients(settings.service_clients_file, passwords)
    service_clients.load()
    return Identity(
        settings=settings,
        pool=pool,
        store=store,
        sealer=sealer,
        keys=keys,
        passwords=passwords,
        throttle=LoginThrottle(
            pool, settings.lockout_threshold, timedelta(minutes=settings.lockout_minutes)
        ),
        limiter=RateLimiter(settings.auth_rate_per_minute),
        service_clients=service_clients,
        service_limiter=RateLimiter(settings.auth_rate_per_minute),
        deny_list=deny_list or DenyList(),
        credentials=Credentials(pool, sealer),
        sessions=Sessions(
            pool,
            lifetime=timedelta(hours=settings.session_hours),
            idle=timedelta(minutes=settings.session_idle_minutes),
        ),
        audit=AuthAudit(AuditLog(store, SERVICE), AuditKey.from_environment()),
        proxies=TrustedProxies.from_environment(),
        clock=clock,
    )


@asynccontextmanager
async def standalone(settings: Settings) -> AsyncIterator[Identity]:
    """A context for command-line tools (seed, devtoken): own pool, migrated, no relay.

    Events they append are published by the running service's relay, which polls the store.
    """
    pool = await create_pool(settings.database_url, min_size=1, max_size=4)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, kernel_migrations() + directory_migrations(MIGRATIONS, SERVICE))
        yield await build(settings, pool, EventStore(pool))
    finally:
        await pool.close()

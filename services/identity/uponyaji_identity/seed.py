"""`python -m uponyaji_identity.seed`: demo staff (development only): a user per role, two teams.

Runs only with UPONYAJI_ENV=development and only while identity's store holds no account or
team yet. Every name is obviously fake. Prints one JSON line per demo account (the launcher
collects them): login, password, TOTP secret, role and teams. Passwords and secrets are random
per stack and shown only here; the service stores them hashed and sealed, so a later run cannot
print them again. Unlike every other account, demo accounts are created as if their first password
had already been changed (no new password is asked for at their first sign-in).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
from dataclasses import dataclass
from uuid import UUID, uuid4

from uponyaji_events.contracts.vocabularies import Role
from uponyaji_events.db import Conn
from uponyaji_events.envelope import Actor

from .context import Identity, standalone
from .domain import ConfirmMfa, EnrolMfa, decide
from .handlers import accounts
from .handlers.streams import after, commit, require_account
from .security import totp
from .security.passwords import password_problem
from .settings import Settings

SEEDER = Actor.system("identity-seed")
NAIROBI = "Nairobi Field Office"
MOMBASA = "Mombasa Field Office"
TEAMS = {NAIROBI: "047", MOMBASA: "001"}  # Kenyan county codes


@dataclass(frozen=True, slots=True)
class Demo:
    """One demo account: its role, fake name and teams."""

    role: Role
    name: str
    teams: tuple[str, ...]

    @property
    def login(self) -> str:
        """The demo username, e.g. demo.counsellor."""
        return f"demo.{self.role.value}"


DEMOS = (
    Demo(Role.ADMIN, "Demo Admin Otieno (FAKE)", ()),
    Demo(Role.INTAKE_OFFICER, "Demo Intake Officer Achieng (FAKE)", (NAIROBI,)),
    Demo(Role.CLINICIAN, "Demo Clinician Kamau (FAKE)", (NAIROBI,)),
    Demo(Role.COUNSELLOR, "Demo Counsellor Wanjiru (FAKE)", (NAIROBI,)),
    Demo(Role.CLINICAL_SUPERVISOR, "Demo Clinical Supervisor Odhiambo (FAKE)", (NAIROBI,)),
    Demo(Role.EMPOWERMENT_OFFICER, "Demo Empowerment Officer Mwangi (FAKE)", (NAIROBI, MOMBASA)),
    Demo(Role.LEGAL_OFFICER, "Demo Legal Officer Njeri (FAKE)", (NAIROBI, MOMBASA)),
    Demo(Role.PROGRAMME_LEAD, "Demo Programme Lead Chebet (FAKE)", (MOMBASA,)),
    Demo(Role.DATA_PROTECTION_OFFICER, "Demo Data Protection Officer Barasa (FAKE)", ()),
)


def demo_password(username: str) -> str:
    """A random password that passes the strength rules."""
    while True:
        candidate = secrets.token_urlsafe(15)
        if password_problem(candidate, username) is None:
            return candidate


async def confirmed_authenticator(ctx: Identity, staff_id: UUID) -> str:
    """Enrol and confirm a TOTP authenticator directly (no code to type); return its secret."""
    secret, credential_id = totp.new_secret(), uuid4()
    sealed = await ctx.credentials.seal_totp_secret(staff_id, secret)
    account = await require_account(ctx, staff_id)

    async def store(conn: Conn) -> None:
        await ctx.credentials.add_authenticator(conn, staff_id, credential_id, sealed)
        await ctx.credentials.confirm_authenticator(conn, staff_id, credential_id)

    events = decide(account, EnrolMfa(credential_id))
    events += decide(after(account, events), ConfirmMfa(credential_id))
    await commit(ctx, "account", staff_id, account.version, events, actor=SEEDER, extra=store)
    return secret


async def seed(ctx: Identity) -> list[dict[str, object]]:
    """Create the demo teams and accounts if identity has none; the logins created."""
    if await ctx.pool.fetchval(
        "SELECT EXISTS (SELECT 1 FROM events WHERE stream_type IN ('account', 'team'))"
    ):
        return []
    team_ids = {
        name: await accounts.create_team(ctx, name=name, county_code=code, actor=SEEDER)
        for name, code in TEAMS.items()
    }
    logins: list[dict[str, object]] = []
    for demo in DEMOS:
        password = demo_password(demo.login)
        staff_id = await accounts.create_account(
            ctx,
            username=demo.login,
            display_name=demo.name,
            password=password,
            roles=frozenset({demo.role.value}),
            teams=tuple(team_ids[t] for t in demo.teams),
            actor=SEEDER,
            # Demo passwords are shown on the development sign-in page for anyone to use: they
            # are made as if already changed, so the demo signs in with password and code alone.
            must_change_password=False,
        )
        secret = await confirmed_authenticator(ctx, staff_id)
        logins.append(
            {
                "login": demo.login,
                "password": password,
                "totp_secret": secret,
                "role": demo.role.value,
                "teams": list(demo.teams),
            }
        )
    return logins


async def main() -> int:
    """Seed when the store is empty and print the demo logins, one JSON object per line."""
    if os.environ.get("UPONYAJI_ENV") != "development":
        print(
            "identity.seed: refused: demo accounts exist only when UPONYAJI_ENV=development",
            file=sys.stderr,
        )
        return 2
    async with standalone(Settings()) as ctx:
        logins = await seed(ctx)
    if not logins:
        print("identity already has accounts: nothing seeded (demo logins were shown at first run)")
    for login in logins:
        print(json.dumps(login))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

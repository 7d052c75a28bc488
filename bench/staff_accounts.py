"""Staff accounts for the load bench, made through identity's admin API as an organisation would.

Every virtual staff session of `bench.staff_load` gets an account of its own, so per-person
limits (intake's searches a minute, identity's sign-in throttle) apply to each session as they
would to each real member of staff, and are never loosened for the benchmark.

How the accounts are made, on a stack the launcher started with its demo data:

1. the demo administrator signs in (password and TOTP from the launcher's demo-logins.json);
2. a second administrator is created, because identity's two-person rule holds back every
   clinical role and team membership until another administrator approves it;
3. for each session: the first administrator creates the account (role and the demo account's
   teams of that role), the second approves the pending changes, and the owner completes a first
   sign-in as a person would: enrols an authenticator, confirms it with its first code and sets a
   password of their own.

Each account signs in from a loopback address of its own (127.1.x.y), as staff at their own
machines do, so identity's per-address sign-in limit counts each person separately. The accounts
are kept in `<run dir>/load-staff.json` (mode 0600) and reused by later runs on the same stack.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import secrets
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import pyotp

STORE = "load-staff.json"
ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Account:
    """One load account: its credentials, role and the source address it signs in from."""

    login: str
    password: str
    totp_secret: str
    role: str
    address: str


@dataclass
class Tokens:
    """An access token, its refresh token, and when it was issued (monotonic seconds)."""

    access: str
    refresh: str | None
    issued: float

    @classmethod
    def of(cls, answer: dict[str, Any]) -> Tokens:
        """From a token response."""
        return cls(str(answer["access_token"]), answer.get("refresh_token"), time.monotonic())


def address(index: int) -> str:
    """The loopback address account number `index` signs in from (127.1.0.1, 127.1.0.2, …)."""
    return f"127.1.{index // 250}.{index % 250 + 1}"


def client_from(source: str, **options: Any) -> httpx.AsyncClient:
    """An HTTP client whose connections come from `source` (a loopback address)."""
    transport = httpx.AsyncHTTPTransport(
        local_address=source, limits=options.pop("limits", httpx.Limits(keepalive_expiry=2.0))
    )
    return httpx.AsyncClient(transport=transport, trust_env=False, **options)


def new_password() -> str:
    """A random password well past identity's strength rules."""
    return "Load-" + secrets.token_urlsafe(18)


async def sign_in(client: httpx.AsyncClient, identity: str, account: dict[str, str]) -> Tokens:
    """Sign in with password and the current TOTP code (identity accepts each code once, so a
    refused sign-in waits for the next 30-second code and tries again)."""
    for _ in range(3):
        body = {
            "username": account["login"],
            "password": account["password"],
            "totp_code": pyotp.TOTP(account["totp_secret"]).now(),
        }
        response = await client.post(f"{identity}/auth/login", json=body)
        if response.status_code != 401:
            break
        await asyncio.sleep(30 - time.time() % 30 + 1)
    response.raise_for_status()
    return Tokens.of(response.json())


async def refresh(client: httpx.AsyncClient, identity: str, tokens: Tokens) -> Tokens:
    """New tokens for a session (the refresh token rotates)."""
    response = await client.post(f"{identity}/auth/refresh", json={"refresh_token": tokens.refresh})
    response.raise_for_status()
    return Tokens.of(response.json())


def team_names(login: dict[str, Any]) -> list[str]:
    """The team names of a demo login (the launcher stores the list as its text)."""
    teams = login.get("teams") or []
    if isinstance(teams, str):
        teams = ast.literal_eval(teams) if teams.startswith("[") else [teams]
    return [str(t) for t in teams]


class Provisioner:
    """Makes (or reuses) load accounts on one stack."""

    def __init__(self, run_dir: Path, identity: str, demo: dict[str, dict[str, Any]]) -> None:
        self.path = run_dir / STORE
        self.identity = identity
        self.demo = demo
        stored = json.loads(self.path.read_text()) if self.path.exists() else {}
        self.run = str(stored.get("run") or secrets.token_hex(3))
        self.second: dict[str, str] | None = stored.get("second_admin")
        self.accounts = [Account(**a) for a in stored.get("staff", [])]
        self.fresh: dict[str, Tokens] = {}  # tokens from first sign-ins made in this run

    def save(self) -> None:
        """Write the accounts (private: they hold passwords and TOTP secrets)."""
        data = {
            "run": self.run,
            "second_admin": self.second,
            "staff": [asdict(a) for a in self.accounts],
        }
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            json.dump(data, file, indent=2)

    async def ensure(self, roles: Iterable[str], parallel: int = 6) -> list[Account]:
        """One account per entry of `roles` (reusing stored ones of the same role, in order)."""
        wanted = list(roles)
        by_role: dict[str, list[Account]] = {}
        for account in self.accounts:
            by_role.setdefault(account.role, []).append(account)
        missing = [
            role
            for i, role in enumerate(wanted)
            if wanted[:i].count(role) >= len(by_role.get(role, []))
        ]
        if missing:
            await self._create(missing, parallel)
            by_role = {}
            for account in self.accounts:
                by_role.setdefault(account.role, []).append(account)
        taken: dict[str, int] = {}
        chosen = []
        for role in wanted:
            chosen.append(by_role[role][taken.get(role, 0)])
            taken[role] = taken.get(role, 0) + 1
        return chosen

    async def _create(self, roles: list[str], parallel: int) -> None:
        async with httpx.AsyncClient(timeout=60, trust_env=False) as admin_client:
            first = await sign_in(admin_client, self.identity, self.demo[ADMIN_ROLE])
            teams = await self._teams(admin_client, first)
            async with client_from("127.2.0.1", timeout=60) as second_client:
                second = await self._second_admin(admin_client, second_client, first)
                slots = asyncio.Semaphore(parallel)
                start = len(self.accounts)

                async def one(offset: int, role: str) -> None:
                    async with slots:
                        account = await self._account(
                            admin_client, second_client, first, second, role, start + offset, teams
                        )
                    self.accounts.append(account)

                try:
                    await asyncio.gather(*(one(i, role) for i, role in enumerate(roles)))
                finally:
                    self.accounts.sort(key=lambda a: tuple(int(p) for p in a.address.split(".")))
                    self.save()

    async def _teams(self, client: httpx.AsyncClient, admin: Tokens) -> dict[str, list[str]]:
        """Each role's team ids: those of the demo account of that role."""
        response = await client.get(f"{self.identity}/teams", headers=bearer(admin))
        response.raise_for_status()
        ids = {t["name"]: t["team_id"] for t in response.json()["teams"]}
        return {
            role: [ids[name] for name in team_names(login) if name in ids]
            for role, login in self.demo.items()
        }

    async def _second_admin(
        self, admin_client: httpx.AsyncClient, own: httpx.AsyncClient, admin: Tokens
    ) -> Tokens:
        if self.second is None:
            login = f"load.admin.{self.run}"
            self.second = await self._first_sign_in(
                admin_client, own, admin, login, "Load Second Admin (FAKE)", ADMIN_ROLE, []
            )
            self.save()
            return self.fresh[login]
        return await sign_in(own, self.identity, self.second)

    async def _account(
        self,
        admin_client: httpx.AsyncClient,
        approver: httpx.AsyncClient,
        admin: Tokens,
        second: Tokens,
        role: str,
        index: int,
        teams: dict[str, list[str]],
    ) -> Account:
        login = f"load.{role.replace('_', '-')}.{self.run}.{index}"
        source = address(index)
        async with client_from(source, timeout=60) as own:
            made = await self._first_sign_in(
                admin_client,
                own,
                admin,
                login,
                f"Load {role.replace('_', ' ').title()} {index} (FAKE)",
                role,
                teams.get(role, []),
                approver=(approver, second),
            )
        return Account(made["login"], made["password"], made["totp_secret"], role, source)

    async def _first_sign_in(
        self,
        admin_client: httpx.AsyncClient,
        own: httpx.AsyncClient,
        admin: Tokens,
        login: str,
        name: str,
        role: str,
        teams: list[str],
        approver: tuple[httpx.AsyncClient, Tokens] | None = None,
    ) -> dict[str, str]:
        """Create the account, have its pending changes approved, and complete its owner's
        first sign-in (authenticator and own password); its tokens go to `fresh`."""
        first_password = new_password()
        body = {
            "username": login,
            "display_name": name,
            "password": first_password,
            "roles": [role],
            "teams": teams,
        }
        created = await admin_client.post(
            f"{self.identity}/accounts", json=body, headers=bearer(admin)
        )
        created.raise_for_status()
        for change in created.json()["pending_changes"]:
            if approver is None:
                raise RuntimeError(f"{login}: a change waits for approval and no second admin")
            client, tokens = approver
            approved = await client.post(
                f"{self.identity}/account-changes/{change}/approval", headers=bearer(tokens)
            )
            approved.raise_for_status()
        credentials = {"username": login, "password": first_password}
        enrolled = await own.post(f"{self.identity}/auth/mfa/enrol", json=credentials)
        enrolled.raise_for_status()
        secret = str(enrolled.json()["secret"])
        own_password = new_password()
        confirm = {
            **credentials,
            "totp_code": pyotp.TOTP(secret).now(),
            "new_password": own_password,
        }
        confirmed = await own.post(f"{self.identity}/auth/mfa/confirm", json=confirm)
        confirmed.raise_for_status()
        self.fresh[login] = Tokens.of(confirmed.json())
        return {"login": login, "password": own_password, "totp_secret": secret, "role": role}


def bearer(tokens: Tokens) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {tokens.access}"}

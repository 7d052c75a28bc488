"""`Access`: one service's authentication, policy, caseload and audit, built in its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from uuid import UUID

import httpx
from fastapi import FastAPI
from uponyaji_events.store import EventStore

from uponyaji_access.audit import ACCESSED, DENIED, AccessRecord, AuditLog
from uponyaji_access.caseload import Caseload, SurvivorCaseload
from uponyaji_access.denylist import DenyList, RevocationSync
from uponyaji_access.errors import (
    AuditUnavailable,
    Forbidden,
    MisconfiguredRoute,
    RevocationsUnavailable,
    SurvivorNotFound,
    Unauthenticated,
)
from uponyaji_access.grant import Grant
from uponyaji_access.jwks import JwksCache
from uponyaji_access.lists import DEFAULT_SEARCH_WINDOW, DEFAULT_SEARCHES, ListAudit
from uponyaji_access.policy import Decision, Policy
from uponyaji_access.principal import Principal
from uponyaji_access.settings import AccessSettings
from uponyaji_access.tokens import TokenVerifier

NOT_FOUND = "survivor not found"  # the same words for unknown and off-caseload survivors


class Access:
    """Authenticate tokens, decide actions by the policy, resolve caseloads and audit reads."""

    def __init__(
        self,
        *,
        service: str,
        policy: Policy,
        verifier: TokenVerifier,
        deny_list: DenyList,
        audit: AuditLog | None,
        caseload: Caseload | None,
        revocations: RevocationSync | None = None,
        client: httpx.AsyncClient | None = None,
        settings: AccessSettings | None = None,
        lists: ListAudit | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self.policy = policy
        self.verifier = verifier
        self.deny_list = deny_list
        self.audit = audit
        self.caseload = caseload
        self.revocations = revocations
        self._client = client
        # Searches' and lists' result records and the per-staff search limit (lists.py).
        self.lists = lists or ListAudit.create(
            limit=settings.search_limit if settings else DEFAULT_SEARCHES,
            window=settings.search_window if settings else DEFAULT_SEARCH_WINDOW,
        )
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def create(
        cls,
        service: str,
        *,
        store: EventStore | None,
        caseload: Caseload | None,
        settings: AccessSettings | None = None,
        policy: Policy | None = None,
        jwks: JwksCache | None = None,
        poll_revocations: bool = True,
        client: httpx.AsyncClient | None = None,
    ) -> Access:
        """Build a service's Access from its settings (env `<SERVICE>_*` when not given).

        Identity itself passes its own keys (`jwks=JwksCache.static_keys(...)`) and
        `poll_revocations=False`, and calls `deny_list.revoke(sid)` at logout. A given httpx
        `client` (tests: an ASGI transport) is used for identity and closed by `stop()`.
        """
        settings = settings or AccessSettings.for_service(service)
        client = client or httpx.AsyncClient(timeout=settings.http_timeout)
        url = settings.identity_url.rstrip("/")
        if jwks is None:
            jwks = JwksCache(
                url,
                client=client,
                max_age=settings.jwks_max_age,
                refresh_cooldown=settings.jwks_refetch_interval,
            )
        deny_list = DenyList()
        return cls(
            service=service,
            policy=policy or Policy.load(),
            verifier=TokenVerifier(service, jwks, leeway=settings.token_leeway),
            deny_list=deny_list,
            audit=AuditLog(store, service) if store is not None else None,
            caseload=caseload,
            revocations=RevocationSync(
                deny_list,
                url,
                client,
                interval=settings.revocation_interval,
                max_staleness=settings.revocation_max_staleness,
                fail_closed_after=settings.revocation_fail_closed_after,
            )
            if poll_revocations
            else None,
            client=client,
            settings=settings,
        )

    async def start(self) -> None:
        """Start polling identity's revocations in the background."""
        if self.revocations is not None and self._task is None:
            self._task = asyncio.create_task(self.revocations.run(), name="access-revocations")

    async def stop(self) -> None:
        """Stop the poller and close the HTTP client."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.aclose()

    async def __aenter__(self) -> Access:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def attach(self, app: FastAPI, settings: AccessSettings | None = None) -> None:
        """Make this the app's Access (app.state.access), after checking every route's use of it.

        Also trusts the test keys of `<SERVICE>_JWKS_FILE` (refused outside test and development),
        whichever way the service built its key source.
        """
        from uponyaji_access.routes import check_routes, route_actions

        check_routes(app, self.policy)
        if self.caseload is None and any(
            r.survivor_param is not None or r.locator for r in route_actions(app)
        ):
            raise MisconfiguredRoute(f"{self.service} has survivor routes but no Caseload")
        settings = settings or self.settings or AccessSettings.for_service(self.service)
        if settings.jwks_file is not None:
            self.verifier.trust_test_keys(json.loads(settings.jwks_file.read_text("utf-8")))
        app.state.access = self

    async def authenticate(self, token: str) -> Principal:
        """The principal of a valid, unrevoked access token; Unauthenticated (401) otherwise."""
        principal, claims = await self.verifier.verify(token)
        sync = self.revocations
        if sync is not None:
            sync.offer_token(token, claims)
            if sync.needs_sync() and "identity" in claims["aud"]:
                await sync.sync(token, principal.sid)
        if self.deny_list.is_revoked(principal.sid):
            raise Unauthenticated("the session has been revoked")
        return principal

    async def authorize(
        self,
        principal: Principal,
        action: str,
        *,
        survivor_level: bool,
        survivor_id: UUID | None,
        purpose: str | None = None,
        method: str = "",
        route: str | Callable[[], str] = "",
    ) -> Grant:
        """Decide, audit, then allow (a Grant) or refuse (403, or 404 off caseload/unknown).

        `route` may be a function giving it: it is called only when a record is written."""
        rule = self.policy.rule(action)
        declared = self.policy.purpose(purpose)
        decision = self.policy.decide(principal, action)
        if decision.allowed and self._reads_survivor_data(action, survivor_level):
            self._require_fresh_revocations(action)
        caseload: SurvivorCaseload | None = None
        if decision.allowed and survivor_level:
            caseload = await self._caseload(survivor_id)
            if caseload is None:
                decision = Decision(False, None, NOT_FOUND, "not_found")
            else:
                decision = self.policy.decide(principal, action, caseload)
        if rule.audited or (not decision.allowed and self.policy.audit_denied):
            await self._record(
                principal,
                action,
                decision,
                survivor_id,
                # Known whenever the survivor was resolved: true by construction under scope
                # caseload, false for a refusal off the caseload, either way under any/aggregate.
                None if caseload is None else caseload.includes(principal),
                declared,
                method,
                route if isinstance(route, str) else route(),
                ACCESSED if rule.audited else DENIED,
            )
        if decision.outcome == "denied":
            raise Forbidden(f"your roles do not allow {action}")
        if decision.outcome == "not_found":
            raise SurvivorNotFound(NOT_FOUND)
        return Grant(principal, action, decision, declared, survivor_id, caseload, self.policy)

    def _reads_survivor_data(self, action: str, survivor_level: bool) -> bool:
        return survivor_level or self.policy.rule(action).audited

    def _require_fresh_revocations(self, action: str) -> None:
        sync = self.revocations
        if sync is not None and sync.too_stale():
            raise RevocationsUnavailable(
                f"revoked sessions could not be refreshed from identity for over "
                f"{sync.fail_closed_after or 0:g} s; {action} is refused until they are"
            )

    async def _caseload(self, survivor_id: UUID | None) -> SurvivorCaseload | None:
        if self.caseload is None:
            raise MisconfiguredRoute(f"{self.service} has no Caseload for survivor-level actions")
        if survivor_id is None:
            return None
        found = await self.caseload.teams_and_workers(survivor_id)
        return None if found is None else SurvivorCaseload.of(*found)

    async def _record(
        self,
        principal: Principal,
        action: str,
        decision: Decision,
        survivor_id: UUID | None,
        on_caseload: bool | None,
        purpose: str,
        method: str,
        route: str,
        kind: str,
    ) -> None:
        if self.audit is None:
            raise AuditUnavailable(f"{self.service} has no audit log; {action} is refused")
        await self.audit.record(
            AccessRecord(
                staff_id=principal.staff_id,
                role=decision.role,
                roles=tuple(sorted(r for r in principal.roles if r in self.policy.roles)),
                sid=principal.sid,
                action=action,
                survivor_id=survivor_id,
                purpose=purpose,
                outcome=decision.outcome,
                scope=decision.scope,
                on_caseload=on_caseload,
                method=method,
                route=route,
                at=datetime.now(UTC),
            ),
            kind=kind,
        )

"""What every page shares: the session dependency, CSRF, token refresh, rendering and errors."""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment

from . import i18n
from .backend import Backend, ServiceError
from .session import Session
from .settings import Settings


class SignInRequired(Exception):
    """The page needs a signed-in user (or the session ended): go to the sign-in page."""


class CsrfRefused(Exception):
    """A state-changing request without the session's CSRF token (or from another origin)."""


def session_of(request: Request) -> Session:
    """The request's session (set by the session middleware)."""
    session: Session = request.state.session
    return session


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.portal.settings
    return settings


def backend_of(request: Request) -> Backend:
    """The app's service clients."""
    backend: Backend = request.app.state.portal.backend
    return backend


async def csrf_guard(request: Request) -> None:
    """Refuse any POST that does not carry the session's CSRF token or comes from elsewhere."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise CsrfRefused
    try:
        form = await request.form()
    except Exception:
        raise CsrfRefused from None
    token = form.get("csrf_token")
    if not isinstance(token, str) or not hmac.compare_digest(token, session_of(request).csrf):
        raise CsrfRefused


class Refresher:
    """Refreshes access tokens once per refresh token, even when requests arrive together.

    Identity treats a refresh token presented twice as stolen and revokes the session, so
    concurrent requests of one user must share one refresh: a lock per token and a short memory
    of the answer (per process).
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._done: dict[str, tuple[float, dict[str, Any]]] = {}

    async def refresh(self, backend: Backend, refresh_token: str) -> dict[str, Any]:
        """The new token pair for this refresh token."""
        lock = self._locks.setdefault(refresh_token, asyncio.Lock())
        async with lock:
            now = time.monotonic()
            self._done = {k: v for k, v in self._done.items() if now - v[0] < 120}
            if refresh_token in self._done:
                return self._done[refresh_token][1]
            answer = await backend.post(
                "identity", "/auth/refresh", None, {"refresh_token": refresh_token}
            )
            self._done[refresh_token] = (now, answer)
        self._locks.pop(refresh_token, None)
        return answer


async def signed_in(request: Request) -> Session:
    """The signed-in user's session, its access token refreshed when it is about to expire."""
    session = session_of(request)
    if not session.signed_in:
        raise SignInRequired
    if session.access_expires - time.time() < 60 and session.refresh_token:
        portal = request.app.state.portal
        try:
            answer = await portal.refresher.refresh(portal.backend, session.refresh_token)
        except ServiceError:
            raise SignInRequired from None
        session.access_token = answer["access_token"]
        session.refresh_token = answer["refresh_token"]
        session.access_expires = time.time() + float(answer.get("expires_in", 900))
    return session


User = Annotated[Session, Depends(signed_in)]


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """A page from a template, in the user's language, with the shared globals."""
    env: Environment = request.app.state.portal.templates
    session = session_of(request)
    html = env.get_template(template).render(
        request=request,
        session=session,
        csrf=session.csrf,
        lang=i18n.current(),
        path=request.url.path,
        **(context or {}),
    )
    return HTMLResponse(html, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    """See other: after every successful POST (no resubmission on reload)."""
    return RedirectResponse(url, status_code=303)


def problem_page(request: Request, error: ServiceError) -> Response:
    """A whole-page answer for a service refusal that is not about a form field."""
    if error.status == 401:
        raise SignInRequired
    return render(request, "problem.html", {"error": error}, status_code=error.status)


class StepUpRefused(Exception):
    """Identity did not accept the TOTP code for a step-up (wrong, reused, locked, throttled)."""


async def step_up(backend: Backend, token: str | None, code: str, audience: str) -> str:
    """A fresh step-up proof from identity for a sensitive action at `audience`.

    Raises StepUpRefused when identity refuses the code, so the page can show it next to the
    code field with the rest of the form kept; other failures propagate.
    """
    try:
        proof = await backend.post(
            "identity", "/auth/step-up", token, {"totp_code": code, "audience": audience}
        )
    except ServiceError as error:
        if error.status not in (400, 401, 403, 422, 423, 429):
            raise
        raise StepUpRefused from None
    return str(proof.get("step_up") or "")


def step_up_error() -> dict[str, str]:
    """The code field's message when identity refused a step-up code."""
    return {"totp_code": i18n._("That code was not accepted. Wait for a new code and try again.")}


def form_values(form: Mapping[str, Any], *multi: str) -> dict[str, Any]:
    """What was typed, to show again: single values, and lists for the multi-value fields."""
    getlist = getattr(form, "getlist", None)
    values: dict[str, Any] = {k: v for k, v in form.items() if k != "csrf_token"}
    for name in multi:
        values[name] = list(getlist(name)) if getlist else []
    return values

"""Sign in (password and TOTP through identity), sign out (revokes), and the language switch."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import jwt
from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import i18n
from ..backend import Backend, ServiceError
from ..demo import demo_accounts
from ..i18n import _
from ..session import LANG_COOKIE, Session
from ..web import backend_of, redirect, render, session_of, settings_of

router = APIRouter()


def _sign_in_page(
    request: Request,
    values: dict[str, Any],
    error: str | None,
    status_code: int = 200,
    *,
    new_password: bool = False,
    errors: dict[str, str] | None = None,
) -> Response:
    settings = settings_of(request)
    session = session_of(request)
    flash, session.flash = session.flash, None
    return render(
        request,
        "sign_in.html",
        {
            "values": values,
            "error": error,
            "new_password": new_password,
            "errors": errors or {},
            "flash": flash,
            "demo": demo_accounts(settings.demo_logins_file, settings.environment),
        },
        status_code=status_code,
    )


@router.get("/sign-in")
async def sign_in_form(request: Request) -> Response:
    """The sign-in form."""
    if session_of(request).signed_in:
        return redirect("/")
    return _sign_in_page(request, {}, None)


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    """Password and code to identity; on success a new session (and a new CSRF token)."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in ("username", "totp_code")}
    body: dict[str, Any] = {**values, "password": str(form.get("password", ""))}
    changing = "new_password" in form
    if changing:
        new, again = str(form.get("new_password", "")), str(form.get("new_password_again", ""))
        if new != again:
            problem = _("The two new passwords differ.")
            return _sign_in_page(
                request,
                values,
                problem,
                422,
                new_password=True,
                errors={"new_password_again": problem},
            )
        body["new_password"] = new
    try:
        tokens = await backend_of(request).post("identity", "/auth/login", None, body)
    except ServiceError as error:
        return _refused(request, values, error, changing)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    now = time.time()
    request.state.session = Session(
        lang=session_of(request).lang,
        access_token=tokens["access_token"],
        refresh_token=tokens.get("refresh_token"),
        access_expires=now + float(tokens.get("expires_in", 900)),
        staff_id=str(claims.get("sub")),
        username=str(claims.get("username")),
        roles=list(claims.get("roles", [])),
        teams=list(claims.get("teams", [])),
        started=now,
        seen=now,
    )
    chosen = await _account_language(backend_of(request), tokens["access_token"])
    response = redirect("/")
    if chosen is not None:  # the language this person chose, on any device, wins
        request.state.session.lang = chosen
        _remember(response, request, chosen)
    return response


async def _account_language(backend: Backend, token: str) -> str | None:
    """The language kept with the account at identity (None when none is kept, or it is away)."""
    try:
        found = await backend.get("identity", "/me/preferences", token)
    except ServiceError:
        return None
    chosen = found.get("language")
    return chosen if chosen in i18n.LANGUAGES else None


def _remember(response: Response, request: Request, chosen: str) -> None:
    """The language in a long-lived cookie, for this browser's sign-in page."""
    response.set_cookie(
        LANG_COOKIE,
        chosen,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="strict",
        secure=settings_of(request).cookies_secure,
    )


def _refused(
    request: Request, values: dict[str, Any], error: ServiceError, changing: bool
) -> Response:
    """The sign-in page again with identity's refusal in words (the username kept)."""
    if error.error == "PasswordChangeRequired":
        # An administrator set this password: its owner chooses a new one (and a fresh code).
        message = _(
            "An administrator set this password. Choose a new password of your own and "
            "sign in with the next code from your authenticator app."
        )
        return _sign_in_page(request, values, message, error.status, new_password=True)
    if changing and error.error == "WeakPassword":
        problem = _(
            "The new password is too weak: at least 12 characters, not a common one, "
            "not your username, and not the password an administrator set."
        )
        return _sign_in_page(
            request,
            values,
            problem,
            error.status,
            new_password=True,
            errors={"new_password": problem},
        )
    messages = {
        401: _("The username, password or code is not right."),
        423: _("Too many failed attempts: this account is locked for a while. Try later."),
        429: _("Too many sign-in attempts from here. Wait a minute and try again."),
        403: _("This account has no authenticator yet. Ask an administrator to enrol one."),
        422: _("Fill in the username, the password and the 6-digit code."),
    }
    message = messages.get(error.status, _("Sign-in is not available right now."))
    return _sign_in_page(request, values, message, error.status, new_password=changing)


async def revoke(backend: Backend, session: Session) -> None:
    """End the session at identity (best effort: the cookie is dropped either way)."""
    if not session.access_token:
        return
    with contextlib.suppress(ServiceError):
        await backend.post("identity", "/auth/logout", session.access_token, None)


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """Revoke the session at identity and forget the tokens."""
    session = session_of(request)
    await revoke(backend_of(request), session)
    request.state.session = Session(lang=session.lang, flash="signed_out")
    return redirect("/sign-in")


@router.post("/language")
async def language(request: Request) -> Response:
    """Switch the language; remembered in the session, in a long-lived cookie and, when signed
    in, with the account at identity (so it follows the person to another device)."""
    form = await request.form()
    chosen = str(form.get("lang", "en"))
    if chosen not in i18n.LANGUAGES:
        chosen = "en"
    back = str(form.get("next", "/"))
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    session = session_of(request)
    session.lang = chosen
    if session.signed_in:
        with contextlib.suppress(ServiceError):  # the switch works on this browser regardless
            await backend_of(request).call(
                "identity",
                "PUT",
                "/me/preferences",
                session.access_token,
                json={"language": chosen},
            )
    response = redirect(back)
    _remember(response, request, chosen)
    return response

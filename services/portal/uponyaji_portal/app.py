"""The staff portal: server-rendered pages over the services' APIs (`create_app`, port 8000)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from uponyaji_service import configure_logging
from uponyaji_service.logs import CorrelationMiddleware
from uponyaji_service.telemetry import FASTAPI_TELEMETRY, install_telemetry, instrument_app

from . import i18n
from .backend import Backend, ClientAddressMiddleware, ServiceError
from .messages import error_text
from .routes import (
    accounts,
    admin,
    auth,
    breaches,
    counselling,
    counselling_corrections,
    counselling_day,
    dpo,
    empowerment,
    empowerment_referrals,
    grants,
    home,
    intake,
    intake_corrections,
    intake_merge,
    journey,
    medical,
    medical_book,
    medical_care,
    medical_files,
    medical_more,
    medical_reports,
    medical_verify,
    notary,
    notifications,
    programme,
    subject_access,
    trainings,
)
from .session import COOKIE, LANG_COOKIE, SECURE_COOKIE, Session, SessionCodec, load_key
from .settings import Settings
from .vocab import choices, kind_label, label
from .web import CsrfRefused, Refresher, SignInRequired, csrf_guard, redirect, render

HERE = Path(__file__).parent

# No inline script or style anywhere: everything the page runs or styles comes from /static.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass
class Portal:
    """What the app's routes share, built once in `create_app`."""

    settings: Settings
    codec: SessionCodec
    backend: Backend
    templates: Environment
    refresher: Refresher = field(default_factory=Refresher)

    @property
    def cookie(self) -> str:
        """The session cookie's name (`__Host-` prefixed when cookies are Secure)."""
        return SECURE_COOKIE if self.settings.cookies_secure else COOKIE


@lru_cache(maxsize=8)
def asset_url(name: str) -> str:
    """A static file's URL carrying a hash of its content, so it can be cached for a year."""
    digest = hashlib.sha256((HERE / "static" / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


def templates() -> Environment:
    """The Jinja2 environment: autoescaped, gettext through the request's language."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals.update(
        label=label,
        kind_label=kind_label,
        choices=choices,
        when=i18n.when,
        day=i18n.day,
        kes=i18n.kes,
        error_text=error_text,
        LANGUAGES=i18n.LANGUAGES,
        asset=asset_url,
    )
    return env


def create_app(settings: Settings | None = None) -> FastAPI:
    """The portal app, from the environment's settings unless given."""
    settings = settings or Settings()
    configure_logging(production=settings.environment == "production", level=settings.log_level)
    install_telemetry("portal")  # once per process, when an OTLP endpoint is configured
    i18n.load_catalogs()
    portal = Portal(
        settings=settings,
        codec=SessionCodec(load_key(settings.kek_file, settings.environment)),
        backend=Backend(settings),
        templates=templates(),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await portal.backend.aclose()

    app = FastAPI(
        title="Uponyaji portal",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_guard)],
        telemetry=FASTAPI_TELEMETRY,  # the instrumentor's span only
    )
    app.state.portal = portal
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (
        auth,
        home,
        intake,
        counselling,
        programme,
        dpo,
        journey,
        # medical_reports first: its `…/evidence/new` must win over medical's `…/{kind}/new`.
        medical_reports,
        medical_files,  # `…/samples/new` too
        medical,
        empowerment,
        grants,
        trainings,
        notary,
    ):
        app.include_router(module.router)
    for module in (
        breaches,
        subject_access,
        accounts,
        admin,
        notifications,
        medical_verify,
        medical_more,
        medical_care,
        medical_book,
        empowerment_referrals,
        counselling_day,
        intake_corrections,
        intake_merge,
        counselling_corrections,
    ):
        app.include_router(module.router)

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, _: SignInRequired) -> Response:
        current: Session = request.state.session
        # A signed-in user sent to sign in again: their session ended (limits, or revoked).
        flash = current.flash or ("expired" if current.signed_in else None)
        request.state.session = Session(lang=current.lang, flash=flash)
        return redirect("/sign-in")

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: CsrfRefused) -> Response:
        return render(request, "csrf.html", status_code=403)

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, error: ServiceError) -> Response:
        if error.status == 401:
            return await to_sign_in(request, SignInRequired())
        return render(request, "problem.html", {"error": error}, status_code=error.status)

    @app.middleware("http")
    async def sessions(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path.startswith("/static/") or request.url.path == "/health":
            response = await call_next(request)
            response.headers.update(SECURITY_HEADERS)
            if request.url.path.startswith("/static/") and request.query_params.get("v"):
                # Versioned by content (`?v=<hash>`): a slow link fetches each file once.
                response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            return response
        now = time.time()
        session = portal.codec.open(request.cookies.get(portal.cookie))
        if session is None:
            session = Session(lang=request.cookies.get(LANG_COOKIE, "en"))
        limits = (settings.session_idle_minutes * 60, settings.session_hours * 3600)
        if session.expired(now, *limits):
            await auth.revoke(portal.backend, session)
            session = Session(lang=session.lang, flash="expired")
        if session.signed_in:
            session.seen = now
        request.state.session = session
        i18n.use(session.lang)
        response = await call_next(request)
        final: Session = request.state.session
        response.set_cookie(
            portal.cookie,
            portal.codec.seal(final),
            httponly=True,
            samesite="strict",
            secure=settings.cookies_secure,
            path="/",
        )
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-store"
        return response

    app.add_middleware(CorrelationMiddleware, service="portal")
    app.add_middleware(ClientAddressMiddleware)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> HTMLResponse:
        return HTMLResponse(status_code=204)

    instrument_app(app)
    return app

"""One exception handler for every service: `{"error": "ClassName", "detail": "...", ...}`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from uponyaji_events.errors import UponyajiError


def _field(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
    return ".".join(location) or "body"


def install_error_handlers(app: FastAPI) -> None:
    """Render domain errors (status, headers, extra body) and malformed requests as 422."""

    @app.exception_handler(UponyajiError)
    async def domain_error(_: Request, exc: UponyajiError) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else None
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def malformed(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": _field(e), "problem": e.get("msg", "invalid"), "type": e.get("type")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return JSONResponse(
            {"error": "ValidationError", "detail": summary, "problems": problems},
            status_code=422,
        )

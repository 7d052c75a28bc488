"""Programme leads' pages: dashboard with charts and filters, exports, de-identified journeys."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import i18n
from ..backend import ServiceError
from ..charts import bars
from ..forms import field_errors, text
from ..i18n import N_, _
from ..web import User, backend_of, redirect, render

router = APIRouter()
EXPORTS = {
    "csv": ("/dashboard.csv", "text/csv; charset=utf-8"),
    "xlsx": (
        "/dashboard.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def _filters(request: Request) -> dict[str, str]:
    wanted = ("grain", "period", "county", "team")
    return {k: request.query_params[k] for k in wanted if request.query_params.get(k)}


# The year first: it is the default grain, so the unfilled form shows what is shown.
GRAINS = (("year", N_("Year")), ("quarter", N_("Quarter")), ("month", N_("Month")))


@router.get("/dashboard")
async def dashboard(request: Request, user: User) -> Response:
    """Counts by month, county, gender, age, perpetrator, method and service, rounded to 5s."""
    filters = _filters(request)
    try:  # county names come in the page's language
        board = await backend_of(request).get(
            "reporting", "/dashboard", user.access_token, **filters, lang=i18n.current()
        )
    except ServiceError as error:
        if error.status != 422:
            raise
        context: dict[str, Any] = {
            "board": None,
            "charts": {},
            "values": filters,
            "errors": field_errors(error),
            "grains": [(code, _(text)) for code, text in GRAINS],
        }
        return render(request, "programme/dashboard.html", context, status_code=422)
    charts = {
        name: bars(board.get(key) or {}, vocabulary)
        for name, key, vocabulary in (
            ("registrations", "registrations_per_month", "month"),
            ("county", "by_county", "county"),
            ("gender", "by_gender", "gender"),
            ("age_band", "by_age_band", "age_band"),
            ("perpetrator", "by_perpetrator", "perpetrator"),
            ("method", "by_torture_method", "method"),
            ("services", "services_received", None),
        )
    }
    grains = [(code, _(text)) for code, text in GRAINS]
    context = {"board": board, "charts": charts, "values": filters, "errors": {}, "grains": grains}
    return render(request, "programme/dashboard.html", context)


@router.get("/dashboard/export.{kind}")
async def export(request: Request, kind: str, user: User) -> Response:
    """The dashboard as CSV or XLSX, as reporting writes it (the export is audited there)."""
    if kind not in EXPORTS:
        return Response(status_code=404)
    path, media = EXPORTS[kind]
    params = {**_filters(request), "lang": i18n.current()}
    answer = await backend_of(request).call(
        "reporting", "GET", path, user.access_token, params=params
    )
    headers = {"Content-Disposition": f'attachment; filename="uponyaji-dashboard.{kind}"'}
    return Response(answer.content, media_type=media, headers=headers)


@router.get("/medical/figures")
async def medical_figures(request: Request, user: User) -> Response:
    """Medical's programme figures: examinations by kind, overall evaluations by level, signed
    reports and the median days from intake to a signed report, rounded as medical publishes."""
    figures = await backend_of(request).get("medical", "/aggregates", user.access_token)
    return render(request, "programme/medical_figures.html", {"figures": figures})


@router.get("/journeys")
async def journey_lookup_form(request: Request, user: User) -> Response:
    """Open a journey by the survivor's id (programme leads see it de-identified)."""
    return render(request, "programme/lookup.html", {"values": {}, "errors": {}})


@router.post("/journeys")
async def journey_lookup(request: Request, user: User) -> Response:
    """Go to the journey of the survivor id typed."""
    form = await request.form()
    raw = text(form, "survivor_id") or ""
    try:
        survivor_id = UUID(raw)
    except ValueError:
        from ..i18n import _

        errors = {
            "survivor_id": _("Enter a survivor id like 0190c3d2-7e41-7b3a-9f2e-3a1c5d7e9b10.")
        }
        context = {"values": {"survivor_id": raw}, "errors": errors}
        return render(request, "programme/lookup.html", context, status_code=422)
    return redirect(f"/journeys/{survivor_id}")

"""Verify a medico-legal report: someone holding a PDF (a court clerk through a legal officer, a
lawyer, the data protection officer) learns whether it is the report medical signed, unaltered.

The portal hashes the uploaded PDF (SHA-256) and asks medical, which compares the hash with the
signed report's and its addenda's and checks every signature with the signer's key. The PDF
itself goes nowhere: only its hash leaves the portal.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ..backend import ServiceError
from ..i18n import _
from ..web import User, backend_of, form_values, render

router = APIRouter()
SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def _page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    result: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"values": values, "errors": errors, "result": result}
    return render(request, "medical/verify.html", context, status_code=status_code)


@router.get("/verify-report")
async def verify_form(request: Request, user: User) -> Response:
    """The report's id (printed in its footer) and the PDF file, or its SHA-256."""
    return _page(request, {}, {})


@router.post("/verify-report")
async def verify(request: Request, user: User) -> Response:
    """Hash the PDF and ask medical whether it is the signed report (or one of its addenda)."""
    form = await request.form()
    values = {k: v for k, v in form_values(form).items() if k != "file"}
    errors: dict[str, str] = {}
    report_id = str(form.get("report_id", "")).strip()
    try:
        UUID(report_id)
    except ValueError:
        errors["report_id"] = _("Type the report's id as printed at the foot of each page.")
    file = form.get("file")
    data = await file.read() if isinstance(file, UploadFile) else b""
    typed = str(form.get("sha256", "")).strip()
    if data:
        digest = hashlib.sha256(data).hexdigest()
    elif SHA256.match(typed):
        digest = typed.lower()
    else:
        errors["file"] = _("Choose the PDF file, or type its SHA-256 (64 hexadecimal characters).")
        digest = ""
    if errors:
        return _page(request, values, errors, status_code=422)
    try:
        result = await backend_of(request).get(
            "medical", f"/reports/{report_id}/verification", user.access_token, sha256=digest
        )
    except ServiceError as error:
        if error.status != 404:
            raise
        errors["report_id"] = _("Medical has no signed report with this id.")
        return _page(request, values, errors, status_code=404)
    names: dict[str, str] = {}
    try:
        staff = await backend_of(request).get("identity", "/staff", user.access_token, limit=500)
        names = {str(s["staff_id"]): str(s["display_name"]) for s in staff.get("staff", [])}
    except ServiceError as error:
        if error.status not in (403, 404):
            raise
    result = {**result, "sha256": digest, "signer": names.get(result["signer_id"])}
    return _page(request, values, {}, result)

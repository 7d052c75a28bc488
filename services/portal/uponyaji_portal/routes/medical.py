"""Clinicians' pages: the medical record, encounters and their entries, grading, evidence."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..backend import ServiceError
from ..bodymap import diagram
from ..forms import compact, field_errors, integer, local_moment, many, text
from ..web import User, backend_of, form_values, redirect, render

router = APIRouter()
Body = dict[str, Any]


def _base(survivor_id: UUID) -> str:
    return f"/survivors/{survivor_id}/medical"


async def _record(request: Request, user: User, survivor_id: UUID) -> dict[str, Any]:
    return await backend_of(request).get(
        "medical", f"/survivors/{survivor_id}/record", user.access_token
    )


def _marks(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The current findings' marks, numbered as listed."""
    found = [e for e in entries if e["type"] == "FindingDocumented" and not e["superseded_by"]]
    return [{**(f.get("position") or {}), "n": i} for i, f in enumerate(found, 1)]


@router.get("/survivors/{survivor_id}/medical")
async def medical_record(request: Request, survivor_id: UUID, user: User) -> Response:
    """The survivor's medical record: encounters, each with a link to its page."""
    found = await _record(request, user, survivor_id)
    return render(request, "medical/record.html", {"survivor_id": survivor_id, "rec": found})


@router.get("/survivors/{survivor_id}/medical/encounters/new")
async def encounter_form(request: Request, survivor_id: UUID, user: User) -> Response:
    """Record an encounter."""
    values = {
        "kind": "medico_legal_examination",
        "examiner_gender_requested": "no_preference",
        "interpreter_gender_requested": "no_preference",
        "present": [],
    }
    context = {"survivor_id": survivor_id, "values": values, "errors": {}}
    return render(request, "medical/encounter_new.html", context)


@router.post("/survivors/{survivor_id}/medical/encounters/new")
async def open_encounter(request: Request, survivor_id: UUID, user: User) -> Response:
    """Open the encounter at medical (facility and limitations are sealed there)."""
    form = await request.form()
    body = compact(
        {
            "kind": text(form, "kind"),
            "occurred_at": local_moment(form, "occurred_at"),
            "county_code": text(form, "county_code"),
            "facility": text(form, "facility"),
            "present": [{"role": r} for r in many(form, "present")],
            "examiner_gender_requested": text(form, "examiner_gender_requested"),
            "interpreter_gender_requested": text(form, "interpreter_gender_requested"),
            "examiner_gender_honoured": form.get("examiner_gender_not_honoured") != "on",
            "restrictions": text(form, "restrictions"),
            "limited_by_survivor": form.get("limited_by_survivor") == "on",
            "limitation": text(form, "limitation"),
            "retrospective_reason": text(form, "retrospective_reason"),
        }
    )
    body["examiner_gender_honoured"] = form.get("examiner_gender_not_honoured") != "on"
    answer, error = await _post(request, user, f"/survivors/{survivor_id}/encounters", body)
    if error is not None:
        context = {
            "survivor_id": survivor_id,
            "values": form_values(form, "present"),
            "errors": field_errors(error),
        }
        return render(request, "medical/encounter_new.html", context, status_code=error.status)
    assert answer is not None
    return redirect(f"{_base(survivor_id)}/encounters/{answer['id']}")


async def _post(
    request: Request, user: User, path: str, body: Body
) -> tuple[dict[str, Any] | None, ServiceError | None]:
    try:
        return await backend_of(request).post("medical", path, user.access_token, body), None
    except ServiceError as error:
        if error.status not in (400, 409, 413, 422):
            raise
        return None, error


@router.get("/survivors/{survivor_id}/medical/encounters/{encounter_id}")
async def encounter(
    request: Request, survivor_id: UUID, encounter_id: UUID, user: User
) -> Response:
    """One encounter: its entries, the body diagram, grading, evidence, the report's state."""
    backend, token = backend_of(request), user.access_token
    found = await _record(request, user, survivor_id)
    enc = next((e for e in found["encounters"] if e["encounter_id"] == str(encounter_id)), None)
    if enc is None:
        raise ServiceError(404, "NotFound", "no such encounter")
    mine = [e for e in found["entries"] if e.get("encounter_id") == str(encounter_id)]
    current = [e for e in mine if not e["superseded_by"]]
    findings = [e for e in current if e["type"] == "FindingDocumented"]
    draft = None
    if enc.get("kind") == "medico_legal_examination":
        try:
            draft = await backend.get(
                "medical", f"/survivors/{survivor_id}/encounters/{encounter_id}/report-draft", token
            )
        except ServiceError as error:
            if error.status not in (403, 404, 409):
                raise
    reports = [r for r in found["reports"] if str(r.get("encounter_id")) == str(encounter_id)]
    context = {
        "survivor_id": survivor_id,
        "encounter_id": encounter_id,
        "enc": enc,
        "entries": current,
        "findings": findings,
        "diagram": diagram(_marks(current)),
        "evaluation": next(
            (v for v in found["evaluations"] if v["encounter_id"] == str(encounter_id)), None
        ),
        "evidence": [v for v in found["evidence"] if v.get("encounter_id") == str(encounter_id)],
        "draft": draft,
        "reports": reports,
        "corrected": sum(1 for e in mine if e["superseded_by"]),
    }
    return render(request, "medical/encounter.html", context)


# Each entry form: template, the medical path (after /survivors/{id}), and how its body is built.
def _history(form: Any, eid: str) -> Body:
    return compact(
        {
            "encounter_id": eid,
            "allegation": text(form, "allegation"),
            "symptoms_acute": text(form, "symptoms_acute"),
            "symptoms_current": text(form, "symptoms_current"),
            "medical_history": text(form, "medical_history"),
            "methods": many(form, "methods"),
        }
    )


def _finding(form: Any, eid: str) -> Body:
    return compact(
        {
            "encounter_id": eid,
            "region": text(form, "region"),
            "lesion": text(form, "lesion"),
            "length_mm": integer(form, "length_mm"),
            "width_mm": integer(form, "width_mm"),
            "shape": text(form, "shape"),
            "colour": text(form, "colour"),
            "estimated_age": text(form, "estimated_age"),
            "position": compact(
                {
                    "view": text(form, "view"),
                    "x": integer(form, "x"),
                    "y": integer(form, "y"),
                }
            ),
            "description": text(form, "description"),
        }
    )


def _psychological(form: Any, eid: str) -> Body:
    return compact({"encounter_id": eid, "summary": text(form, "summary")})


def _diagnosis(form: Any, eid: str) -> Body:
    return compact({"encounter_id": eid, "code": text(form, "code"), "note": text(form, "note")})


def _treatment(form: Any, eid: str) -> Body:
    return compact(
        {
            "encounter_id": eid,
            "kind": text(form, "kind"),
            "details": text(form, "details"),
            "duration_days": integer(form, "duration_days"),
        }
    )


def _overall(form: Any, eid: str) -> Body:
    return compact(
        {
            "level": text(form, "level"),
            "interpretation": text(form, "interpretation"),
            "recommendations": text(form, "recommendations"),
        }
    )


def _grade(form: Any, eid: str) -> Body:
    return compact({"level": text(form, "level")})


ENTRIES: dict[str, tuple[str, str, Any]] = {
    "history": ("medical/history.html", "/history", _history),
    "findings": ("medical/finding.html", "/findings", _finding),
    "psychological": ("medical/psychological.html", "/psychological-findings", _psychological),
    "diagnoses": ("medical/diagnosis.html", "/diagnoses", _diagnosis),
    "treatments": ("medical/treatment.html", "/treatments", _treatment),
    "overall": ("medical/overall.html", "/encounters/{eid}/overall-evaluation", _overall),
    "psychological-grade": ("medical/grade.html", "/encounters/{eid}/psychological-grade", _grade),
}
MULTI = {"history": ("methods",)}
# Entries medical lets a clinician correct (a new entry superseding the old, with a reason).
CORRECTABLE = ("history", "findings", "psychological", "diagnoses", "treatments")
ENTRY_ID = ("entry_id", "finding_id", "diagnosis_id", "treatment_id")


async def _correcting(
    request: Request, user: User, survivor_id: UUID, entry_id: str
) -> dict[str, Any]:
    """The entry being corrected, as the form's values (medical names any problem on saving)."""
    found = await _record(request, user, survivor_id)
    entry = next(
        (e for e in found["entries"] if any(str(e.get(k)) == entry_id for k in ENTRY_ID)), None
    )
    if entry is None:
        raise ServiceError(404, "NotFound", "no such entry")
    values = {k: v for k, v in entry.items() if isinstance(v, str | int | list) and k != "reason"}
    position = entry.get("position") or {}
    values.update({k: position[k] for k in ("view", "x", "y") if k in position})
    values.setdefault("methods", [])
    values["supersedes"] = entry_id
    return values


async def _extra(request: Request, user: User, kind: str) -> dict[str, Any]:
    if kind == "diagnoses":
        codes = await backend_of(request).get("medical", "/icd11", user.access_token)
        return {"codes": [(c["code"], f"{c['code']} {c['title']}") for c in codes.get("codes", [])]}
    if kind == "findings":
        return {"diagram": diagram([], clickable=True)}
    return {}


@router.get("/survivors/{survivor_id}/medical/encounters/{encounter_id}/{kind}/new")
async def entry_form(
    request: Request, survivor_id: UUID, encounter_id: UUID, kind: str, user: User
) -> Response:
    """A form for one entry of the encounter (history, finding, diagnosis, …)."""
    if kind not in ENTRIES:
        raise ServiceError(404, "NotFound", "no such page")
    values: dict[str, Any] = {"methods": [], "view": "front"}
    corrects = request.query_params.get("corrects")
    if corrects and kind in CORRECTABLE:
        values = await _correcting(request, user, survivor_id, corrects)
    context = {
        "survivor_id": survivor_id,
        "encounter_id": encounter_id,
        "kind": kind,
        "values": values,
        "errors": {},
        **await _extra(request, user, kind),
    }
    return render(request, ENTRIES[kind][0], context)


@router.post("/survivors/{survivor_id}/medical/encounters/{encounter_id}/{kind}/new")
async def entry(
    request: Request, survivor_id: UUID, encounter_id: UUID, kind: str, user: User
) -> Response:
    """Record the entry at medical; back to the encounter, or the form with medical's answer."""
    if kind not in ENTRIES:
        raise ServiceError(404, "NotFound", "no such page")
    template, path, build = ENTRIES[kind]
    form = await request.form()
    eid = str(encounter_id)
    full = f"/survivors/{survivor_id}" + path.format(eid=eid)
    body = build(form, eid)
    if kind in CORRECTABLE and text(form, "supersedes"):
        body.update(
            compact({"supersedes": text(form, "supersedes"), "reason": text(form, "reason")})
        )
    _, error = await _post(request, user, full, body)
    if error is not None:
        context = {
            "survivor_id": survivor_id,
            "encounter_id": encounter_id,
            "kind": kind,
            "values": form_values(form, *MULTI.get(kind, ())),
            "errors": _flat(error),
            **await _extra(request, user, kind),
        }
        return render(request, template, context, status_code=error.status)
    return redirect(f"{_base(survivor_id)}/encounters/{encounter_id}")


def _flat(error: ServiceError) -> dict[str, str]:
    """Field errors with `position_x` and friends named as the finding form's inputs."""
    errors = field_errors(error)
    for name in ("view", "x", "y"):
        if f"position_{name}" in errors:
            errors[name] = errors.pop(f"position_{name}")
    return errors


@router.get(
    "/survivors/{survivor_id}/medical/encounters/{encounter_id}/findings/{finding_id}/grade"
)
async def grade_form(
    request: Request, survivor_id: UUID, encounter_id: UUID, finding_id: UUID, user: User
) -> Response:
    """Grade one finding on the Istanbul Protocol's five levels."""
    context = {
        "survivor_id": survivor_id,
        "encounter_id": encounter_id,
        "finding_id": finding_id,
        "kind": "finding-grade",
        "values": {},
        "errors": {},
    }
    return render(request, "medical/grade.html", context)


@router.post(
    "/survivors/{survivor_id}/medical/encounters/{encounter_id}/findings/{finding_id}/grade"
)
async def grade(
    request: Request, survivor_id: UUID, encounter_id: UUID, finding_id: UUID, user: User
) -> Response:
    """Record the finding's level of consistency with the allegation."""
    form = await request.form()
    path = f"/survivors/{survivor_id}/findings/{finding_id}/grade"
    _, error = await _post(request, user, path, _grade(form, ""))
    if error is not None:
        context = {
            "survivor_id": survivor_id,
            "encounter_id": encounter_id,
            "finding_id": finding_id,
            "kind": "finding-grade",
            "values": form_values(form),
            "errors": field_errors(error),
        }
        return render(request, "medical/grade.html", context, status_code=error.status)
    return redirect(f"{_base(survivor_id)}/encounters/{encounter_id}")

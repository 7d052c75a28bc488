"""Read rows → JSON answers, unsealing only the field classes the caller may see."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from uponyaji_events.contracts.vocabularies import ConsentScope
from uponyaji_events.sealing import Sealer

from .identity import open_fields
from .seal import Reveal, Unseal

_SURVIVOR_FIELDS = (
    "survivor_id",
    "case_number",
    "status",
    "registered_at",
    "registered_on",
    "county_code",
    "gender",
    "age_band",
    "disabilities",
    "preferred_language",
    "birth_date_estimated",
    "team_id",
    "lead_case_worker_id",
    "closure_reason",
    "closed_at",
    "merged_into",
    "erasure_status",
    "version",
    "updated_at",
)


async def survivor(
    sealer: Sealer, row: dict[str, Any], *, identity: bool, merged: list[dict[str, Any]]
) -> dict[str, Any]:
    """A survivor's record; `identity` is null unless the caller may see identity fields."""
    view = {name: row[name] for name in _SURVIVOR_FIELDS}
    view["merged_records"] = merged
    view["identity"] = (
        await open_fields(Reveal(sealer, row["survivor_id"]), row["identity"]) if identity else None
    )
    return view


async def search_hit(sealer: Sealer, row: dict[str, Any], *, identity: bool) -> dict[str, Any]:
    """One search result: case number, status, why it matched, and the name if visible."""
    name = None
    if identity and "full_name" in row["identity"]:
        entry = row["identity"]["full_name"]
        name = await Reveal(sealer, row["survivor_id"])(entry["e"], "full_name", entry["v"])
    return {
        "survivor_id": row["survivor_id"],
        "case_number": row["case_number"],
        "status": row["status"],
        "erasure_status": row["erasure_status"],
        "county_code": row["county_code"],
        "team_id": row["team_id"],
        "match": row["match"],
        "full_name": name,
    }


async def consents(
    sealer: Sealer,
    survivor_id: UUID,
    current: list[dict[str, Any]],
    history: list[dict[str, Any]],
    *,
    witnesses: bool,
) -> dict[str, Any]:
    """Current consent for every scope (never asked included) and the full history."""
    by_scope = {row["scope"]: row for row in current}
    unseal = Reveal(sealer, survivor_id)
    return {
        "current": [
            {"scope": scope.value, "status": "never_asked"}
            | {k: v for k, v in by_scope.get(scope.value, {}).items() if k != "scope"}
            for scope in ConsentScope
        ],
        "history": [
            {
                **{k: v for k, v in row.items() if k not in ("witness", "reason")},
                "decision": "grant" if row["granted"] else "withdraw",
                "witness": await _open(unseal, row["witness"], "witness") if witnesses else None,
                "reason": await _open(unseal, row["reason"], "reason") if witnesses else None,
            }
            for row in history
        ],
    }


async def incident(sealer: Sealer, row: dict[str, Any], *, narrative: bool) -> dict[str, Any]:
    """An incident; narrative, witnesses, exact place and report references only if visible."""
    details = dict(row["details"])
    event_type = row["context_event"]
    unseal = Reveal(sealer, row["survivor_id"], record=row["incident_id"])
    reports = []
    for report in details.get("reports", []):
        shown = dict(report)
        shown["reference"] = (
            await unseal(event_type, "reports[].reference", report.get("reference"))
            if narrative
            else None
        )
        reports.append(shown)
    details["reports"] = reports
    if narrative:
        details["narrative"] = await unseal(event_type, "narrative", details["narrative"])
        details["witnesses"] = await unseal.each(event_type, "witnesses", details["witnesses"])
        details["place_description"] = await unseal(
            event_type, "place_description", details.get("place_description")
        )
    else:
        details.update(narrative=None, witnesses=None, place_description=None)
    return {**details, "documented_at": row["documented_at"], "documented_by": row["documented_by"]}


async def referral(sealer: Sealer, row: dict[str, Any], *, notes: bool) -> dict[str, Any]:
    """A referral with its status; the provider, reason and notes only if visible."""
    payload, event_type = row["details"]["payload"], row["details"]["e"]
    unseal = Reveal(sealer, row["survivor_id"], record=row["referral_id"])
    return {
        "referral_id": row["referral_id"],
        "survivor_id": row["survivor_id"],
        "target": row["target"],
        "urgency": row["urgency"],
        "status": row["status"],
        "incident_ids": payload.get("incident_ids", []),
        "external_provider": await unseal(
            event_type, "external_provider", payload.get("external_provider")
        )
        if notes
        else None,
        "reason": await unseal(event_type, "reason", payload.get("reason")) if notes else None,
        "status_note": await _open(unseal, row["status_note"], "note") if notes else None,
        "made_at": row["made_at"],
        "updated_at": row["updated_at"],
    }


async def _open(unseal: Unseal, entry: dict[str, Any] | None, path: str) -> str | None:
    if entry is None:
        return None
    return await unseal(entry["e"], path, entry["v"])

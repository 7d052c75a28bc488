"""A survivor's sealed identity: from request to payload, payload to read table, table to reader."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from uponyaji_events.contracts.intake import NextOfKin
from uponyaji_events.contracts.vocabularies import AgeBand
from uponyaji_events.db import Conn
from uponyaji_events.sealing import ERASED, UNREADABLE

from .errors import AgeBandContradicts
from .schemas import IdentityFields
from .seal import Seal, Unseal

SEALED_FIELDS = (
    "full_name",
    "other_names",
    "phone",
    "id_document",
    "birth_date",
    "next_of_kin",
    "location",
)
_BANDS = (
    (18, AgeBand.AGE_0_17),
    (25, AgeBand.AGE_18_24),
    (35, AgeBand.AGE_25_34),
    (45, AgeBand.AGE_35_44),
    (55, AgeBand.AGE_45_54),
    (65, AgeBand.AGE_55_64),
)


def age_band(birth: date | None, estimated_year: int | None, on: date) -> AgeBand:
    """The age band on a date, from an exact or estimated birth date (unknown without either).

    An estimated year leaves the birthday unknown, so the person may not have had it yet this
    year: the youngest age they can be counts. Someone estimated born in 2008 is 17 (a minor)
    on 2026-03-15, and safeguarding treats them as one until 2027.
    """
    if birth is not None:
        age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    elif estimated_year is not None:
        age = on.year - estimated_year - 1
    else:
        return AgeBand.UNKNOWN
    return next((band for limit, band in _BANDS if age < limit), AgeBand.AGE_65_PLUS)


def settled_band(
    supplied: AgeBand | None, birth: date | None, estimated_year: int | None, on: date
) -> AgeBand | None:
    """The band to record: derived from a birth date when there is one; a contradiction raises.

    Without a birth date (exact or estimated) the supplied band stands as given.
    """
    if birth is None and estimated_year is None:
        return supplied
    derived = age_band(birth, estimated_year, on)
    if supplied is not None and supplied is not derived:
        raise AgeBandContradicts(
            f"age_band {supplied.value} contradicts the date of birth given: on {on} the "
            f"survivor is in {derived.value} (leave age_band out: it is derived)"
        )
    return derived


async def seal_fields(seal: Seal, body: IdentityFields, full_name: str | None) -> dict[str, Any]:
    """Payload keyword arguments holding the sealed form of every identity value given."""
    sealed: dict[str, Any] = {}
    if full_name is not None:
        sealed["full_name"] = await seal("full_name", full_name)
    if body.other_names is not None:
        sealed["other_names"] = await seal.each("other_names", body.other_names)
    if body.phone is not None:
        sealed["phone"] = await seal("phone", body.phone)
    if body.id_document is not None:
        document = {"kind": body.id_document.kind, "number": body.id_document.number}
        sealed["id_document"] = await seal("id_document", json.dumps(document))
    if body.birth_date is not None:
        sealed["birth_date"] = await seal("birth_date", body.birth_date.isoformat())
        sealed["birth_date_estimated"] = False
    elif body.estimated_birth_year is not None:
        sealed["birth_date"] = await seal("birth_date", f"{body.estimated_birth_year:04d}")
        sealed["birth_date_estimated"] = True
    if body.next_of_kin is not None:
        kin = body.next_of_kin
        sealed["next_of_kin"] = NextOfKin(
            name=await seal("next_of_kin.name", kin.name),
            relationship=await seal.optional("next_of_kin.relationship", kin.relationship),
            phone=await seal.optional("next_of_kin.phone", kin.phone),
        )
    if body.location is not None:
        sealed["location"] = await seal("location", body.location)
    return sealed


def stored_fields(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The read table's form of an event's sealed identity: `{field: {"v": value, "e": type}}`."""
    return {
        name: {"v": payload[name], "e": event_type}
        for name in SEALED_FIELDS
        if payload.get(name) is not None
    }


async def minor_on(conn: Conn, unseal: Unseal, survivor_id: UUID, on: date) -> bool | None:
    """Whether the survivor is (or may be) under 18 on `on`, from their recorded date or
    estimated year of birth; None when neither is known (the recorded age band decides)."""
    row = await conn.fetchrow(
        "SELECT identity, birth_date_estimated FROM survivors WHERE survivor_id = $1", survivor_id
    )
    entry = (row["identity"] or {}).get("birth_date") if row is not None else None
    if entry is None:
        return None
    text = await unseal(entry["e"], "birth_date", entry["v"])
    if text is None or text == ERASED:
        return None
    if row is not None and row["birth_date_estimated"]:
        band = age_band(None, int(text), on)
    else:
        band = age_band(date.fromisoformat(text), None, on)
    return band is AgeBand.AGE_0_17


async def open_fields(unseal: Unseal, stored: dict[str, Any]) -> dict[str, Any]:
    """The plaintext view of the stored identity (each value `[erased]` after erasure)."""
    view: dict[str, Any] = dict.fromkeys(SEALED_FIELDS)
    view["other_names"] = []
    for name, entry in stored.items():
        value, event_type = entry["v"], entry["e"]
        if name == "other_names":
            view[name] = await unseal.each(event_type, name, value)
        elif name == "next_of_kin":
            view[name] = {
                part: await unseal(event_type, f"next_of_kin.{part}", value.get(part))
                for part in ("name", "relationship", "phone")
            }
        elif name == "id_document":
            text = await unseal(event_type, name, value)
            if text is None or text in (ERASED, UNREADABLE):
                shown = ERASED if text is None else text
                view[name] = {"kind": shown, "number": shown}
            else:
                view[name] = json.loads(text)
        else:
            view[name] = await unseal(event_type, name, value)
    return view


def index_values(view: dict[str, Any]) -> dict[str, Any]:
    """The identity values the blind index covers, from a plaintext view."""
    document = view.get("id_document") or {}
    phone = view.get("phone")
    return {
        "names": [
            name
            for name in (view.get("full_name"), *(view.get("other_names") or []))
            if name != ERASED
        ],
        "phone": None if phone == ERASED else phone,
        "id_kind": document.get("kind"),
        "id_number": None if document.get("number") == ERASED else document.get("number"),
    }

"""Reporting's side of each source's event contract: every event it turns into journey entries
is one its source publishes, and every field it reads is in that event's contract and unsealed.

Reporting reads payloads by field name (milestones.py); a field renamed or dropped in a source's
contract would otherwise vanish from journeys and dashboards without an error anywhere.
"""

from __future__ import annotations

import pytest
from uponyaji_events.contracts import default_registry
from uponyaji_reporting.milestones import TABLES
from uponyaji_reporting.settings import OPTIONAL, SOURCES

REGISTRY = default_registry()
READ = [
    (source, event_type, (*fields, *((when,) if when else ()), "survivor_id"))
    for source, table in TABLES.items()
    for event_type, (_kind, fields, when) in table.items()
]
# Read outside the tables: a session's unsealed fields and its participants (milestones.entries).
SESSION = (
    "psychosocial",
    "psychosocial.SessionRecorded",
    ("session_id", "kind", "duration_minutes", "approach", "place", "held_on", "participants"),
)


def test_every_followed_source_has_a_table() -> None:
    assert set(TABLES) == {*SOURCES, *OPTIONAL}


@pytest.mark.parametrize(("source", "event_type", "fields"), [*READ, SESSION])
def test_a_field_reporting_reads_is_published_unsealed(
    source: str, event_type: str, fields: tuple[str, ...]
) -> None:
    assert event_type in REGISTRY, f"{source} publishes no {event_type}"
    contract = REGISTRY.get(event_type)
    assert contract.service == source
    declared = contract.model.model_fields
    missing = [name for name in fields if name not in declared]
    assert not missing, f"{event_type} has no field {missing} (renamed in its contract?)"
    sealed = {path.removesuffix("[]") for path in contract.sealed_fields}  # whole fields sealed
    assert not sealed & set(fields), f"reporting copies sealed {sorted(sealed & set(fields))}"


def test_a_session_s_participants_carry_what_reporting_reads() -> None:
    contract = REGISTRY.get("psychosocial.SessionRecorded")
    item = contract.model.model_fields["participants"].annotation.__args__[0]  # list[Participant]
    assert {"survivor_id", "attendance"} <= set(item.model_fields)
    read = {"participants[].survivor_id", "participants[].attendance"}
    assert not read & set(contract.sealed_fields)

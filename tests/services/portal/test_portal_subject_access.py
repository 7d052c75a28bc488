"""The subject access export as the survivor reads it: every part in their language, gaps said."""

from __future__ import annotations

import uuid

from uponyaji_portal.subject_access import SOURCES, Export, as_text, event_title, field_label

SURVIVOR = uuid.UUID("0190c3d2-7e41-7b3a-9f2e-3a1c5d7e9b10")


def export() -> Export:
    registered = {
        "type": "intake.SurvivorRegistered",
        "occurred_at": "2026-03-01T07:00:00+00:00",
        "recorded_by_role": "intake_officer",
        "data": {
            "full_name": "Test Survivor Alpha",
            "next_of_kin": {"name": "Fake Kin"},
            "other_names": ["Alfa", "Al"],
            "case_number": "UPJ-2026-000001",
        },
    }
    session = {
        "type": "psychosocial.SessionRecorded",
        "occurred_at": "2026-03-05T07:00:00+00:00",
        "recorded_by_role": "counsellor",
        "data": {"participants": [{"survivor_id": str(SURVIVOR), "notes": "Felt calmer (FAKE)"}]},
    }
    found = Export(SURVIVOR)
    found.parts = {
        "intake": {"records": [registered], "notes": ["Digests are not listed."]},
        "psychosocial": {"records": [session]},
        "empowerment": {"records": []},
        "reporting": {"records": []},
    }
    found.missing = {"medical": "503 ServiceUnavailable: medical"}
    return found


def test_the_export_in_kiswahili_names_events_fields_and_gaps() -> None:
    text = as_text(export(), "sw", "2026-03-06")
    assert text.startswith("Taarifa zako binafsi zilizo na kituo")
    assert "* Usajili — 2026-03-01" in text
    assert "Jina kamili: Test Survivor Alpha" in text
    assert "Jamaa wa karibu" in text  # a nested value, indented under its label
    assert "    Jina: Fake Kin" in text
    assert "Majina mengine: Alfa, Al" in text
    assert "Kikao cha ushauri" in text
    assert "Felt calmer (FAKE)" in text
    assert "Sehemu hii haikuweza kukusanywa (503 ServiceUnavailable: medical)" in text
    assert "Hakuna rekodi." in text  # empowerment held nothing, and says so
    assert "Tafadhali kumbuka: Digests are not listed." in text
    for service in SOURCES:  # every part has its heading, even the one that failed
        assert {
            "intake": "Usajili, ridhaa",
            "medical": "Huduma ya matibabu",
            "psychosocial": "Ushauri nasaha",
            "empowerment": "Uwezeshaji",
            "reporting": "Safari yako",
        }[service] in text


def test_english_and_unknown_names_fall_back_to_words_from_the_code() -> None:
    text = as_text(export(), "en", "2026-03-06")
    assert "* Survivor registered — 2026-03-01" in text
    assert "Full name: Test Survivor Alpha" in text
    assert event_title("medical.SomethingNewRecorded", "sw") == "Something new recorded"
    assert field_label("blood_pressure", "sw") == "Blood pressure"

"""Medical's deciders, given/when/then over events: record rules, grading, reports, custody."""

from __future__ import annotations

import uuid

import pytest
from medical_support import CLINICIAN, SURVIVOR, encounter, finding, given, types
from pydantic import ValidationError
from uponyaji_events.contracts import medical as m
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.envelope import NewEvent
from uponyaji_medical import domain, errors

E = uuid.UUID("0190a8e5-7c00-7000-8000-00000000e001")


def test_an_examination_needs_medical_consent_and_photos_need_storage_consent() -> None:
    with pytest.raises(errors.ConsentRequired, match="medical_examination"):
        domain.admissible(domain.IntakeFacts(), domain.EXAMINATION)
    domain.admissible(domain.IntakeFacts(frozenset({"medical_examination"})), domain.EXAMINATION)
    # the scope's original name `photography` still means storage
    domain.admissible(domain.IntakeFacts(frozenset({"photography"})), *domain.PHOTO_STORAGE)
    with pytest.raises(errors.ConsentRequired, match="photography_storage"):
        domain.admissible(
            domain.IntakeFacts(frozenset({"photography_court"})), *domain.PHOTO_STORAGE
        )
    facts = domain.IntakeFacts(frozenset({"medical_examination"}), erased=True)
    with pytest.raises(errors.SurvivorErased):
        domain.admissible(facts, domain.EXAMINATION)


def test_a_finding_needs_its_encounter_and_known_photographs() -> None:
    with pytest.raises(errors.NotFound, match="encounter_id"):
        domain.decide(domain.RecordState(), finding(E))
    state = given(encounter(E))
    assert types(domain.decide(state, finding(E))) == ["medical.FindingDocumented"]
    with pytest.raises(errors.InvalidCommand, match="photo_ids"):
        domain.decide(state, finding(E, photo_ids=[uuid.uuid4()]))


def test_an_unknown_body_region_or_a_grade_outside_the_five_levels_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="region"):
        finding(E, region="tail")
    with pytest.raises(ValidationError, match="level"):
        m.FindingGraded(survivor_id=SURVIVOR, finding_id=uuid.uuid4(), level="probable")


def test_a_correction_supersedes_a_current_entry_with_a_reason() -> None:
    first = finding(E)
    state = given(encounter(E), first)
    old = first.payload.finding_id
    with pytest.raises(errors.InvalidCommand, match="reason"):
        domain.decide(state, finding(E, supersedes=old))
    fix = finding(E, supersedes=old, reason=example_sealed("size was wrong"), length_mm=45)
    state = domain.fold(domain.decide(state, fix), state)
    assert state.entries[old].superseded_by == fix.payload.finding_id
    assert state.current("FindingDocumented") == [fix.payload.finding_id]
    with pytest.raises(errors.EntrySuperseded):
        domain.decide(state, finding(E, supersedes=old, reason=example_sealed("again")))


def test_grading_a_superseded_finding_is_refused_and_a_correction_is_graded_afresh() -> None:
    first = finding(E)
    state = given(encounter(E), first)
    grade = domain.Grade(
        m.FindingGraded(
            survivor_id=SURVIVOR, finding_id=first.payload.finding_id, level="highly_consistent"
        )
    )
    state = domain.fold(domain.decide(state, grade), state)
    assert state.grades[first.payload.finding_id] == "highly_consistent"
    fix = finding(E, supersedes=first.payload.finding_id, reason=example_sealed("why"))
    state = domain.fold(domain.decide(state, fix), state)
    assert first.payload.finding_id not in state.grades
    with pytest.raises(errors.EntrySuperseded):
        domain.decide(state, grade)


def test_a_diagnosis_must_be_in_the_shipped_icd11_subset() -> None:
    state = given(encounter(E))

    def diagnosis(code: str) -> domain.RecordEntry:
        payload = m.DiagnosisRecorded(
            diagnosis_id=uuid.uuid4(), survivor_id=SURVIVOR, encounter_id=E, code=code
        )
        return domain.RecordEntry(payload)

    assert types(domain.decide(state, diagnosis("6B40"))) == ["medical.DiagnosisRecorded"]
    with pytest.raises(errors.InvalidCommand, match="code: 1A00"):
        domain.decide(state, diagnosis("1A00"))


def test_psychological_findings_are_graded_only_once_recorded() -> None:
    state = given(encounter(E))
    grade = domain.Grade(
        m.PsychologicalEvaluationGraded(survivor_id=SURVIVOR, encounter_id=E, level="consistent")
    )
    with pytest.raises(errors.InvalidCommand, match="psychological findings"):
        domain.decide(state, grade)
    psych = domain.RecordEntry(
        m.PsychologicalFindingsRecorded(
            entry_id=uuid.uuid4(),
            survivor_id=SURVIVOR,
            encounter_id=E,
            summary=example_sealed("psych"),
        )
    )
    state = given(encounter(E), psych)
    assert types(domain.decide(state, grade)) == ["medical.PsychologicalEvaluationGraded"]


def test_an_interpreter_needs_a_language_and_a_limitation_needs_saying() -> None:
    with pytest.raises(errors.InvalidCommand, match="language"):
        domain.decide(domain.RecordState(), encounter(present=[{"role": "interpreter"}]))
    with pytest.raises(errors.InvalidCommand, match="limitation"):
        domain.decide(domain.RecordState(), encounter(limited_by_survivor=True))


def _event(name: str, **payload: object) -> NewEvent:
    return NewEvent(type=f"medical.{name}", payload=dict(payload))


def test_a_signed_report_is_immutable_and_only_signed_reports_take_addenda() -> None:
    fresh = domain.fold_report([])
    domain.may_sign(fresh)
    with pytest.raises(errors.NotSigned):
        domain.may_add(fresh)
    signed = domain.fold_report([_event("ReportSigned")])
    with pytest.raises(errors.ReportSigned):
        domain.may_sign(signed)
    domain.may_add(signed)
    assert domain.fold_report([_event("ReportSigned"), _event("AddendumSigned")]).addenda == 1


def test_custody_hand_over_needs_the_giver_to_hold_the_item() -> None:
    other = uuid.uuid4()
    captured = _event(
        "EvidenceCaptured",
        holder_id=str(CLINICIAN),
        location="medical_record_store",
        sha256="a" * 64,
        kind="photograph",
    )
    state = domain.fold_custody([captured])
    with pytest.raises(errors.NotHolder, match="from_holder_id"):
        domain.may_hand_over(state, other, CLINICIAN, "medical_record_store")
    domain.may_hand_over(state, CLINICIAN, other, "medical_record_store")
    moved = _event("EvidenceHandedOver", to_holder_id=str(other), to_location="legal_team")
    state = domain.fold_custody([captured, moved])
    assert (state.holder_id, state.location, state.sha256) == (other, "legal_team", "a" * 64)
    with pytest.raises(errors.NotHolder):
        domain.may_hand_over(state, CLINICIAN, other, "legal_team")

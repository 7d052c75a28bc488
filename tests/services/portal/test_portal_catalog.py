"""English and Kiswahili: the committed catalog matches the messages in use, every one translated,
and every controlled vocabulary the contracts define has a label."""

from __future__ import annotations

from enum import StrEnum

import pytest
from uponyaji_events.contracts import empowerment, medical, psychosocial, vocabularies
from uponyaji_portal import i18n
from uponyaji_portal.catalog import extract, read
from uponyaji_portal.vocab import COUNTIES, VOCABULARIES, kind_label, label


def test_every_message_in_use_is_in_the_catalog_and_translated() -> None:
    used = {key if isinstance(key, str) else key[0] for key in extract()}
    catalog = {m.id if isinstance(m.id, str) else m.id[0]: m for m in read() if m.id}
    missing = sorted(used - catalog.keys())
    assert missing == [], f"run `python -m uponyaji_portal.catalog` and translate: {missing}"
    untranslated = sorted(
        key
        for key, m in catalog.items()
        if not (m.string if isinstance(m.string, str) else all(m.string)) or m.fuzzy
    )
    assert untranslated == [], f"untranslated or fuzzy in messages.po: {untranslated}"


def test_no_stale_message_is_left_in_the_catalog() -> None:
    used = {key if isinstance(key, str) else key[0] for key in extract()}
    stale = sorted(
        m.id for m in read() if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in used
    )
    assert stale == [], (
        f"messages no longer used (run `python -m uponyaji_portal.catalog`): {stale}"
    )


def test_kiswahili_is_what_the_pages_get() -> None:
    i18n.load_catalogs()
    i18n.use("sw")
    try:
        assert label("consent_scope", "psychosocial_support") == (
            "Ushauri nasaha na msaada wa kisaikolojia"
        )
        assert i18n.kes(1500).replace("\xa0", " ") in (
            "Ksh 1,500.00",
            "KSh 1,500.00",
            "Ksh 1,500.00",
        )
    finally:
        i18n.use("en")
    assert label("consent_scope", "psychosocial_support") == "Counselling and psychosocial support"


def test_dates_are_shown_in_east_africa_time() -> None:
    i18n.use("en")
    assert "03:30" in i18n.when("2026-12-06T00:30:00+00:00") or "3:30" in i18n.when(
        "2026-12-06T00:30:00+00:00"
    )
    assert i18n.when("2026-12-06T00:30:00+00:00").endswith("EAT")


CONTRACTS: dict[str, type[StrEnum]] = {
    "gender": vocabularies.Gender,
    "age_band": vocabularies.AgeBand,
    "disability": vocabularies.DisabilityDomain,
    "consent_scope": vocabularies.ConsentScope,
    "consent_method": vocabularies.ConsentMethod,
    "consent_party": vocabularies.ConsentParty,
    "place_type": vocabularies.PlaceType,
    "perpetrator": vocabularies.PerpetratorCategory,
    "method": vocabularies.TortureMethod,
    "referral_target": vocabularies.ReferralTarget,
    "urgency": vocabularies.Urgency,
    "closure_reason": vocabularies.ClosureReason,
    "session_kind": psychosocial.SessionKind,
    "approach": psychosocial.TherapyApproach,
    "attendance": psychosocial.Attendance,
    "session_place": psychosocial.SessionPlace,
    "safety_action": psychosocial.SafetyAction,
    "safety_referral": psychosocial.SafetyReferral,
    "care_domain": psychosocial.CareDomain,
    "goal_status": psychosocial.GoalStatus,
    "band": psychosocial.SeverityBand,
    "flag": psychosocial.AssessmentFlag,
    "risk_reason": psychosocial.RiskReason,
    "encounter_kind": medical.EncounterKind,
    "present_role": medical.PresentRole,
    "gender_choice": medical.GenderChoice,
    "body_region": medical.BodyRegion,
    "lesion_type": medical.LesionType,
    "lesion_shape": medical.LesionShape,
    "lesion_colour": medical.LesionColour,
    "lesion_age": medical.LesionAge,
    "diagram_view": medical.DiagramView,
    "consistency": medical.ConsistencyLevel,
    "specialty": medical.Specialty,
    "specialist_outcome": medical.SpecialistOutcome,
    "follow_up_attendance": medical.Attendance,
    "treatment_kind": medical.TreatmentKind,
    "evidence_kind": medical.EvidenceKind,
    "custody_location": medical.CustodyLocation,
    "form_kind": medical.FormKind,
    "hunger_answer": empowerment.HungerAnswer,
    "hunger_category": empowerment.HungerCategory,
    "income_source": empowerment.IncomeSource,
    "housing": empowerment.Housing,
    "skill": empowerment.Skill,
    "barrier": empowerment.Barrier,
    "goal_kind": empowerment.GoalKind,
    "livelihood_status": empowerment.GoalStatus,
    "grant_purpose": empowerment.GrantPurpose,
    "channel": empowerment.Channel,
    "employment_status": empowerment.EmploymentStatus,
    "followup_milestone": empowerment.Milestone,
}


def test_every_report_section_medical_names_has_a_label() -> None:
    from uponyaji_medical.domain.report import SECTIONS

    assert {key for key, _ in SECTIONS} == VOCABULARIES["report_section"].keys()


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_every_code_of_the_contracts_has_a_label(name: str) -> None:
    assert {c.value for c in CONTRACTS[name]} <= VOCABULARIES[name].keys()


def test_all_47_counties_by_name() -> None:
    assert len(COUNTIES) == 47
    assert COUNTIES["047"] == "Nairobi"


def test_months_are_named_in_the_users_language() -> None:
    i18n.load_catalogs()
    i18n.use("sw")
    try:
        assert "2026" in i18n.month("2026-12")
        assert i18n.month("2026-12") != i18n.month("2026-11")
        swahili = i18n.month("2026-12")
    finally:
        i18n.use("en")
    assert i18n.month("2026-12") == "Dec 2026"
    assert swahili != "Dec 2026"


def test_a_journey_kind_without_a_label_yet_is_shown_in_plain_words() -> None:
    i18n.load_catalogs()
    i18n.use("sw")
    try:
        assert kind_label("milestone", "report_signed") == "Ripoti imetiwa sahihi"
        assert kind_label("milestone", "complaint_filed") == "Complaint filed"
        assert kind_label("stage", "grant_disbursed") == "Ruzuku imelipwa"
    finally:
        i18n.use("en")

"""Controlled vocabularies in the user's language: codes from the event contracts, labels here.

Every code of a vocabulary the portal shows must have a label (a test checks it against the
contracts' enums), so a new code cannot appear untranslated.
"""

from __future__ import annotations

from collections.abc import Mapping

from .i18n import N_, gettext
from .vocab_empowerment import EMPOWERMENT
from .vocab_medical import MEDICAL
from .vocab_staff import STAFF

COUNTIES: dict[str, str] = {
    "001": N_("Mombasa"), "002": N_("Kwale"), "003": N_("Kilifi"), "004": N_("Tana River"),
    "005": N_("Lamu"), "006": N_("Taita-Taveta"), "007": N_("Garissa"), "008": N_("Wajir"),
    "009": N_("Mandera"), "010": N_("Marsabit"), "011": N_("Isiolo"), "012": N_("Meru"),
    "013": N_("Tharaka-Nithi"), "014": N_("Embu"), "015": N_("Kitui"), "016": N_("Machakos"),
    "017": N_("Makueni"), "018": N_("Nyandarua"), "019": N_("Nyeri"), "020": N_("Kirinyaga"),
    "021": N_("Murang'a"), "022": N_("Kiambu"), "023": N_("Turkana"), "024": N_("West Pokot"),
    "025": N_("Samburu"), "026": N_("Trans Nzoia"), "027": N_("Uasin Gishu"),
    "028": N_("Elgeyo-Marakwet"), "029": N_("Nandi"), "030": N_("Baringo"), "031": N_("Laikipia"),
    "032": N_("Nakuru"), "033": N_("Narok"), "034": N_("Kajiado"), "035": N_("Kericho"),
    "036": N_("Bomet"), "037": N_("Kakamega"), "038": N_("Vihiga"), "039": N_("Bungoma"),
    "040": N_("Busia"), "041": N_("Siaya"), "042": N_("Kisumu"), "043": N_("Homa Bay"),
    "044": N_("Migori"), "045": N_("Kisii"), "046": N_("Nyamira"), "047": N_("Nairobi"),
}  # fmt: skip

VOCABULARIES: dict[str, dict[str, str]] = {
    "gender": {
        "female": N_("Female"), "male": N_("Male"), "intersex": N_("Intersex"),
        "other": N_("Other"), "not_disclosed": N_("Not disclosed"),
    },
    "age_band": {
        "0-17": N_("0–17 years"), "18-24": N_("18–24 years"), "25-34": N_("25–34 years"),
        "35-44": N_("35–44 years"), "45-54": N_("45–54 years"), "55-64": N_("55–64 years"),
        "65+": N_("65 years or more"), "unknown": N_("Age not known"),
    },
    "disability": {
        "seeing": N_("Seeing"), "hearing": N_("Hearing"), "mobility": N_("Walking or climbing"),
        "cognition": N_("Remembering or concentrating"), "self_care": N_("Self-care"),
        "communication": N_("Communicating"),
    },
    "consent_scope": {
        "documentation": N_("Documentation of the case"),
        "medical_examination": N_("Medical examination"),
        "photography": N_("Photographs"),
        "photography_storage": N_("Storing photographs"),
        "photography_court": N_("Photographs shown in court"),
        "photography_teaching": N_("Photographs used in teaching"),
        "legal_proceedings": N_("Medical record used in legal proceedings (P3)"),
        "psychosocial_support": N_("Counselling and psychosocial support"),
        "empowerment": N_("Economic empowerment"),
        "legal_representation": N_("Legal representation"),
        "sharing_with_oversight_bodies": N_("Sharing with oversight bodies (IPOA, KNCHR)"),
        "deidentified_reporting": N_("De-identified reporting"),
        "contact_by_phone": N_("Contact by phone or SMS"),
    },
    "consent_status": {
        "never_asked": N_("Not asked yet"), "granted": N_("Granted"), "withdrawn": N_("Withdrawn"),
    },
    "consent_method": {
        "verbal": N_("Verbal"), "written": N_("Written"), "thumbprint": N_("Thumbprint"),
    },
    "consent_party": {
        "survivor": N_("The survivor"), "parent_or_guardian": N_("Parent or guardian"),
        "legal_representative": N_("Legal representative"),
    },
    "decision": {"grant": N_("Grant"), "withdraw": N_("Withdraw")},
    "place_type": {
        "police_station": N_("Police station"), "prison": N_("Prison"),
        "public_place": N_("Public place"), "home": N_("Home"),
        "military_camp": N_("Military camp"), "vehicle": N_("Vehicle"),
        "secret_detention_site": N_("Unofficial or secret detention site"),
        "other": N_("Other place"),
    },
    "perpetrator": {
        "national_police_service": N_("National Police Service (unit not known)"),
        "kenya_police_service": N_("Kenya Police Service"),
        "administration_police_service": N_("Administration Police Service"),
        "directorate_of_criminal_investigations": N_("Directorate of Criminal Investigations"),
        "kenya_defence_forces": N_("Kenya Defence Forces"),
        "kenya_prisons_service": N_("Kenya Prisons Service"),
        "kenya_wildlife_service": N_("Kenya Wildlife Service"),
        "kenya_forest_service": N_("Kenya Forest Service"),
        "county_enforcement": N_("County government enforcement officers"),
        "national_government_administration": N_("Chiefs and assistant chiefs (NGAO)"),
        "private_security": N_("Private security"),
        "non_state_armed_group": N_("Non-state armed group"),
        "national_intelligence_service": N_("National Intelligence Service"),
        "national_police_reserve": N_("National Police Reserve"),
        "kenya_coast_guard_service": N_("Kenya Coast Guard Service"),
        "other": N_("Other perpetrator"), "unknown": N_("Perpetrator not known"),
    },
    "method": {
        "beating": N_("Beating"), "kicking": N_("Kicking"),
        "falanga": N_("Falanga (beating of the feet)"),
        "suspension": N_("Suspension"), "stress_positions": N_("Stress positions"),
        "burns": N_("Burns"), "electric_shock": N_("Electric shock"),
        "asphyxiation_wet": N_("Wet asphyxiation"), "asphyxiation_dry": N_("Dry asphyxiation"),
        "sexual_violence": N_("Sexual violence"), "rape": N_("Rape"),
        "crush_injuries": N_("Crush injuries"), "stab_wounds": N_("Stab wounds"),
        "gunshot": N_("Gunshot"), "chemical_exposure": N_("Chemical exposure"),
        "dental": N_("Dental torture"), "pharmacological": N_("Forced drugs"),
        "food_water_deprivation": N_("Deprivation of food or water"),
        "sleep_deprivation": N_("Sleep deprivation"),
        "sensory_deprivation": N_("Sensory deprivation"),
        "solitary_confinement": N_("Solitary confinement"), "threats": N_("Threats"),
        "mock_execution": N_("Mock execution"), "humiliation": N_("Humiliation"),
        "forced_witnessing": N_("Forced to witness torture"),
        "detention_conditions": N_("Conditions of detention"),
        "forced_nudity": N_("Forced nudity"), "violation_of_taboos": N_("Violation of taboos"),
        "behavioural_coercion": N_("Behavioural coercion"), "forced_labour": N_("Forced labour"),
        "amputation": N_("Amputation"), "nail_or_hair_pulling": N_("Pulling of nails or hair"),
        "incommunicado_detention": N_("Incommunicado detention or enforced disappearance"),
        "other": N_("Other method"),
    },
    "referral_target": {
        "medical": N_("Medical care"), "psychosocial": N_("Counselling"),
        "empowerment": N_("Economic empowerment"), "legal": N_("Legal aid"),
        "external": N_("External provider"),
    },
    "urgency": {"routine": N_("Routine"), "urgent": N_("Urgent"), "emergency": N_("Emergency")},
    "referral_status": {
        "pending": N_("Pending"), "accepted": N_("Accepted"), "declined": N_("Declined"),
        "completed": N_("Completed"), "cancelled": N_("Cancelled"),
    },
    "case_status": {"open": N_("Open"), "closed": N_("Closed")},
    "closure_reason": {
        "goals_met": N_("Goals met"), "lost_to_follow_up": N_("Lost to follow-up"),
        "transferred": N_("Transferred"), "deceased": N_("Deceased"),
        "consent_withdrawn": N_("Consent withdrawn"),
    },
    "session_kind": {
        "individual": N_("Individual"), "group": N_("Group"), "family": N_("Family"),
        "couple": N_("Couple"),
    },
    "approach": {
        "trauma_focused_cbt": N_("Trauma-focused CBT"),
        "narrative_exposure_therapy": N_("Narrative exposure therapy"), "emdr": N_("EMDR"),
        "supportive_counselling": N_("Supportive counselling"),
        "psychoeducation": N_("Psychoeducation"), "other": N_("Other approach"),
    },
    "attendance": {
        "attended": N_("Attended"), "missed": N_("Missed"), "cancelled": N_("Cancelled"),
    },
    "session_place": {"office": N_("Office"), "outreach": N_("Outreach"), "phone": N_("Phone")},
    "safety_action": {
        "risk_assessed": N_("Risk assessed"), "safety_plan": N_("Safety plan made"),
        "means_safety_counselling": N_("Counselling on means of self-harm"),
        "trusted_person_involved": N_("Trusted person involved"),
        "supervisor_consulted": N_("Supervisor consulted"),
        "emergency_services": N_("Emergency services called"),
        "follow_up_scheduled": N_("Follow-up scheduled"), "other": N_("Other action"),
    },
    "safety_referral": {
        "none": N_("No referral"), "psychiatric_assessment": N_("Psychiatric assessment"),
        "emergency_care": N_("Emergency care"), "medical": N_("Medical care"),
        "community_mental_health": N_("Community mental health"), "other": N_("Other referral"),
    },
    "care_domain": {
        "symptoms": N_("Symptoms"), "daily_functioning": N_("Daily functioning"),
        "relationships": N_("Relationships"), "safety": N_("Safety"),
        "livelihood": N_("Livelihood"),
    },
    "goal_status": {
        "not_started": N_("Not started"), "in_progress": N_("In progress"),
        "partially_achieved": N_("Partially achieved"), "achieved": N_("Achieved"),
        "not_achieved": N_("Not achieved"), "discontinued": N_("Discontinued"),
    },
    "band": {
        "minimal": N_("Minimal"), "mild": N_("Mild"), "moderate": N_("Moderate"),
        "moderately_severe": N_("Moderately severe"), "severe": N_("Severe"),
        "below_threshold": N_("Below threshold"), "probable_ptsd": N_("Probable PTSD"),
        "significant_distress": N_("Significant distress"),
        "likely_depression": N_("Likely depression"), "poor_wellbeing": N_("Poor well-being"),
        "adequate_wellbeing": N_("Adequate well-being"), "low": N_("Low"), "high": N_("High"),
        "very_high": N_("Very high"),
    },
    "flag": {
        "self_harm_risk": N_("Risk of self-harm"),
        "probable_major_depression": N_("Probable major depression"),
        "refer_for_evaluation": N_("Refer for evaluation"), "probable_ptsd": N_("Probable PTSD"),
        "provisional_ptsd_diagnosis": N_("Provisional PTSD diagnosis"),
        "significant_distress": N_("Significant distress"),
        "significant_depression": N_("Significant depression"),
        "poor_wellbeing": N_("Poor well-being"), "likely_depression": N_("Likely depression"),
        "high_distress": N_("High distress"),
    },
    "classification": {
        "reliable_recovery": N_("Reliable recovery"),
        "reliable_improvement": N_("Reliable improvement"),
        "no_reliable_change": N_("No reliable change"), "deterioration": N_("Deterioration"),
        "reliable_deterioration": N_("Reliable deterioration"),
    },
    "role": {
        "admin": N_("Administrator"), "intake_officer": N_("Intake officer"),
        "clinician": N_("Clinician"), "counsellor": N_("Counsellor"),
        "empowerment_officer": N_("Empowerment officer"), "legal_officer": N_("Legal officer"),
        "programme_lead": N_("Programme lead"),
        "clinical_supervisor": N_("Clinical supervisor"),
        "data_protection_officer": N_("Data protection officer"),
    },
    "milestone": {
        "registered": N_("Registered"), "record_corrected": N_("Record corrected"),
        "records_merged": N_("Records merged"), "consent_granted": N_("Consent granted"),
        "consent_withdrawn": N_("Consent withdrawn"), "case_assigned": N_("Case assigned"),
        "case_closed": N_("Case closed"), "case_reopened": N_("Case reopened"),
        "incident_documented": N_("Incident documented"), "referral_made": N_("Referral made"),
        "referral_status": N_("Referral answered"), "erasure_requested": N_("Erasure requested"),
        "erasure_completed": N_("Erasure completed"), "session": N_("Counselling session"),
        "assessment": N_("Assessment"), "assessment_corrected": N_("Assessment corrected"),
        "risk_flag_raised": N_("Risk flag raised"), "risk_flag_resolved": N_("Safety response"),
        "care_goal_added": N_("Care-plan goal added"),
        "care_goal_reviewed": N_("Care-plan goal reviewed"),
        "examined": N_("Medical examination"), "finding_documented": N_("Finding documented"),
        "overall_evaluation": N_("Overall evaluation"), "report_signed": N_("Report signed"),
        "report_addendum": N_("Report addendum signed"), "form_issued": N_("Form issued"),
        "treatment": N_("Treatment"), "specialist_referral_made": N_("Referred to a specialist"),
        "specialist_referral_outcome": N_("Specialist referral outcome"),
        "referral_answered": N_("Referral answered"), "needs_assessed": N_("Needs assessed"),
        "needs_assessment_corrected": N_("Needs assessment corrected"),
        "plan_started": N_("Livelihood plan started"), "grant_approved": N_("Grant approved"),
        "grant_disbursed": N_("Grant paid"), "training_completed": N_("Training completed"),
        "follow_up": N_("Empowerment follow-up"),
        "follow_up_corrected": N_("Empowerment follow-up corrected"),
    },
    "risk_reason": {
        "phq9_item9": N_("PHQ-9 item 9: thoughts of death or self-harm"),
        "hscl25_item20": N_("HSCL-25 item 20: thoughts of ending one's life"),
    },
    "stage": {
        "registered": N_("Registered"), "assigned": N_("Assigned"), "closed": N_("Closed"),
        "erasure_requested": N_("Erasure requested"), "erased": N_("Erased"),
        "not_started": N_("Not started"), "assessed": N_("Assessed"),
        "in_counselling": N_("In counselling"), "open_risk_flag": N_("Open risk flag"),
        "referred": N_("Referred"), "examined": N_("Examined"),
        "report_signed": N_("Report signed"), "needs_assessed": N_("Needs assessed"),
        "plan_started": N_("Plan started"), "grant_approved": N_("Grant approved"),
        "grant_disbursed": N_("Grant paid"), "followed_up": N_("Followed up"),
    },
    "service": {
        "intake": N_("Intake"), "psychosocial": N_("Counselling"), "medical": N_("Medical"),
        "empowerment": N_("Empowerment"), "reporting": N_("Reporting"), "identity": N_("Identity"),
    },
    "outcome": {
        "allowed": N_("Allowed"), "denied": N_("Denied"), "not_found": N_("Not found"),
    },
    "alert": {
        "many_survivors_in_a_day": N_("Many survivors read in one day"),
        "many_survivors_outside_caseload_in_a_day": N_(
            "Many survivors outside the caseload read in one day"
        ),
        "repeated_refusals_off_caseload": N_("Repeated refusals off the caseload"),
    },
    **MEDICAL,
    **EMPOWERMENT,
    **STAFF,
}  # fmt: skip


def label(vocabulary: str, code: object) -> str:
    """The code's label in the current language (the code itself when it has none)."""
    if code is None:
        return ""
    table: Mapping[str, str] = COUNTIES if vocabulary == "county" else VOCABULARIES[vocabulary]
    text = table.get(str(code))
    return gettext(text) if text else str(code)


def kind_label(vocabulary: str, code: object) -> str:
    """A code's label; a code with no label yet (a kind a service added later) in plain words."""
    if code is None:
        return ""
    if str(code) in VOCABULARIES.get(vocabulary, {}):
        return label(vocabulary, code)
    words = str(code).rsplit(".", 1)[-1].replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def choices(vocabulary: str) -> list[tuple[str, str]]:
    """(code, label) pairs in the contracts' order, labels in the current language."""
    table = COUNTIES if vocabulary == "county" else VOCABULARIES[vocabulary]
    pairs = [(code, gettext(text)) for code, text in table.items()]
    return sorted(pairs, key=lambda pair: pair[1]) if vocabulary == "county" else pairs

"""Medical vocabularies (codes from `uponyaji_events.contracts.medical`), labels for the pages."""

from __future__ import annotations

from .i18n import N_

MEDICAL: dict[str, dict[str, str]] = {
    "encounter_kind": {
        "initial_assessment": N_("Initial assessment"), "follow_up": N_("Follow-up"),
        "medico_legal_examination": N_("Medico-legal examination"), "emergency": N_("Emergency"),
    },
    "present_role": {
        "chaperone": N_("Chaperone"), "interpreter": N_("Interpreter"),
        "support_person": N_("Support person"), "trainee": N_("Trainee"),
        "other_clinician": N_("Another clinician"),
    },
    "gender_choice": {
        "female": N_("Female"), "male": N_("Male"), "no_preference": N_("No preference"),
    },
    "body_region": {
        "head": N_("Head"), "face": N_("Face"), "scalp": N_("Scalp"), "eyes": N_("Eyes"),
        "ears": N_("Ears"), "mouth_teeth": N_("Mouth and teeth"), "neck": N_("Neck"),
        "chest": N_("Chest"), "abdomen": N_("Abdomen"), "back_upper": N_("Upper back"),
        "back_lower": N_("Lower back"), "buttocks": N_("Buttocks"), "genitalia": N_("Genitalia"),
        "anus": N_("Anus"), "shoulder_left": N_("Left shoulder"),
        "shoulder_right": N_("Right shoulder"), "arm_upper_left": N_("Left upper arm"),
        "arm_upper_right": N_("Right upper arm"), "forearm_left": N_("Left forearm"),
        "forearm_right": N_("Right forearm"), "wrist_left": N_("Left wrist"),
        "wrist_right": N_("Right wrist"), "hand_left": N_("Left hand"),
        "hand_right": N_("Right hand"), "thigh_left": N_("Left thigh"),
        "thigh_right": N_("Right thigh"), "knee_left": N_("Left knee"),
        "knee_right": N_("Right knee"), "leg_lower_left": N_("Left lower leg"),
        "leg_lower_right": N_("Right lower leg"), "ankle_left": N_("Left ankle"),
        "ankle_right": N_("Right ankle"), "foot_sole_left": N_("Sole of the left foot"),
        "foot_sole_right": N_("Sole of the right foot"),
        "foot_dorsum_left": N_("Top of the left foot"),
        "foot_dorsum_right": N_("Top of the right foot"),
    },
    "lesion_type": {
        "abrasion": N_("Abrasion"), "contusion": N_("Bruise (contusion)"),
        "laceration": N_("Laceration"), "incision": N_("Incised wound"), "burn": N_("Burn"),
        "electrical_burn": N_("Electrical burn"), "scar": N_("Scar"),
        "fracture": N_("Fracture"), "dislocation": N_("Dislocation"), "swelling": N_("Swelling"),
        "tenderness": N_("Tenderness"), "restricted_movement": N_("Restricted movement"),
        "neurological_deficit": N_("Neurological deficit"),
        "dental_injury": N_("Dental injury"), "hyperpigmentation": N_("Hyperpigmentation"),
        "puncture": N_("Puncture wound"), "gunshot_wound": N_("Gunshot wound"),
        "other": N_("Other lesion"),
    },
    "lesion_shape": {
        "round": N_("Round"), "oval": N_("Oval"), "linear": N_("Linear"),
        "tramline": N_("Tramline"), "patterned": N_("Patterned"), "irregular": N_("Irregular"),
        "circumferential": N_("Circumferential"), "not_applicable": N_("Not applicable"),
    },
    "lesion_colour": {
        "red": N_("Red"), "blue_purple": N_("Blue or purple"), "green": N_("Green"),
        "yellow": N_("Yellow"), "brown": N_("Brown"), "hyperpigmented": N_("Darker than the skin"),
        "hypopigmented": N_("Lighter than the skin"), "skin_coloured": N_("Skin-coloured"),
        "not_applicable": N_("Not applicable"),
    },
    "lesion_age": {
        "hours": N_("Hours"), "days_1_3": N_("1–3 days"), "days_4_10": N_("4–10 days"),
        "weeks_2_6": N_("2–6 weeks"), "months": N_("Months"),
        "over_a_year": N_("More than a year"), "undetermined": N_("Cannot be determined"),
    },
    "diagram_view": {
        "front": N_("Front"), "back": N_("Back"), "left": N_("Left side"),
        "right": N_("Right side"),
    },
    "consistency": {
        "not_consistent": N_("Not consistent"), "consistent": N_("Consistent"),
        "highly_consistent": N_("Highly consistent"), "typical": N_("Typical"),
        "diagnostic": N_("Diagnostic"),
    },
    "treatment_kind": {
        "medication": N_("Medication"), "procedure": N_("Procedure"),
        "physiotherapy": N_("Physiotherapy"), "dental": N_("Dental treatment"),
        "surgery": N_("Surgery"), "wound_care": N_("Wound care"),
        "post_exposure_prophylaxis": N_("Post-exposure prophylaxis (PEP)"),
        "emergency_contraception": N_("Emergency contraception"),
    },
    "evidence_kind": {
        "photograph": N_("Photograph"), "xray": N_("X-ray"), "scan": N_("Scan"),
        "document": N_("Document"), "physical_sample": N_("Physical sample"),
    },
    "custody_location": {
        "medical_record_store": N_("Medical record store"),
        "clinic_evidence_safe": N_("Clinic evidence safe"), "laboratory": N_("Laboratory"),
        "government_chemist": N_("Government Chemist"), "police": N_("Police"),
        "court": N_("Court"), "legal_team": N_("Legal team"), "other": N_("Other place"),
    },
    "form_kind": {
        "p3": N_("P3 (Kenya Police medical examination report)"),
        "moh_363": N_("MOH 363 (post-rape care form)"),
        "medico_legal_report": N_("Medico-legal report"),
    },
    "report_section": {
        "case_information": N_("Case information"),
        "examiners": N_("Examiners and qualifications"),
        "circumstances": N_("Circumstances of the examination"),
        "allegations": N_("Allegations"), "symptoms": N_("Symptoms"),
        "physical_examination": N_("Physical examination, region by region"),
        "psychological_examination": N_("Psychological history and examination"),
        "photographs_and_diagrams": N_("Photographs and body diagrams"),
        "tests_and_consultations": N_("Diagnostic tests and consultations"),
        "interpretation": N_("Interpretation of findings and levels of consistency"),
        "overall_evaluation": N_("Overall evaluation"),
        "recommendations": N_("Recommendations"),
        "statement_of_truthfulness": N_("Statement of truthfulness"),
        "signature": N_("Signature, date and place"),
    },
}  # fmt: skip

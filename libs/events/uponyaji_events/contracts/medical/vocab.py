"""Medical vocabularies: encounters, body regions and lesions, Istanbul Protocol levels, evidence.

Adding a value is backward compatible for stored events; renaming or removing one needs a new
schema_version and an upcaster (docs/contracts.md).
"""

from __future__ import annotations

from enum import StrEnum


class EncounterKind(StrEnum):
    """Why the survivor was seen."""

    INITIAL_ASSESSMENT = "initial_assessment"
    FOLLOW_UP = "follow_up"
    MEDICO_LEGAL_EXAMINATION = "medico_legal_examination"
    EMERGENCY = "emergency"


class PresentRole(StrEnum):
    """Who else was in the room during an encounter."""

    CHAPERONE = "chaperone"
    INTERPRETER = "interpreter"
    SUPPORT_PERSON = "support_person"
    TRAINEE = "trainee"
    OTHER_CLINICIAN = "other_clinician"


class GenderChoice(StrEnum):
    """The examiner's or interpreter's gender the survivor asked for."""

    FEMALE = "female"
    MALE = "male"
    NO_PREFERENCE = "no_preference"


class BodyRegion(StrEnum):
    """Body regions of the examination (regions of the standard body diagram)."""

    HEAD = "head"
    FACE = "face"
    SCALP = "scalp"
    EYES = "eyes"
    EARS = "ears"
    MOUTH_TEETH = "mouth_teeth"
    NECK = "neck"
    CHEST = "chest"
    ABDOMEN = "abdomen"
    BACK_UPPER = "back_upper"
    BACK_LOWER = "back_lower"
    BUTTOCKS = "buttocks"
    GENITALIA = "genitalia"
    ANUS = "anus"
    SHOULDER_LEFT = "shoulder_left"
    SHOULDER_RIGHT = "shoulder_right"
    ARM_UPPER_LEFT = "arm_upper_left"
    ARM_UPPER_RIGHT = "arm_upper_right"
    FOREARM_LEFT = "forearm_left"
    FOREARM_RIGHT = "forearm_right"
    WRIST_LEFT = "wrist_left"
    WRIST_RIGHT = "wrist_right"
    HAND_LEFT = "hand_left"
    HAND_RIGHT = "hand_right"
    THIGH_LEFT = "thigh_left"
    THIGH_RIGHT = "thigh_right"
    KNEE_LEFT = "knee_left"
    KNEE_RIGHT = "knee_right"
    LEG_LOWER_LEFT = "leg_lower_left"
    LEG_LOWER_RIGHT = "leg_lower_right"
    ANKLE_LEFT = "ankle_left"
    ANKLE_RIGHT = "ankle_right"
    FOOT_SOLE_LEFT = "foot_sole_left"
    FOOT_SOLE_RIGHT = "foot_sole_right"
    FOOT_DORSUM_LEFT = "foot_dorsum_left"
    FOOT_DORSUM_RIGHT = "foot_dorsum_right"


class LesionType(StrEnum):
    """What a physical finding is."""

    ABRASION = "abrasion"
    CONTUSION = "contusion"
    LACERATION = "laceration"
    INCISION = "incision"
    BURN = "burn"
    ELECTRICAL_BURN = "electrical_burn"
    SCAR = "scar"
    FRACTURE = "fracture"
    DISLOCATION = "dislocation"
    SWELLING = "swelling"
    TENDERNESS = "tenderness"
    RESTRICTED_MOVEMENT = "restricted_movement"
    NEUROLOGICAL_DEFICIT = "neurological_deficit"
    DENTAL_INJURY = "dental_injury"
    HYPERPIGMENTATION = "hyperpigmentation"
    PUNCTURE = "puncture"
    GUNSHOT_WOUND = "gunshot_wound"
    OTHER = "other"


class LesionShape(StrEnum):
    """The outline of a lesion."""

    ROUND = "round"
    OVAL = "oval"
    LINEAR = "linear"
    TRAMLINE = "tramline"
    PATTERNED = "patterned"
    IRREGULAR = "irregular"
    CIRCUMFERENTIAL = "circumferential"
    NOT_APPLICABLE = "not_applicable"


class LesionColour(StrEnum):
    """A lesion's colour (bruises change colour as they age)."""

    RED = "red"
    BLUE_PURPLE = "blue_purple"
    GREEN = "green"
    YELLOW = "yellow"
    BROWN = "brown"
    HYPERPIGMENTED = "hyperpigmented"
    HYPOPIGMENTED = "hypopigmented"
    SKIN_COLOURED = "skin_coloured"
    NOT_APPLICABLE = "not_applicable"


class LesionAge(StrEnum):
    """The estimated age of a lesion."""

    HOURS = "hours"
    DAYS_1_3 = "days_1_3"
    DAYS_4_10 = "days_4_10"
    WEEKS_2_6 = "weeks_2_6"
    MONTHS = "months"
    OVER_A_YEAR = "over_a_year"
    UNDETERMINED = "undetermined"


class DiagramView(StrEnum):
    """The view of the standard body diagram a position is marked on."""

    FRONT = "front"
    BACK = "back"
    LEFT = "left"
    RIGHT = "right"


class ConsistencyLevel(StrEnum):
    """The Istanbul Protocol's five levels of consistency with the allegation."""

    NOT_CONSISTENT = "not_consistent"
    CONSISTENT = "consistent"
    HIGHLY_CONSISTENT = "highly_consistent"
    TYPICAL = "typical"
    DIAGNOSTIC = "diagnostic"


class TreatmentKind(StrEnum):
    """What kind of treatment was given or prescribed."""

    MEDICATION = "medication"
    PROCEDURE = "procedure"
    PHYSIOTHERAPY = "physiotherapy"
    DENTAL = "dental"
    SURGERY = "surgery"
    WOUND_CARE = "wound_care"
    POST_EXPOSURE_PROPHYLAXIS = "post_exposure_prophylaxis"
    EMERGENCY_CONTRACEPTION = "emergency_contraception"


class Specialty(StrEnum):
    """Specialists a survivor is referred to."""

    ORTHOPAEDICS = "orthopaedics"
    NEUROLOGY = "neurology"
    PSYCHIATRY = "psychiatry"
    GYNAECOLOGY = "gynaecology"
    DENTISTRY = "dentistry"
    OPHTHALMOLOGY = "ophthalmology"
    ENT = "ent"
    RADIOLOGY = "radiology"
    PHYSIOTHERAPY = "physiotherapy"
    SURGERY = "surgery"
    FORENSIC_PATHOLOGY = "forensic_pathology"
    OTHER = "other"


class SpecialistOutcome(StrEnum):
    """What came of a referral to a specialist."""

    SEEN = "seen"
    TREATED = "treated"
    NOT_ATTENDED = "not_attended"
    DECLINED_BY_SURVIVOR = "declined_by_survivor"
    NOT_AVAILABLE = "not_available"


class Attendance(StrEnum):
    """Whether a follow-up appointment was kept."""

    ATTENDED = "attended"
    MISSED = "missed"
    RESCHEDULED = "rescheduled"


class EvidenceKind(StrEnum):
    """Evidence items: files uploaded, or physical samples described only."""

    PHOTOGRAPH = "photograph"
    XRAY = "xray"
    SCAN = "scan"
    DOCUMENT = "document"
    PHYSICAL_SAMPLE = "physical_sample"


class MediaType(StrEnum):
    """File types accepted as evidence."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    TIFF = "image/tiff"
    PDF = "application/pdf"
    DICOM = "application/dicom"


class CustodyLocation(StrEnum):
    """Where an evidence item is kept or goes."""

    MEDICAL_RECORD_STORE = "medical_record_store"
    CLINIC_EVIDENCE_SAFE = "clinic_evidence_safe"
    LABORATORY = "laboratory"
    GOVERNMENT_CHEMIST = "government_chemist"
    POLICE = "police"
    COURT = "court"
    LEGAL_TEAM = "legal_team"
    OTHER = "other"


class FormKind(StrEnum):
    """Kenyan forms rendered from the record."""

    P3 = "p3"
    MOH_363 = "moh_363"
    MEDICO_LEGAL_REPORT = "medico_legal_report"


class ReferralDecision(StrEnum):
    """Medical's answer to a referral from intake."""

    ACCEPTED = "accepted"
    DECLINED = "declined"

"""Medical contracts of the clinical record: encounters, history, findings, diagnoses, care.

Free text (history, descriptions, dose and duration, restrictions, reasons) is sealed under the
survivor's data key; codes, regions, sizes and dates stay clear for aggregates. A correction is a
new entry of the same type naming the entry it `supersedes`, with a sealed `reason`.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from uponyaji_events.contracts.medical.common import (
    CLINICIAN,
    DIAGNOSIS,
    ENCOUNTER,
    EVIDENCE,
    FINDING,
    FOLLOW_UP,
    SPECIALIST,
    SURVIVOR,
    TREATMENT,
    Icd11Code,
    ids,
    optional,
    supersedes_field,
    survivor_field,
)
from uponyaji_events.contracts.medical.vocab import (
    Attendance,
    BodyRegion,
    DiagramView,
    EncounterKind,
    GenderChoice,
    LesionAge,
    LesionColour,
    LesionShape,
    LesionType,
    PresentRole,
    SpecialistOutcome,
    Specialty,
    TreatmentKind,
)
from uponyaji_events.contracts.types import (
    CountyCode,
    EventPayload,
    LanguageCode,
    SealedValue,
    Timestamp,
    example_sealed,
    examples,
)
from uponyaji_events.contracts.vocabularies import Gender, TortureMethod


class PresentPerson(EventPayload):
    """Someone present during an encounter (by role; names are not recorded here)."""

    role: PresentRole = Field(description="Why they were present")
    gender: Gender | None = optional("Their gender, when the survivor's choice concerns it")
    language: LanguageCode | None = optional("The interpreted language (interpreters)")


class EncounterOpened(EventPayload):
    """A clinician saw the survivor: when, where, who was present and the survivor's choices."""

    model_config = examples(
        {
            "encounter_id": ENCOUNTER,
            "survivor_id": SURVIVOR,
            "kind": "medico_legal_examination",
            "occurred_at": "2026-03-04T07:00:00+00:00",
            "county_code": "047",
            "facility": example_sealed("facility"),
            "clinician_ids": [CLINICIAN],
            "present": [{"role": "interpreter", "gender": "female", "language": "so"}],
            "examiner_gender_requested": "female",
            "interpreter_gender_requested": "female",
            "examiner_gender_honoured": True,
            "restrictions": None,
            "limited_by_survivor": False,
            "limitation": None,
            "retrospective_reason": None,
        }
    )

    encounter_id: UUID = Field(description="The encounter's id")
    survivor_id: UUID = survivor_field()
    kind: EncounterKind = Field(description="The type of encounter")
    occurred_at: Timestamp = Field(description="When it took place")
    county_code: CountyCode = Field(description="County of the facility")
    facility: SealedValue = Field(description="The facility's name and place")
    clinician_ids: list[UUID] = Field(min_length=1, description="The examining clinicians")
    present: list[PresentPerson] = Field(default_factory=list, description="Others present")
    examiner_gender_requested: GenderChoice = Field(description="The survivor's choice")
    interpreter_gender_requested: GenderChoice = Field(description="The survivor's choice")
    examiner_gender_honoured: bool = Field(description="Whether the examiner's gender matched")
    restrictions: SealedValue | None = optional("Restrictions on the examination (e.g. guards)")
    limited_by_survivor: bool = Field(description="The survivor stopped or limited it")
    limitation: SealedValue | None = optional("What the survivor stopped or limited, and why")
    retrospective_reason: SealedValue | None = optional(
        "Set when the encounter is documented retrospectively, dated before the "
        "medical_examination consent that allows it: why"
    )


class HistoryRecorded(EventPayload):
    """The allegation, symptoms then and now, and relevant medical history, as told."""

    model_config = examples(
        {
            "entry_id": FINDING,
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "allegation": example_sealed("allegation"),
            "symptoms_acute": example_sealed("acute"),
            "symptoms_current": example_sealed("now"),
            "medical_history": None,
            "methods": ["beating", "falanga"],
            "supersedes": None,
            "reason": None,
        }
    )

    entry_id: UUID = Field(description="This history entry's id")
    survivor_id: UUID = survivor_field()
    encounter_id: UUID = Field(description="The encounter it was taken in")
    allegation: SealedValue = Field(description="Summary of the allegation")
    symptoms_acute: SealedValue | None = optional("Symptoms at the time")
    symptoms_current: SealedValue | None = optional("Symptoms now")
    medical_history: SealedValue | None = optional("Relevant past medical history")
    methods: list[TortureMethod] = Field(default_factory=list, description="Methods alleged")
    supersedes: UUID | None = supersedes_field()
    reason: SealedValue | None = optional("Why it was corrected")


class DiagramPosition(EventPayload):
    """A mark on the standard body diagram: the view, and x, y in thousandths from its top-left."""

    view: DiagramView = Field(description="Front, back, left or right view")
    x: int = Field(ge=0, le=1000, description="Across the view: 0 left edge, 1000 right edge")
    y: int = Field(ge=0, le=1000, description="Down the view: 0 top, 1000 bottom")


class FindingDocumented(EventPayload):
    """A physical finding in one body region: what, how big, what shape, colour and age."""

    model_config = examples(
        {
            "finding_id": FINDING,
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "region": "foot_sole_left",
            "lesion": "contusion",
            "length_mm": 40,
            "width_mm": 25,
            "shape": "linear",
            "colour": "blue_purple",
            "estimated_age": "days_4_10",
            "position": {"view": "back", "x": 420, "y": 970},
            "description": example_sealed("finding"),
            "photo_ids": [EVIDENCE],
            "supersedes": None,
            "reason": None,
        }
    )

    finding_id: UUID = Field(description="The finding's id")
    survivor_id: UUID = survivor_field()
    encounter_id: UUID = Field(description="The examination it was found in")
    region: BodyRegion = Field(description="Body region")
    lesion: LesionType = Field(description="Lesion type")
    length_mm: int | None = Field(default=None, ge=0, le=2000, description="Length in mm")
    width_mm: int | None = Field(default=None, ge=0, le=2000, description="Width in mm")
    shape: LesionShape = Field(description="Shape")
    colour: LesionColour = Field(description="Colour")
    estimated_age: LesionAge = Field(description="Estimated age")
    position: DiagramPosition = Field(description="Where on the body diagram")
    description: SealedValue | None = optional("The clinician's description")
    photo_ids: list[UUID] = ids("Evidence items (photographs) showing it")
    supersedes: UUID | None = supersedes_field()
    reason: SealedValue | None = optional("Why it was corrected")


class PsychologicalFindingsRecorded(EventPayload):
    """The psychological history and examination, summarised."""

    model_config = examples(
        {
            "entry_id": FINDING,
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "summary": example_sealed("psych"),
            "supersedes": None,
            "reason": None,
        }
    )

    entry_id: UUID = Field(description="This entry's id")
    survivor_id: UUID = survivor_field()
    encounter_id: UUID = Field(description="The encounter")
    summary: SealedValue = Field(description="Psychological history and examination summary")
    supersedes: UUID | None = supersedes_field()
    reason: SealedValue | None = optional("Why it was corrected")


class DiagnosisRecorded(EventPayload):
    """A coded diagnosis (ICD-11 code from the shipped subset)."""

    model_config = examples(
        {
            "diagnosis_id": DIAGNOSIS,
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "code": "6B40",
            "note": None,
            "supersedes": None,
            "reason": None,
        }
    )

    diagnosis_id: UUID = Field(description="The diagnosis entry's id")
    survivor_id: UUID = survivor_field()
    encounter_id: UUID = Field(description="The encounter")
    code: Icd11Code = Field(description="ICD-11 code")
    note: SealedValue | None = optional("The clinician's note")
    supersedes: UUID | None = supersedes_field()
    reason: SealedValue | None = optional("Why it was corrected")


class TreatmentRecorded(EventPayload):
    """Treatment given or prescribed: medication (dose, duration), procedure, therapy."""

    model_config = examples(
        {
            "treatment_id": TREATMENT,
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "kind": "medication",
            "details": example_sealed("ibuprofen 400 mg tds"),
            "duration_days": 5,
            "supersedes": None,
            "reason": None,
        }
    )

    treatment_id: UUID = Field(description="The treatment entry's id")
    survivor_id: UUID = survivor_field()
    encounter_id: UUID = Field(description="The encounter")
    kind: TreatmentKind = Field(description="What kind of treatment")
    details: SealedValue = Field(
        description="What exactly: medicine, dose and frequency, or the procedure"
    )
    duration_days: int | None = Field(default=None, ge=0, le=3650, description="For how long")
    supersedes: UUID | None = supersedes_field()
    reason: SealedValue | None = optional("Why it was corrected")


class SpecialistReferralMade(EventPayload):
    """The survivor was referred to a specialist."""

    model_config = examples(
        {
            "specialist_referral_id": SPECIALIST,
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "specialty": "orthopaedics",
            "reason": example_sealed("why"),
        }
    )

    specialist_referral_id: UUID = Field(description="The referral's id")
    survivor_id: UUID = survivor_field()
    encounter_id: UUID = Field(description="The encounter that made it")
    specialty: Specialty = Field(description="To which specialty")
    reason: SealedValue | None = optional("Why")


class SpecialistReferralOutcomeRecorded(EventPayload):
    """What came of a referral to a specialist."""

    model_config = examples(
        {
            "specialist_referral_id": SPECIALIST,
            "survivor_id": SURVIVOR,
            "outcome": "seen",
            "note": None,
        }
    )

    specialist_referral_id: UUID = Field(description="The referral")
    survivor_id: UUID = survivor_field()
    outcome: SpecialistOutcome = Field(description="Its outcome")
    note: SealedValue | None = optional("The specialist's findings or advice")


class FollowUpScheduled(EventPayload):
    """A follow-up appointment was booked."""

    model_config = examples(
        {
            "follow_up_id": FOLLOW_UP,
            "survivor_id": SURVIVOR,
            "encounter_id": ENCOUNTER,
            "due_on": "2026-03-18",
        }
    )

    follow_up_id: UUID = Field(description="The appointment's id")
    survivor_id: UUID = survivor_field()
    encounter_id: UUID = Field(description="The encounter that booked it")
    due_on: date = Field(description="The appointment's day")


class FollowUpAttendanceRecorded(EventPayload):
    """Whether the survivor came to a follow-up appointment."""

    model_config = examples(
        {
            "follow_up_id": FOLLOW_UP,
            "survivor_id": SURVIVOR,
            "attendance": "attended",
        }
    )

    follow_up_id: UUID = Field(description="The appointment")
    survivor_id: UUID = survivor_field()
    attendance: Attendance = Field(description="Attended, missed or rescheduled")

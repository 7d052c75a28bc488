"""A data subject's access request: one survivor's records gathered from every service, readable.

Each service answers `GET /survivors/{survivor_id}/subject-access` with what it holds about the
survivor, sealed values opened (the data protection officer only; every service audits the
read). This module gathers the answers and shapes them for a person to read, in English or
Kiswahili: the language is the survivor's choice, so it is chosen on the request form rather than
taken from the officer's own page language. Names of events and fields come from the tables
below; one not listed is shown in English words made from its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from .backend import Backend, ServiceError

SOURCES = ("intake", "medical", "psychosocial", "empowerment", "reporting")
EXPORT_LANGUAGES = {"en": "English", "sw": "Kiswahili"}

WORDS: dict[str, dict[str, str]] = {
    "title": {
        "en": "Your personal data held by the centre",
        "sw": "Taarifa zako binafsi zilizo na kituo",
    },
    "intro": {
        "en": "Under the Data Protection Act, 2019 you may know what personal data we hold about "
        "you. This document lists every record each part of our service keeps about you.",
        "sw": "Chini ya Sheria ya Ulinzi wa Data, 2019 una haki ya kujua data binafsi tuliyo nayo "
        "kukuhusu. Hati hii inaorodhesha kila rekodi ambayo kila sehemu ya huduma yetu inaweka "
        "kukuhusu.",
    },
    "survivor": {"en": "Person", "sw": "Mtu"},
    "generated": {"en": "Prepared on", "sw": "Imetayarishwa tarehe"},
    "records": {"en": "records", "sw": "rekodi"},
    "none": {"en": "No records.", "sw": "Hakuna rekodi."},
    "missing": {"en": "This part could not be gathered", "sw": "Sehemu hii haikuweza kukusanywa"},
    "recorded_by": {"en": "Recorded by", "sw": "Imerekodiwa na"},
    "notes": {"en": "Please note", "sw": "Tafadhali kumbuka"},
    "intake": {"en": "Registration, consent and incidents", "sw": "Usajili, ridhaa na matukio"},
    "medical": {"en": "Medical care", "sw": "Huduma ya matibabu"},
    "psychosocial": {"en": "Counselling", "sw": "Ushauri nasaha"},
    "empowerment": {"en": "Economic empowerment", "sw": "Uwezeshaji wa kiuchumi"},
    "reporting": {
        "en": "Your healing journey (summary)",
        "sw": "Safari yako ya uponyaji (muhtasari)",
    },
}

# Kiswahili names of the events a survivor's records are made of (English comes from the code).
EVENTS_SW: dict[str, str] = {
    "SurvivorRegistered": "Usajili",
    "IdentityCorrected": "Marekebisho ya taarifa za utambulisho",
    "SurvivorsMerged": "Rekodi mbili ziliunganishwa",
    "ConsentGranted": "Ridhaa ilitolewa",
    "ConsentWithdrawn": "Ridhaa iliondolewa",
    "CaseAssigned": "Kesi ilikabidhiwa timu",
    "CaseClosed": "Kesi ilifungwa",
    "CaseReopened": "Kesi ilifunguliwa tena",
    "IncidentDocumented": "Tukio lilirekodiwa",
    "ReferralMade": "Rufaa ilitolewa",
    "ReferralStatusChanged": "Hali ya rufaa ilibadilika",
    "ErasureRequested": "Ombi la kufuta data",
    "ErasureCompleted": "Ufutaji wa data ulikamilika",
    "DataKeyDestroyed": "Ufunguo wa data uliharibiwa",
    "EncounterOpened": "Ziara ya matibabu",
    "HistoryRecorded": "Historia ya matibabu",
    "FindingDocumented": "Matokeo ya uchunguzi",
    "FindingGraded": "Tathmini ya matokeo",
    "PsychologicalFindingsRecorded": "Matokeo ya kisaikolojia",
    "PsychologicalEvaluationGraded": "Tathmini ya kisaikolojia",
    "DiagnosisRecorded": "Utambuzi wa ugonjwa",
    "TreatmentRecorded": "Matibabu",
    "SpecialistReferralMade": "Rufaa kwa mtaalamu",
    "SpecialistReferralOutcomeRecorded": "Matokeo ya rufaa kwa mtaalamu",
    "FollowUpScheduled": "Ufuatiliaji ulipangwa",
    "FollowUpAttendanceRecorded": "Mahudhurio ya ufuatiliaji",
    "OverallEvaluationRecorded": "Tathmini ya jumla",
    "ReportSigned": "Ripoti ya kitabibu ilisainiwa",
    "AddendumSigned": "Nyongeza ya ripoti ilisainiwa",
    "FormIssued": "Fomu ilitolewa",
    "EvidenceCaptured": "Ushahidi ulihifadhiwa",
    "EvidenceHandedOver": "Ushahidi ulikabidhiwa",
    "EvidenceAccessed": "Ushahidi ulifunguliwa",
    "ReferralAccepted": "Rufaa ilikubaliwa",
    "ReferralDeclined": "Rufaa ilikataliwa",
    "SessionRecorded": "Kikao cha ushauri",
    "AssessmentRecorded": "Tathmini",
    "AssessmentCorrected": "Marekebisho ya tathmini",
    "RiskFlagRaised": "Tahadhari ya hatari",
    "RiskFlagEscalated": "Tahadhari ya hatari ilipandishwa",
    "SafetyResponseRecorded": "Hatua za usalama",
    "CarePlanGoalAdded": "Lengo la mpango wa huduma",
    "CarePlanGoalReviewed": "Mapitio ya lengo",
    "SessionPlanned": "Kikao kijacho kilipangwa",
    "NeedsAssessed": "Tathmini ya mahitaji",
    "NeedsAssessmentCorrected": "Marekebisho ya tathmini ya mahitaji",
    "LivelihoodPlanStarted": "Mpango wa kujikimu ulianzishwa",
    "LivelihoodGoalAdded": "Lengo la kujikimu",
    "LivelihoodPlanReviewed": "Mapitio ya mpango wa kujikimu",
    "GrantProposed": "Ruzuku ilipendekezwa",
    "GrantApproved": "Ruzuku iliidhinishwa",
    "GrantDeclined": "Ruzuku ilikataliwa",
    "GrantDisbursed": "Ruzuku ililipwa",
    "TrainingCompleted": "Mafunzo yalikamilika",
    "CourseSessionHeld": "Kipindi cha mafunzo",
    "FollowUpRecorded": "Ufuatiliaji",
    "FollowUpCorrected": "Marekebisho ya ufuatiliaji",
    "ReferralAnswered": "Jibu la rufaa",
    "registered": "Usajili",
    "facts": "Muhtasari",
    "assessment": "Tathmini",
    "session": "Kikao cha ushauri",
}

FIELDS_SW: dict[str, str] = {
    "full_name": "Jina kamili",
    "other_names": "Majina mengine",
    "phone": "Simu",
    "national_id": "Kitambulisho",
    "date_of_birth": "Tarehe ya kuzaliwa",
    "birth_year": "Mwaka wa kuzaliwa",
    "next_of_kin": "Jamaa wa karibu",
    "name": "Jina",
    "location": "Mahali",
    "county_code": "Kaunti",
    "gender": "Jinsia",
    "age_band": "Umri",
    "case_number": "Nambari ya kesi",
    "preferred_language": "Lugha",
    "scope": "Wigo",
    "method": "Njia",
    "party": "Aliyetoa",
    "witness": "Shahidi",
    "language": "Lugha",
    "at": "Wakati",
    "narrative": "Maelezo",
    "witnesses": "Mashahidi",
    "perpetrators": "Wahusika",
    "methods": "Mbinu",
    "occurred_from": "Ilitokea kuanzia",
    "occurred_to": "Ilitokea hadi",
    "place_type": "Aina ya mahali",
    "reason": "Sababu",
    "notes": "Maelezo",
    "note": "Maelezo",
    "facility": "Kituo",
    "allegation": "Madai",
    "symptoms_acute": "Dalili za awali",
    "symptoms_current": "Dalili za sasa",
    "medical_history": "Historia ya matibabu",
    "description": "Maelezo",
    "details": "Maelezo",
    "summary": "Muhtasari",
    "interpretation": "Tafsiri",
    "recommendations": "Mapendekezo",
    "instrument": "Kipimo",
    "responses": "Majibu",
    "total": "Jumla",
    "band": "Kiwango",
    "held_on": "Tarehe",
    "planned_on": "Tarehe ya kikao kijacho",
    "duration_minutes": "Dakika",
    "attendance": "Mahudhurio",
    "participants": "Washiriki",
    "kind": "Aina",
    "household_size": "Ukubwa wa kaya",
    "monthly_income_kes": "Mapato ya mwezi (KES)",
    "amount_kes": "Kiasi (KES)",
    "occurred_at": "Wakati",
    "received_on": "Ilipokelewa",
    "services": "Huduma",
}


def word(key: str, language: str) -> str:
    """One of the export's fixed phrases in the language."""
    return WORDS[key].get(language, WORDS[key]["en"])


def _spaced(code: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", code).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower()


def event_title(event_type: str, language: str) -> str:
    """A record's heading: `intake.SurvivorRegistered` → "Survivor registered" / "Usajili"."""
    name = event_type.rsplit(".", 1)[-1]
    if language == "sw" and name in EVENTS_SW:
        return EVENTS_SW[name]
    return _spaced(name)


def field_label(key: str, language: str) -> str:
    """A field's label: `full_name` → "Full name" / "Jina kamili"."""
    if language == "sw" and key in FIELDS_SW:
        return FIELDS_SW[key]
    return _spaced(key)


def lines(value: Any, language: str, depth: int = 0) -> list[tuple[int, str, str]]:
    """A record's data as (depth, label, text) rows, nested values indented."""
    rows: list[tuple[int, str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item and not _flat(item):
                rows.append((depth, field_label(str(key), language), ""))
                rows += lines(item, language, depth + 1)
            else:
                rows.append((depth, field_label(str(key), language), _text(item)))
    elif isinstance(value, list):
        for n, item in enumerate(value, start=1):
            rows.append((depth, f"{n}.", "" if isinstance(item, dict) else _text(item)))
            if isinstance(item, dict):
                rows += lines(item, language, depth + 1)
    return rows


def _flat(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value)


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


@dataclass
class Export:
    """Every service's answer for one survivor, and the parts that could not be gathered."""

    survivor_id: UUID
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def count(self) -> int:
        """How many records were gathered in all."""
        return sum(len(part.get("records", [])) for part in self.parts.values())


async def gather(backend: Backend, token: str | None, survivor_id: UUID) -> Export:
    """Ask every service for the survivor's records (a refusal or outage is noted, not hidden)."""
    export = Export(survivor_id)
    for service in SOURCES:
        try:
            export.parts[service] = await backend.get(
                service, f"/survivors/{survivor_id}/subject-access", token, purpose="audit"
            )
        except ServiceError as error:
            export.missing[service] = f"{error.status} {error.error}: {error.detail}"
    return export


def as_text(export: Export, language: str, generated: str) -> str:
    """The whole export as plain text (what the survivor is given, printed or as a file)."""
    out = [word("title", language), "=" * len(word("title", language)), ""]
    out += [word("intro", language), ""]
    out += [f"{word('survivor', language)}: {export.survivor_id}"]
    out += [f"{word('generated', language)}: {generated}", ""]
    for service in SOURCES:
        heading = word(service, language)
        out += [heading, "-" * len(heading)]
        if service in export.missing:
            out += [f"{word('missing', language)} ({export.missing[service]})", ""]
            continue
        part = export.parts.get(service, {})
        records = part.get("records", [])
        if not records:
            out += [word("none", language)]
        for record in records:
            out += ["", f"* {event_title(record['type'], language)} — {record['occurred_at']}"]
            out += [f"  {word('recorded_by', language)}: {record['recorded_by_role']}"]
            for depth, label, text in lines(record.get("data", {}), language):
                out.append("  " + "  " * depth + (f"{label}: {text}" if text else label))
        for note in part.get("notes", []):
            out += [f"({word('notes', language)}: {note})"]
        out.append("")
    return "\n".join(out)

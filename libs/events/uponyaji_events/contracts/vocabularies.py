"""Controlled vocabularies used in event payloads, all in one place.

Adding a value is backward compatible for stored events (old payloads stay valid), but a consumer
built before the addition rejects the new value: release the kernel to consumers first. Renaming
or removing a value changes the payload: new schema_version and an upcaster (docs/contracts.md).
Sources: issues 3 and 4, ../shared/domain/KENYA.md and MEDICO_LEGAL.md (design documents).
"""

from __future__ import annotations

from enum import StrEnum


class ServiceName(StrEnum):
    """The services that own event stores (ARCHITECTURE §1)."""

    IDENTITY = "identity"
    INTAKE = "intake"
    MEDICAL = "medical"
    PSYCHOSOCIAL = "psychosocial"
    EMPOWERMENT = "empowerment"
    REPORTING = "reporting"


class Role(StrEnum):
    """Staff roles; the access policy gives each its actions and field classes."""

    ADMIN = "admin"
    INTAKE_OFFICER = "intake_officer"
    CLINICIAN = "clinician"
    COUNSELLOR = "counsellor"
    CLINICAL_SUPERVISOR = "clinical_supervisor"  # supervises counselling teams; risk escalations
    EMPOWERMENT_OFFICER = "empowerment_officer"
    LEGAL_OFFICER = "legal_officer"
    PROGRAMME_LEAD = "programme_lead"
    DATA_PROTECTION_OFFICER = "data_protection_officer"
    # Not a staff role: identity puts it only in service tokens (docs/identity.md), and refuses
    # it for accounts. Listed here because audit records name the role of every caller.
    SERVICE = "service"


class DeactivationReason(StrEnum):
    """Why a staff account was deactivated (an enum, so no free text reaches the log)."""

    LEFT_ORGANISATION = "left_organisation"
    ROLE_ENDED = "role_ended"
    SECURITY_CONCERN = "security_concern"
    OTHER = "other"


class PasswordChangeKind(StrEnum):
    """Who set a staff password."""

    SELF_SERVICE = "self_service"
    ADMIN_RESET = "admin_reset"


class Gender(StrEnum):
    """Gender as the survivor states it (aggregate field)."""

    FEMALE = "female"
    MALE = "male"
    INTERSEX = "intersex"
    OTHER = "other"
    NOT_DISCLOSED = "not_disclosed"


class AgeBand(StrEnum):
    """Age band at registration (aggregate field; the birth date itself is sealed)."""

    AGE_0_17 = "0-17"
    AGE_18_24 = "18-24"
    AGE_25_34 = "25-34"
    AGE_35_44 = "35-44"
    AGE_45_54 = "45-54"
    AGE_55_64 = "55-64"
    AGE_65_PLUS = "65+"
    UNKNOWN = "unknown"


class DisabilityDomain(StrEnum):
    """Functional domains with difficulty (Washington Group short set; aggregate field)."""

    SEEING = "seeing"
    HEARING = "hearing"
    MOBILITY = "mobility"
    COGNITION = "cognition"
    SELF_CARE = "self_care"
    COMMUNICATION = "communication"


class ConsentScope(StrEnum):
    """What a survivor consents to (issue 4); services refuse work outside current consent."""

    DOCUMENTATION = "documentation"
    MEDICAL_EXAMINATION = "medical_examination"
    # `photography` is storage of photographs in the record (the scope's first meaning, kept so
    # stored consents stay valid); court and teaching use each need their own scope.
    PHOTOGRAPHY = "photography"
    PHOTOGRAPHY_STORAGE = "photography_storage"
    PHOTOGRAPHY_COURT = "photography_court"
    PHOTOGRAPHY_TEACHING = "photography_teaching"
    LEGAL_PROCEEDINGS = "legal_proceedings"  # use of the medical record in legal proceedings
    PSYCHOSOCIAL_SUPPORT = "psychosocial_support"
    EMPOWERMENT = "empowerment"
    LEGAL_REPRESENTATION = "legal_representation"
    SHARING_WITH_OVERSIGHT_BODIES = "sharing_with_oversight_bodies"  # IPOA, KNCHR
    DEIDENTIFIED_REPORTING = "deidentified_reporting"
    CONTACT_BY_PHONE = "contact_by_phone"  # calls and SMS


class ConsentMethod(StrEnum):
    """How consent was given or withdrawn."""

    VERBAL = "verbal"
    WRITTEN = "written"
    THUMBPRINT = "thumbprint"


class ConsentParty(StrEnum):
    """Who gave or withdrew consent: the survivor, or someone acting for them."""

    SURVIVOR = "survivor"
    PARENT_OR_GUARDIAN = "parent_or_guardian"
    LEGAL_REPRESENTATIVE = "legal_representative"


class GuardianRelationship(StrEnum):
    """How the adult consenting for a minor is related to them."""

    PARENT = "parent"
    GRANDPARENT = "grandparent"
    OTHER_RELATIVE = "other_relative"
    LEGAL_GUARDIAN = "legal_guardian"
    CHILDREN_OFFICER = "children_officer"  # a county children's officer acting for the child


class PlaceType(StrEnum):
    """Where an incident or detention took place."""

    POLICE_STATION = "police_station"
    PRISON = "prison"
    PUBLIC_PLACE = "public_place"
    HOME = "home"
    MILITARY_CAMP = "military_camp"
    VEHICLE = "vehicle"  # held or beaten in a vehicle (abductions)
    # An unofficial or secret place of detention.
    SECRET_DETENTION_SITE = "secret_detention_site"  # noqa: S105 (a place, not a password)
    OTHER = "other"


class PerpetratorCategory(StrEnum):
    """Alleged perpetrators in Kenya (controlled vocabulary, extendable)."""

    NATIONAL_POLICE_SERVICE = "national_police_service"  # unit not known
    KENYA_POLICE_SERVICE = "kenya_police_service"
    ADMINISTRATION_POLICE_SERVICE = "administration_police_service"
    DIRECTORATE_OF_CRIMINAL_INVESTIGATIONS = "directorate_of_criminal_investigations"
    KENYA_DEFENCE_FORCES = "kenya_defence_forces"
    KENYA_PRISONS_SERVICE = "kenya_prisons_service"
    KENYA_WILDLIFE_SERVICE = "kenya_wildlife_service"
    KENYA_FOREST_SERVICE = "kenya_forest_service"
    NATIONAL_INTELLIGENCE_SERVICE = "national_intelligence_service"
    NATIONAL_POLICE_RESERVE = "national_police_reserve"
    KENYA_COAST_GUARD_SERVICE = "kenya_coast_guard_service"
    COUNTY_ENFORCEMENT = "county_enforcement"
    NATIONAL_GOVERNMENT_ADMINISTRATION = "national_government_administration"  # chiefs
    PRIVATE_SECURITY = "private_security"
    NON_STATE_ARMED_GROUP = "non_state_armed_group"
    OTHER = "other"
    UNKNOWN = "unknown"


class TortureMethod(StrEnum):
    """Types of torture alleged (Istanbul Protocol categories; controlled, extendable)."""

    BEATING = "beating"
    KICKING = "kicking"
    FALANGA = "falanga"
    SUSPENSION = "suspension"
    STRESS_POSITIONS = "stress_positions"
    BURNS = "burns"
    ELECTRIC_SHOCK = "electric_shock"
    ASPHYXIATION_WET = "asphyxiation_wet"
    ASPHYXIATION_DRY = "asphyxiation_dry"
    SEXUAL_VIOLENCE = "sexual_violence"
    RAPE = "rape"
    CRUSH_INJURIES = "crush_injuries"
    STAB_WOUNDS = "stab_wounds"
    GUNSHOT = "gunshot"
    CHEMICAL_EXPOSURE = "chemical_exposure"
    DENTAL = "dental"
    PHARMACOLOGICAL = "pharmacological"
    FOOD_WATER_DEPRIVATION = "food_water_deprivation"
    SLEEP_DEPRIVATION = "sleep_deprivation"
    SENSORY_DEPRIVATION = "sensory_deprivation"
    SOLITARY_CONFINEMENT = "solitary_confinement"
    THREATS = "threats"
    MOCK_EXECUTION = "mock_execution"
    HUMILIATION = "humiliation"
    FORCED_WITNESSING = "forced_witnessing"
    # Conditions of detention: overcrowding, extreme temperatures, no sanitation.
    DETENTION_CONDITIONS = "detention_conditions"
    FORCED_NUDITY = "forced_nudity"
    VIOLATION_OF_TABOOS = "violation_of_taboos"
    BEHAVIOURAL_COERCION = "behavioural_coercion"  # forced acts against one's will or beliefs
    FORCED_LABOUR = "forced_labour"
    AMPUTATION = "amputation"
    NAIL_OR_HAIR_PULLING = "nail_or_hair_pulling"
    INCOMMUNICADO_DETENTION = "incommunicado_detention"  # incl. enforced disappearance
    OTHER = "other"


class ReportedTo(StrEnum):
    """Where an incident was reported (KENYA.md, "Where a case may go")."""

    POLICE = "police"
    IPOA = "ipoa"
    KNCHR = "knchr"
    ODPP = "odpp"
    COURT = "court"
    OTHER = "other"


class ReferralTarget(StrEnum):
    """Where a survivor is referred."""

    MEDICAL = "medical"
    PSYCHOSOCIAL = "psychosocial"
    EMPOWERMENT = "empowerment"
    LEGAL = "legal"
    EXTERNAL = "external"


class Urgency(StrEnum):
    """How soon a referral needs an answer."""

    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class ReferralStatus(StrEnum):
    """A referral's status after it was made (follows the receiving service)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ClosureReason(StrEnum):
    """Why a case was closed (issue 4)."""

    GOALS_MET = "goals_met"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up"
    TRANSFERRED = "transferred"
    DECEASED = "deceased"
    CONSENT_WITHDRAWN = "consent_withdrawn"


class AccessOutcome(StrEnum):
    """What came of an attempt to act on survivor data (libs/access policy)."""

    ALLOWED = "allowed"
    DENIED = "denied"
    NOT_FOUND = "not_found"


class AccessScope(StrEnum):
    """The scope under which the policy allowed an action (libs/access policy)."""

    ANY = "any"
    CASELOAD = "caseload"
    AGGREGATE = "aggregate"

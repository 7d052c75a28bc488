"""Given/when/then over psychosocial's deciders: no database, just events and rules."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from uponyaji_events.contracts import psychosocial as c
from uponyaji_events.contracts.types import example_sealed
from uponyaji_events.envelope import NewEvent
from uponyaji_events.sealing import Sealed
from uponyaji_psychosocial import domain, errors
from uponyaji_psychosocial.domain import (
    AddGoal,
    CorrectAssessment,
    IntakeFacts,
    Participant,
    RecordAssessment,
    RecordSafetyResponse,
    RecordSession,
    ReviewGoal,
)
from uponyaji_psychosocial.instruments import Instruments

TABLE = Instruments()
SURVIVOR, OTHER = uuid.uuid4(), uuid.uuid4()
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
RISKY = (3, 0, 1, 2, 0, 0, 1, 0, 3)  # PHQ-9 total 10, item 9 = 3
CALM = (1, 1, 0, 0, 0, 0, 0, 0, 0)


def sealed(label: str) -> Sealed:
    return Sealed.parse(example_sealed(label))


def types(events: list[NewEvent]) -> list[str]:
    return [e.type for e in events]


def given(*events: NewEvent) -> domain.SurvivorState:
    return domain.fold(events)


def when(state: domain.SurvivorState, command: domain.SurvivorCommand) -> list[NewEvent]:
    return domain.decide(state, command, TABLE)


def assess(
    responses: tuple[object, ...] = RISKY, instrument: str = "PHQ-9", **changes: object
) -> RecordAssessment:
    fields: dict[str, object] = {
        "assessment_id": uuid.uuid4(),
        "survivor_id": SURVIVOR,
        "instrument": instrument,
        "responses": responses,
        "administered_at": NOW - timedelta(hours=1),
        "now": NOW,
        "flag_id": uuid.uuid4(),
    }
    fields.update(changes)
    return RecordAssessment(**fields)  # type: ignore[arg-type]


def correct(supersedes: uuid.UUID, responses: tuple[object, ...] = CALM) -> CorrectAssessment:
    return CorrectAssessment(
        assessment_id=uuid.uuid4(),
        survivor_id=SURVIVOR,
        supersedes=supersedes,
        instrument="PHQ-9",
        responses=responses,
        administered_at=None,
        reason=sealed("typo"),
        now=NOW,
        flag_id=uuid.uuid4(),
    )


def respond(flag_id: uuid.UUID, **changes: object) -> RecordSafetyResponse:
    fields: dict[str, object] = {
        "flag_id": flag_id,
        "survivor_id": SURVIVOR,
        "responder_id": uuid.uuid4(),
        "actions": (c.SafetyAction.RISK_ASSESSED, c.SafetyAction.SAFETY_PLAN),
        "referral": c.SafetyReferral.NONE,
        "details": sealed("plan"),
        "responded_at": NOW,
        "now": NOW,
    }
    fields.update(changes)
    return RecordSafetyResponse(**fields)  # type: ignore[arg-type]


def session(*participants: Participant, **changes: object) -> RecordSession:
    fields: dict[str, object] = {
        "session_id": uuid.uuid4(),
        "kind": c.SessionKind.INDIVIDUAL,
        "held_on": TODAY,
        "duration_minutes": 50,
        "approach": c.TherapyApproach.SUPPORTIVE_COUNSELLING,
        "place": c.SessionPlace.OFFICE,
        "participants": participants or (Participant(SURVIVOR, c.Attendance.ATTENDED),),
        "today": TODAY,
    }
    fields.update(changes)
    return RecordSession(**fields)  # type: ignore[arg-type]


# -- assessments and risk flags ---------------------------------------------------------------


def test_an_assessment_records_scores_band_and_flags() -> None:
    [event] = when(domain.SurvivorState(), assess(CALM))
    assert event.type == "psychosocial.AssessmentRecorded"
    p = event.payload
    assert (p["total"], p["band"], p["flags"]) == ("2", "minimal", [])
    assert p["responses"] == list(CALM)
    assert p["caseness_cutoff"] == "10"


def test_phq9_item9_raises_a_risk_flag_event() -> None:
    command = assess(RISKY)
    recorded, raised = when(domain.SurvivorState(), command)
    assert types([recorded, raised]) == [
        "psychosocial.AssessmentRecorded",
        "psychosocial.RiskFlagRaised",
    ]
    assert raised.payload["flag_id"] == str(command.flag_id)
    assert (raised.payload["item"], raised.payload["response"]) == (9, 3)
    assert raised.payload["assessment_id"] == str(command.assessment_id)


def test_means_are_recorded_as_exact_decimals() -> None:
    [event] = when(domain.SurvivorState(), assess((3,) * 7 + (2,) * 9, "HTQ-IV"))
    assert (event.payload["total"], event.payload["band"]) == ("2.4375", "below_threshold")
    [hscl] = when(domain.SurvivorState(), assess((2,) * 10 + (1,) * 15, "HSCL-25"))
    assert hscl.payload["subscales"] == [
        {"name": "anxiety", "score": "2"},
        {"name": "depression", "score": "1"},
    ]


def test_who5_records_its_percentage() -> None:
    [event] = when(domain.SurvivorState(), assess((4, 1, 0, 2, 3), "WHO-5"))
    assert (event.payload["total"], event.payload["percentage"]) == ("10", 40)


@pytest.mark.parametrize(
    ("instrument", "responses", "problem"),
    [
        ("PHQ-9", (0,) * 8, "PHQ-9 has 9 items: got 8 responses"),
        ("GAD-7", (0, 0, 0, 0, 0, 0, 9), "item 7 is 9"),
        ("PHQ-2", (0, 0), "unknown instrument 'PHQ-2'"),
    ],
)
def test_malformed_responses_are_refused_naming_the_problem(
    instrument: str, responses: tuple[int, ...], problem: str
) -> None:
    with pytest.raises(errors.InvalidCommand, match=problem) as refused:
        when(domain.SurvivorState(), assess(responses, instrument))
    assert refused.value.status_code == 422


def test_an_assessment_in_the_future_is_refused() -> None:
    with pytest.raises(errors.InvalidCommand, match="in the future"):
        when(domain.SurvivorState(), assess(administered_at=NOW + timedelta(hours=1)))


def test_a_correction_supersedes_with_a_reason_and_keeps_the_date() -> None:
    first = assess(CALM)
    state = given(*when(domain.SurvivorState(), first))
    [event] = when(state, correct(first.assessment_id, (2, 2, 0, 0, 0, 0, 0, 0, 0)))
    assert event.type == "psychosocial.AssessmentCorrected"
    assert event.payload["supersedes"] == str(first.assessment_id)
    assert event.payload["reason"] is not None
    assert datetime.fromisoformat(event.payload["administered_at"]) == first.administered_at
    assert event.payload["total"] == "4"
    after = given(*when(domain.SurvivorState(), first), event)
    assert after.assessments[first.assessment_id].superseded_by is not None


def test_only_the_current_version_can_be_corrected() -> None:
    first = assess(CALM)
    fix = correct(first.assessment_id)
    state = given(*when(domain.SurvivorState(), first))
    state = domain.fold(when(state, fix), state)
    with pytest.raises(errors.AssessmentSuperseded, match=str(fix.assessment_id)):
        when(state, correct(first.assessment_id))
    with pytest.raises(errors.AssessmentNotFound):
        when(state, correct(uuid.uuid4()))


def test_a_correction_neither_closes_nor_repeats_a_risk_flag() -> None:
    first = assess(RISKY)
    state = given(*when(domain.SurvivorState(), first))
    [corrected] = when(state, correct(first.assessment_id, CALM))
    state = domain.fold([corrected], state)
    assert [f.resolved for f in state.flags.values()] == [False]
    again = when(state, correct(corrected_id(corrected), RISKY))
    assert types(again) == ["psychosocial.AssessmentCorrected"]  # already flagged


def corrected_id(event: NewEvent) -> uuid.UUID:
    return uuid.UUID(event.payload["assessment_id"])


def test_a_correction_that_reveals_a_risk_raises_a_flag() -> None:
    first = assess(CALM)
    state = given(*when(domain.SurvivorState(), first))
    events = when(state, correct(first.assessment_id, RISKY))
    assert types(events)[-1] == "psychosocial.RiskFlagRaised"


def test_a_flag_stays_open_until_a_safety_response_resolves_it() -> None:
    command = assess(RISKY)
    state = given(*when(domain.SurvivorState(), command))
    assert not state.flags[command.flag_id].resolved
    [response] = when(state, respond(command.flag_id))
    assert response.type == "psychosocial.SafetyResponseRecorded"
    assert response.payload["actions"] == ["risk_assessed", "safety_plan"]
    state = domain.fold([response], state)
    assert state.flags[command.flag_id].resolved
    with pytest.raises(errors.FlagAlreadyResolved):
        when(state, respond(command.flag_id))


def test_a_safety_response_needs_a_known_flag_and_a_sensible_time() -> None:
    command = assess(RISKY)
    state = given(*when(domain.SurvivorState(), command))
    with pytest.raises(errors.RiskFlagNotFound):
        when(state, respond(uuid.uuid4()))
    with pytest.raises(errors.InvalidCommand, match="before the flag"):
        when(state, respond(command.flag_id, responded_at=NOW - timedelta(days=1)))


# -- care plans -------------------------------------------------------------------------------


def add_goal(goal_id: uuid.UUID) -> AddGoal:
    return AddGoal(
        goal_id=goal_id,
        survivor_id=SURVIVOR,
        domain=c.CareDomain.DAILY_FUNCTIONING,
        description=sealed("goal"),
        target_date=date(2026, 6, 30),
    )


def review(goal_id: uuid.UUID, status: c.GoalStatus, on: date = TODAY) -> ReviewGoal:
    return ReviewGoal(
        goal_id=goal_id,
        survivor_id=SURVIVOR,
        status=status,
        reviewed_on=on,
        note=None,
        today=TODAY,
    )


def test_goals_are_added_and_reviewed_until_closed() -> None:
    goal_id = uuid.uuid4()
    state = given(*when(domain.SurvivorState(), add_goal(goal_id)))
    assert state.goals[goal_id].status == "not_started"
    [reviewed] = when(state, review(goal_id, c.GoalStatus.IN_PROGRESS))
    state = domain.fold([reviewed], state)
    state = domain.fold(when(state, review(goal_id, c.GoalStatus.ACHIEVED)), state)
    assert state.goals[goal_id].closed
    with pytest.raises(errors.GoalClosed):
        when(state, review(goal_id, c.GoalStatus.IN_PROGRESS))


def test_a_review_needs_a_known_goal_and_no_future_date() -> None:
    goal_id = uuid.uuid4()
    state = given(*when(domain.SurvivorState(), add_goal(goal_id)))
    with pytest.raises(errors.GoalNotFound):
        when(state, review(uuid.uuid4(), c.GoalStatus.IN_PROGRESS))
    with pytest.raises(errors.InvalidCommand, match="future"):
        when(state, review(goal_id, c.GoalStatus.IN_PROGRESS, TODAY + timedelta(days=1)))


# -- sessions ---------------------------------------------------------------------------------


def test_a_session_records_participants_with_their_own_notes() -> None:
    notes = sealed("notes")
    [event] = domain.decide_session(
        session(
            Participant(SURVIVOR, c.Attendance.ATTENDED, notes),
            Participant(OTHER, c.Attendance.MISSED),
            kind=c.SessionKind.GROUP,
        )
    )
    assert event.type == "psychosocial.SessionRecorded"
    assert [p["attendance"] for p in event.payload["participants"]] == ["attended", "missed"]
    assert event.payload["participants"][0]["notes"] == str(notes)


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        (session(held_on=TODAY + timedelta(days=1)), "in the future"),
        (
            session(
                Participant(SURVIVOR, c.Attendance.ATTENDED),
                Participant(OTHER, c.Attendance.ATTENDED),
            ),
            "individual session has at most 1",
        ),
        (
            session(
                Participant(SURVIVOR, c.Attendance.ATTENDED),
                Participant(SURVIVOR, c.Attendance.ATTENDED),
                kind=c.SessionKind.GROUP,
            ),
            "listed twice",
        ),
        (session(interpreter_language="sw"), "interpreter is false"),
    ],
)
def test_impossible_sessions_are_refused(command: RecordSession, problem: str) -> None:
    with pytest.raises(errors.InvalidCommand, match=problem):
        domain.decide_session(command)


# -- the gate: consent, closure, erasure, merge -----------------------------------------------


def test_work_needs_consent_and_an_open_case() -> None:
    domain.admissible(IntakeFacts(consent=True))
    with pytest.raises(errors.ConsentRequired, match="psychosocial_support"):
        domain.admissible(IntakeFacts(consent=False))
    with pytest.raises(errors.CaseClosed):
        domain.admissible(IntakeFacts(consent=True, closed=True))
    with pytest.raises(errors.SurvivorErased):
        domain.admissible(IntakeFacts(consent=True, erased=True))
    with pytest.raises(errors.SurvivorMerged):
        domain.admissible(IntakeFacts(consent=True, merged_into=OTHER))


def test_a_safety_response_is_never_refused_for_consent_or_closure() -> None:
    domain.admissible(IntakeFacts(consent=False, closed=True), safety=True)
    with pytest.raises(errors.SurvivorErased):
        domain.admissible(IntakeFacts(erased=True), safety=True)


def test_a_session_does_not_close_while_a_risk_flag_waits_for_its_safety_response() -> None:
    flag = domain.OpenFlag(SURVIVOR, uuid.uuid4(), TODAY - timedelta(days=1))
    with pytest.raises(errors.SafetyResponseRequired, match=str(flag.flag_id)) as refused:
        domain.decide_session(session(open_flags=(flag,)))
    assert refused.value.status_code == 409
    # A missed session, or one held before the signal, is not the session that must close.
    missed = Participant(SURVIVOR, c.Attendance.MISSED)
    assert domain.decide_session(session(missed, open_flags=(flag,)))
    before = session(held_on=TODAY - timedelta(days=2), open_flags=(flag,))
    assert domain.decide_session(before)

"""Given/when/then over intake's deciders: no database, just events and rules."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from intake_domain_support import (
    CASE,
    OTHER,
    OTHER_CASE,
    SURVIVOR,
    TEAM,
    WORKER,
    assign,
    close,
    erasure,
    given,
    grant,
    incident,
    referral,
    registration,
    reopen,
    sealed,
    stored,
    withdraw,
)
from uponyaji_events.contracts import intake as c
from uponyaji_intake import domain, errors
from uponyaji_intake.errors import DuplicateCandidate


def types(events: list[object]) -> list[str]:
    return [e.type for e in events]  # type: ignore[attr-defined]


def test_register_records_the_survivor() -> None:
    events = domain.decide(domain.SurvivorState(), registration())
    assert types(events) == ["intake.SurvivorRegistered"]
    assert events[0].payload["case_number"] == CASE
    assert events[0].payload["possible_duplicates"] == []


def test_a_survivor_is_registered_once() -> None:
    with pytest.raises(errors.SurvivorAlreadyRegistered):
        domain.decide(given(registration()), registration())


def test_duplicate_candidates_need_a_reason() -> None:
    candidate = DuplicateCandidate(OTHER, OTHER_CASE, ("phone",))
    with pytest.raises(errors.PossibleDuplicates) as refused:
        domain.decide(domain.SurvivorState(), registration(candidates=(candidate,)))
    assert refused.value.candidates == (candidate,)
    assert refused.value.status_code == 409

    command = registration(candidates=(candidate,), duplicate_override_reason=sealed("why"))
    [event] = domain.decide(domain.SurvivorState(), command)
    assert event.payload["possible_duplicates"] == [str(OTHER)]
    assert event.payload["duplicate_override_reason"] is not None


def test_an_override_reason_without_candidates_is_not_kept() -> None:
    command = registration(duplicate_override_reason=sealed("why"))
    [event] = domain.decide(domain.SurvivorState(), command)
    assert event.payload["duplicate_override_reason"] is None


def test_nothing_happens_to_an_unregistered_survivor() -> None:
    with pytest.raises(errors.SurvivorNotFound):
        domain.decide(domain.SurvivorState(), grant("documentation"))


def test_no_incident_without_documentation_consent() -> None:
    with pytest.raises(errors.ConsentRequired, match="documentation consent, which is never"):
        domain.decide(given(registration()), incident())
    state = given(registration(), grant("documentation"))
    assert types(domain.decide(state, incident())) == ["intake.IncidentDocumented"]
    state = given(registration(), grant("documentation"), withdraw("documentation"))
    with pytest.raises(errors.ConsentRequired, match="withdrawn"):
        domain.decide(state, incident())


def test_an_incident_does_not_list_its_own_survivor_among_the_others() -> None:
    state = given(registration(), grant("documentation"))
    with pytest.raises(errors.InvalidReference):
        domain.decide(state, incident(other_survivor_ids=[SURVIVOR]))
    unknown = incident(other_survivor_ids=[OTHER])
    with pytest.raises(errors.InvalidReference, match="not registered"):
        domain.decide(state, unknown)
    known = domain.DocumentIncident(unknown.details, frozenset({OTHER}))
    assert types(domain.decide(state, known)) == ["intake.IncidentDocumented"]


def test_consent_cannot_be_granted_twice_nor_withdrawn_unless_granted() -> None:
    state = given(registration())
    with pytest.raises(errors.ConsentConflict, match="cannot be withdrawn"):
        domain.decide(state, withdraw("photography"))
    state = given(registration(), grant("photography"))
    with pytest.raises(errors.ConsentConflict, match="already granted"):
        domain.decide(state, grant("photography"))
    state = given(registration(), grant("photography"), withdraw("photography"))
    assert types(domain.decide(state, grant("photography"))) == ["intake.ConsentGranted"]


def test_a_referral_needs_the_consent_of_its_service() -> None:
    state = given(registration(), grant("documentation"))
    with pytest.raises(errors.ConsentRequired, match="medical_examination"):
        domain.decide(state, referral("medical"))
    assert types(domain.decide(state, referral("external"))) == ["intake.ReferralMade"]
    state = given(registration(), grant("psychosocial_support"))
    assert types(domain.decide(state, referral("psychosocial"))) == ["intake.ReferralMade"]


def test_a_referral_concerns_only_the_survivors_own_incidents() -> None:
    state = given(registration(), grant("medical_examination"))
    mine = uuid.uuid4()
    assert domain.decide(state, referral(incidents=frozenset({mine}), incident_ids=[mine]))
    with pytest.raises(errors.InvalidReference):
        domain.decide(state, referral(incidents=frozenset({mine}), incident_ids=[uuid.uuid4()]))


def test_no_work_on_a_closed_case_but_consent_can_still_be_withdrawn() -> None:
    state = given(registration(), grant("documentation"), grant("medical_examination"), close())
    assert state.closed
    for command in (incident(), referral(), assign(), grant("photography"), close()):
        with pytest.raises(errors.CaseClosed):
            domain.decide(state, command)
    assert types(domain.decide(state, withdraw("medical_examination"))) == [
        "intake.ConsentWithdrawn"
    ]


def test_reopen_only_a_closed_case() -> None:
    with pytest.raises(errors.CaseNotClosed):
        domain.decide(given(registration()), reopen())
    state = given(registration(), grant("documentation"), close("lost_to_follow_up"), reopen())
    assert not state.closed
    assert types(domain.decide(state, incident())) == ["intake.IncidentDocumented"]


def test_assignment_and_reassignment() -> None:
    state = given(registration(), assign())
    assert (state.team_id, state.lead_case_worker_id) == (TEAM, WORKER)
    with pytest.raises(errors.NothingChanged):
        domain.decide(state, assign())
    other_team = uuid.uuid4()
    state = given(registration(), assign(), assign(other_team, None))
    assert (state.team_id, state.lead_case_worker_id) == (other_team, None)


def test_a_correction_must_correct_something() -> None:
    state = given(registration())
    empty = domain.CorrectIdentity(c.IdentityCorrected(survivor_id=SURVIVOR, reason=sealed("r")))
    with pytest.raises(errors.NothingChanged):
        domain.decide(state, empty)
    fix = domain.CorrectIdentity(c.IdentityCorrected(survivor_id=SURVIVOR, phone=sealed("p")))
    assert types(domain.decide(state, fix)) == ["intake.IdentityCorrected"]


def test_nothing_is_recorded_once_erasure_was_requested() -> None:
    state = replace(given(registration(), grant("documentation")), erasure_requested=True)
    for command in (incident(), withdraw("documentation"), assign(), close(), reopen()):
        with pytest.raises(errors.SurvivorErased):
            domain.decide(state, command)
    with pytest.raises(errors.ErasureAlreadyRequested):
        domain.decide(state, erasure())


def test_erasure_is_requested_of_intake_and_the_named_services_even_for_closed_cases() -> None:
    state = given(registration(), close())
    [event] = domain.decide(state, erasure(("intake", "medical")))
    assert event.type == "intake.ErasureRequested"
    assert event.payload["services"] == ["intake", "medical"]
    with pytest.raises(errors.InvalidReference):
        domain.decide(state, erasure(("medical",)))


def test_a_merged_record_takes_no_more_work_but_can_be_erased() -> None:
    state = replace(given(registration()), merged_into=OTHER)
    with pytest.raises(errors.SurvivorMerged):
        domain.decide(state, grant("documentation"))
    assert types(domain.decide(state, erasure())) == ["intake.ErasureRequested"]


def merge(kept: uuid.UUID = SURVIVOR, absorbed: uuid.UUID = OTHER) -> domain.MergeSurvivors:
    return domain.MergeSurvivors(
        c.SurvivorsMerged(
            survivor_id=kept, merged_survivor_id=absorbed, merged_case_number=OTHER_CASE
        )
    )


def test_merging_two_records_of_one_person() -> None:
    kept = given(registration())
    absorbed = given(registration(OTHER, OTHER_CASE), survivor=OTHER)
    [event] = domain.decide_merge(kept, absorbed, merge())
    assert event.type == "intake.SurvivorsMerged"
    after = domain.evolve(kept, stored(SURVIVOR, kept.version + 1, event))
    assert after.absorbed == (OTHER,)
    with pytest.raises(errors.InvalidMerge):
        domain.decide_merge(kept, kept, merge(SURVIVOR, SURVIVOR))
    with pytest.raises(errors.InvalidMerge):  # the kept record has absorbed OTHER
        domain.decide_merge(absorbed, after, merge(OTHER, SURVIVOR))
    with pytest.raises(errors.SurvivorMerged):
        domain.decide_merge(kept, replace(absorbed, merged_into=SURVIVOR), merge())
    with pytest.raises(errors.SurvivorErased):
        domain.decide_merge(kept, replace(absorbed, erasure_requested=True), merge())


def referral_state(status: str = domain.PENDING) -> domain.ReferralState:
    return domain.ReferralState(
        referral_id=uuid.UUID(int=7),
        version=1,
        survivor_id=SURVIVOR,
        target="medical",
        status=status,
    )


def status(value: str) -> domain.UpdateReferralStatus:
    return domain.UpdateReferralStatus(
        c.ReferralStatusChanged(referral_id=uuid.UUID(int=7), survivor_id=SURVIVOR, status=value)
    )


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        ("pending", "accepted", True),
        ("pending", "declined", True),
        ("pending", "completed", False),
        ("accepted", "completed", True),
        ("accepted", "accepted", False),
        ("declined", "accepted", False),
        ("completed", "cancelled", False),
    ],
)
def test_referral_status_follows_the_receiving_service(
    current: str, new: str, allowed: bool
) -> None:
    survivor = given(registration())
    if allowed:
        [event] = domain.decide_referral(referral_state(current), survivor, status(new))
        assert event.payload["status"] == new
    else:
        with pytest.raises(errors.ReferralTransitionRefused):
            domain.decide_referral(referral_state(current), survivor, status(new))


def test_an_unknown_referral_is_not_found() -> None:
    with pytest.raises(errors.ReferralNotFound):
        domain.decide_referral(domain.ReferralState(), given(registration()), status("accepted"))


def test_erasure_completes_when_every_named_service_confirmed() -> None:
    state = domain.ErasureState(
        request_id=uuid.UUID(int=9),
        version=1,
        survivor_id=SURVIVOR,
        case_number=CASE,
        services=("intake", "medical"),
    )
    one = {"intake": uuid.UUID(int=1)}
    assert domain.decide_erasure(state, domain.ConfirmErasure(one)) == []
    both = {**one, "medical": uuid.UUID(int=2), "psychosocial": uuid.UUID(int=3)}
    [event] = domain.decide_erasure(state, domain.ConfirmErasure(both))
    assert event.type == "intake.ErasureCompleted"
    assert [x["service"] for x in event.payload["confirmations"]] == ["intake", "medical"]
    assert domain.decide_erasure(replace(state, completed=True), domain.ConfirmErasure(both)) == []
    with pytest.raises(errors.ErasureRequestNotFound):
        domain.decide_erasure(domain.ErasureState(), domain.ConfirmErasure(both))

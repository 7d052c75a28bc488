"""The policy file: validated at load, one decision per (role, action), the documented rules."""

from __future__ import annotations

import dataclasses
import tomllib
import uuid
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from uponyaji_access import Policy, PolicyError, Principal, SurvivorCaseload
from uponyaji_access.policy import ACTION_SCOPES

POLICY = Policy.load()
ROLES = list(POLICY.roles)
ACTIONS = list(POLICY.actions)
RELATIONS = ["none", "team", "worker", "off"]


def raw() -> dict[str, Any]:
    text = resources.files("uponyaji_access").joinpath("policy.toml").read_text("utf-8")
    return tomllib.loads(text)


def principal(*roles: str, teams: tuple[str, ...] = ("team-a",)) -> Principal:
    return Principal(
        staff_id=uuid.uuid4(),
        username="test.staff",
        roles=frozenset(roles),
        teams=frozenset(teams),
        sid="sess-test",
        token_id="jti-test",
        expires_at=datetime.now(UTC),
    )


def caseload_for(who: Principal, relation: str) -> SurvivorCaseload | None:
    if relation == "none":
        return None
    if relation == "team":
        return SurvivorCaseload.of({"team-a"}, set())
    if relation == "worker":
        return SurvivorCaseload.of({"team-z"}, {str(who.staff_id)})
    return SurvivorCaseload.of({"team-z"}, {str(uuid.uuid4())})


def expected(scope: str | None, relation: str) -> tuple[str, str | None]:
    """What one cell of the file predicts: (outcome, scope)."""
    if scope is None:
        return "denied", None
    if scope == "caseload" and relation == "off":
        return "not_found", "caseload"
    return "allowed", scope


def test_the_platform_policy_loads_and_covers_every_role_for_every_action() -> None:
    assert len(ROLES) == 10
    assert len(ACTIONS) >= 30
    for rule in POLICY.actions.values():
        assert set(rule.scopes) == set(ROLES), rule.name
    for field_rule in POLICY.fields.values():
        assert set(field_rule.scopes) == set(ROLES), field_rule.name


def test_the_service_role_may_read_feeds_health_and_staff_addresses_and_nothing_else() -> None:
    allowed = {name: rule.scopes["service"] for name, rule in POLICY.actions.items()}
    feeds = {
        "feed.read": "any",
        "identity.feed.read": "any",
        "health.read": "any",
        "accounts.addresses.read": "any",  # where a service delivers a staff notification
    }
    assert {name: scope for name, scope in allowed.items() if scope} == feeds
    assert not any(rule.scopes["service"] for rule in POLICY.fields.values())


def test_health_details_are_for_operators_and_services_only() -> None:
    rule = POLICY.actions["health.read"]
    assert [r for r in ROLES if rule.scopes[r]] == sorted(["admin", "service"], key=ROLES.index)


def test_no_staff_role_reads_an_event_feed_not_even_admin() -> None:
    for action in ("feed.read", "identity.feed.read"):
        rule = POLICY.actions[action]
        assert [r for r in ROLES if rule.scopes[r]] == ["service"], action


@settings(max_examples=400, deadline=None)
@given(
    role=st.sampled_from(ROLES),
    action=st.sampled_from(ACTIONS),
    relation=st.sampled_from(RELATIONS),
)
def test_every_role_and_action_resolves_to_exactly_one_decision(
    role: str, action: str, relation: str
) -> None:
    who = principal(role)
    caseload = caseload_for(who, relation)
    decisions = {POLICY.decide(who, action, caseload) for _ in range(3)}
    assert len(decisions) == 1
    [decision] = decisions
    outcome, scope = expected(POLICY.scope(role, action), relation)
    assert (decision.outcome, decision.scope) == (outcome, scope)
    assert decision.allowed == (outcome == "allowed")
    assert decision.role == (role if decision.allowed else None)


def test_the_whole_matrix_exhaustively() -> None:
    """The same property over every cell, so no cell depends on hypothesis's luck."""
    for role in ROLES:
        for action in ACTIONS:
            for relation in RELATIONS:
                who = principal(role)
                decision = POLICY.decide(who, action, caseload_for(who, relation))
                assert (decision.outcome, decision.scope) == expected(
                    POLICY.scope(role, action), relation
                )


def test_remembered_decisions_follow_the_caseload_of_each_request() -> None:
    """Decisions are remembered by action, roles and whether the survivor is on the caseload:
    a counsellor taken off a survivor's caseload is refused on the very next decision, and every
    remembered decision equals one made afresh by a newly loaded policy."""
    policy = Policy.load()
    counsellor = principal("counsellor")
    on, off = caseload_for(counsellor, "team"), caseload_for(counsellor, "off")
    action = "psychosocial.assessment.record"
    for _ in range(2):  # the second round answers from what the first remembered
        assert policy.decide(counsellor, action, on).outcome == "allowed"
        assert policy.decide(counsellor, action, off).outcome == "not_found"
        assert policy.decide(counsellor, action, on).outcome == "allowed"
    fresh = Policy.load()
    for role in ROLES:
        for action in ACTIONS:
            for relation in reversed(RELATIONS):
                who = principal(role, "counsellor")
                caseload = caseload_for(who, relation)
                # Asked twice: decided (and remembered) the first time, remembered the second.
                assert policy.decide(who, action, caseload) == fresh.decide(who, action, caseload)
                assert policy.decide(who, action, caseload) == fresh.decide(who, action, caseload)


@settings(max_examples=200, deadline=None)
@given(
    roles=st.sets(st.sampled_from(ROLES), min_size=1, max_size=3),
    extra=st.sampled_from(ROLES),
    action=st.sampled_from(ACTIONS),
    relation=st.sampled_from(RELATIONS),
)
def test_another_role_never_takes_access_away(
    roles: set[str], extra: str, action: str, relation: str
) -> None:
    rank = {"denied": 0, "not_found": 1, "allowed": 2}
    who = principal(*roles)
    more = dataclasses.replace(who, roles=frozenset({*roles, extra}))
    caseload = caseload_for(who, relation)
    before = POLICY.decide(who, action, caseload)
    after = POLICY.decide(more, action, caseload)
    assert rank[after.outcome] >= rank[before.outcome]


def test_admins_see_no_survivor_data_and_leads_only_aggregates() -> None:
    for rule in POLICY.actions.values():
        if rule.audited:
            assert rule.scopes["admin"] is None, rule.name
            assert rule.scopes["programme_lead"] in (None, "aggregate"), rule.name
    for field_rule in POLICY.fields.values():
        assert field_rule.scopes["admin"] is None
        assert field_rule.scopes["programme_lead"] is None
    assert POLICY.scope("admin", "accounts.manage") == "any"
    assert POLICY.scope("programme_lead", "journey.read") == "aggregate"
    assert POLICY.scope("programme_lead", "dashboard.read") == "aggregate"
    assert POLICY.scope("data_protection_officer", "audit.read") == "any"
    assert POLICY.scope("data_protection_officer", "erasure.request") == "any"


def test_field_rules_of_the_issue() -> None:
    def who_sees(field_class: str) -> dict[str, str]:
        return {
            role: scope
            for role, scope in POLICY.fields[field_class].scopes.items()
            if scope is not None
        }

    assert who_sees("counselling_notes") == {
        "counsellor": "caseload",
        "clinical_supervisor": "caseload",
    }
    assert who_sees("medico_legal") == {"clinician": "caseload"}
    identity = who_sees("identity")
    assert identity.pop("intake_officer") == "caseload"
    assert set(identity.values()) == {"worker"}  # everyone else: only as the case worker


def test_field_visibility_follows_the_caseload() -> None:
    counsellor = principal("counsellor")
    team = caseload_for(counsellor, "team")
    worker = caseload_for(counsellor, "worker")
    off = caseload_for(counsellor, "off")
    assert POLICY.field_visible(counsellor, "counselling_notes", team)
    assert not POLICY.field_visible(counsellor, "counselling_notes", off)
    assert not POLICY.field_visible(counsellor, "identity", team)
    assert POLICY.field_visible(counsellor, "identity", worker)
    assert POLICY.visible_fields(counsellor, worker) == {
        "counselling_notes",
        "identity",
        "incident_narrative",
    }
    with pytest.raises(PolicyError):
        POLICY.field_visible(counsellor, "horoscope", team)


def broken(change: Any) -> dict[str, Any]:
    data = raw()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["actions"]["survivor.read"]["deny"].append("janitor"), "unknown role"),
        (lambda d: d["actions"]["survivor.read"]["caseload"].remove("counsellor"), "in none of"),
        (lambda d: d["actions"]["survivor.read"]["deny"].append("counsellor"), "more than once"),
        (lambda d: d["actions"]["survivor.read"].update(everyone=["admin"]), "unknown keys"),
        (lambda d: d["actions"]["survivor.read"].update(audited="yes"), "audited"),
        (lambda d: d["actions"]["survivor.read"].pop("description"), "description"),
        (lambda d: d["fields"]["identity"]["deny"].append("janitor"), "unknown role"),
        (lambda d: d["fields"]["identity"].update(aggregate=["admin"]), "unknown keys"),
        (lambda d: d["audit"].update(default_purpose="curiosity"), "default_purpose"),
        (lambda d: d["audit"].update(purposes=["Free text!"]), "purposes"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.update(defaults={}), "top-level"),
        (lambda d: d.update(actions={}), "no actions"),
    ],
)
def test_a_malformed_policy_stops_the_service(change: Any, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        Policy.from_mapping(broken(change))


@settings(max_examples=100, deadline=None)
@given(action=st.sampled_from(ACTIONS), role=st.sampled_from(ROLES), data=st.data())
def test_moving_or_dropping_any_role_is_caught(action: str, role: str, data: st.DataObject) -> None:
    doc = raw()
    body = doc["actions"][action]
    where = next(s for s in ACTION_SCOPES if role in body.get(s, []))
    if data.draw(st.booleans(), label="drop"):
        body[where].remove(role)
        match = "in none of"
    else:
        other = data.draw(st.sampled_from([s for s in ACTION_SCOPES if s != where]))
        body.setdefault(other, []).append(role)
        match = "more than once"
    with pytest.raises(PolicyError, match=match):
        Policy.from_mapping(doc)


def test_invalid_toml_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="not valid TOML"):
        Policy.from_toml("[actions\n")

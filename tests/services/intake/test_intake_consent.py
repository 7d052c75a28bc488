"""Consent state over any sequence of grants and withdrawals (property-based)."""

from __future__ import annotations

from hypothesis import given as for_all
from hypothesis import strategies as st
from intake_domain_support import SURVIVOR, given, grant, registration, stored, withdraw
from uponyaji_events.contracts.vocabularies import ConsentScope
from uponyaji_intake import consent, domain, errors
from uponyaji_intake.consent import ConsentStatus

changes = st.lists(st.tuples(st.sampled_from(list(ConsentScope)), st.booleans()), max_size=40)


@for_all(changes)
def test_the_decider_accepts_exactly_the_changes_that_make_sense(
    sequence: list[tuple[ConsentScope, bool]],
) -> None:
    state = given(registration())
    expected: dict[ConsentScope, ConsentStatus] = {}
    for scope, granting in sequence:
        command = grant(scope) if granting else withdraw(scope)
        current = expected.get(scope, ConsentStatus.NEVER_ASKED)
        sensible = (
            (current is not ConsentStatus.GRANTED)
            if granting
            else (current is ConsentStatus.GRANTED)
        )
        try:
            events = domain.decide(state, command)
        except errors.ConsentConflict:
            assert not sensible
            continue
        assert sensible
        for new in events:
            state = domain.evolve(state, stored(SURVIVOR, state.version + 1, new))
        expected[scope] = ConsentStatus.GRANTED if granting else ConsentStatus.WITHDRAWN
    assert dict(state.consents) == expected
    granted = consent.granted_scopes(state.consents)
    assert granted == [s for s in ConsentScope if expected.get(s) is ConsentStatus.GRANTED]


@for_all(changes)
def test_only_the_latest_change_of_each_scope_counts(
    sequence: list[tuple[ConsentScope, bool]],
) -> None:
    folded = consent.fold(consent.ConsentChange(scope, granted) for scope, granted in sequence)
    for scope in ConsentScope:
        last = [granted for s, granted in sequence if s is scope]
        if not last:
            assert consent.status_of(folded, scope) is ConsentStatus.NEVER_ASKED
        else:
            assert consent.is_granted(folded, scope) is last[-1]

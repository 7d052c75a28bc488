"""The survivor states psychosocial remembers between commands are bounded in size, not only in
number: each state keeps one entry per assessment the survivor ever had."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from psychosocial_support import As, FakeIntake
from uponyaji_psychosocial.handlers import base
from uponyaji_service import running

CLEAN_PHQ9 = [1, 1, 1, 0, 0, 1, 0, 1, 0]  # total 5, no self-harm item: no risk flag


@pytest.fixture
def six_entries(monkeypatch: pytest.MonkeyPatch) -> int:
    """Psychosocial remembers states of at most six entries together (before the app starts)."""
    monkeypatch.setattr(base, "STATE_ENTRIES", 6)
    return 6


async def test_remembered_states_stay_within_their_entries_and_commands_still_decide(
    six_entries: int, app: FastAPI, intake: FakeIntake, counsellor: As
) -> None:
    first, second = await intake.register(), await intake.register()
    await intake.deliver(app)
    states = running(app).resources.states
    assert states.max_weight == six_entries
    body = {"instrument": "PHQ-9", "responses": CLEAN_PHQ9}
    for survivor in (first, second, first, second, first, second, first):
        answer = await counsellor.post(f"/survivors/{survivor}/assessments", body)
        assert answer.status_code == 201, answer.text
        assert states.weight <= six_entries
    # The first survivor's state (4 assessments, 5 entries) is kept; the second's is forgotten
    # and a command about them folds their stream again, deciding on all of it.
    assert states.get(str(first)) is not None
    assert states.get(str(second)) is None
    answer = await counsellor.post(f"/survivors/{second}/assessments", body)
    assert answer.status_code == 201, answer.text
    listed = await counsellor.get(f"/survivors/{second}/assessments")
    assert listed.status_code == 200
    assert len(listed.json()["assessments"]) == 4

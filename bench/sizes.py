"""How much each benchmark does: the full suite (minutes) or a quick smoke run (seconds)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    """Durations and event counts of one run."""

    rounds: int  # a figure and its ceiling take turns this many times: load changes hit both
    append_turn_seconds: float  # one append case's turn
    warmup_seconds: float  # untimed run of each append case before the first round
    relay_events: int
    consumer_events: int
    replay_events: int


FULL = Sizes(
    rounds=5,
    append_turn_seconds=2.0,
    warmup_seconds=1.0,
    relay_events=100_000,
    consumer_events=50_000,
    replay_events=200_000,
)
QUICK = Sizes(
    rounds=1,
    append_turn_seconds=1.0,
    warmup_seconds=0.2,
    relay_events=2_000,
    consumer_events=2_000,
    replay_events=5_000,
)

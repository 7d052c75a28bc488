"""A service process's collector after start-up: garbage collected first, then the heap frozen."""

from __future__ import annotations

import gc
import weakref

import pytest
from uponyaji_service import heap


class Node:
    """An object that can sit in a reference cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


def test_settling_collects_garbage_first_freezes_the_rest_and_runs_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heap, "_settled", False)
    thresholds = gc.get_threshold()
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a
        garbage = weakref.ref(a)
        del a, b  # a cycle: only the cyclic collector frees it
        heap.settle_heap()
        assert garbage() is None  # collected, not frozen for the process's lifetime
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] >= heap.YOUNG_THRESHOLD
        frozen = gc.get_freeze_count()
        heap.settle_heap()  # a second app in the same process changes nothing
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)

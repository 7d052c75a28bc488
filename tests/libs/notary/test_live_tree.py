"""The signing notary's small tree gives the same roots and proofs as the whole tree."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from uponyaji_events.notary.live import LiveTree, decomposition
from uponyaji_events.notary.merkle import Tree, leaf_hash, verify_consistency


def hashes(n: int) -> list[bytes]:
    return [leaf_hash(f"event {i}".encode()) for i in range(n)]


def test_every_root_and_proof_after_the_base_matches_the_whole_tree() -> None:
    """For every base m ≤ p ≤ n ≤ 70: root(p), root(n) and the proof p → n are the full tree's."""
    items = hashes(70)
    whole = Tree(items)
    for m in range(0, 71):
        live = LiveTree()
        for item in items:
            live.append(item)
        live.rebase(m)
        assert live.held == 70 - m  # the leaves before the base are gone
        for p in range(m, 71):
            assert live.root(p) == whole.root(p)
            for n in range(p, 71, 7):
                assert live.consistency_proof(p, n) == whole.consistency_proof(p, n)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=6))
def test_a_notary_signing_head_after_head_keeps_only_the_frontier(batches: list[int]) -> None:
    """Append a batch, sign (root, proof from the last head), rebase; repeat: each head verifies."""
    live, whole, signed = LiveTree(), Tree(), 0
    counter = 0
    for batch in batches:
        for _ in range(batch):
            item = leaf_hash(counter.to_bytes(4, "big"))
            counter += 1
            live.append(item)
            whole.append(item)
        size = live.size
        proof = live.consistency_proof(signed, size)
        assert live.root(size) == whole.root(size)
        if signed:
            assert verify_consistency(signed, size, whole.root(signed), live.root(size), proof)
        live.rebase(size)
        signed = size
        assert live.held == 0
        assert len(live.frontier()) == bin(size).count("1")


def test_a_tree_started_from_a_frontier_continues_the_log() -> None:
    """A LiveTree made from the frontier of 45 leaves, given the rest, has the whole tree's root."""
    items = hashes(100)
    whole = Tree(items)
    first = LiveTree()
    for item in items[:45]:
        first.append(item)
    first.rebase(45)
    resumed = LiveTree(45, first.frontier())
    for item in items[45:]:
        resumed.append(item)
    assert resumed.root() == whole.root()
    assert resumed.consistency_proof(45) == whole.consistency_proof(45, 100)


def test_leaves_before_the_base_are_refused_not_guessed() -> None:
    """A root or proof that would need leaves dropped at the base is a ValueError."""
    live = LiveTree()
    for item in hashes(20):
        live.append(item)
    live.rebase(13)
    with pytest.raises(ValueError, match="not 12"):
        live.root(12)
    with pytest.raises(ValueError, match="frontier of 5 leaves"):
        LiveTree(5, [b"x" * 32])
    assert decomposition(13) == [(0, 8), (8, 12), (12, 13)]

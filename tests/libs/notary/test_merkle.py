"""The Merkle log's proofs against the RFC 9162 definitions, for every size hypothesis picks."""

from __future__ import annotations

import hashlib
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st
from uponyaji_events.notary.merkle import (
    EMPTY_ROOT,
    Tree,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)


def leaves(n: int) -> list[bytes]:
    return [f"leaf {i}".encode() for i in range(n)]


def mth(data: list[bytes]) -> bytes:
    """MTH straight from the RFC's recursive definition (the reference)."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return leaf_hash(data[0])
    k = 1
    while k * 2 < len(data):
        k *= 2
    return node_hash(mth(data[:k]), mth(data[k:]))


def tree_of(n: int) -> Tree:
    return Tree(leaf_hash(d) for d in leaves(n))


sizes = st.integers(min_value=1, max_value=300)


def test_known_shapes() -> None:
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    assert Tree().root() == EMPTY_ROOT
    assert Tree([a]).root() == a
    # Three leaves: ((a b) c), the RFC's left-perfect split.
    assert Tree([a, b, c]).root() == node_hash(node_hash(a, b), c)


@given(sizes)
def test_root_matches_the_rfc_definition_for_every_prefix(n: int) -> None:
    data = leaves(n)
    tree = tree_of(n)
    assert tree.root() == mth(data)
    m = n // 2 + 1
    assert tree.root(m) == mth(data[:m])


@given(st.data())
@settings(max_examples=200)
def test_inclusion_proofs_verify_for_every_leaf_and_size(data: st.DataObject) -> None:
    n = data.draw(sizes)
    size = data.draw(st.integers(min_value=1, max_value=n))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    tree = tree_of(n)
    root = tree.root(size)
    path = tree.inclusion_proof(index, size)
    leaf = leaf_hash(leaves(n)[index])
    assert verify_inclusion(leaf, index, size, path, root)
    # A wrong leaf, a wrong index, a wrong size or a wrong root fails.
    assert not verify_inclusion(leaf_hash(b"forged"), index, size, path, root)
    if size > 1:
        assert not verify_inclusion(leaf, (index + 1) % size, size, path, root)
    # Another size's root accepts this path only when that size's own path is the same list.
    other = data.draw(st.integers(min_value=index + 1, max_value=n))
    if other != size:
        same = tree.inclusion_proof(index, other) == path
        assert verify_inclusion(leaf, index, other, path, tree.root(other)) == same
    assert not verify_inclusion(leaf, index, size, path, leaf_hash(b"other root"))
    assert not verify_inclusion(leaf, size, size, path, root)


@given(st.data())
@settings(max_examples=200)
def test_consistency_proofs_verify_for_every_pair_of_sizes(data: st.DataObject) -> None:
    n = data.draw(sizes)
    second = data.draw(st.integers(min_value=1, max_value=n))
    first = data.draw(st.integers(min_value=1, max_value=second))
    tree = tree_of(n)
    old, new = tree.root(first), tree.root(second)
    proof = tree.consistency_proof(first, second)
    assert verify_consistency(first, second, old, new, proof)
    if first < second:
        # A different old tree (one leaf changed) is not a prefix of the new one.
        changed = [leaf_hash(d) for d in leaves(n)]
        changed[data.draw(st.integers(min_value=0, max_value=first - 1))] = leaf_hash(b"x")
        forged_old = Tree(changed).root(first)
        assert not verify_consistency(first, second, forged_old, new, proof)
        assert not verify_consistency(first, second, old, leaf_hash(b"other"), proof)
        # Another pair of sizes accepts this proof only when its own proof is the same list.
        other = data.draw(st.integers(min_value=1, max_value=second - 1))
        if other != first:
            same = tree.consistency_proof(other, second) == proof
            assert verify_consistency(other, second, tree.root(other), new, proof) == same
        assert not verify_consistency(first, second, old, new, [])


@given(st.integers(min_value=2, max_value=200))
def test_a_rewritten_history_has_no_consistency_proof(n: int) -> None:
    honest = tree_of(n)
    rewritten = Tree([leaf_hash(b"rewritten"), *(leaf_hash(d) for d in leaves(n)[1:])])
    first = n // 2
    proof = rewritten.consistency_proof(first, n)
    assert not verify_consistency(first, n, honest.root(first), rewritten.root(n), proof)


def test_out_of_range_requests_are_refused() -> None:
    tree = tree_of(5)
    for bad in (
        lambda: tree.root(6),
        lambda: tree.inclusion_proof(5, 5),
        lambda: tree.consistency_proof(6, 5),
        lambda: tree.consistency_proof(3, 9),
    ):
        try:
            bad()
        except ValueError:
            continue
        raise AssertionError("an out-of-range request was answered")


def test_a_leaf_hash_of_another_size_is_refused() -> None:
    tree = tree_of(3)
    for bad in (b"", b"\x00" * 31, b"\x00" * 33):
        try:
            tree.append(bad)
        except ValueError:
            continue
        raise AssertionError("a leaf hash that is not 32 bytes was taken")
    assert tree.size == 3
    assert tree.root() == mth(leaves(3))


def test_the_tree_costs_under_80_bytes_a_leaf() -> None:
    # A notary keeps the tree of every event of its service in memory, for as long as it runs:
    # a list of 32-byte objects cost about 147 bytes a leaf (147 MB per million events).
    hashes = [leaf_hash(i.to_bytes(8, "big")) for i in range(20_000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tree = Tree()
        for item in hashes:
            tree.append(item)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held / len(hashes) < 80, f"{held / len(hashes):.0f} bytes a leaf"
    assert tree.root() == Tree(hashes).root()

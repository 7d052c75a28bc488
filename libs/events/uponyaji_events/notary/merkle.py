"""An append-only Merkle tree in the style of RFC 9162 (Certificate Transparency v2), pure.

Leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right). A tree of n
leaves splits at k, the largest power of two below n: its left subtree holds leaves [0, k) and
is perfect, its right holds [k, n). `Tree` keeps every perfect aligned subtree's hash, so roots,
inclusion proofs and consistency proofs of any prefix cost O(log² n) hashes; `verify_inclusion`
and `verify_consistency` are the RFC's verification algorithms (section 2.1.3.2 and 2.1.4.2).

A notary holds the tree of every event its service ever stored, so each level is one packed
byte string (32 bytes a hash): about 66 bytes a leaf in all, where a list of 32-byte `bytes`
objects took about 147.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = 32  # SHA-256


def leaf_hash(leaf: bytes) -> bytes:
    """The hash of one leaf's data."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node from its children's hashes."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two strictly below n (n >= 2): where the RFC splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def consistency_path(first: int, second: int, mth: Callable[[int, int], bytes]) -> list[bytes]:
    """RFC PROOF(first, D[0:second]), `mth(start, end)` giving the hash of leaves [start, end)."""
    if first in (0, second):
        return []
    return _subproof(first, 0, second, mth, complete=True)


def _subproof(
    m: int, start: int, end: int, mth: Callable[[int, int], bytes], *, complete: bool
) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if complete else [mth(start, end)]
    k = split(n)
    if m <= k:
        return [*_subproof(m, start, start + k, mth, complete=complete), mth(start + k, end)]
    return [*_subproof(m - k, start + k, end, mth, complete=False), mth(start, start + k)]


class Tree:
    """The leaf hashes of a log and the hashes of its perfect aligned subtrees."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        # levels[j][32 i : 32 (i + 1)] is the hash of the perfect subtree of 2**j leaves starting
        # at i * 2**j: one packed byte string a level, not a list of 32-byte objects.
        self.levels: list[bytearray] = [bytearray()]
        for item in leaf_hashes:
            self.append(item)

    @property
    def size(self) -> int:
        """How many leaves the tree holds."""
        return len(self.levels[0]) // HASH_SIZE

    def append(self, leaf_hash_: bytes) -> None:
        """Add one leaf hash at the end, completing any perfect subtree it closes."""
        if len(leaf_hash_) != HASH_SIZE:
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, not {len(leaf_hash_)}")
        self.levels[0] += leaf_hash_
        level = 0
        while (len(self.levels[level]) // HASH_SIZE) % 2 == 0:
            row = self.levels[level]
            if level + 1 == len(self.levels):
                self.levels.append(bytearray())
            pair = bytes(row[-2 * HASH_SIZE :])
            self.levels[level + 1] += node_hash(pair[:HASH_SIZE], pair[HASH_SIZE:])
            level += 1

    def _node(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree of 2**level leaves starting at index * 2**level."""
        at = index * HASH_SIZE
        return bytes(self.levels[level][at : at + HASH_SIZE])

    def _hash(self, start: int, end: int) -> bytes:
        """MTH of leaves [start, end) (start < end)."""
        width = end - start
        if width & (width - 1) == 0 and start % width == 0:
            return self._node(width.bit_length() - 1, start // width)
        k = split(width)
        return node_hash(self._hash(start, start + k), self._hash(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the first `size` leaves (default: all)."""
        n = self.size if size is None else size
        self._check(n)
        return EMPTY_ROOT if n == 0 else self._hash(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path of leaf `index` in the tree of the first `size` leaves (RFC PATH)."""
        n = self.size if size is None else size
        self._check(n)
        if not 0 <= index < n:
            raise ValueError(f"leaf {index} is not in a tree of {n} leaves")
        path: list[bytes] = []
        start, end = 0, n
        while end - start > 1:
            k = split(end - start)
            if index < start + k:
                path.append(self._hash(start + k, end))
                end = start + k
            else:
                path.append(self._hash(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """Proof that the first `first` leaves are a prefix of the first `second` (RFC PROOF)."""
        n = self.size if second is None else second
        self._check(n)
        if not 0 <= first <= n:
            raise ValueError(f"no consistency proof from {first} to {n} leaves")
        return consistency_path(first, n, self._hash)

    def _check(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"the tree has {self.size} leaves, not {size}")


def verify_inclusion(
    leaf_hash_: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """True when `path` proves leaf `index` with this hash is in the tree of `size` with `root`."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_hash_
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when `proof` shows the tree of `first` leaves is a prefix of the tree of `second`."""
    if not 0 <= first <= second:
        return False
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if first == second:
        return not proof and first_root == second_root
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root

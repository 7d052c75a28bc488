"""The signing notary's tree: what signing the next head needs, not every leaf ever stored.

To sign a head of n leaves after one of m, the notary needs the root of the first m leaves (to
check the store still has it), the root of n, and the consistency proof from m to n. Every hash
those take from the first m leaves is one of m's frontier nodes: the perfect aligned subtrees
that make up m in binary (at most log2 m of them). So `LiveTree` keeps the frontier of a base
size and the leaves appended after it, and `rebase` moves the base forward once a head is
signed. Its memory is a few hundred bytes plus the leaves since the last head, where a full
`Tree` grows with every event the service ever stored. Inclusion proofs of old events need the
old leaves: the notary builds a full `Tree` from the store for those.
"""

from __future__ import annotations

from collections.abc import Sequence

from uponyaji_events.notary.merkle import EMPTY_ROOT, Tree, consistency_path, node_hash, split


def decomposition(size: int) -> list[tuple[int, int]]:
    """The perfect aligned subtrees [start, end) making up the first `size` leaves, left first."""
    parts: list[tuple[int, int]] = []
    start = 0
    for bit in reversed(range(size.bit_length())):
        width = 1 << bit
        if size & width:
            parts.append((start, start + width))
            start += width
    return parts


class LiveTree:
    """The frontier of the first `base` leaves and every leaf after them."""

    def __init__(self, base: int = 0, frontier: Sequence[bytes] = ()) -> None:
        parts = decomposition(base)
        if len(parts) != len(frontier):
            raise ValueError(f"a frontier of {base} leaves has {len(parts)} hashes")
        self.base = base
        self._frontier = dict(zip(parts, frontier, strict=True))
        self._after = Tree()  # the leaves from `base` on, indexed from 0

    @property
    def size(self) -> int:
        """How many leaves the log holds."""
        return self.base + self._after.size

    @property
    def held(self) -> int:
        """How many leaves are held (those after the base)."""
        return self._after.size

    def append(self, leaf_hash_: bytes) -> None:
        """Add one leaf hash at the end."""
        self._after.append(leaf_hash_)

    def frontier(self) -> list[bytes]:
        """The hashes of the base's perfect subtrees, left first."""
        return [self._frontier[part] for part in decomposition(self.base)]

    def _hash(self, start: int, end: int) -> bytes:
        """MTH of leaves [start, end): a frontier node, a range after the base, or split."""
        if end <= self.base:
            found = self._frontier.get((start, end))
            if found is not None:
                return found
            if end - start == 1:
                raise ValueError(f"leaf {start} is before the base of {self.base}")
        elif start >= self.base:
            return self._after._hash(start - self.base, end - self.base)
        k = split(end - start)
        return node_hash(self._hash(start, start + k), self._hash(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the first `size` leaves (the base or later; default: all)."""
        n = self.size if size is None else size
        self._check(n)
        return EMPTY_ROOT if n == 0 else self._hash(0, n)

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """Proof that the first `first` leaves are a prefix of the first `second` (RFC PROOF)."""
        n = self.size if second is None else second
        self._check(first)
        self._check(n)
        if first > n:
            raise ValueError(f"no consistency proof from {first} to {n} leaves")
        return consistency_path(first, n, self._hash)

    def rebase(self, size: int) -> None:
        """Keep only the frontier of the first `size` leaves and the leaves after them."""
        self._check(size)
        frontier = {part: self._hash(*part) for part in decomposition(size)}
        after = Tree()
        for index in range(size, self.size):
            after.append(self._after._hash(index - self.base, index - self.base + 1))
        self.base, self._frontier, self._after = size, frontier, after

    def _check(self, size: int) -> None:
        if not self.base <= size <= self.size:
            raise ValueError(f"the tree holds leaves {self.base}..{self.size}, not {size}")

"""The cyclic garbage collector set for a service process: start-up frozen, young ones rarer.

Measured in psychosocial under the PHQ-9 closed loop (`gc.callbacks` timing each collection):
about 3 % of its CPU went to full collections, each walking everything start-up built (imports,
the policy, the contracts, pydantic's validators, the routes: 40-80 ms a collection), and 1-2 %
to young collections (about 0.5 ms each, one per 25-30 commands), whose cost barely depends on
how many objects are young. After `settle_heap()` the full collections skip the frozen start-up
heap and the young ones run about fourteen times less often.
"""

from __future__ import annotations

import gc

# Container allocations (net) between young collections; CPython's default is 700. At this
# threshold at most this many more objects wait for the collector (cyclic garbage only:
# everything else is freed at once by reference counting), a few megabytes at most.
YOUNG_THRESHOLD = 10_000

_settled = False  # settled once per process (tests start many apps in one)


def settle_heap() -> None:
    """Once per process, after start-up: collect, freeze what is left, collect young less often.

    The collection first keeps garbage out of the frozen heap. Frozen objects are still freed
    by reference counting; only the cyclic collector stops walking them."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_THRESHOLD), middle, old)

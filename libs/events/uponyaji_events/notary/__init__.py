"""The notary: a Merkle log (RFC 9162 style) over a service's events, with external tree heads."""

from uponyaji_events.notary.audit import check_heads, verify_store
from uponyaji_events.notary.errors import NotNotarised, StoreBroken
from uponyaji_events.notary.heads import HeadsFile, HeadsFileError, TreeHead
from uponyaji_events.notary.log import Notary
from uponyaji_events.notary.status import NotaryStatus

__all__ = [
    "HeadsFile",
    "HeadsFileError",
    "NotNotarised",
    "Notary",
    "NotaryStatus",
    "StoreBroken",
    "TreeHead",
    "check_heads",
    "verify_store",
]

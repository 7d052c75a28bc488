"""Payment references: a keyed digest to refuse one used twice without keeping it in clear."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"uponyaji empowerment payment reference digest v1"


@dataclass(frozen=True)
class References:
    """HMAC-SHA-256 under a key derived (HKDF) from the service's KEK."""

    key: bytes = field(repr=False)

    @classmethod
    def from_kek(cls, kek: bytes) -> References:
        """The digest key for this service's KEK."""
        return cls(HKDF(hashes.SHA256(), 32, salt=None, info=_INFO).derive(kek))

    def digest(self, reference: str) -> str:
        """The digest of a reference, ignoring case and spaces (`qgh 7xk` = `QGH7XK`)."""
        normal = "".join(reference.split()).upper()
        return hmac.new(self.key, normal.encode("utf-8"), hashlib.sha256).hexdigest()

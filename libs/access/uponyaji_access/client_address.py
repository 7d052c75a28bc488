"""The client's address: the direct peer, or what trusted proxies say it was.

`X-Forwarded-For` is honoured only when the direct peer is one of the configured trusted proxies
(`UPONYAJI_TRUSTED_PROXIES`, comma-separated addresses or networks, e.g.
`10.0.0.5,192.168.10.0/24`). The header is then read from the right, skipping the addresses of
trusted proxies: the first untrusted address is the client. Anyone else's header is ignored, so a
client cannot choose the address its rate limits, lockouts and audit records are kept under.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import Request

TRUSTED_PROXIES_ENV = "UPONYAJI_TRUSTED_PROXIES"
FORWARDED_FOR = "x-forwarded-for"
UNKNOWN = "unknown"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxiesError(ValueError):
    """The list of trusted proxies names something that is not an address or a network."""


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class TrustedProxies:
    """The proxies whose `X-Forwarded-For` is believed."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> TrustedProxies:
        """From `10.0.0.5,192.168.10.0/24` (empty: none trusted)."""
        networks = []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise TrustedProxiesError(
                    f"{TRUSTED_PROXIES_ENV}: {item!r} is not an address or a network"
                ) from exc
        return cls(tuple(networks))

    @classmethod
    def from_environment(cls) -> TrustedProxies:
        """The proxies of `UPONYAJI_TRUSTED_PROXIES` (none when unset)."""
        return cls.parse(os.environ.get(TRUSTED_PROXIES_ENV, ""))

    def trusts(self, address: str) -> bool:
        """Whether an address is one of the trusted proxies."""
        found = _address(address)
        return found is not None and any(found in network for network in self.networks)

    def client(self, peer: str | None, forwarded_for: Iterable[str] = ()) -> str:
        """The client's address given the direct peer and the `X-Forwarded-For` header values."""
        if peer is None:
            return UNKNOWN
        if not self.trusts(peer):
            return peer
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return peer  # a malformed hop: believe nothing further left
            if not self.trusts(str(address)):
                return str(address)
        return hops[0].strip() if hops and _address(hops[0]) else peer

    def of(self, request: Request) -> str:
        """The client address of a request."""
        peer = request.client.host if request.client is not None else None
        return self.client(peer, request.headers.getlist(FORWARDED_FOR))

"""A health probe for the image (slim images carry no curl): GET a service's /ready or /health."""

from __future__ import annotations

import httpx


def probe(
    port: int, path: str = "/ready", timeout: float = 3.0, *, tls: bool = False
) -> tuple[bool, str]:
    """(ok, what was seen) for `GET http(s)://127.0.0.1:<port><path>`; ok means a 200 answer.

    Over TLS the certificate is not checked: the probe talks to its own container's loopback,
    where the certificate's name (the service's DNS name) cannot match.
    """
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}{path}"
    try:
        response = httpx.get(url, timeout=timeout, trust_env=False, verify=not tls)
    except httpx.HTTPError as exc:
        return False, f"{url}: {type(exc).__name__}"
    return response.status_code == 200, f"{url}: {response.status_code}"

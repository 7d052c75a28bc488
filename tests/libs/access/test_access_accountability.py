"""The access library's accountability parts: the client address behind trusted proxies, keyed
audit hashes, and the per-staff search limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from uponyaji_access import AuditKey, SlidingWindow, TooManyRequests, TrustedProxies
from uponyaji_access.client_address import TrustedProxiesError
from uponyaji_access.keyed_hash import AuditKeyError

KEY = b"k" * 32
PROXIES = TrustedProxies.parse("10.0.0.5, 192.168.10.0/24,2001:db8::/32")


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # not a proxy: its header is ignored
        ("10.0.0.5", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.5", ["6.6.6.6, 198.51.100.1, 192.168.10.7"], "198.51.100.1"),  # spoofed left
        ("10.0.0.5", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # several header lines
        ("10.0.0.5", [], "10.0.0.5"),
        ("10.0.0.5", ["not-an-address"], "10.0.0.5"),
        ("10.0.0.5", ["198.51.100.1, garbage"], "10.0.0.5"),  # believe nothing past garbage
        ("2001:db8::1", ["2001:db9::7"], "2001:db9::7"),
        (None, ["198.51.100.1"], "unknown"),
    ],
)
def test_the_client_is_the_first_untrusted_address_from_the_right(
    peer: str | None, forwarded: list[str], client: str
) -> None:
    assert PROXIES.client(peer, forwarded) == client


def test_no_proxy_is_trusted_by_default_and_bad_entries_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("UPONYAJI_TRUSTED_PROXIES", raising=False)
    assert TrustedProxies.from_environment().client("10.0.0.5", ["1.2.3.4"]) == "10.0.0.5"
    with pytest.raises(TrustedProxiesError, match=r"'proxy\.local' is not an address"):
        TrustedProxies.parse("10.0.0.5,proxy.local")


def test_keyed_hashes_match_equal_text_hide_it_and_differ_per_use_and_key() -> None:
    key = AuditKey(KEY)
    assert key.query("  Test  SURVIVOR alpha ") == key.query("test survivor alpha")
    assert key.query("test survivor alpha") != key.username("test survivor alpha")
    assert key.query("alpha") != AuditKey(b"j" * 32).query("alpha")
    assert "alpha" not in key.query("alpha")


def test_the_audit_key_comes_from_its_file_and_must_be_long_enough(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "audit.key"
    path.write_bytes(KEY + b"\n")
    monkeypatch.setenv("UPONYAJI_AUDIT_KEY_FILE", str(path))
    assert AuditKey.from_environment().query("x") == AuditKey(KEY).query("x")
    path.write_bytes(b"short")
    with pytest.raises(AuditKeyError, match="at least 32 bytes"):
        AuditKey.from_environment()
    monkeypatch.delenv("UPONYAJI_AUDIT_KEY_FILE")
    assert AuditKey.from_environment().ephemeral


def test_the_search_limit_is_per_key_and_slides() -> None:
    now = [0.0]
    window = SlidingWindow(3, 60.0, what="searches", clock=lambda: now[0])
    for _ in range(3):
        window.hit("staff-a")
    with pytest.raises(TooManyRequests) as refused:
        window.hit("staff-a")
    assert refused.value.status_code == 429
    assert refused.value.headers == {"Retry-After": "60"}
    window.hit("staff-b")  # someone else's budget
    now[0] = 60.5
    window.hit("staff-a")  # the oldest search left the window

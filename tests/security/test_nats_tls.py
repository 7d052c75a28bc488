"""NATS over TLS, as production runs it: a private CA, the server's certificate, users on top."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from uponyaji_events.natsauth import NatsCredentials
from uponyaji_events.natsconn import connect, ensure_stream
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.natsauth import NatsAuthConfig, NatsTls, service_user
from uponyaji_launcher.ports import free_port


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def make_ca_and_server(folder: Path) -> NatsTls:
    """A self-signed CA and a server certificate for 127.0.0.1 signed by it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Uponyaji test CA"))
        .issuer_name(_name("Uponyaji test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("nats.test"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(folder / "server.key", key)
    return NatsTls(folder / "server.pem", folder / "server.key", folder / "ca.pem")


@pytest.fixture
def tls_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A nats-server that speaks only TLS, with intake's user."""
    tls = make_ca_and_server(tmp_path)
    auth = NatsAuthConfig(users=[service_user("intake", ())], tls=tls)
    server = EmbeddedNats(store_dir=tmp_path / "nats", port=free_port(), auth=auth)
    server.start()
    yield server
    server.stop()


async def test_a_service_connects_over_tls_trusting_the_private_ca(
    tls_nats: EmbeddedNats, tmp_path: Path
) -> None:
    user = tls_nats.auth.user("intake")
    creds = NatsCredentials(user.name, user.password, ca_file=tmp_path / "ca.pem")
    nc = await connect(tls_nats.plain_url, "intake-tls", credentials=creds)
    try:
        assert nc.is_connected
        await ensure_stream(nc.jetstream(), "intake")
        ack = await nc.jetstream().publish("intake.case.Opened", b"{}")
        assert ack.stream == "INTAKE"
    finally:
        await nc.close()


async def test_without_the_ca_or_without_tls_the_client_is_refused(
    tls_nats: EmbeddedNats,
) -> None:
    user = tls_nats.auth.user("intake")
    untrusting = NatsCredentials(user.name, user.password)  # system CAs only
    with pytest.raises(Exception):  # noqa: B017,PT011 - certificate verify failed / no servers
        await nats.connect(
            tls_nats.plain_url,
            allow_reconnect=False,
            connect_timeout=2,
            **untrusting.connect_options(),
            tls=ssl.create_default_context(),
        )
    with pytest.raises(Exception):  # noqa: B017,PT011 - the server requires TLS
        await nats.connect(
            f"nats://127.0.0.1:{tls_nats.port}",
            allow_reconnect=False,
            connect_timeout=2,
            user=user.name,
            password=user.password,
        )

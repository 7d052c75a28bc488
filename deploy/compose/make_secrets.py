"""Write every secret file the compose stack mounts into one directory (each 0600, nothing printed).

    .venv/bin/python deploy/compose/make_secrets.py deploy/compose/secrets

The portal: `portal.kek` (encrypts its session cookie). Per service: `<name>.pgpass` (its
owner and runtime roles' passwords, a libpq passfile),
`<name>.kek` (key-encryption key), `<name>.nats.json` (NATS user), `<name>.client-secret` (for
service tokens; identity gets `identity.service-clients`, their argon2id hashes),
`<name>-signing/` (event-signing key), `<name>.crt`/`<name>.key` (HTTPS). Shared: `ca.crt` (the
private CA every service trusts), `audit.key` (keys the hashes of search texts and usernames in
audit records; one for every service), `postgres-password` (superuser, for the init script only)
and `nats-users.conf` (the NATS users and their subject permissions, included by every node).
Existing files are kept, so running it again only fills in what is missing.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import secrets
import sys
from pathlib import Path

from argon2 import PasswordHasher
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from uponyaji_events.signing import ensure_signing_key
from uponyaji_launcher.natsauth import service_user
from uponyaji_launcher.services import KNOWN_SERVICES

# The services with a database, NATS user and keys (the portal only calls the others' APIs).
SERVICES = {spec.name: spec.consumes for spec in KNOWN_SERVICES}
WEB = ("portal", *SERVICES)
VALID_DAYS = 825


def private(path: Path, data: bytes | str) -> bool:
    """Create a 0600 file unless it exists; True when it was written."""
    if path.exists():
        return False
    raw = data.encode() if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(raw)
    return True


def token() -> str:
    """A fresh random secret."""
    return secrets.token_urlsafe(32)


def passfile(service: str) -> str:
    """The service's passfile: its owner (migrations) and runtime roles, on any host (compose
    and Kubernetes name the database server differently)."""
    return "".join(f"*:*:{service}:{service}_{role}:{token()}\n" for role in ("owner", "app"))


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def certificates(out: Path) -> None:
    """A private CA (its key kept beside it) and a server certificate per web service."""
    now = dt.datetime.now(dt.UTC)
    ca_key_path, ca_path = out / "ca.key", out / "ca.crt"
    if ca_path.exists():
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
        ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    else:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = (
            x509.CertificateBuilder()
            .subject_name(_name("Uponyaji private CA"))
            .issuer_name(_name("Uponyaji private CA"))
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        private(ca_key_path, _pem_key(ca_key))
        private(ca_path, ca.public_bytes(serialization.Encoding.PEM))
    for service in WEB:
        if (out / f"{service}.crt").exists():
            continue
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.DNSName(service), x509.DNSName("localhost")]
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(service))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        private(out / f"{service}.key", _pem_key(key))
        private(out / f"{service}.crt", cert.public_bytes(serialization.Encoding.PEM))


def nats_users(out: Path) -> None:
    """Each service's NATS user (credentials file) and the server's users file."""
    users = []
    for service, consumes in SERVICES.items():
        creds = out / f"{service}.nats.json"
        password = json.loads(creds.read_text())["password"] if creds.exists() else token()
        user = service_user(service, consumes, password)
        private(creds, json.dumps({"user": user.name, "password": user.password}) + "\n")
        users.append(user.config())
    conf = out / "nats-users.conf"
    conf.unlink(missing_ok=True)  # rewritten from the credentials files: always in step
    private(conf, "authorization " + json.dumps({"users": users}, indent=2) + "\n")


def clients(out: Path) -> None:
    """A client secret per service but identity; identity's file of their argon2id hashes."""
    hasher, lines = PasswordHasher(), ["# <service>:<argon2id hash of its client secret>"]
    for service in SERVICES:
        if service == "identity":
            continue
        path = out / f"{service}.client-secret"
        private(path, token())
        lines.append(f"{service}:{hasher.hash(path.read_text())}")
    hashes_file = out / "identity.service-clients"
    hashes_file.unlink(missing_ok=True)
    private(hashes_file, "\n".join(lines) + "\n")


def make(out: Path) -> None:
    """Fill `out` with every secret the stack needs."""
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    private(out / "postgres-password", token())
    private(out / "audit.key", secrets.token_hex(32))  # 64 bytes of text, 256 bits
    # The portal's key encrypts its session cookie (it has no database, events or NATS user).
    private(out / "portal.kek", base64.b64encode(secrets.token_bytes(32)))
    for service in SERVICES:
        private(out / f"{service}.pgpass", passfile(service))
        private(out / f"{service}.kek", base64.b64encode(secrets.token_bytes(32)))
        ensure_signing_key(out / f"{service}-signing")
    nats_users(out)
    clients(out)
    certificates(out)


def main(argv: list[str] | None = None) -> int:
    """Command line: the output directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory for the secret files")
    args = parser.parse_args(argv)
    make(args.out)
    print(f"secrets in {args.out} (keep it out of version control; back it up offline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

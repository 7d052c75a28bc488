"""`uponyaji-serve`: serve one service, check the image's services, or probe a running one.

uponyaji-serve intake                # uvicorn serving intake on 0.0.0.0:$INTAKE_PORT (8002)
uponyaji-serve check [--require a,b] # import every installed service's app factory
uponyaji-serve probe intake          # exit 0 when intake's /ready answers 200 (health checks;
                                     #   the portal's /health: it has no /ready)
uponyaji-serve list                  # services and the packages they resolve to
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from uponyaji_serve.catalogue import (
    SERVICES,
    UnknownService,
    installed,
    load_factory,
    ready_path,
    resolve,
)
from uponyaji_serve.probe import probe
from uponyaji_serve.secretfiles import missing_files

HOST_ENV = "UPONYAJI_HOST"
WORKERS_ENV = "UPONYAJI_WORKERS"
# HTTPS served by uvicorn itself (identity must be reached over https in production).
TLS_CERT_ENV, TLS_KEY_ENV = "UPONYAJI_TLS_CERT_FILE", "UPONYAJI_TLS_KEY_FILE"
DEVELOPMENT = frozenset({"development", "test"})
# In a container the service must answer on the pod/container address, not only loopback.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104
# Seconds uvicorn's supervisor waits for a worker to answer its health ping before killing it
# (uvicorn's default is 5 s). A worker answers from a thread once started; on a busy host or under
# a CPU quota, starting a worker (a fresh interpreter importing the service) took longer than 5 s,
# so the supervisor killed every new worker and the service never became ready.
WORKER_PING_ENV = "UPONYAJI_WORKER_PING_TIMEOUT"
WORKER_PING_SECONDS = 60
# Seconds uvicorn keeps an idle connection open (its default is 5 s), above the idle timeout of
# any client or proxy in front of a service.
KEEP_ALIVE_SECONDS = 75


class ServeError(ValueError):
    """The service cannot be served as configured (the message says why)."""


def port_of(service: str, environ: Mapping[str, str]) -> int:
    """`<NAME>_PORT`, else the catalogue's default port."""
    raw = environ.get(f"{service.upper()}_PORT", "").strip()
    if not raw:
        return SERVICES[service]
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ServeError(f"{service.upper()}_PORT={raw!r} is not a TCP port (1..65535)")
    return int(raw)


def workers_of(environ: Mapping[str, str]) -> int:
    """`UPONYAJI_WORKERS` (uvicorn worker processes), default 1."""
    raw = environ.get(WORKERS_ENV, "").strip() or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= 64:
        raise ServeError(f"{WORKERS_ENV}={raw!r} is not a worker count (1..64)")
    return int(raw)


def worker_ping_of(environ: Mapping[str, str]) -> int:
    """`UPONYAJI_WORKER_PING_TIMEOUT` (seconds a worker may take to answer), default 60."""
    raw = environ.get(WORKER_PING_ENV, "").strip() or str(WORKER_PING_SECONDS)
    if not raw.isdigit() or not 5 <= int(raw) <= 600:
        raise ServeError(f"{WORKER_PING_ENV}={raw!r} is not a number of seconds (5..600)")
    return int(raw)


def serve_command(
    service: str, environ: Mapping[str, str], python: str = sys.executable
) -> tuple[list[str], dict[str, str]]:
    """The uvicorn command line and environment that serve `service` (nothing started)."""
    resolved = resolve(service)
    env = dict(environ)
    if env.get("UPONYAJI_ENV", "production").strip() not in DEVELOPMENT:
        missing = missing_files(service, env)
        if missing:
            raise ServeError(f"secret files not mounted: {', '.join(missing)}")
    argv = [
        python,
        "-m",
        "uvicorn",
        "--factory",
        resolved.factory_path,
        "--host",
        env.get(HOST_ENV, "").strip() or ALL_INTERFACES,
        "--port",
        str(port_of(service, env)),
        "--workers",
        str(workers_of(env)),
        "--timeout-worker-healthcheck",
        str(worker_ping_of(env)),
        # The client's address is the application's to judge (UPONYAJI_TRUSTED_PROXIES): uvicorn
        # must not rewrite it from X-Forwarded-For, or any caller could choose the address its
        # sign-in locks and audit records are kept under.
        "--no-server-header",
        "--no-proxy-headers",
        # Idle connections are kept longer than any client or proxy in front keeps them (load
        # balancers commonly 60 s), so the client always gives up first: a server closing a
        # connection just as a client reuses it drops that request.
        "--timeout-keep-alive",
        str(KEEP_ALIVE_SECONDS),
    ]
    argv += tls_options(env)
    return argv, env


def tls_options(environ: Mapping[str, str]) -> list[str]:
    """uvicorn's certificate and key options when both TLS files are named (neither: plain)."""
    cert, key = environ.get(TLS_CERT_ENV, "").strip(), environ.get(TLS_KEY_ENV, "").strip()
    if bool(cert) != bool(key):
        raise ServeError(f"set both {TLS_CERT_ENV} and {TLS_KEY_ENV}, or neither")
    if not cert:
        return []
    for name, path in ((TLS_CERT_ENV, cert), (TLS_KEY_ENV, key)):
        if not os.path.isfile(path):
            raise ServeError(f"{name}={path} does not exist")
    return ["--ssl-certfile", cert, "--ssl-keyfile", key]


def check(required: Sequence[str]) -> int:
    """Import every installed service's factory; 1 when one fails or a required one is absent."""
    failures = 0
    found = {item.service: item for item in installed()}
    for service in SERVICES:
        item = found.get(service)
        if item is None:
            status = "MISSING" if service in required else "not installed"
            failures += service in required
            print(f"{service:14} {status}")
            continue
        try:
            load_factory(item)
        except Exception as exc:  # any import failure is what this check is for
            failures += 1
            print(f"{service:14} FAILED {item.factory_path}: {type(exc).__name__}: {exc}")
            continue
        print(f"{service:14} ok {item.factory_path}")
    return 1 if failures else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="uponyaji-serve", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    checking = sub.add_parser("check", help="import every installed service's app factory")
    checking.add_argument("--require", default="", help="comma-separated services that must exist")
    probing = sub.add_parser("probe", help="exit 0 when the service's readiness path answers 200")
    probing.add_argument("service", choices=sorted(SERVICES))
    probing.add_argument("--path", default=None, help="default: /ready (the portal: /health)")
    sub.add_parser("list", help="the services and the packages they resolve to")
    for service in SERVICES:
        sub.add_parser(service, help=f"serve {service} (default port {SERVICES[service]})")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; serving a service replaces this process with uvicorn."""
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    if args.command == "check":
        required = [name.strip() for name in args.require.split(",") if name.strip()]
        return check(required)
    if args.command == "list":
        for item in installed():
            print(f"{item.service:14} {item.factory_path}")
        return 0
    try:
        if args.command == "probe":
            tls = bool(os.environ.get(TLS_CERT_ENV, "").strip())
            path = args.path or ready_path(args.service)
            ok, seen = probe(port_of(args.service, os.environ), path, tls=tls)
            print(seen)
            return 0 if ok else 1
        command, env = serve_command(args.command, os.environ)
    except (ServeError, UnknownService) as exc:
        print(f"uponyaji-serve: {exc}", file=sys.stderr)
        return 2
    os.execve(command[0], command, env)  # noqa: S606 - uvicorn replaces this process (PID 1)


if __name__ == "__main__":
    raise SystemExit(main())

#!/bin/sh
# Build the image's Python base locally, where no container registry is reachable: a minimal
# Debian bookworm (debootstrap) with its python3 (3.11) and venv, imported into Docker as a tag.
#
#   sudo sh deploy/image/local_base.sh [TAG] [MIRROR]      # default tag uponyaji-base:bookworm
#   docker build --network host --build-arg PYTHON_IMAGE=uponyaji-base:bookworm \
#       -f deploy/image/Dockerfile -t uponyaji:0.1.0 .
#
# Needs root, debootstrap and a reachable Debian mirror (the image build itself then needs PyPI).
# Where HTTPS leaves through a TLS-intercepting proxy, name its CA certificate(s) in
# EXTRA_CA_CERTS: they go into a second tag, TAG-build, for the build stage only
# (--build-arg BUILD_IMAGE=TAG-build), so the image that runs never trusts the proxy.
# Debian's interpreter is /usr/bin/python3; the official python image's is /usr/local/bin/python3:
# the Dockerfile and build.sh call `python3` from PATH, so either base works.
set -eu
tag=${1:-uponyaji-base:bookworm}
mirror=${2:-http://deb.debian.org/debian}
root=$(mktemp -d "${TMPDIR:-/tmp}/uponyaji-base.XXXXXX")
trap 'rm -rf "$root"' EXIT

debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$root" "$mirror"
# What a container never needs: package lists and caches, documentation, translations.
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/var/log/* "$root"/tmp/*
tar -C "$root" --numeric-owner -c . | docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["python3"]' \
    --message "debootstrap --variant=minbase bookworm + python3, python3-venv" \
    - "$tag"
docker image inspect --format '{{.Id}} {{.Size}}' "$tag"

if [ -n "${EXTRA_CA_CERTS:-}" ]; then
    context="$root/build-context"
    mkdir -p "$context"
    for cert in $EXTRA_CA_CERTS; do
        cp "$cert" "$context/extra-$(basename "$cert" .crt).crt"
    done
    # pip carries its own CA bundle: PIP_CERT makes it use the system's, which now has the proxy's.
    printf '%s\n' "FROM $tag" \
        'COPY *.crt /usr/local/share/ca-certificates/' \
        'RUN update-ca-certificates' \
        'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
        | docker build --quiet -t "$tag-build" -f - "$context"
fi

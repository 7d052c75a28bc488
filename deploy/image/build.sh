#!/bin/sh
# Build the services' virtual environment the image ships: the same steps in the Dockerfile and
# in the tests (tests/deploy/test_image.py), so the build is exercised without a container daemon.
#
#   sh deploy/image/build.sh SOURCE_DIR VENV_DIR [PYTHON]
#
# SOURCE_DIR holds constraints.txt, libs/, services/ and deploy/image/. Every workspace package is
# built into a wheel, then installed with its declared dependencies pinned by constraints.txt, so a
# dependency a service imports but does not declare fails `uponyaji-serve check` at the end.
set -eu
src=$1
venv=$2
python=${3:-python3}
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --no-cache-dir -c "$src/constraints.txt" "setuptools>=68"
for project in "$src"/libs/*/ "$src"/services/*/ "$src"/deploy/image/; do
    if [ -f "$project/pyproject.toml" ]; then
        # From a clean copy: a left-over build/ directory would put stale modules in the wheel.
        clean="$wheels/src/$(basename "$project")"
        mkdir -p "$clean"
        cp -R "$project/." "$clean/"
        rm -rf "$clean/build" "$clean"/*.egg-info
        find "$clean" -name __pycache__ -type d -prune -exec rm -rf {} +
        "$venv/bin/python" -m pip wheel --quiet --no-cache-dir --no-deps --no-build-isolation \
            --wheel-dir "$wheels" "$clean"
    fi
done
"$venv/bin/python" -m pip install --quiet --no-cache-dir -c "$src/constraints.txt" \
    --find-links "$wheels" "$wheels"/*.whl
# The build backend is not needed at run time.
"$venv/bin/python" -m pip uninstall --quiet --yes setuptools
"$venv/bin/uponyaji-serve" check --require "$(cd "$src/services" && ls -d -- */ | tr -d / | tr '\n' ',')"

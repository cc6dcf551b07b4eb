#!/usr/bin/env bash
# Run the collection's test suite: builds (or reuses) the test virtualenv, then runs pytest.
# The integration tests start their own heat-engine test bed (tests/testbed/heat_testbed.py).
# Usage: tests/run-tests.sh [pytest arguments]
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$("$repo_root/tests/ensure-venv.sh")

cd "$repo_root"
set +e
"$venv/bin/python" -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure here" >&2
    exit 1
fi
exit "$status"

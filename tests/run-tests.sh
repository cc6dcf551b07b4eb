#!/usr/bin/env bash
# Run the collection's test suite: builds (or reuses) the test virtualenv, then runs pytest.
# The integration tests start their own heat-engine test bed (tests/testbed/heat_testbed.py).
# Usage: tests/run-tests.sh [pytest arguments]
# Test files are spread over HEAT_RPC_TEST_WORKERS pytest-xdist workers (default 2; 1 runs them in one
# process): a worker whose files need the engine starts a test bed of its own, so the engines never share
# a queue. With HEAT_RPC_TESTBED set (one running test bed for a dev loop), the default is 1.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$("$repo_root/tests/ensure-venv.sh")

default_workers=2
[ -z "${HEAT_RPC_TESTBED:-}" ] || default_workers=1
workers=${HEAT_RPC_TEST_WORKERS:-$default_workers}
parallel=()
if [ "$workers" -gt 1 ] && "$venv/bin/python" -c 'import xdist' 2>/dev/null; then
    # --dist loadfile: the tests of one file share its module-scoped stacks and run in order.
    parallel=(-n "$workers" --dist loadfile)
fi

cd "$repo_root"
set +e
"$venv/bin/python" -m pytest "${parallel[@]}" "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure here" >&2
    exit 1
fi
exit "$status"

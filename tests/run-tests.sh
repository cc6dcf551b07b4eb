#!/usr/bin/env bash
# Run the collection's test suite: builds (or reuses) the test virtualenv, then runs pytest.
# The integration tests start their own heat-engine test bed (tests/testbed/heat_testbed.py).
# Usage: tests/run-tests.sh [pytest arguments]
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_dir=${HEAT_RPC_CACHE_DIR:-$HOME/.cache/heat_rpc}
python=${HEAT_RPC_TEST_PYTHON:-python3}

# The virtualenv's name carries a hash of what is in it, so a changed requirement builds a new one.
key=$( (cat "$repo_root/tests/requirements.txt"; "$python" --version) | sha256sum | cut -c1-12)
venv="$cache_dir/test-venv-$key"
# A virtualenv cannot be moved once built, so it is built in place and marked complete at the end;
# one without the mark (an interrupted build) is thrown away.
mkdir -p "$cache_dir"
exec 9>"$cache_dir/test-venv.lock"
flock 9  # two runs at once must not build the same virtualenv together
if [ ! -f "$venv/.complete" ]; then
    echo "building the test virtualenv in $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$repo_root/tests/requirements.txt"
    touch "$venv/.complete"
fi
flock -u 9

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

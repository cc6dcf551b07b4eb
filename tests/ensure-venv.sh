#!/usr/bin/env bash
# Build (once) the virtualenv with ansible-core, oslo.messaging, PyYAML and pytest from
# tests/requirements.txt (or the file HEAT_RPC_TEST_REQUIREMENTS names), and print its path.
# Used by tests/run-tests.sh and examples/demo.sh.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache_dir=${HEAT_RPC_CACHE_DIR:-$HOME/.cache/heat_rpc}
python=${HEAT_RPC_TEST_PYTHON:-python3}
requirements=${HEAT_RPC_TEST_REQUIREMENTS:-$repo_root/tests/requirements.txt}

# The name carries a hash of the requirements and the interpreter, so a change builds a new one.
key=$( (cat "$requirements"; "$python" --version) | sha256sum | cut -c1-12)
venv="$cache_dir/test-venv-$key"

mkdir -p "$cache_dir"
exec 9>"$cache_dir/test-venv.lock"
flock 9  # two runs at once must not build the same virtualenv together
# A virtualenv cannot be moved once built, so it is built in place and marked complete at the end;
# one without the mark (an interrupted build) is thrown away.
if [ ! -f "$venv/.complete" ]; then
    echo "building the test virtualenv in $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$requirements"
    touch "$venv/.complete"
fi
echo "$venv"

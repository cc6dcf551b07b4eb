#!/usr/bin/env bash
# Module smoke run on the newest ansible-core: create, re-apply, check --diff, update and delete a
# stack through ansible-playbook (tests/integration/test_demo_playbook.py) against a test bed of its own,
# in a test virtualenv on Python 3.12 (ansible-core 2.20 and later need 3.12 or newer) built from
# tests/requirements-core-newest.txt.
#   tests/run-smoke-newest-core.sh [PYTHON_VERSION [pytest arguments]]   default: 3.12
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HEAT_RPC_TEST_PYTHON=$("$repo_root/tests/find-python.sh" "${1:-3.12}")
HEAT_RPC_TEST_REQUIREMENTS=$repo_root/tests/requirements-core-newest.txt
export HEAT_RPC_TEST_PYTHON HEAT_RPC_TEST_REQUIREMENTS
venv=$("$repo_root/tests/ensure-venv.sh")
echo "smoke run with $("$venv/bin/ansible-playbook" --version | head -1) on $("$venv/bin/python" --version)"
exec "$repo_root/tests/run-tests.sh" "$repo_root/tests/integration/test_demo_playbook.py" "${@:2}"

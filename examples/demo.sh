#!/usr/bin/env bash
# Bring up a local heat-engine test bed (named "demo") and run an example playbook against it.
#   examples/demo.sh [playbook]     default: examples/stack_info.yml
#   examples/demo.sh --down         stop the demo engine and remove its vhost and database
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
testbed="$repo_root/tests/testbed/heat_testbed.py"
if [ "${1:-}" = "--down" ]; then
    exec python3 "$testbed" down --name demo
fi
playbook=${1:-$repo_root/examples/stack_info.yml}

venv=$("$repo_root/tests/ensure-venv.sh")
python3 "$testbed" up --name demo >/dev/null
# shellcheck disable=SC1090  # connection.env is written by the test bed
. "$("$venv/bin/python" -c 'import os; print(os.path.expanduser(os.environ.get("HEAT_RPC_CACHE_DIR", "~/.cache/heat_rpc")))')/testbeds/demo/connection.env"

# Make the checkout visible as ansible_collections/heat_rpc/engine without installing it.
collections=$(mktemp -d)
trap 'rm -rf "$collections"' EXIT
mkdir -p "$collections/ansible_collections/heat_rpc"
ln -s "$repo_root" "$collections/ansible_collections/heat_rpc/engine"

ANSIBLE_COLLECTIONS_PATH="$collections" "$venv/bin/ansible-playbook" -i localhost, -c local \
    -e "ansible_python_interpreter=$venv/bin/python" "$playbook"

#!/usr/bin/env bash
# Bring up a local heat-engine test bed (named "demo") and show the collection's main job on it:
# create a stack with a nested template, print its output, re-apply it (changed=0), preview a parameter
# change in check mode with --diff, apply it, and delete the stack (examples/stack_lifecycle.yml).
#   examples/demo.sh                run the steps above
#   examples/demo.sh PLAYBOOK       run another playbook against the demo engine instead
#                                   (e.g. examples/stack_info.yml)
#   examples/demo.sh --down         stop the demo engine and remove its vhost and database
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
testbed="$repo_root/tests/testbed/heat_testbed.py"
if [ "${1:-}" = "--down" ]; then
    exec python3 "$testbed" down --name demo
fi

venv=$("$repo_root/tests/ensure-venv.sh")
echo "Starting heat-engine test bed \"demo\" (the first run builds the engine's virtualenv)..."
python3 "$testbed" up --name demo >/dev/null
# shellcheck disable=SC1090  # connection.env is written by the test bed
. "$("$venv/bin/python" -c 'import os; print(os.path.expanduser(os.environ.get("HEAT_RPC_CACHE_DIR", "~/.cache/heat_rpc")))')/testbeds/demo/connection.env"

# Make the checkout visible as ansible_collections/heat_rpc/engine without installing it.
collections=$(mktemp -d)
trap 'rm -rf "$collections"' EXIT
mkdir -p "$collections/ansible_collections/heat_rpc"
ln -s "$repo_root" "$collections/ansible_collections/heat_rpc/engine"

playbook() {
    ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_RETRY_FILES_ENABLED=0 "$venv/bin/ansible-playbook" \
        -i localhost, -c local -e "ansible_python_interpreter=$venv/bin/python" "$@"
}

if [ $# -gt 0 ]; then
    playbook "$@"
    exit
fi

lifecycle=$repo_root/examples/stack_lifecycle.yml
step() {
    printf '\n##### %s\n##### ansible-playbook examples/stack_lifecycle.yml %s\n' "$1" "${*:2}"
    playbook "$lifecycle" "${@:2}"
}
step "1/5 Create the stack (a nested template and an output)"
step "2/5 Apply the same again: nothing is sent, the recap says changed=0"
step "3/5 Preview a parameter change: check mode shows the diff, writes nothing" \
    --check --diff -e demo_greeting=bonjour
step "4/5 Apply the change" -e demo_greeting=bonjour
step "5/5 Delete the stack" -e demo_state=absent
printf '\nDone. The engine keeps running for your own playbooks:\n'
printf '  . %s/testbeds/demo/connection.env && ansible-playbook ...\n' "${HEAT_RPC_CACHE_DIR:-~/.cache/heat_rpc}"
printf 'Stop it with: examples/demo.sh --down\n'

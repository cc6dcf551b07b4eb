#!/usr/bin/env bash
# Run the molecule scenarios under extensions/molecule (collection layout) against a heat-engine test
# bed that each scenario starts in `create` and removes in `destroy`.
#   tests/sanity/run-molecule.sh [SCENARIO [molecule test arguments]]     default: every scenario
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=$("$repo_root/tests/sanity/ensure-tool-venv.sh" molecule "$repo_root/extensions/molecule/requirements.txt")

# The scenarios use the collection by its FQCN: point ansible at this checkout through a
# ansible_collections/heat_rpc/engine link outside the work tree.
collections=$(mktemp -d)
trap 'rm -rf "$collections"' EXIT
mkdir -p "$collections/ansible_collections/heat_rpc"
ln -s "$repo_root" "$collections/ansible_collections/heat_rpc/engine"

export PATH="$venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$collections"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1
cd "$repo_root"
if [ $# -gt 0 ]; then
    scenario=$1
    shift
    exec molecule test --scenario-name "$scenario" "$@"
fi
# Every scenario, one at a time (`molecule test --all` also looks for a "default" scenario).
status=0
for config in extensions/molecule/*/molecule.yml; do
    scenario=$(basename "$(dirname "$config")")
    molecule test --scenario-name "$scenario" || status=1
done
exit "$status"

#!/usr/bin/env bash
# ansible-lint (production profile, offline: no Galaxy) on the example playbooks and the molecule
# scenarios, with the configuration in .ansible-lint and .yamllint.
#   tests/sanity/run-lint.sh [ansible-lint arguments]
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=$("$repo_root/tests/sanity/ensure-tool-venv.sh" ansible-lint "$repo_root/tests/sanity/requirements/ansible-lint.txt")

# The playbooks name the modules by FQCN: the collection must resolve to this checkout.
collections=$(mktemp -d)
trap 'rm -rf "$collections"' EXIT
mkdir -p "$collections/ansible_collections/heat_rpc"
ln -s "$repo_root" "$collections/ansible_collections/heat_rpc/engine"

export PATH="$venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$collections"
export NO_COLOR=1
cd "$repo_root"
exec ansible-lint --offline --profile production --strict "$@" examples extensions/molecule

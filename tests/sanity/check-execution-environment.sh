#!/usr/bin/env bash
# Validate what ansible-builder reads (no container runtime needed):
#  - `ansible-builder introspect` on this collection: meta/execution-environment.yml, requirements.txt
#    and bindep.txt parse, and give oslo.messaging and the bindep entries;
#  - `ansible-builder create` of docs/execution-environment/execution-environment.yml writes a build
#    context (Containerfile) that would install the collection's requirements.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=$("$repo_root/tests/sanity/ensure-tool-venv.sh" ansible-builder "$repo_root/tests/sanity/requirements/ansible-builder.txt")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/collections/ansible_collections/heat_rpc"
ln -s "$repo_root" "$work/collections/ansible_collections/heat_rpc/engine"
"$venv/bin/ansible-builder" introspect --sanitize "$work/collections" \
    --write-pip "$work/pip.txt" --write-bindep "$work/bindep.txt" > "$work/introspect.out"
fail=0
# (PyYAML is in requirements.txt too; --sanitize drops it, as ansible-core already brings it.)
grep -qi "^oslo.messaging" "$work/pip.txt" || { echo "introspect: no oslo.messaging in the Python requirements" >&2; fail=1; }
grep -q "^python3-devel" "$work/bindep.txt" || { echo "introspect: bindep.txt entries missing" >&2; fail=1; }
grep -q "heat_rpc.engine" "$work/pip.txt" || { echo "introspect: requirements not attributed to heat_rpc.engine" >&2; fail=1; }

"$venv/bin/ansible-builder" create --file "$repo_root/docs/execution-environment/execution-environment.yml" \
    --context "$work/context" --output-filename Containerfile > "$work/create.out"
[ -f "$work/context/Containerfile" ] || { echo "ansible-builder create wrote no Containerfile" >&2; fail=1; }
[ -f "$work/context/_build/requirements.yml" ] || { echo "ansible-builder create did not take requirements.yml" >&2; fail=1; }
if [ "$fail" -ne 0 ]; then
    cat "$work/introspect.out" "$work/create.out" >&2
    exit 1
fi
echo "execution environment: introspect and create OK ($(grep -c . "$work/pip.txt") Python and $(grep -c . "$work/bindep.txt") system requirement lines)"

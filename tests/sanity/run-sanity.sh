#!/usr/bin/env bash
# Run `ansible-test sanity` (no ignore-file entries) for one ansible-core version on one Python.
#   tests/sanity/run-sanity.sh [ANSIBLE_CORE_VERSION [PYTHON_VERSION]]   default: 2.21.5 3.12
# ansible-test needs the collection at ansible_collections/heat_rpc/engine; the tracked files of
# this checkout (and the uncommitted changes to them) are copied there.
set -euo pipefail

core=${1:-2.21.5}
py=${2:-3.12}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache_dir=${HEAT_RPC_CACHE_DIR:-$HOME/.cache/heat_rpc}
python=$("$repo_root/tests/find-python.sh" "$py")

venv="$cache_dir/sanity-venv-core$core-py$py"
mkdir -p "$cache_dir"
exec 9>"$venv.lock"
flock 9
if [ ! -f "$venv/.complete" ]; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet "ansible-core==$core"
    touch "$venv/.complete"
fi
flock -u 9

# ansible-test bootstraps pip in its per-test virtualenvs with a script it downloads; stand in for it.
# The pip version ansible-test bootstraps is written in its python_requirements.py (pip='X.Y').
pip_version=$(grep -oE "pip='[0-9.]+'" "$("$venv/bin/python" -c 'import ansible_test._internal.python_requirements as r; print(r.__file__)')" | head -1 | tr -dc '0-9.')
for version in $pip_version; do
    shim="$HOME/.ansible/test/cache/get_pip_${version//./_}.py"
    if [ ! -f "$shim" ]; then
        mkdir -p "$(dirname "$shim")"
        cp "$repo_root/tests/sanity/get_pip_shim.py" "$shim"
    fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target="$work/ansible_collections/heat_rpc/engine"
"$repo_root/tests/sanity/copy-collection.sh" "$target"
cd "$target"
"$venv/bin/ansible-test" sanity --local --python "$py" --color no "${@:3}"

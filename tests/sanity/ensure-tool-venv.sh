#!/usr/bin/env bash
# Build (once) a virtualenv for one of the project's tools (ansible-lint, molecule, ansible-builder,
# antsibull-changelog) and print its path.
#   tests/sanity/ensure-tool-venv.sh NAME REQUIREMENTS_FILE [PYTHON]
# The virtualenv lives under ${HEAT_RPC_CACHE_DIR:-~/.cache/heat_rpc}, named after NAME and a hash of
# the requirements file, the constraints file beside it (REQUIREMENTS_FILE with .txt replaced by
# .constraints.txt, if there is one) and the interpreter's version: change a pin and the next run
# builds a new one.
set -euo pipefail

name=$1
requirements=$2
python=${3:-python3}
cache_dir=${HEAT_RPC_CACHE_DIR:-$HOME/.cache/heat_rpc}
constraints=${requirements%.txt}.constraints.txt

[ -f "$requirements" ] || { echo "no requirements file $requirements" >&2; exit 1; }
pip_args=(-r "$requirements")
key_input=$(cat "$requirements")
if [ -f "$constraints" ]; then
    pip_args+=(-c "$constraints")
    key_input+=$(cat "$constraints")
fi
key=$( (printf '%s' "$key_input"; "$python" --version) | sha256sum | cut -c1-12)
venv="$cache_dir/$name-venv-$key"

mkdir -p "$cache_dir"
exec 9>"$cache_dir/$name-venv.lock"
flock 9
# Built in place and marked complete at the end; one without the mark (an interrupted build) is rebuilt.
if [ ! -f "$venv/.complete" ]; then
    echo "building the $name virtualenv in $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    # (this machine's pip configuration names index locations that may not exist; pip warns about each)
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${pip_args[@]}" 2>&1 \
        | { grep -v 'is neither a file nor a directory' || true; } >&2
    touch "$venv/.complete"
fi
echo "$venv"

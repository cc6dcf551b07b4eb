#!/usr/bin/env bash
# Print the path of a working interpreter for one Python version (e.g. 3.12): a pyenv install of
# it if there is one (pyenv's shims only work for the selected versions), else pythonX.Y on PATH.
#   tests/find-python.sh 3.12
set -euo pipefail

py=$1
for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$py".*/bin/"python$py" "$(command -v "python$py" || true)"; do
    if [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
        echo "$candidate"
        exit 0
    fi
done
echo "no working python$py found (install it, e.g. with pyenv)" >&2
exit 1

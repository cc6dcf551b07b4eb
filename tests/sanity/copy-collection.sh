#!/usr/bin/env bash
# Copy this checkout's tracked files (and its uncommitted, not ignored ones) to TARGET, a directory that
# ansible-test and antsibull-docs see as ansible_collections/heat_rpc/engine.
# Usage: tests/sanity/copy-collection.sh TARGET
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target=$1
mkdir -p "$target"
cd "$repo_root"
# Tracked files deleted in the working tree are listed too; only the ones that exist are copied.
files=()
while IFS= read -r -d '' file; do
    if [ -e "$file" ] || [ -L "$file" ]; then
        files+=("$file")
    fi
done < <(git ls-files -z --cached --others --exclude-standard)
cp --parents -P -- "${files[@]}" "$target"

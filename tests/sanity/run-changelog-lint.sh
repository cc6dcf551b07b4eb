#!/usr/bin/env bash
# antsibull-changelog lint: changelogs/config.yaml, changelog.yaml and every fragment are valid.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=$("$repo_root/tests/sanity/ensure-tool-venv.sh" antsibull-changelog "$repo_root/tests/sanity/requirements/antsibull-changelog.txt")
cd "$repo_root"
"$venv/bin/antsibull-changelog" lint
echo "antsibull-changelog lint: $(find changelogs/fragments -name '*.y*ml' | wc -l) fragment(s) OK"

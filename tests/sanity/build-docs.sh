#!/usr/bin/env bash
# Lint the collection's documentation and build its HTML docsite with antsibull-docs.
#   tests/sanity/build-docs.sh [OUTPUT_DIR]     default: build/docsite (ignored by git and by the collection build)
# 1. antsibull-docs lint-collection-docs --plugin-docs: every module's DOCUMENTATION, EXAMPLES and RETURN,
#    the doc fragments and the markup in them (what docs.ansible.com would render);
# 2. antsibull-docs sphinx-init + collection: the collection's pages as RST (every module with its options,
#    fragments included, and return values), then sphinx-build to HTML with warnings as errors.
# The open page is OUTPUT_DIR/html/collections/heat_rpc/engine/index.html.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(realpath -m "${1:-$repo_root/build/docsite}")
venv=$("$repo_root/tests/sanity/ensure-tool-venv.sh" antsibull-docs "$repo_root/tests/sanity/requirements/antsibull-docs.txt")
export PATH="$venv/bin:$PATH"

# antsibull-docs and ansible-doc need the collection at ansible_collections/heat_rpc/engine: the tracked
# files of this checkout (and the uncommitted changes to them) are copied there.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target="$work/collections/ansible_collections/heat_rpc/engine"
"$repo_root/tests/sanity/copy-collection.sh" "$target"
export ANSIBLE_COLLECTIONS_PATH="$work/collections"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false

echo "antsibull-docs lint-collection-docs --plugin-docs"
antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all --disallow-unknown-collection-refs \
    "$target"

echo "antsibull-docs: docsite of heat_rpc.engine"
site="$work/site"
# (antsibull-docs writes only into directories that no one else can write to)
mkdir -m 700 "$site"
antsibull-docs sphinx-init --use-current --fail-on-error --lenient --dest-dir "$site" \
    --project heat_rpc.engine --title "heat_rpc.engine" heat_rpc.engine >/dev/null
chmod og-w "$site/rst"
# CI reaches package registries only, so no intersphinx inventory can be downloaded. The generated pages
# refer to a few labels of docs.ansible.com; they go into a local inventory (the ../ansible_devel.inv that
# sphinx-init's conf.py names) with their real addresses. Any other unresolved reference fails the build.
cat >>"$site/conf.py" <<'CONF'

# (added by tests/sanity/build-docs.sh: offline, only the local inventory of docs.ansible.com labels)
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv'),
}
CONF
python - "$site/ansible_devel.inv" <<'PY'
import sys
import zlib

LABELS = [
    ('ansible_configuration_settings', 'reference_appendices/config.html#ansible-configuration-settings',
     'Ansible Configuration Settings'),
    ('common_return_values', 'reference_appendices/common_return_values.html#common-return-values',
     'Return Values'),
    # A module with an action plugin says so, with a link; the file-taking options refer to copy and template.
    ('action_plugins', 'plugins/action.html#action-plugins', 'Action plugins'),
    ('ansible_collections.ansible.builtin.copy_module',
     'collections/ansible/builtin/copy_module.html#ansible-collections-ansible-builtin-copy-module',
     'ansible.builtin.copy module'),
    ('ansible_collections.ansible.builtin.template_module',
     'collections/ansible/builtin/template_module.html#ansible-collections-ansible-builtin-template-module',
     'ansible.builtin.template module'),
]
header = b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n# The remainder of this file is compressed using zlib.\n'
body = ''.join('%s std:label -1 %s %s\n' % label for label in LABELS).encode('utf-8')
with open(sys.argv[1], 'wb') as handle:
    handle.write(header + zlib.compress(body))
PY
antsibull-docs --config-file "$site/antsibull-docs.cfg" collection --use-current --fail-on-error \
    --cleanup everything --dest-dir "$site/rst" heat_rpc.engine
rm -rf "$out"
mkdir -p "$out"
sphinx-build -q -W --keep-going -b html -c "$site" "$site/rst" "$out/html"
pages=$(find "$out/html/collections/heat_rpc/engine" -name '*_module.html' | wc -l)
echo "docsite: $out/html/collections/heat_rpc/engine/index.html ($pages module pages)"

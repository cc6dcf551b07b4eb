# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A stack's definition in a form that does not depend on where its files were read from.

The same tree of templates gives different ``files`` keys in different
places, and 0.1.0 keyed files by absolute ``file://`` URLs; the engine also
adds a self-mapping ``"child.yaml": "child.yaml"`` to the stored
resource_registry for every template-file resource type. Compared here:

- the template with every reference to a file (a nested template type, a
  ``get_file``) replaced by one token, so only its shape counts;
- the contents of the files reached from the template and the registry,
  nested templates in that same token form, as a multiset of digests;
- the environment sections with the registry's self-mappings left out and
  its file references tokenised, and without the hooks (breakpoints) of its
  ``resources``: they control a run, they are not part of the stack.

A file renamed with its content unchanged therefore compares equal: the
stack it describes is the same.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import hashlib
import json

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.hooks import without_hooks
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.documents import TemplateError, parse_document, VERSION_KEYS
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.templates import TEMPLATE_SUFFIXES

FILE_TOKEN = '<file>'
# Environment sections the engine stores from what it is sent (encrypted_param_names is its own).
COMPARED_SECTIONS = ('parameters', 'parameter_defaults', 'resource_registry', 'event_sinks')


class Definition:
    """Canonical views of one template (or None), environment and files."""

    def __init__(self, template, environment, files):
        self.files = files or {}
        self.template = None if template is None else self.skeleton(template)
        self.environment = self.canonical_environment(environment or {})
        self.file_digests = sorted(self.reachable(template, (environment or {}).get('resource_registry')))

    # -- templates -----------------------------------------------------------------------------

    def is_reference(self, value):
        return isinstance(value, str) and value in self.files

    def skeleton(self, document):
        """``document`` with each file reference replaced by FILE_TOKEN."""
        return self._walk(copy.deepcopy(document), lambda key: None)

    def _walk(self, node, visit):
        """Replace the file references under ``node`` (a ``get_file``, a ``type``) by FILE_TOKEN."""
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ('get_file', 'type', 'Type') and self.is_reference(value):
                    visit(value)
                    node[key] = FILE_TOKEN
                else:
                    self._walk(value, visit)
        elif isinstance(node, list):
            for item in node:
                self._walk(item, visit)
        return node

    def references(self, document):
        found = []
        self._walk(copy.deepcopy(document), found.append)
        return found

    def reachable(self, template, registry):
        """Digests of every file the template and the registry reach, nested templates followed."""
        pending = self.references(template) if template is not None else []
        pending += [value for value in _registry_values(registry or {}) if self.is_reference(value)]
        seen = set()
        digests = []
        while pending:
            key = pending.pop()
            if key in seen:
                continue
            seen.add(key)
            nested = self.as_template(self.files[key])
            if nested is None:
                digests.append(_digest(self.files[key]))
            else:
                digests.append(_digest(json.dumps(self.skeleton(nested), sort_keys=True)))
                pending += self.references(nested)
        return digests

    @staticmethod
    def as_template(text):
        try:
            document = parse_document(text, 'file')
        except TemplateError:
            return None
        return document if any(key in document for key in VERSION_KEYS) else None

    # -- environments --------------------------------------------------------------------------

    def canonical_environment(self, environment):
        canonical = {}
        for section in COMPARED_SECTIONS:
            value = copy.deepcopy(environment.get(section)) or ([] if section == 'event_sinks' else {})
            if section == 'resource_registry':
                value = self.canonical_registry(value)
                if isinstance(value.get('resources'), dict):
                    value['resources'] = without_hooks(value['resources'])
                    if not value['resources']:
                        del value['resources']
            canonical[section] = value
        return canonical

    def canonical_registry(self, registry):
        """Self-mappings left out (the engine adds them), file references tokenised, empty levels dropped."""
        canonical = {}
        for key, value in registry.items():
            if isinstance(value, dict):
                value = self.canonical_registry(value)
                if value:
                    canonical[key] = value
            elif key == value and isinstance(key, str) and key.endswith(TEMPLATE_SUFFIXES):
                continue
            else:
                canonical[key] = FILE_TOKEN if self.is_reference(value) else value
        return canonical


def _registry_values(registry):
    for value in registry.values():
        if isinstance(value, dict):
            yield from _registry_values(value)
        else:
            yield value


def _digest(text):
    return hashlib.sha256(text.encode('utf-8')).hexdigest()

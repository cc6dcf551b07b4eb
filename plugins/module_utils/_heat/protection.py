# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What an update or a delete would destroy, and which of it heat_stack's ``protect`` patterns guard.

Paths are those of heat_stack_hook and ``resource_changes``: ``db``, ``group/0/leaf``. The engine's update
preview names what it would replace or delete (down through nested stacks) but with no physical id for a
replacement; the stack's current resources give each one's id, and everything inside a nested stack that is
itself replaced or deleted goes with it. A delete removes every resource, but for those whose template
says ``deletion_policy: Retain`` (or ``Snapshot``, which keeps a snapshot of it).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.hooks import matches_any
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import stack_id_of as _id
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import resource_path

# The preview's kinds that destroy a resource, and what each is called in a report.
DESTROYING = (('replaced', 'replace'), ('deleted', 'delete'))
# Deletion policies that keep something of a resource its stack deletes (heat's rsrc_defn).
KEEPING_POLICIES = ('Retain', 'Snapshot')


class ProtectedResourceError(errors.FailureWithFacts):
    """The update or delete would destroy a resource the task protects; nothing was sent.

    ``result`` carries ``protected``: each such resource (path, type, physical_id, change).
    """
    kind = 'protected_resource'


def preview_path(entry, parents, tree, top_name):
    """The path of a resource of the update preview.

    An entry of a stack that exists has its real stack id (``parents`` maps nested stack ids to their
    resource). One inside a nested stack the preview builds anew has none: its stack is named
    ``<top stack>-<path of the nested stack, '-'-joined>``, so it is the resource of that name in ``tree``
    whose parent path joins to that name.
    """
    stack = entry.get('stack_identity') or {}
    if _id(stack) in parents or _id(stack) == tree.top_id or not entry.get('parent_resource'):
        return resource_path(entry, parents)
    name = str(entry.get('resource_name'))
    for path in sorted(tree.by_path):
        levels = path.split('/')
        if len(levels) > 1 and levels[-1] == name and levels[-2] == str(entry['parent_resource']) and \
                '%s-%s' % (top_name, '-'.join(levels[:-1])) == stack.get('stack_name'):
            return path
    return resource_path(entry, parents)


def destroyed_by_update(preview, tree, top_name):
    """Each resource the previewed update would destroy: {path, type, physical_id, change}, by path.

    ``preview`` is preview_update_stack's answer (with show_nested); ``tree`` the stack's ResourceTree;
    ``top_name`` the stack's name.
    """
    entries = [entry for kind in ('replaced', 'deleted', 'updated', 'unchanged', 'added') for entry in preview.get(kind, [])]
    parents = dict((_id(entry.get('nested_stack_id')), entry) for entry in entries if _id(entry.get('nested_stack_id')))
    destroyed = {}
    for kind, change in DESTROYING:
        for entry in preview.get(kind, []):
            path = preview_path(entry, parents, tree, top_name)
            found = tree.at_and_under(path) or [(path, entry)]
            for found_path, resource in found:
                destroyed.setdefault(found_path, {
                    'path': found_path, 'type': resource.get('resource_type'),
                    'physical_id': resource.get('physical_resource_id') or None, 'change': change})
    return [destroyed[path] for path in sorted(destroyed)]


def deletion_policies(client, top_identity, tree):
    """{path: deletion policy} of every resource of the tree, from its stack's template (Delete if unset)."""
    policies = {}
    for prefix, identity in [('', top_identity)] + tree.nested_stacks():
        template = client.get_template(None, identity) or {}
        resources = template.get('resources') or template.get('Resources') or {}
        for name, definition in resources.items():
            if isinstance(definition, dict):
                policy = definition.get('deletion_policy') or definition.get('DeletionPolicy') or 'Delete'
                policies['%s/%s' % (prefix, name) if prefix else name] = str(policy).capitalize()
    return policies


def blast_radius(tree, policies):
    """Every resource a delete of the stack removes or keeps: {path, type, physical_id, deletion_policy, kept}."""
    radius = []
    for path, resource in sorted(tree.by_path.items()):
        policy = policies.get(path, 'Delete')
        radius.append({'path': path, 'type': resource.get('resource_type'),
                       'physical_id': resource.get('physical_resource_id') or None,
                       'deletion_policy': policy, 'kept': policy in KEEPING_POLICIES})
    return radius


def guarded(destroyed, patterns):
    """The entries of ``destroyed`` (by ``path``) that one of ``patterns`` protects; none without patterns."""
    if not patterns:
        return []
    return [entry for entry in destroyed if matches_any(entry['path'], patterns)]


def guarded_by_delete(radius, patterns):
    """What a delete would destroy that ``patterns`` protect: Retain keeps the resource itself, so it may go."""
    return [dict(entry, change='delete') for entry in guarded(radius, patterns) if entry['deletion_policy'] != 'Retain']


def describe(entries):
    return ', '.join('%s (%s%s) would be %s' % (entry['path'], entry['type'],
                                                ', ' + entry['physical_id'] if entry.get('physical_id') else '',
                                                'replaced' if entry['change'] == 'replace' else 'deleted')
                     for entry in entries)


def refuse_update(stack_name, protected, resource_changes):
    raise ProtectedResourceError(
        'stack %s was not updated: the update would destroy protected resources: %s. Nothing was sent. Change the '
        'template so that they are updated in place, or remove their pattern from protect to let them go'
        % (stack_name, describe(protected)), {'protected': protected, 'resource_changes': resource_changes})


def refuse_delete(stack_name, protected, radius):
    raise ProtectedResourceError(
        'stack %s was not deleted: it holds protected resources that a delete would destroy: %s. Nothing was sent. '
        'To delete it on purpose, remove their pattern from protect (or give them deletion_policy: Retain)'
        % (stack_name, describe(protected)), {'protected': protected, 'blast_radius': radius})

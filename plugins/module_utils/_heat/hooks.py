# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Breakpoint hooks: resource patterns, the hooks a stack is paused on, breakpoints as an environment.

heat-engine keeps a pending hook as resource data of its own; over RPC it shows only in events: the
resource records ``UPDATE paused until Hook pre-update is cleared`` when it reaches the hook, and
``Hook pre-update is cleared`` when a signal ``{unset_hook: pre-update}`` releases it (``Failure
occurred while waiting.`` when the action is cancelled meanwhile). A hook is pending while the stack's
action is in progress and its pause event has no later clearing event; the top stack's ``Stack UPDATE
started`` begins a new action. This is how ``openstack stack hook poll`` tells them too.

Patterns are resource paths from the top stack, ``/`` between levels, each level a shell-style
wildcard (``fnmatch``, case-sensitive), as ``openstack stack hook clear`` takes them: ``web_*`` matches
top-level resources, ``group/*`` every member of the nested stack of ``group``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import fnmatch
import re

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import shape_hook
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import ALL_NESTED, resource_path

PAUSED = re.compile(r'^([A-Z]+) paused until Hook ([a-z-]+) is cleared$')
CLEARED = re.compile(r'^Hook ([a-z-]+) is cleared$')
WAIT_FAILED = 'Failure occurred while waiting.'
ACTION_STARTED = re.compile(r'^Stack [A-Z]+ started$')
# heat_stack's breakpoints option: its suboption -> the hook type the engine knows.
BREAKPOINT_HOOKS = (('pre_create', 'pre-create'), ('pre_update', 'pre-update'))


def split_pattern(pattern):
    """A resource pattern's levels: ``group/*`` -> ['group', '*'] (empty levels dropped, as the heat CLI does)."""
    return [part for part in pattern.split('/') if part]


def check_patterns(patterns, option):
    """Refuse a pattern with no resource name in it, naming the option."""
    for pattern in patterns or []:
        if not isinstance(pattern, str) or not split_pattern(pattern):
            raise errors.ConfigurationError('%s: %r is not a resource pattern (a name such as web_* or a path such '
                                            'as group/*)' % (option, pattern))


def path_matches(path, pattern):
    """Whether the resource path ``path`` (``group/0``) matches ``pattern`` level by level."""
    names = path.split('/')
    levels = split_pattern(pattern)
    return len(names) == len(levels) and all(fnmatch.fnmatchcase(name, level) for name, level in zip(names, levels))


def matches_any(path, patterns):
    """True when ``patterns`` is None (every resource) or one of them matches ``path``."""
    return patterns is None or any(path_matches(path, pattern) for pattern in patterns)


def pending_hook_events(events, top_stack_id):
    """The pause events (raw, oldest first) of the hooks still pending, given a stack's events oldest first.

    ``events`` are those of the stack and its nested stacks; only the stack's own action start
    forgets the pauses before it.
    """
    pending = {}
    for event in events:
        reason = event.get('resource_status_reason') or ''
        stack_id = (event.get('stack_identity') or {}).get('stack_id')
        resource = (stack_id, event.get('resource_name'))
        paused = PAUSED.match(reason)
        cleared = CLEARED.match(reason)
        if ACTION_STARTED.match(reason) and stack_id == top_stack_id and event.get('resource_type') == 'OS::Heat::Stack':
            pending.clear()
        elif paused:
            key = resource + (paused.group(2),)
            pending.pop(key, None)  # paused again: it counts from its latest pause
            pending[key] = event
        elif cleared:
            pending.pop(resource + (cleared.group(1),), None)
        elif reason == WAIT_FAILED:
            for key in [key for key in pending if key[:2] == resource]:
                del pending[key]
    return list(pending.values())


def hook_of(event):
    """(action, hook type) of a pause event."""
    paused = PAUSED.match(event.get('resource_status_reason') or '')
    return paused.group(1), paused.group(2)


def nested_parents(resources):
    """Raw resources (list_stack_resources) -> {nested stack id: the resource that owns it}."""
    return dict(((resource.get('nested_stack_id') or {}).get('stack_id'), resource) for resource in resources
                if (resource.get('nested_stack_id') or {}).get('stack_id'))


class HookFinder:
    """Reads the hooks a stack (and its nested stacks) is paused on, filtered by resource patterns and type.

    One list_events call (nested stacks included, API 1.31) per look; the nested stacks' parents
    (one list_stack_resources call) only when a hook is pending in a nested stack not seen before.
    """

    def __init__(self, client, identity, patterns=None, hook_type=None):
        self.client = client
        self.identity = identity
        self.patterns = patterns
        self.hook_type = hook_type
        self.parents = {}

    def pending(self, raw_stack):
        """The shaped hooks matching the filters that ``raw_stack`` (the top stack, as shown) is paused on."""
        if raw_stack is None or raw_stack.get('stack_status') != 'IN_PROGRESS':
            return []
        top_id = self.identity['stack_id']
        events = self.client.list_events(None, self.identity, sort_keys=['created_at'], sort_dir='asc',
                                         nested_depth=ALL_NESTED)
        paused = pending_hook_events(events, top_id)
        nested_ids = set((event.get('stack_identity') or {}).get('stack_id') for event in paused) - {top_id}
        if nested_ids - set(self.parents):
            self.parents = nested_parents(self.client.list_stack_resources(None, self.identity,
                                                                           nested_depth=ALL_NESTED))
        hooks = []
        for event in paused:
            action, hook = hook_of(event)
            path = resource_path(event, self.parents)
            if (self.hook_type is None or hook == self.hook_type) and matches_any(path, self.patterns):
                hooks.append(shape_hook(event, path, action, hook))
        return hooks


def breakpoints_registry(breakpoints):
    """heat_stack's ``breakpoints`` as the resource_registry ``resources`` section: nested levels as nested dicts."""
    resources = {}
    for option, hook in BREAKPOINT_HOOKS:
        for pattern in (breakpoints or {}).get(option) or []:
            level = resources
            for name in split_pattern(pattern):
                level = level.setdefault(name, {})
            level['hooks'] = sorted(set(hooks_listed(level.get('hooks')) + [hook]))
    return resources


def hooks_listed(value):
    """A ``hooks`` entry (one type or a list of them) as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def merge_resources(into, extra):
    """Registry ``resources`` ``extra`` merged into ``into`` (changed in place): hooks added, levels merged."""
    for name, value in extra.items():
        have = into.get(name)
        if not isinstance(have, dict):
            into[name] = copy.deepcopy(value)
            continue
        for key, sub in value.items():
            if key == 'hooks':
                have['hooks'] = sorted(set(hooks_listed(have.get('hooks')) + hooks_listed(sub)))
            else:
                merge_resources(have, {key: sub})
    return into


def with_breakpoints(environment, breakpoints):
    """A copy of ``environment`` whose resource_registry also sets the hooks of ``breakpoints``."""
    extra = breakpoints_registry(breakpoints)
    result = copy.deepcopy(environment)
    if not extra:
        return result
    registry = result.get('resource_registry')
    if not isinstance(registry, dict):
        registry = result['resource_registry'] = {}
    resources = registry.get('resources')
    if not isinstance(resources, dict):
        resources = registry['resources'] = {}
    merge_resources(resources, extra)
    return result


def without_hooks(resources):
    """A registry ``resources`` section without its hooks (run-time control, not part of the stack); empty levels dropped."""
    kept = {}
    for name, value in resources.items():
        if name == 'hooks' and not isinstance(value, dict):
            continue
        if isinstance(value, dict):
            value = without_hooks(value)
            if not value:
                continue
        kept[name] = value
    return kept

# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""heat_stack_info: list stacks (filters, paging, counting), show one stack with its details, or find the stack
that holds a physical resource.

Listing goes through StackService.iter_stacks (marker/limit pages), one
list_stacks call per page and never one call per stack. Filters are
translated here to the engine's database column names with list values,
which keeps count_stacks (that does not translate filters itself) and
list_stacks (whose scalar filters break next to ``tags`` in heat 27) correct.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.failures import failure_report
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.base import Runner
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import (
    event_id, shape_event, shape_resource, shape_snapshot, shape_stack,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService, find_owner, paginate

STATUS_WORDS = ('COMPLETE', 'FAILED', 'IN_PROGRESS')

# Filter keys the engine's stack table has, and the API spellings heat also accepts for them.
STACK_FILTER_COLUMNS = ('id', 'name', 'action', 'status', 'status_reason', 'username', 'owner_id',
                        'parent_resource_name', 'timeout', 'disable_rollback', 'stack_user_project_id')
STACK_FILTER_ALIASES = {
    'stack_name': 'name',
    'stack_action': 'action',
    'stack_status': 'status',
    'stack_status_reason': 'status_reason',
    'timeout_mins': 'timeout',
    'stack_owner': 'username',
    'owner': 'username',
    'parent': 'owner_id',
}

# Friendly sort key -> the engine's key (list_stacks silently ignores keys it does not know).
STACK_SORT_KEYS = {
    'name': 'stack_name',
    'status': 'stack_status',
    'creation_time': 'creation_time',
    'updated_time': 'updated_time',
}

EVENT_FILTER_ALIASES = {
    'name': 'resource_name',
    'action': 'resource_action',
    'status': 'resource_status',
    'type': 'resource_type',
    'physical_resource_id': 'physical_resource_id',
    'status_reason': 'resource_status_reason',
}
EVENT_FILTER_COLUMNS = ('resource_name', 'resource_action', 'resource_status', 'resource_type',
                        'physical_resource_id', 'resource_status_reason', 'uuid')

INCLUDE_CHOICES = ('resources', 'events', 'template', 'environment', 'files', 'snapshots', 'outputs', 'failures')
# Sections of ``include`` that are one engine call each, returned as they come.
PLAIN_SECTIONS = ('template', 'environment', 'files', 'snapshots')

# Options that only apply when listing (no name), and those that only apply to one stack (name).
LIST_OPTIONS = ('status', 'action', 'filters', 'tags', 'tags_any', 'not_tags', 'not_tags_any', 'show_deleted',
                'show_nested', 'show_hidden', 'sort_keys', 'sort_dir', 'limit', 'count_only', 'all_projects',
                'filter_project_id')
# The engine's stack table column of the owning project (heat-api's ``tenant`` filter).
PROJECT_COLUMN = 'tenant'
# Options that add sections to the stack shown with name.
DETAIL_OPTIONS = ('include', 'resource_options', 'event_options')
SHOW_OPTIONS = DETAIL_OPTIONS + ('fail_if_missing',)


def as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple, set)) else [value]


def split_status(values, option='status'):
    """'CREATE_COMPLETE' / 'FAILED' ... -> (actions, statuses), as heat-api splits them."""
    actions, statuses = set(), set()
    for value in values:
        text = str(value).strip().upper()
        for word in STATUS_WORDS:
            if text == word:
                statuses.add(word)
                break
            if text.endswith('_' + word):
                statuses.add(word)
                actions.add(text[:-len(word) - 1])
                break
        else:
            raise errors.ConfigurationError(
                "%s: '%s' is not a stack status; use COMPLETE, FAILED, IN_PROGRESS or ACTION_STATUS "
                "such as CREATE_COMPLETE" % (option, value))
    return actions, statuses


class StackQuery:
    """What to list: engine filters (column -> list of values), tag filters, visibility flags and scope.

    ``all_projects`` lists every project's stacks: tenant_safe=false makes heat-engine list with its own
    admin context (it does not check who asks; heat-api enforces ``stacks:global_index`` before it calls
    the engine). ``project_ids`` then keeps the stacks of those projects (the ``tenant`` column).
    """

    def __init__(self, filters=None, status=None, action=None, tags=None, tags_any=None, not_tags=None,
                 not_tags_any=None, show_deleted=False, show_nested=False, show_hidden=False,
                 sort_keys=None, sort_dir=None, all_projects=False, project_ids=None):
        self.filters = {}
        for key, value in (filters or {}).items():
            column = STACK_FILTER_ALIASES.get(key, key)
            if column not in STACK_FILTER_COLUMNS:
                raise errors.ConfigurationError(
                    "filters: unknown key '%s'; known keys: %s" % (
                        key, ', '.join(sorted(set(STACK_FILTER_COLUMNS) | set(STACK_FILTER_ALIASES)))))
            self._add(column, as_list(value))
        if 'status' in self.filters:
            actions, statuses = split_status(self.filters.pop('status'), 'filters.status')
            self._add('action', sorted(actions))
            self._add('status', sorted(statuses))
        actions, statuses = split_status(as_list(status))
        self._add('action', sorted(actions) + [str(a).strip().upper() for a in as_list(action)])
        self._add('status', sorted(statuses))
        self.tags = {'tags': tags or None, 'tags_any': tags_any or None, 'not_tags': not_tags or None,
                     'not_tags_any': not_tags_any or None}
        self.flags = {'show_deleted': bool(show_deleted), 'show_nested': bool(show_nested),
                      'show_hidden': bool(show_hidden)}
        self.sort_keys = [STACK_SORT_KEYS[key] for key in sort_keys or []] or None
        self.sort_dir = sort_dir
        if project_ids and not all_projects:
            raise errors.ConfigurationError(
                'filter_project_id needs all_projects: true; without it the engine lists only the stacks of the '
                "request context's project (the project_id connection option)")
        self._add(PROJECT_COLUMN, [str(value) for value in project_ids or []])
        self.tenant_safe = not all_projects

    def _add(self, column, values):
        if not values:
            return
        merged = self.filters.setdefault(column, [])
        for value in values:
            if value not in merged:
                merged.append(value)

    def count_arguments(self):
        """Arguments for count_stacks, which sends filters to the database untranslated."""
        arguments = dict(self.tags, **self.flags)
        arguments['tenant_safe'] = self.tenant_safe
        arguments['filters'] = dict((key, list(values)) for key, values in self.filters.items()) or None
        return arguments

    def list_arguments(self):
        """(arguments for list_stacks, statuses to keep client-side or None).

        list_stacks turns a single status back into a scalar filter, which heat 27 applies to the
        tag table when ``tags`` joins it (an engine error). In that one case the status is
        filtered here instead, on each page the engine returns.
        """
        arguments = self.count_arguments()
        arguments['sort_keys'] = self.sort_keys
        arguments['sort_dir'] = self.sort_dir
        keep_statuses = None
        statuses = self.filters.get('status') or []
        if self.tags['tags'] and len(statuses) == 1:
            keep_statuses = set(statuses)
            arguments['filters'] = dict((k, v) for k, v in arguments['filters'].items() if k != 'status') or None
        return arguments, keep_statuses


def list_stacks(service, query, page_size, limit=None):
    """Every matching stack, shaped, fetched page by page (no per-stack calls)."""
    arguments, keep_statuses = query.list_arguments()
    if keep_statuses is None:
        return [shape_stack(raw) for raw in service.iter_stacks(page_size=page_size, limit=limit, **arguments)]
    stacks = []
    for raw in service.iter_stacks(page_size=page_size, **arguments):
        if raw.get('stack_status') in keep_statuses:
            stacks.append(shape_stack(raw))
            if limit is not None and len(stacks) >= limit:
                break
    return stacks


def count_stacks(client, query):
    return client.count_stacks(None, **query.count_arguments())


# -- one stack's details ------------------------------------------------------------------------------------------

def event_filters(filters):
    translated = {}
    for key, value in (filters or {}).items():
        column = EVENT_FILTER_ALIASES.get(key, key)
        if column not in EVENT_FILTER_COLUMNS:
            raise errors.ConfigurationError(
                "event_options.filters: unknown key '%s'; known keys: %s" % (
                    key, ', '.join(sorted(set(EVENT_FILTER_COLUMNS) | set(EVENT_FILTER_ALIASES)))))
        translated[column] = [str(v) for v in as_list(value)]
    return translated


def iter_events(client, identity, page_size, limit=None, filters=None, nested_depth=None, sort_dir=None):
    """A stack's events page by page (marker = the last event's id); at most ``limit``."""
    # The engine adds to the filters dict it gets (nested stacks): give it a fresh one per page.
    return paginate(lambda size, marker: client.list_events(
        None, identity, filters=dict(filters) if filters else None, limit=size, marker=marker,
        sort_dir=sort_dir, nested_depth=nested_depth or None), event_id, page_size, limit)


class StackDetails:
    """Collects the sections of one stack a user asked for (``include``)."""

    def __init__(self, client, identity, page_size):
        self.client = client
        self.identity = identity
        self.page_size = page_size

    def resources(self, nested_depth=0, detail=False, filters=None):
        raw = self.client.list_stack_resources(None, self.identity, nested_depth=nested_depth or 0,
                                               with_detail=bool(detail), filters=dict(filters) if filters else None)
        return [shape_resource(item) for item in raw]

    def events(self, limit=None, filters=None, nested_depth=None, sort_dir=None):
        return [shape_event(raw) for raw in iter_events(
            self.client, self.identity, self.page_size, limit=limit, filters=event_filters(filters),
            nested_depth=nested_depth, sort_dir=sort_dir)]

    def template(self):
        return self.client.get_template(None, self.identity)

    def environment(self):
        return self.client.get_environment(None, self.identity)

    def files(self):
        return self.client.get_files(None, self.identity)

    def snapshots(self):
        return [shape_snapshot(raw) for raw in self.client.stack_list_snapshots(None, self.identity) or []]

    def failures(self):
        """The failures report: failed resources down through nested stacks, failed deployments' output."""
        return failure_report(self.client, self.identity)

    def output_list(self):
        """Output keys and descriptions, without resolving values (list_outputs)."""
        return [{'key': raw.get('output_key'), 'description': raw.get('description')}
                for raw in self.client.list_outputs(None, self.identity) or []]


# -- the runner ---------------------------------------------------------------------------------------------------

def is_set(value):
    return value not in (None, False, [], {})


def check_owner_options(params):
    """With physical_resource_id: refuse an empty one, name, and the listing and detail options."""
    if not params['physical_resource_id'].strip():
        raise errors.ConfigurationError('physical_resource_id must not be empty')
    if params['name']:
        raise errors.ConfigurationError('name and physical_resource_id are mutually exclusive; set one of them')
    used = [option for option in LIST_OPTIONS + DETAIL_OPTIONS if is_set(params[option])]
    if used:
        raise errors.ConfigurationError('%s cannot be combined with physical_resource_id; remove %s' % (
            ', '.join(used), 'them' if len(used) > 1 else 'it'))


def check_options(params):
    """Refuse options that do not apply to the chosen mode (owner, name or listing), and numbers out of range."""
    if params['physical_resource_id'] is not None:
        check_owner_options(params)
    else:
        wrong = LIST_OPTIONS if params['name'] else SHOW_OPTIONS
        used = [option for option in wrong if is_set(params[option])]
        if used:
            raise errors.ConfigurationError('%s only appl%s %s name; remove %s' % (
                ', '.join(used), 'y' if len(used) > 1 else 'ies', 'without' if params['name'] else 'with',
                'name' if params['name'] else 'them or set name'))
    if params['page_size'] < 1:
        raise errors.ConfigurationError('page_size must be at least 1, not %d' % params['page_size'])
    if params['limit'] is not None and params['limit'] < 0:
        raise errors.ConfigurationError('limit must not be negative, not %d' % params['limit'])
    events = params['event_options'] or {}
    if events.get('limit') is not None and events['limit'] < 0:
        raise errors.ConfigurationError('event_options.limit must not be negative, not %d' % events['limit'])
    for option in ('resource_options', 'event_options'):
        depth = (params[option] or {}).get('nested_depth')
        if depth is not None and depth < 0:
            raise errors.ConfigurationError('%s.nested_depth must not be negative, not %d' % (option, depth))


def query_from_params(params):
    """The StackQuery of the listing options (refuses unknown filter keys and statuses)."""
    return StackQuery(filters=params['filters'], status=params['status'], action=params['action'],
                      tags=params['tags'], tags_any=params['tags_any'], not_tags=params['not_tags'],
                      not_tags_any=params['not_tags_any'], show_deleted=params['show_deleted'],
                      show_nested=params['show_nested'], show_hidden=params['show_hidden'],
                      sort_keys=params['sort_keys'], sort_dir=params['sort_dir'],
                      all_projects=params['all_projects'], project_ids=params['filter_project_id'])


class StackInfoRunner(Runner):
    """Shows one stack (``name``) with the sections of ``include``, lists or counts stacks, or finds the stack
    that holds a physical resource (``physical_resource_id``)."""

    def perform(self):
        check_options(self.params)
        if self.params['physical_resource_id'] is not None:
            return {'changed': False, 'stacks': [], 'owner': self.owner()}
        if self.params['name']:
            return {'changed': False, 'stacks': self.show_one()}
        query = query_from_params(self.params)
        if self.params['count_only']:
            return {'changed': False, 'stacks': [], 'count': count_stacks(self.client, query)}
        return {'changed': False, 'stacks': list_stacks(StackService(self.client), query, self.params['page_size'],
                                                        limit=self.params['limit'])}

    def owner(self):
        """The stack, top stack, resource and path that hold the physical resource; {} when none does."""
        physical_id = self.params['physical_resource_id']
        owner = find_owner(self.client, physical_id)
        if owner is None:
            if self.params['fail_if_missing']:
                raise errors.NotFoundError("no stack holds a resource with the physical id '%s'" % physical_id,
                                           method='find_physical_resource')
            return {}
        return owner

    def show_one(self):
        """[the stack with its details], or [] when it does not exist (a failure with fail_if_missing)."""
        name = self.params['name']
        raw = StackService(self.client).find(name, resolve_outputs=self.params['resolve_outputs'])
        if raw is None:
            if self.params['fail_if_missing']:
                raise errors.NotFoundError("stack '%s' not found" % name, method='identify_stack')
            return []
        self.stack_identity = raw['stack_identity']
        return [self.with_details(raw)]

    def with_details(self, raw):
        """The shaped stack with the sections listed in ``include``."""
        params = self.params
        stack = shape_stack(raw)
        include = params['include']
        details = StackDetails(self.client, raw['stack_identity'], params['page_size'])
        if 'resources' in include:
            options = params['resource_options'] or {}
            stack['resources'] = details.resources(nested_depth=options.get('nested_depth'),
                                                   detail=options.get('detail'), filters=options.get('filters'))
        if 'events' in include:
            options = params['event_options'] or {}
            stack['events'] = details.events(limit=options.get('limit'), filters=options.get('filters'),
                                             nested_depth=options.get('nested_depth'),
                                             sort_dir=options.get('sort_dir') or 'asc')
        for section in PLAIN_SECTIONS + ('failures',):
            if section in include:
                stack[section] = getattr(details, section)()
        # With resolved outputs the stack has them (and output_list) already.
        if 'outputs' in include and not params['resolve_outputs']:
            stack['output_list'] = details.output_list()
        return stack

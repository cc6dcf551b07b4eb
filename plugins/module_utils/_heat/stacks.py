# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stack lookups shared by the stack modules (the service layer): find, show, page, require, failures, and which
stack holds a physical resource."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.secrets import stack_secrets_masked_on_failure
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import (
    shape_owner, shape_resource, stack_id_of, stack_state,
)

DEFAULT_PAGE_SIZE = 500
# As deep as nested stacks go (nested_depth of list_stack_resources, list_events): the engine caps it at its
# max_nested_stack_depth.
ALL_NESTED = 100
_UUID = re.compile(r'^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$')


def looks_like_uuid(value):
    """True for a UUID, with or without dashes: the engine looks such a name up as an id first."""
    return bool(value) and bool(_UUID.match(value))


def is_deleted(raw_stack):
    """True for a stack record the engine keeps after DELETE_COMPLETE (found by id)."""
    return raw_stack.get('stack_action') == 'DELETE' and raw_stack.get('stack_status') == 'COMPLETE'


class StackService:
    """Stack lookups on top of an EngineClient."""

    def __init__(self, client):
        self.client = client

    def identify(self, name_or_id):
        """The identity dict of a live stack called (or with id) ``name_or_id``, or None.

        The engine resolves a UUID as an id first, then as a name. A stack
        found by id that is DELETE_COMPLETE counts as absent.
        """
        try:
            identity = self.client.identify_stack(None, name_or_id)
        except errors.NotFoundError:
            return None
        return identity

    def show(self, identity, resolve_outputs=True):
        """The raw stack dict for ``identity``, or None when it is gone or deleted."""
        # Under an API version cap below 1.20 outputs are always resolved: slower, never refused.
        resolve_outputs = resolve_outputs or not self.client.allows('show_stack', resolve_outputs=False)
        try:
            shown = self.client.show_stack(None, identity, resolve_outputs=resolve_outputs)
        except errors.NotFoundError:
            return None
        # show_stack answers a list (of one) for an identity.
        raw = shown[0] if isinstance(shown, list) else shown
        if not raw or is_deleted(raw):
            return None
        return raw

    def find(self, name_or_id, resolve_outputs=True):
        """The raw stack dict of a live stack, by name or id, or None."""
        identity = self.identify(name_or_id)
        if identity is None:
            return None
        return self.show(identity, resolve_outputs=resolve_outputs)

    def iter_stacks(self, page_size=DEFAULT_PAGE_SIZE, limit=None, **filters):
        """Every stack that matches ``filters``, paging with marker/limit; at most ``limit`` of them."""
        return paginate(lambda size, marker: self.client.list_stacks(None, limit=size, marker=marker, **filters),
                        lambda raw: raw['stack_identity']['stack_id'], page_size, limit)


def paginate(fetch_page, marker_of, page_size, limit=None):
    """Items of a marker/limit listing, page by page, at most ``limit`` of them.

    ``fetch_page(size, marker)`` returns one page; ``marker_of(item)`` the marker that follows it. A
    short page, or a last item without a marker, ends the listing.
    """
    marker = None
    returned = 0
    while True:
        size = page_size if limit is None else min(page_size, limit - returned)
        if size <= 0:
            return
        page = fetch_page(size, marker)
        yield from page
        returned += len(page)
        if len(page) < size:
            return
        marker = marker_of(page[-1])
        if not marker:
            return


def require_stack(service, name_or_id, resolve_outputs=False):
    """The raw stack dict of a live stack, by name or id; NotFoundError naming it when there is none."""
    raw = service.find(name_or_id, resolve_outputs=resolve_outputs)
    if raw is None:
        raise errors.NotFoundError("stack '%s' not found" % name_or_id)
    return raw


def output_value(client, identity, key):
    """The value of the output ``key`` of a stack, with one show_output call (the other outputs are not resolved).

    An output the stack does not have raises NotFoundError, one the engine cannot resolve
    ValidationFailedError; both name the output and the stack.
    """
    stack = identity.get('stack_name') or identity.get('stack_id')
    try:
        output = client.show_output(None, identity, key)
    except errors.NotFoundError:
        raise errors.NotFoundError("stack '%s' has no output '%s'" % (stack, key), method='show_output')
    if (output or {}).get('output_error'):
        raise errors.ValidationFailedError("output '%s' of stack '%s' cannot be resolved: %s" % (
            key, stack, output['output_error']), method='show_output')
    return (output or {}).get('output_value')


def output_values(client, stack, keys):
    """The value of each output of ``keys``: one identify_stack call, then one show_output call per key."""
    identity = StackService(client).identify(stack)
    if identity is None:
        raise errors.NotFoundError("stack '%s' not found" % stack, method='identify_stack')
    with stack_secrets_masked_on_failure(client, identity):
        return [output_value(client, identity, key) for key in keys]


def list_resources(client, identity, nested_depth=0, **options):
    """The shaped resources of a stack and of its nested stacks down to ``nested_depth``.

    ``options`` go to list_stack_resources as they are (with_detail, filters).
    """
    return [shape_resource(resource) for resource in client.list_stack_resources(None, identity,
                                                                                 nested_depth=nested_depth, **options)]


def resource_path(entry, parents):
    """``parent/child/name`` for a resource of a nested stack; ``parents`` maps a nested stack id to its resource."""
    names = [entry.get('resource_name')]
    stack_id = (entry.get('stack_identity') or {}).get('stack_id')
    while stack_id in parents and len(names) < 20:
        parent = parents[stack_id]
        names.insert(0, parent.get('resource_name'))
        stack_id = (parent.get('stack_identity') or {}).get('stack_id')
    if len(names) == 1 and entry.get('parent_resource'):
        names.insert(0, entry['parent_resource'])
    return '/'.join(str(name) for name in names)


def resource_holder(client, physical_resource_id):
    """(identity of the stack, resource name) of the resource whose physical id is ``physical_resource_id``, or None.

    find_physical_resource answers the resource's identity, its stack's identity with the path
    ``/resources/NAME`` (a resource name holds no ``/``). It names the stack that holds the resource
    directly, which may be a nested stack; it looks only among the stacks of the request context's project
    (every project's for an admin context) and at live stacks (a deleted stack's resources are gone).
    """
    try:
        identity = client.find_physical_resource(None, physical_resource_id)
    except errors.NotFoundError:
        return None
    name = (identity.get('path') or '').rstrip('/').rsplit('/', 1)[-1]
    if not name:
        raise errors.EngineError('find_physical_resource answered an identity without a resource: %r' % (identity,),
                                 method='find_physical_resource')
    return dict(identity, path=''), name


def find_owner(client, physical_resource_id):
    """Which stack holds the resource whose physical id is ``physical_resource_id``: the shaped owner, or None.

    The engine names only the stack that holds the resource directly (find_physical_resource), perhaps a
    nested one. Its ``parent`` (show_stack) says whether it is nested; the resource of the parent that
    holds a nested stack has the nested stack's id as its physical id, so find_physical_resource of that
    id names it, and so on up to the top stack (the one without a parent). The path is the names of those
    resources from the top down, then the resource's (``group/0/server``). None when nothing holds it, or
    when a stack on the way is gone (deleted meanwhile).
    """
    service = StackService(client)
    found = resource_holder(client, physical_resource_id)
    if found is None:
        return None
    identity, name = found
    raw_stack = service.show(identity, resolve_outputs=False)
    if raw_stack is None:
        return None
    try:
        described = client.describe_stack_resources(None, identity, name)
    except errors.NotFoundError:
        return None
    if not described:
        return None
    names = [name]
    raw_root = raw_stack
    seen = set([identity.get('stack_id')])
    while raw_root.get('parent'):
        child = raw_root['stack_identity']
        holder = resource_holder(client, child.get('stack_id'))
        if holder is None:
            return None
        parent_identity, holder_name = holder
        parent_id = parent_identity.get('stack_id')
        if parent_id != raw_root['parent']:
            raise errors.EngineError(
                "stack '%s' (%s) has the parent %s, but find_physical_resource of its id names resource '%s' of "
                "stack '%s' (%s)" % (child.get('stack_name'), child.get('stack_id'), raw_root['parent'], holder_name,
                                     parent_identity.get('stack_name'), parent_id), method='find_physical_resource')
        if parent_id in seen or len(names) > ALL_NESTED:
            raise errors.EngineError("the stacks above stack '%s' (%s) nest in a loop or deeper than %d levels" % (
                identity.get('stack_name'), identity.get('stack_id'), ALL_NESTED), method='find_physical_resource')
        seen.add(parent_id)
        raw_root = service.show(parent_identity, resolve_outputs=False)
        if raw_root is None:
            return None
        names.insert(0, holder_name)
    # Under an API version cap below 1.20 show_stack resolves the outputs anyway: the owner has none either way.
    return shape_owner(described[0], without_outputs(raw_stack), without_outputs(raw_root), '/'.join(names))


def without_outputs(raw_stack):
    return dict((key, value) for key, value in raw_stack.items() if key != 'outputs')


def is_failed(resource):
    """True for a shaped resource whose status is FAILED (CREATE_FAILED, UPDATE_FAILED, ...)."""
    return (resource.get('status') or '').endswith('FAILED')


def failed_resources(client, identity, nested_depth=3):
    """The resources of a stack (and its nested stacks) whose status is FAILED, with their reasons."""
    return [resource for resource in list_resources(client, identity, nested_depth) if is_failed(resource)]


def describe_failure(raw, failed):
    """One sentence for a stack that ended FAILED, naming the failed resources and why."""
    message = "stack '%s' is %s: %s" % (raw.get('stack_name'), stack_state(raw), raw.get('stack_status_reason'))
    if failed:
        message += '; failed resources: ' + '; '.join(
            '%s (%s): %s' % (item['name'], item['status'], item['status_reason']) for item in failed)
    return message


# Deepest nesting followed when naming a resource's path (a cycle cannot happen; a bound is cheap).
MAX_NESTING = 50


class ResourceTree:
    """A stack's resources down through its nested stacks (list_stack_resources, raw), by path."""

    def __init__(self, resources, top_id=None):
        self.resources = list(resources)
        self.top_id = top_id
        parent_of = dict((stack_id_of(resource.get('nested_stack_id')), resource) for resource in self.resources
                         if stack_id_of(resource.get('nested_stack_id')))
        self.by_path = {}
        for resource in self.resources:
            self.by_path[self.path_of(resource, parent_of)] = resource
        # Each nested stack's id -> the path of the resource that is it.
        self.nested_paths = dict((stack_id_of(resource.get('nested_stack_id')), path)
                                 for path, resource in self.by_path.items() if stack_id_of(resource.get('nested_stack_id')))

    @classmethod
    def read(cls, client, identity):
        return cls(client.list_stack_resources(None, identity, nested_depth=ALL_NESTED), stack_id_of(identity))

    @staticmethod
    def path_of(resource, parent_of):
        names = [resource.get('resource_name')]
        stack_id = stack_id_of(resource.get('stack_identity'))
        while stack_id in parent_of and len(names) < MAX_NESTING:
            parent = parent_of[stack_id]
            names.insert(0, parent.get('resource_name'))
            stack_id = stack_id_of(parent.get('stack_identity'))
        return '/'.join(str(name) for name in names)

    def stack_path(self, stack_id):
        """The path of the resource that is the nested stack ``stack_id``: '' for the top stack, None if unknown."""
        if stack_id == self.top_id:
            return ''
        return self.nested_paths.get(stack_id)

    def at_and_under(self, path):
        """(path, resource) of the resource at ``path`` and of every resource inside it, by path."""
        return sorted((found, resource) for found, resource in self.by_path.items()
                      if found == path or found.startswith(path + '/'))

    def nested_stacks(self):
        """(path, nested stack identity) of every nested stack, the top stack's as ''."""
        return sorted((path, resource['nested_stack_id']) for path, resource in self.by_path.items()
                      if isinstance(resource.get('nested_stack_id'), dict))

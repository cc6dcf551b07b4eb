# -*- coding: utf-8 -*-
# Copyright: heat_rpc.engine contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the heat_stack inventory plugin reads from a stack, and the hosts and groups it makes of it.

fetch_source() asks the engine (identify_stack, show_stack without outputs, one show_output for the hosts
output, one list_stack_resources per resource rule) and returns plain data that can be cached;
build_inventory() turns that data into groups and host variables, without the engine.

The hosts output has this shape: a mapping of group name to either a mapping of host name to that host's
variables (a mapping, or null for none), or a list of host names (or null for an empty group).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.secrets import stack_secrets_masked_on_failure
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.shapes import stack_state
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService, list_resources, output_value

RESOURCE_RULE_KEYS = ('type', 'attributes', 'group', 'hostname_attribute', 'nested_depth')
HOST_RESOURCE_KEYS = ('name', 'type', 'physical_id', 'status', 'status_reason', 'stack_name', 'stack_id')


def check_resource_rules(rules):
    """Refuse resource rules that are not mappings with a ``type`` and only known keys."""
    for index, rule in enumerate(rules or []):
        where = 'resources[%d]' % index
        if not isinstance(rule, dict):
            raise errors.ConfigurationError('%s must be a mapping with a type, not %r' % (where, rule))
        unknown = sorted(set(rule) - set(RESOURCE_RULE_KEYS))
        if unknown:
            raise errors.ConfigurationError('%s: unknown key%s %s; known keys: %s' % (
                where, 's' if len(unknown) > 1 else '', ', '.join(unknown), ', '.join(RESOURCE_RULE_KEYS)))
        if not rule.get('type') or not isinstance(rule['type'], str):
            raise errors.ConfigurationError('%s: type (a resource type such as OS::Nova::Server) is required' % where)
        attributes = rule.get('attributes') or []
        if not isinstance(attributes, list) or not all(isinstance(item, str) for item in attributes):
            raise errors.ConfigurationError('%s.attributes must be a list of attribute names' % where)
        depth = rule.get('nested_depth') or 0
        if not isinstance(depth, int) or depth < 0:
            raise errors.ConfigurationError('%s.nested_depth must be a number of 0 or more, not %r' % (where, depth))


def fetch_source(client, stack, hosts_output=None, resource_rules=()):
    """Plain data (cacheable) for build_inventory: the stack, its hosts output's value, the matching resources."""
    service = StackService(client)
    identity = service.identify(stack)
    raw = service.show(identity, resolve_outputs=False) if identity else None
    if raw is None:
        raise errors.NotFoundError("stack '%s' not found" % stack, method='identify_stack')
    identity = raw['stack_identity']
    data = {'stack': {'name': raw.get('stack_name'), 'id': identity.get('stack_id'), 'status': stack_state(raw)},
            'output': None, 'resources': []}
    with stack_secrets_masked_on_failure(client, identity):
        if hosts_output:
            data['output'] = output_value(client, identity, hosts_output)
        for rule in resource_rules or ():
            found = []
            for resource in list_resources_with_detail(client, identity, rule):
                found.append(dict((key, resource.get(key)) for key in HOST_RESOURCE_KEYS + ('attributes',)))
            data['resources'].append(found)
    return data


def list_resources_with_detail(client, identity, rule):
    """The resources of exactly the rule's type (its nested stacks down to its nested_depth), with attributes.

    The engine's ``type`` filter matches a part of the type name; the exact match is made here.
    """
    filters = {'type': rule['type']}
    if not client.allows('list_stack_resources', filters=filters):
        filters = None  # an API version cap below 1.25: list them all, keep the type here
    return [resource for resource in list_resources(client, identity, rule.get('nested_depth') or 0,
                                                    with_detail=True, filters=filters)
            if resource['type'] == rule['type']]


class InventoryBuilder:
    """Groups (name -> host names, in order) and host variables, merged in the order things are added."""

    def __init__(self):
        self.groups = {}
        self.hostvars = {}

    def add(self, host, group=None, variables=None):
        if not isinstance(host, str) or not host:
            raise errors.ConfigurationError('a host name must be a non-empty string, not %r' % (host,))
        self.hostvars.setdefault(host, {}).update(variables or {})
        if group:
            members = self.groups.setdefault(group, [])
            if host not in members:
                members.append(host)

    def add_group(self, group):
        self.groups.setdefault(group, [])


def hosts_from_output(builder, value, output_name, stack_vars):
    """Add the hosts and groups of the hosts output (see the module docstring for its shape)."""
    where = "output '%s'" % output_name
    if value is None:
        return
    if not isinstance(value, dict):
        raise errors.ConfigurationError('%s must be a mapping of group name to hosts, not %s' % (
            where, type(value).__name__))
    for group, hosts in value.items():
        builder.add_group(group)
        if hosts is None:
            continue
        if isinstance(hosts, list):
            hosts = dict((host, None) for host in hosts)
        if not isinstance(hosts, dict):
            raise errors.ConfigurationError(
                '%s: group %s must map host names to their variables, or list host names, not %s' % (
                    where, group, type(hosts).__name__))
        for host, variables in hosts.items():
            if variables is not None and not isinstance(variables, dict):
                raise errors.ConfigurationError('%s: the variables of host %s in group %s must be a mapping, not %s' % (
                    where, host, group, type(variables).__name__))
            builder.add(host, group, dict(stack_vars, **(variables or {})))


def hosts_from_resources(builder, rule, resources, stack_vars):
    """Add a host per resource of a resource rule, named by the resource (or one of its attributes)."""
    wanted = rule.get('attributes') or []
    for resource in resources:
        attributes = resource.get('attributes') or {}
        name = resource['name']
        if rule.get('hostname_attribute'):
            name = attributes.get(rule['hostname_attribute'])
            if not isinstance(name, str) or not name:
                raise errors.ConfigurationError("resources: attribute '%s' of resource %s (%s) is %r, not a host name" % (
                    rule['hostname_attribute'], resource['name'], resource['stack_name'], name))
        variables = dict(stack_vars)
        variables['heat_resource'] = dict((key, resource.get(key)) for key in HOST_RESOURCE_KEYS)
        variables['heat_attributes'] = dict((key, attributes.get(key)) for key in wanted)
        builder.add(name, rule.get('group'), variables)


def build_inventory(data, hosts_output=None, resource_rules=()):
    """(groups, hostvars) from fetch_source()'s data; every host has ``heat_stack`` (name, id, status)."""
    builder = InventoryBuilder()
    stack_vars = {'heat_stack': dict(data['stack'])}
    if hosts_output:
        hosts_from_output(builder, data.get('output'), hosts_output, stack_vars)
    for rule, resources in zip(resource_rules or (), data.get('resources') or []):
        hosts_from_resources(builder, rule, resources, stack_vars)
    return builder.groups, builder.hostvars

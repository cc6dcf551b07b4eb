# -*- coding: utf-8 -*-
"""The inventory plugin's domain: what is asked of the engine (fetch_source), the hosts and groups made of it
(build_inventory), and the checks of the resource rules."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.inventory import (
    build_inventory, check_resource_rules, fetch_source,
)

from runner_doubles import ScriptedClient

IDENTITY = {'stack_name': 'st', 'stack_id': 'st-id', 'tenant': 'p', 'path': ''}
RAW_STACK = {'stack_name': 'st', 'stack_identity': IDENTITY, 'stack_action': 'CREATE', 'stack_status': 'COMPLETE'}
STACK = {'name': 'st', 'id': 'st-id', 'status': 'CREATE_COMPLETE'}


# -- inventory: what is asked of the engine -----------------------------------------------------------------

def resource(name, rtype='OS::Nova::Server', stack='st', **attributes):
    return {'resource_name': name, 'resource_type': rtype, 'resource_action': 'CREATE', 'resource_status': 'COMPLETE',
            'physical_resource_id': 'phys-' + name, 'stack_name': stack, 'resource_status_reason': 'ok',
            'stack_identity': {'stack_id': stack + '-id'}, 'attributes': attributes}


def test_fetch_source_asks_one_output_and_one_listing_per_rule():
    client = ScriptedClient({'identify_stack': IDENTITY, 'show_stack': [RAW_STACK],
                             'show_output': {'output_key': 'hosts', 'output_value': {'g': ['h']}},
                             'list_stack_resources': [resource('a', first_address='192.0.2.1'),
                                                      resource('b', rtype='OS::Nova::ServerGroup')]})
    rules = [{'type': 'OS::Nova::Server', 'attributes': ['first_address']}, {'type': 'OS::Nova::Server', 'nested_depth': 2}]
    data = fetch_source(client, 'st', 'hosts', rules)
    assert client.methods() == ['identify_stack', 'show_stack', 'show_output', 'list_stack_resources',
                                'list_stack_resources']
    assert client.kwargs_of('show_stack') == [{'resolve_outputs': False}]
    assert client.kwargs_of('list_stack_resources') == [
        {'nested_depth': 0, 'with_detail': True, 'filters': {'type': 'OS::Nova::Server'}},
        {'nested_depth': 2, 'with_detail': True, 'filters': {'type': 'OS::Nova::Server'}}]
    assert data['stack'] == STACK and data['output'] == {'g': ['h']}
    # The engine's type filter matches a part of the name: the exact type is kept here.
    assert [[r['name'] for r in found] for found in data['resources']] == [['a'], ['a']]


def test_fetch_source_of_a_missing_stack():
    client = ScriptedClient({'identify_stack': errors.NotFoundError('no')})
    with pytest.raises(errors.NotFoundError, match="stack 'gone' not found"):
        fetch_source(client, 'gone', 'hosts')


def test_fetch_source_under_an_api_cap_without_the_type_filter_keeps_the_exact_type_itself():
    # Below RPC API 1.25 list_stack_resources takes no filters: all resources are listed, the type is matched here.
    client = ScriptedClient({'identify_stack': IDENTITY, 'show_stack': [RAW_STACK],
                             'list_stack_resources': [resource('a'), resource('b', rtype='OS::Nova::ServerGroup'),
                                                      resource('c', rtype='OS::Nova::Server::Extra')]},
                            allowed=False)
    data = fetch_source(client, 'st', None, [{'type': 'OS::Nova::Server'}])
    assert client.methods() == ['identify_stack', 'show_stack', 'list_stack_resources']
    # Without resolve_outputs=False (also refused under the cap) the outputs are resolved: slower, never refused.
    assert client.kwargs_of('show_stack') == [{'resolve_outputs': True}]
    assert client.kwargs_of('list_stack_resources') == [{'nested_depth': 0, 'with_detail': True, 'filters': None}]
    assert data['output'] is None
    assert [[r['name'] for r in found] for found in data['resources']] == [['a']]


def test_fetch_source_of_a_deleted_stack_found_by_id():
    client = ScriptedClient({'identify_stack': IDENTITY,
                             'show_stack': [dict(RAW_STACK, stack_action='DELETE', stack_status='COMPLETE')]})
    with pytest.raises(errors.NotFoundError, match="stack 'st-id' not found"):
        fetch_source(client, 'st-id', 'hosts')
    assert 'show_output' not in client.methods()


def test_fetch_source_keeps_only_the_host_keys_of_a_resource():
    client = ScriptedClient({'identify_stack': IDENTITY, 'show_stack': [RAW_STACK],
                             'list_stack_resources': [dict(resource('a', first_address='192.0.2.1'),
                                                           properties={'flavor': 'm1'}, metadata={'k': 'v'})]})
    data = fetch_source(client, 'st', None, [{'type': 'OS::Nova::Server'}])
    assert data['resources'] == [[{'name': 'a', 'type': 'OS::Nova::Server', 'physical_id': 'phys-a',
                                   'status': 'CREATE_COMPLETE', 'status_reason': 'ok', 'stack_name': 'st',
                                   'stack_id': 'st-id', 'attributes': {'first_address': '192.0.2.1'}}]]


# -- inventory: hosts and groups from the data ---------------------------------------------------------------

def hosts_of(output=None, resources=None, rules=(), hosts_output='hosts'):
    data = {'stack': STACK, 'output': output, 'resources': resources or []}
    return build_inventory(data, hosts_output, list(rules))


@pytest.mark.parametrize('output,groups,hostvars', [
    ({'web': {'w0': {'ansible_host': '192.0.2.1'}, 'w1': None}, 'db': ['d0', 'w1'], 'spare': None},
     {'web': ['w0', 'w1'], 'db': ['d0', 'w1'], 'spare': []},
     {'w0': {'ansible_host': '192.0.2.1'}, 'w1': {}, 'd0': {}}),
    # A host in two groups gets the variables of both (the later group wins a clash).
    ({'a': {'h': {'x': 1, 'y': 1}}, 'b': {'h': {'y': 2}}}, {'a': ['h'], 'b': ['h']}, {'h': {'x': 1, 'y': 2}}),
    # An output may set heat_stack itself; a null output makes nothing.
    ({'a': {'h': {'heat_stack': 'mine'}}}, {'a': ['h']}, {'h': {'heat_stack': 'mine'}}),
    (None, {}, {}),
])
def test_hosts_from_the_output(output, groups, hostvars):
    got_groups, got_hostvars = hosts_of(output)
    assert got_groups == groups
    expected = dict((host, dict({'heat_stack': STACK}, **variables)) for host, variables in hostvars.items())
    assert got_hostvars == expected


@pytest.mark.parametrize('output,message', [
    (['a'], "output 'hosts' must be a mapping of group name to hosts, not list"),
    ('web', "output 'hosts' must be a mapping of group name to hosts, not str"),
    ({'web': 'w0'}, "output 'hosts': group web must map host names to their variables, or list host names, not str"),
    ({'web': {'w0': ['x']}}, "output 'hosts': the variables of host w0 in group web must be a mapping, not list"),
    ({'web': [3]}, 'a host name must be a non-empty string, not 3'),
])
def test_an_output_of_the_wrong_shape_is_refused(output, message):
    with pytest.raises(errors.ConfigurationError) as caught:
        hosts_of(output)
    assert str(caught.value) == message


SERVERS = [[{'name': 'a', 'type': 'OS::Nova::Server', 'physical_id': 'pa', 'status': 'CREATE_COMPLETE',
             'status_reason': 'ok', 'stack_name': 'st', 'stack_id': 'st-id',
             'attributes': {'name': 'web-a', 'first_address': '192.0.2.1', 'secret_stuff': 'x'}},
            {'name': 'b', 'type': 'OS::Nova::Server', 'physical_id': 'pb', 'status': 'CREATE_FAILED',
             'status_reason': 'boom', 'stack_name': 'nested', 'stack_id': 'n-id', 'attributes': {'name': 'web-b'}}]]


@pytest.mark.parametrize('rule,groups,names,attributes', [
    ({'type': 'OS::Nova::Server'}, {}, ['a', 'b'], [{}, {}]),
    ({'type': 'OS::Nova::Server', 'group': 'servers', 'attributes': ['first_address']}, {'servers': ['a', 'b']},
     ['a', 'b'], [{'first_address': '192.0.2.1'}, {'first_address': None}]),
    ({'type': 'OS::Nova::Server', 'hostname_attribute': 'name'}, {}, ['web-a', 'web-b'], [{}, {}]),
])
def test_hosts_from_resources(rule, groups, names, attributes):
    got_groups, hostvars = hosts_of(resources=SERVERS, rules=[rule], hosts_output=None)
    assert got_groups == groups
    assert list(hostvars) == names
    assert [hostvars[name]['heat_attributes'] for name in names] == attributes
    first = hostvars[names[0]]
    assert first['heat_stack'] == STACK
    assert first['heat_resource'] == {'name': 'a', 'type': 'OS::Nova::Server', 'physical_id': 'pa',
                                      'status': 'CREATE_COMPLETE', 'status_reason': 'ok', 'stack_name': 'st',
                                      'stack_id': 'st-id'}


def test_a_hostname_attribute_without_a_value_is_refused():
    with pytest.raises(errors.ConfigurationError, match="attribute 'first_address' of resource b .nested. is None"):
        hosts_of(resources=SERVERS, rules=[{'type': 'OS::Nova::Server', 'hostname_attribute': 'first_address'}],
                 hosts_output=None)


@pytest.mark.parametrize('rules,message', [
    (['OS::Nova::Server'], "resources[0] must be a mapping with a type, not 'OS::Nova::Server'"),
    ([{'attributes': ['a']}], 'resources[0]: type (a resource type such as OS::Nova::Server) is required'),
    ([{'type': 'T'}, {'type': 'T', 'colour': 'red'}],
     'resources[1]: unknown key colour; known keys: type, attributes, group, hostname_attribute, nested_depth'),
    ([{'type': 'T', 'attributes': 'name'}], 'resources[0].attributes must be a list of attribute names'),
    ([{'type': 'T', 'nested_depth': -1}], 'resources[0].nested_depth must be a number of 0 or more, not -1'),
    ([{'type': 'T', 'attributes': ['a'], 'nested_depth': 3, 'group': 'g', 'hostname_attribute': 'a'}], None),
])
def test_resource_rules_are_checked(rules, message):
    if message is None:
        check_resource_rules(rules)
        return
    with pytest.raises(errors.ConfigurationError) as caught:
        check_resource_rules(rules)
    assert str(caught.value) == message

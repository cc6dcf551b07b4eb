# -*- coding: utf-8 -*-
"""The shapers: each engine dict in the one form every module returns (one spelling per field)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import shapes

IDENTITY = {'stack_name': 'st', 'stack_id': 'st-id', 'tenant': 'proj', 'path': ''}


@pytest.mark.parametrize('action,status,expected', [
    ('CREATE', 'COMPLETE', 'CREATE_COMPLETE'),
    ('DELETE', 'IN_PROGRESS', 'DELETE_IN_PROGRESS'),
    ('CREATE', None, 'CREATE'),
    (None, 'COMPLETE', 'COMPLETE'),
    ('', '', ''),
    (None, None, ''),
])
def test_combined_status(action, status, expected):
    assert shapes.combined_status(action, status) == expected
    assert shapes.stack_state({'stack_action': action, 'stack_status': status}) == expected


def test_shape_outputs_keeps_the_order_and_every_field():
    raw = [{'output_key': 'b', 'output_value': [1], 'description': 'B'},
           {'output_key': 'a', 'output_value': None, 'output_error': 'boom'}]
    values, listing = shapes.shape_outputs(raw)
    assert values == {'b': [1], 'a': None}
    assert listing == [{'key': 'b', 'value': [1], 'description': 'B', 'error': None},
                       {'key': 'a', 'value': None, 'description': None, 'error': 'boom'}]
    assert shapes.shape_outputs(None) == ({}, [])


RAW_STACK = {'stack_name': 'st', 'stack_identity': IDENTITY, 'stack_action': 'UPDATE', 'stack_status': 'FAILED',
             'stack_status_reason': 'why', 'description': 'd', 'creation_time': 'c', 'updated_time': 'u',
             'stack_owner': 'me', 'parent': 'p-id', 'tags': None}


@pytest.mark.parametrize('extra,expected', [
    # A listing: no parameters, no outputs.
    ({}, {}),
    ({'parameters': {'x': '******'}, 'timeout_mins': 60, 'disable_rollback': True},
     {'parameters': {'x': '******'}, 'timeout_mins': 60, 'disable_rollback': True}),
    ({'parameters': None}, {'parameters': {}, 'timeout_mins': None, 'disable_rollback': None}),
    ({'outputs': [{'output_key': 'k', 'output_value': 1}]},
     {'outputs': {'k': 1}, 'output_list': [{'key': 'k', 'value': 1, 'description': None, 'error': None}]}),
])
def test_shape_stack(extra, expected):
    shaped = shapes.shape_stack(dict(RAW_STACK, **extra))
    assert shaped == dict({
        'id': 'st-id', 'name': 'st', 'identity': IDENTITY, 'action': 'UPDATE', 'status': 'UPDATE_FAILED',
        'status_reason': 'why', 'description': 'd', 'creation_time': 'c', 'updated_time': 'u', 'deletion_time': None,
        'tags': [], 'parent': 'p-id', 'owner': 'me', 'project_id': 'proj'}, **expected)


def test_shape_stack_without_an_identity():
    shaped = shapes.shape_stack({'stack_name': 'st'})
    assert (shaped['id'], shaped['identity'], shaped['project_id'], shaped['action'], shaped['status']) == (
        None, {}, None, '', '')


RAW_RESOURCE = {'resource_name': 'server', 'resource_type': 'OS::Nova::Server', 'resource_action': 'CREATE',
                'resource_status': 'IN_PROGRESS', 'resource_status_reason': 'state changed',
                'physical_resource_id': 'phys', 'stack_name': 'nested', 'stack_identity': {'stack_id': 'n-id'},
                'parent_resource': 'group', 'nested_stack_id': {'stack_id': 'child-id'},
                'required_by': ['port'], 'creation_time': 'c', 'updated_time': 'u'}


@pytest.mark.parametrize('extra,expected', [
    ({}, {}),
    # An empty physical id (not created yet) is None; a missing nested stack or required_by is None or [].
    ({'physical_resource_id': '', 'nested_stack_id': None, 'required_by': None},
     {'physical_id': None, 'nested_stack_id': None, 'required_by': []}),
    # The detail fields only when the engine gave them.
    ({'attributes': {'first_address': '192.0.2.1'}, 'metadata': {}, 'description': 'srv', 'properties': {'f': 1}},
     {'attributes': {'first_address': '192.0.2.1'}, 'metadata': {}, 'description': 'srv', 'properties': {'f': 1}}),
])
def test_shape_resource(extra, expected):
    assert shapes.shape_resource(dict(RAW_RESOURCE, **extra)) == dict({
        'name': 'server', 'type': 'OS::Nova::Server', 'action': 'CREATE', 'status': 'CREATE_IN_PROGRESS',
        'status_reason': 'state changed', 'physical_id': 'phys', 'stack_name': 'nested', 'stack_id': 'n-id',
        'parent_resource': 'group', 'nested_stack_id': 'child-id', 'required_by': ['port'], 'creation_time': 'c',
        'updated_time': 'u'}, **expected)


def test_shape_owner_shapes_the_resource_and_both_stacks():
    nested = dict(RAW_STACK, stack_name='nested', stack_identity=dict(IDENTITY, stack_id='n-id'), parent='st-id',
                  parameters={})
    root = dict(RAW_STACK, parent=None)
    owner = shapes.shape_owner(RAW_RESOURCE, nested, root, 'group/0/server')
    assert owner == {'path': 'group/0/server', 'resource': shapes.shape_resource(RAW_RESOURCE),
                     'stack': shapes.shape_stack(nested), 'root_stack': shapes.shape_stack(root)}
    assert (owner['resource']['physical_id'], owner['stack']['parent'], owner['root_stack']['parent']) == (
        'phys', 'st-id', None)


@pytest.mark.parametrize('identity,expected', [
    ({'path': '/stacks/st/st-id/resources/server/events/ev-1'}, 'ev-1'),
    ({'path': '/stacks/st/st-id/resources/server/events/ev-1/'}, 'ev-1'),
    ({'path': 'ev-2'}, 'ev-2'),
    ({'path': ''}, None),
    ({}, None),
    (None, None),
])
def test_event_id(identity, expected):
    assert shapes.event_id({'event_identity': identity}) == expected


def test_shape_event():
    raw = dict(RAW_RESOURCE, event_identity={'path': '/x/events/ev-1'}, event_time='t',
               resource_status='COMPLETE', physical_resource_id=None)
    assert shapes.shape_event(raw) == {
        'id': 'ev-1', 'time': 't', 'resource_name': 'server', 'resource_type': 'OS::Nova::Server',
        'action': 'CREATE', 'status': 'CREATE_COMPLETE', 'status_reason': 'state changed', 'physical_id': None,
        'stack_name': 'nested', 'stack_id': 'n-id'}


def test_shape_hook():
    raw = dict(RAW_RESOURCE, event_time='t', stack_identity=IDENTITY)
    assert shapes.shape_hook(raw, 'group/server', 'CREATE', 'pre-create') == {
        'resource': 'server', 'path': 'group/server', 'hook': 'pre-create', 'action': 'CREATE',
        'resource_type': 'OS::Nova::Server', 'stack_name': 'nested', 'stack_id': 'st-id', 'stack_identity': IDENTITY,
        'time': 't'}
    assert shapes.shape_hook({}, 'r', 'UPDATE', 'pre-update')['stack_identity'] == {}


RAW_SNAPSHOT = {'id': 'snap', 'name': 'nightly', 'action': 'SNAPSHOT', 'status': 'COMPLETE', 'status_reason': 'ok',
                'creation_time': 'c', 'data': {'resources': {}}}


@pytest.mark.parametrize('raw,include_data,expected', [
    (RAW_SNAPSHOT, True, {'id': 'snap', 'name': 'nightly', 'action': 'SNAPSHOT', 'status': 'SNAPSHOT_COMPLETE',
                          'status_reason': 'ok', 'creation_time': 'c', 'data': {'resources': {}}}),
    (RAW_SNAPSHOT, False, {'id': 'snap', 'name': 'nightly', 'action': 'SNAPSHOT', 'status': 'SNAPSHOT_COMPLETE',
                           'status_reason': 'ok', 'creation_time': 'c'}),
    (None, True, {}),
    ({}, True, {}),
])
def test_shape_snapshot(raw, include_data, expected):
    assert shapes.shape_snapshot(raw, include_data=include_data) == expected


@pytest.mark.parametrize('raw,expected_keys', [
    ({'id': 'c', 'name': 'n', 'group': 'script', 'creation_time': 't'}, ['id', 'name', 'group', 'creation_time']),
    # In CONFIG_FIELDS order whatever the engine's order; unknown keys are dropped; a predicted config has no id.
    ({'options': {}, 'outputs': [], 'inputs': [], 'config': 'echo', 'group': 'script', 'name': 'n', 'extra': 1},
     ['name', 'group', 'config', 'inputs', 'outputs', 'options']),
    ({'project': 'p', 'id': 'c'}, ['id', 'project']),
])
def test_shape_config(raw, expected_keys):
    shaped = shapes.shape_config(raw)
    assert list(shaped) == expected_keys
    assert all(shaped[key] == raw[key] for key in expected_keys)
    assert shapes.shape_config(None) == {} and shapes.shape_config({}) == {}


def test_shape_deployment():
    raw = {'id': 'd', 'server_id': 's', 'config_id': 'c', 'input_values': None, 'action': 'CREATE',
           'status': 'COMPLETE', 'status_reason': 'Outputs received', 'creation_time': 'c', 'extra': 1}
    # A deployment keeps the engine's own status (COMPLETE), as heat_software_deployment takes it as an option.
    assert shapes.shape_deployment(raw) == {
        'id': 'd', 'server_id': 's', 'config_id': 'c', 'input_values': {}, 'output_values': {}, 'action': 'CREATE',
        'status': 'COMPLETE', 'status_reason': 'Outputs received', 'creation_time': 'c', 'updated_time': None}
    assert shapes.shape_deployment(None) is None
    assert shapes.shape_deployment({})['input_values'] == {}


@pytest.mark.parametrize('parameters,hidden,expected', [
    ({'user': 'u', 'password': 'pw'}, {'password'}, {'user': 'u', 'password': '******'}),
    ({'user': 'u'}, {'password'}, {'user': 'u'}),
    ({'user': 'u'}, set(), {'user': 'u'}),
    (None, {'password'}, {}),
])
def test_mask_hidden(parameters, hidden, expected):
    assert shapes.mask_hidden(parameters, hidden) == expected


@pytest.mark.parametrize('resources,expected', [
    ([{'resource_name': 'a'}, [{'resource_name': 'b'}, [{'resource_name': 'c'}]], {'resource_name': 'd'}],
     ['a', 'b', 'c', 'd']),
    ([[], 'junk', None, {'resource_name': 'a'}], ['a']),
    (None, []),
])
def test_flatten_preview(resources, expected):
    assert [item['resource_name'] for item in shapes.flatten_preview(resources)] == expected


def test_shape_preview_resource():
    raw = {'resource_name': 'a', 'resource_type': 'T', 'stack_name': 'st', 'parent_resource': None,
           'resource_action': 'INIT', 'properties': {}}
    assert shapes.shape_preview_resource(raw) == {'name': 'a', 'type': 'T', 'stack_name': 'st',
                                                  'parent_resource': None}

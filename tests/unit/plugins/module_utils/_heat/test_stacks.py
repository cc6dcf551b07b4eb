# -*- coding: utf-8 -*-
"""Stack lookups: finding and showing a stack, paging, outputs one at a time, failed resources, the stack that holds
a physical resource."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat import stacks
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import output_values

from runner_doubles import InTurn, ScriptedClient, StackTree

IDENTITY = {'stack_name': 'st', 'stack_id': 'st-id', 'tenant': 'p', 'path': ''}
RAW_STACK = {'stack_name': 'st', 'stack_identity': IDENTITY, 'stack_action': 'CREATE', 'stack_status': 'COMPLETE'}


def assert_outcome(call, expected):
    """``call()`` returns ``expected``, or raises a HeatRpcError of its type and message."""
    try:
        got = call()
    except errors.HeatRpcError as exc:
        got = exc
    if isinstance(expected, Exception):
        assert (type(got), str(got)) == (type(expected), str(expected))
    else:
        assert got == expected


# -- outputs: one identify_stack, then one show_output per key (the lookup plugin's way) ------------------------

@pytest.mark.parametrize('answers,keys,expected,calls', [
    ({'show_output': InTurn({'output_key': 'a', 'output_value': 1}, {'output_key': 'b', 'output_value': {'x': [2]}})},
     ['a', 'b'], [1, {'x': [2]}], ['identify_stack', 'show_output', 'show_output']),
    ({'show_output': errors.NotFoundError('Specified output key c not found.')}, ['c'],
     errors.NotFoundError("stack 'st' has no output 'c'"), ['identify_stack', 'show_output', 'get_files']),
    ({'show_output': {'output_key': 'd', 'output_value': None, 'output_error': 'list index out of range'}}, ['d'],
     errors.ValidationFailedError("output 'd' of stack 'st' cannot be resolved: list index out of range"),
     ['identify_stack', 'show_output', 'get_files']),
    ({'identify_stack': errors.NotFoundError('no')}, ['a'], errors.NotFoundError("stack 'st' not found"),
     ['identify_stack']),
])
def test_output_values(answers, keys, expected, calls):
    """A failure about the stack reads its files: hidden values they hold are masked (_heat/secrets.py)."""
    client = ScriptedClient(dict({'identify_stack': IDENTITY}, **answers))
    assert_outcome(lambda: output_values(client, 'st', keys), expected)
    assert client.methods() == calls  # never show_stack: the other outputs are not resolved
    assert [args for method, args, _kwargs in client.calls if method == 'show_output'] == [
        (IDENTITY, key) for key in keys][:calls.count('show_output')]


@pytest.mark.parametrize('identity,answer,expected', [
    # An identity without a name names the stack by id; a null answer is a null value.
    ({'stack_id': 'st-id'}, errors.NotFoundError('no'), errors.NotFoundError("stack 'st-id' has no output 'k'")),
    (IDENTITY, None, None),
    (IDENTITY, {'output_key': 'k', 'output_value': [1], 'output_error': ''}, [1]),
])
def test_output_value(identity, answer, expected):
    client = ScriptedClient({'show_output': answer})
    try:
        got = stacks.output_value(client, identity, 'k')
    except errors.HeatRpcError as exc:
        assert exc.method == 'show_output'
        got = exc
    assert_outcome(lambda: got, expected)


# -- names, ids and deleted stacks ----------------------------------------------------------------------------

@pytest.mark.parametrize('value,expected', [
    ('0b1f9d6e-3c4a-4b8e-9d7c-6b5a4f3e2d1c', True),
    ('0b1f9d6e3c4a4b8e9d7c6b5a4f3e2d1c', True),
    ('0B1F9D6E-3C4A-4B8E-9D7C-6B5A4F3E2D1C', True),
    ('0b1f9d6e-3c4a-4b8e-9d7c-6b5a4f3e2d1', False),
    ('0b1f9d6e-3c4a-4b8e-9d7c-6b5a4f3e2d1cc', False),
    ('web-tier', False),
    ('', False),
    (None, False),
])
def test_looks_like_uuid(value, expected):
    assert stacks.looks_like_uuid(value) is expected


@pytest.mark.parametrize('action,status,expected', [
    ('DELETE', 'COMPLETE', True),
    ('DELETE', 'FAILED', False),
    ('DELETE', 'IN_PROGRESS', False),
    ('CREATE', 'COMPLETE', False),
])
def test_is_deleted(action, status, expected):
    assert stacks.is_deleted({'stack_action': action, 'stack_status': status}) is expected


@pytest.mark.parametrize('answers,allowed,expected,show_kwargs', [
    # show_stack answers a list of one for an identity.
    ({'show_stack': [RAW_STACK]}, True, RAW_STACK, [{'resolve_outputs': False}]),
    ({'show_stack': RAW_STACK}, True, RAW_STACK, [{'resolve_outputs': False}]),
    # Under an API cap without resolve_outputs=False the outputs are resolved rather than the call refused.
    ({'show_stack': [RAW_STACK]}, False, RAW_STACK, [{'resolve_outputs': True}]),
    ({'show_stack': [dict(RAW_STACK, stack_action='DELETE')]}, True, None, [{'resolve_outputs': False}]),
    ({'show_stack': errors.NotFoundError('gone')}, True, None, [{'resolve_outputs': False}]),
    ({'show_stack': None}, True, None, [{'resolve_outputs': False}]),
    ({'identify_stack': errors.NotFoundError('no')}, True, None, []),
])
def test_find(answers, allowed, expected, show_kwargs):
    client = ScriptedClient(dict({'identify_stack': IDENTITY}, **answers), allowed=allowed)
    assert stacks.StackService(client).find('st', resolve_outputs=False) == expected
    assert client.kwargs_of('show_stack') == show_kwargs


def test_identify_lets_other_errors_through():
    client = ScriptedClient({'identify_stack': errors.BrokerUnreachableError('down')})
    with pytest.raises(errors.BrokerUnreachableError):
        stacks.StackService(client).identify('st')


@pytest.mark.parametrize('answers,expected', [
    ({}, RAW_STACK),
    ({'identify_stack': errors.NotFoundError('no')}, errors.NotFoundError("stack 'gone' not found")),
    ({'show_stack': [dict(RAW_STACK, stack_action='DELETE')]}, errors.NotFoundError("stack 'gone' not found")),
])
def test_require_stack(answers, expected):
    client = ScriptedClient(dict({'identify_stack': IDENTITY, 'show_stack': [RAW_STACK]}, **answers))
    assert_outcome(lambda: stacks.require_stack(stacks.StackService(client), 'gone'), expected)
    if not isinstance(expected, Exception):
        assert client.kwargs_of('show_stack') == [{'resolve_outputs': False}]


# -- paging ---------------------------------------------------------------------------------------------------

def pages_of(items, marker_of=lambda item: item):
    """fetch_page over ``items`` (marker = the last item seen), recording each (size, marker) asked."""
    asked = []

    def fetch_page(size, marker):
        asked.append((size, marker))
        start = items.index(marker) + 1 if marker is not None else 0
        return items[start:start + size]
    return fetch_page, asked


@pytest.mark.parametrize('count,page_size,limit,returned,asked', [
    (5, 2, None, 5, [(2, None), (2, 1), (2, 3)]),
    # A full last page costs one more (empty) page.
    (4, 2, None, 4, [(2, None), (2, 1), (2, 3)]),
    (0, 2, None, 0, [(2, None)]),
    # A limit shrinks the last page and stops without asking for more.
    (5, 2, 3, 3, [(2, None), (1, 1)]),
    (5, 10, 2, 2, [(2, None)]),
    (5, 2, 0, 0, []),
])
def test_paginate(count, page_size, limit, returned, asked):
    items = list(range(count))
    fetch_page, calls = pages_of(items)
    assert list(stacks.paginate(fetch_page, lambda item: item, page_size, limit)) == items[:returned]
    assert calls == asked


def test_paginate_stops_at_an_item_without_a_marker():
    fetch_page, calls = pages_of(['a', 'b', 'c', 'd'])
    got = list(stacks.paginate(fetch_page, lambda item: None if item == 'b' else item, 2))
    assert got == ['a', 'b'] and calls == [(2, None)]


def test_iter_stacks_pages_list_stacks_with_the_filters():
    page = [dict(RAW_STACK, stack_identity={'stack_id': 'id-%d' % n}) for n in range(3)]
    client = ScriptedClient({'list_stacks': InTurn(page[:2], page[2:])})
    got = list(stacks.StackService(client).iter_stacks(page_size=2, filters={'name': 'st'}))
    assert got == page
    assert client.kwargs_of('list_stacks') == [{'limit': 2, 'marker': None, 'filters': {'name': 'st'}},
                                               {'limit': 2, 'marker': 'id-1', 'filters': {'name': 'st'}}]


# -- resources and failures -----------------------------------------------------------------------------------

def raw_resource(name, status='COMPLETE', stack_id='st-id', reason='ok', **extra):
    return dict({'resource_name': name, 'resource_type': 'T', 'resource_action': 'CREATE', 'resource_status': status,
                 'resource_status_reason': reason, 'stack_name': 'st', 'stack_identity': {'stack_id': stack_id}},
                **extra)


PARENTS = {'n1-id': raw_resource('group', stack_id='st-id'), 'n2-id': raw_resource('0', stack_id='n1-id')}


@pytest.mark.parametrize('entry,expected', [
    (raw_resource('server', stack_id='n2-id'), 'group/0/server'),
    (raw_resource('server', stack_id='n1-id'), 'group/server'),
    (raw_resource('server'), 'server'),
    # A resource whose nested stack is not known is named after its parent resource.
    (raw_resource('server', stack_id='other', parent_resource='grp'), 'grp/server'),
])
def test_resource_path(entry, expected):
    assert stacks.resource_path(entry, PARENTS) == expected


def test_resource_path_of_a_loop_ends():
    parents = {'a': raw_resource('x', stack_id='b'), 'b': raw_resource('y', stack_id='a')}
    assert len(stacks.resource_path(raw_resource('r', stack_id='a'), parents).split('/')) == 20


@pytest.mark.parametrize('status,expected', [
    ('CREATE_FAILED', True), ('UPDATE_FAILED', True), ('FAILED', True),
    ('CREATE_COMPLETE', False), ('FAILED_OVER', False), ('', False), (None, False),
])
def test_is_failed(status, expected):
    assert stacks.is_failed({'status': status}) is expected


def test_failed_resources_looks_three_nested_stacks_down_and_keeps_the_failed():
    client = ScriptedClient({'list_stack_resources': [raw_resource('a'), raw_resource('b', 'FAILED', reason='boom')]})
    failed = stacks.failed_resources(client, IDENTITY)
    assert [(item['name'], item['status'], item['status_reason']) for item in failed] == [
        ('b', 'CREATE_FAILED', 'boom')]
    assert client.kwargs_of('list_stack_resources') == [{'nested_depth': 3}]


@pytest.mark.parametrize('failed,expected', [
    ([], "stack 'st' is CREATE_FAILED: Resource CREATE failed"),
    ([{'name': 'a', 'status': 'CREATE_FAILED', 'status_reason': 'quota'},
      {'name': 'b', 'status': 'CREATE_FAILED', 'status_reason': 'boom'}],
     "stack 'st' is CREATE_FAILED: Resource CREATE failed; failed resources: a (CREATE_FAILED): quota; "
     "b (CREATE_FAILED): boom"),
])
def test_describe_failure(failed, expected):
    raw = dict(RAW_STACK, stack_status='FAILED', stack_status_reason='Resource CREATE failed')
    assert stacks.describe_failure(raw, failed) == expected


# -- which stack holds a physical resource: find it, then walk up through the parents -----------------------------

# root holds top and group; group's nested stack (grp) holds the members 0 and 1; each member holds a server.
TREE = {
    'root-id': (None, {'top': 'phys-top', 'group': 'grp-id'}),
    'grp-id': ('root-id', {'0': 'm0-id', '1': 'm1-id'}),
    'm0-id': ('grp-id', {'server': 'srv-0'}),
    'm1-id': ('grp-id', {'server': 'srv-1', 'port': 'prt-1'}),
    'other-id': (None, {'server': 'srv-other'}),
}
FOUND = 'find_physical_resource'


def walk(*stack_ids):
    """The calls of a walk up the stacks ``stack_ids`` (a child, its parent, ...): find the resource holding
    each nested stack, then show the stack that resource is in."""
    calls = []
    for child, parent in zip(stack_ids, stack_ids[1:]):
        calls += [(FOUND, child), ('show_stack', parent)]
    return calls


@pytest.mark.parametrize('physical_id,tree,owner,calls', [
    # A resource of a top stack: the stack is the root, the path its name.
    ('phys-top', {}, ('top', 'root', 'root', 'top'),
     [(FOUND, 'phys-top'), ('show_stack', 'root-id'), ('describe_stack_resources', 'root-id')]),
    ('srv-other', {}, ('server', 'other', 'other', 'server'),
     [(FOUND, 'srv-other'), ('show_stack', 'other-id'), ('describe_stack_resources', 'other-id')]),
    # Two levels down: up through the member and the group's nested stack to the root.
    ('srv-1', {}, ('server', 'm1', 'root', 'group/1/server'),
     [(FOUND, 'srv-1'), ('show_stack', 'm1-id'), ('describe_stack_resources', 'm1-id')] + walk('m1-id', 'grp-id', 'root-id')),
    ('prt-1', {}, ('port', 'm1', 'root', 'group/1/port'), None),
    ('srv-0', {}, ('server', 'm0', 'root', 'group/0/server'), None),
    # A nested stack's id is the physical id of the resource holding it.
    ('m0-id', {}, ('0', 'grp', 'root', 'group/0'),
     [(FOUND, 'm0-id'), ('show_stack', 'grp-id'), ('describe_stack_resources', 'grp-id')] + walk('grp-id', 'root-id')),
    ('grp-id', {}, ('group', 'root', 'root', 'group'), None),
    # Nothing holds it: one call, no owner.
    ('no-such-id', {}, None, [(FOUND, 'no-such-id')]),
    # Its stack is deleted, or gone before it is described, or a stack on the way up is gone: no owner.
    ('srv-1', {'deleted': ['m1-id']}, None, [(FOUND, 'srv-1'), ('show_stack', 'm1-id')]),
    ('srv-1', {'gone': ['m1-id']}, None, [(FOUND, 'srv-1'), ('show_stack', 'm1-id')]),
    ('srv-1', {'gone': ['grp-id']}, None,
     [(FOUND, 'srv-1'), ('show_stack', 'm1-id'), ('describe_stack_resources', 'm1-id')] + walk('m1-id', 'grp-id')),
    ('srv-1', {'deleted': ['root-id']}, None, None),
    # A nested stack whose holding resource is no longer found (its parent is being deleted): no owner.
    ('srv-1', {'stacks': dict(TREE, **{'grp-id': ('root-id', {'0': 'm0-id'})})}, None,
     [(FOUND, 'srv-1'), ('show_stack', 'm1-id'), ('describe_stack_resources', 'm1-id'), (FOUND, 'm1-id')]),
    # The engine contradicts itself, or the parents loop: an engine error naming the stacks.
    ('srv-1', {'parents': {'m1-id': 'other-id'}},
     errors.EngineError("stack 'm1' (m1-id) has the parent other-id, but find_physical_resource of its id names "
                        "resource '1' of stack 'grp' (grp-id)"), None),
    ('srv-1', {'parents': {'root-id': 'm1-id'}, 'stacks': dict(TREE, **{'m1-id': ('grp-id', {
        'server': 'srv-1', 'loop': 'root-id'})})},
     errors.EngineError("the stacks above stack 'm1' (m1-id) nest in a loop or deeper than 100 levels"), None),
    # A physical id that resources of two stacks have, the one asked for or one on the way up: the engine's
    # conflict, as it is.
    ('srv-0', {'stacks': dict(TREE, **{'other-id': (None, {'server': 'srv-0'})})},
     errors.ConflictError('Multiple resources were found with the physical ID (srv-0).'), [(FOUND, 'srv-0')]),
    ('srv-1', {'stacks': dict(TREE, **{'other-id': (None, {'copy': 'm1-id'})})},
     errors.ConflictError('Multiple resources were found with the physical ID (m1-id).'),
     [(FOUND, 'srv-1'), ('show_stack', 'm1-id'), ('describe_stack_resources', 'm1-id'), (FOUND, 'm1-id')]),
])
def test_find_owner_walks_up_to_the_root_stack(physical_id, tree, owner, calls):
    options = dict(tree)
    client = ScriptedClient(StackTree(options.pop('stacks', TREE), **options).answers())
    try:
        got = stacks.find_owner(client, physical_id)
    except errors.HeatRpcError as exc:
        got = exc
    if isinstance(owner, Exception):
        assert (type(got), str(got)) == (type(owner), str(owner))
    elif owner is None:
        assert got is None
    else:
        resource, stack, root, path = owner
        assert (got['resource']['name'], got['stack']['name'], got['root_stack']['name'], got['path']) == owner
        assert got['resource']['physical_id'] == physical_id
        assert got['stack']['id'] == got['resource']['stack_id'] == stack + '-id'
        assert got['root_stack']['parent'] is None and got['root_stack']['id'] == root + '-id'
        assert (got['stack']['parent'] is None) is (stack == root)
    if calls is not None:
        assert [(method, (args[0]['stack_id'] if isinstance(args[0], dict) else args[0]))
                for method, args, _kwargs in client.calls] == calls
    # Every stack is shown without resolving its outputs; nothing is written.
    assert all(kwargs == {'resolve_outputs': False} for kwargs in client.kwargs_of('show_stack'))
    assert client.writes == []


def test_find_owner_describes_the_resource_it_found_and_shapes_each_part():
    client = ScriptedClient(StackTree(TREE).answers())
    owner = stacks.find_owner(client, 'srv-1')
    assert sorted(owner) == ['path', 'resource', 'root_stack', 'stack']
    assert [args for method, args, _kwargs in client.calls if method == 'describe_stack_resources'] == [
        (StackTree.identity('m1-id'), 'server')]
    resource = owner['resource']
    assert (resource['status'], resource['parent_resource'], resource['type']) == ('CREATE_COMPLETE', '1', 'T')
    assert resource['attributes'] == {} and resource['metadata'] == {}
    assert owner['stack']['status'] == 'CREATE_COMPLETE' and owner['stack']['parent'] == 'grp-id'
    assert owner['stack']['parameters'] == {} and 'outputs' not in owner['stack']


def test_find_owner_gives_up_above_the_deepest_nesting():
    chain = dict(('s%d-id' % n, ('s%d-id' % (n + 1), {'r': 's%d-id' % (n - 1) if n else 'leaf'})) for n in range(150))
    client = ScriptedClient(StackTree(chain).answers())
    with pytest.raises(errors.EngineError) as caught:
        stacks.find_owner(client, 'leaf')
    assert str(caught.value) == "the stacks above stack 's0' (s0-id) nest in a loop or deeper than 100 levels"
    assert client.methods().count('show_stack') == 101
    # Below that depth the walk reaches the root.
    chain['s20-id'] = (None, chain['s20-id'][1])
    assert stacks.find_owner(ScriptedClient(StackTree(chain).answers()), 'leaf')['path'] == '/'.join(['r'] * 21)


@pytest.mark.parametrize('allowed,resolve_outputs', [(True, False), (False, True)])
def test_find_owner_under_an_api_cap_without_unresolved_outputs_drops_them(allowed, resolve_outputs):
    client = ScriptedClient(StackTree(TREE).answers(), allowed=allowed)
    owner = stacks.find_owner(client, 'srv-0')
    assert owner['path'] == 'group/0/server'
    assert client.kwargs_of('show_stack') == [{'resolve_outputs': resolve_outputs}] * 3
    # The owner's stacks come without outputs either way.
    assert 'outputs' not in owner['stack'] and 'output_list' not in owner['root_stack']
    assert owner['stack']['parameters'] == {}


@pytest.mark.parametrize('identity,expected', [
    ({'tenant': 'p', 'stack_name': 's', 'stack_id': 's-id', 'path': '/resources/server'},
     ({'tenant': 'p', 'stack_name': 's', 'stack_id': 's-id', 'path': ''}, 'server')),
    ({'stack_name': 's', 'stack_id': 's-id', 'path': '/resources/0/'},
     ({'stack_name': 's', 'stack_id': 's-id', 'path': ''}, '0')),
])
def test_resource_holder_splits_the_identity_into_stack_and_name(identity, expected):
    client = ScriptedClient({'find_physical_resource': identity})
    assert stacks.resource_holder(client, 'x') == expected
    assert client.calls == [('find_physical_resource', ('x',), {})]


@pytest.mark.parametrize('answer,expected', [
    (errors.NotFoundError('The Resource (x) could not be found.'), None),
    ({'stack_id': 's-id', 'path': ''}, errors.EngineError(
        "find_physical_resource answered an identity without a resource: {'stack_id': 's-id', 'path': ''}")),
    (errors.BrokerUnreachableError('down'), errors.BrokerUnreachableError('down')),
])
def test_resource_holder_not_found_is_none_and_other_errors_go_through(answer, expected):
    assert_outcome(lambda: stacks.resource_holder(ScriptedClient({'find_physical_resource': answer}), 'x'), expected)

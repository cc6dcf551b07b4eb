# -*- coding: utf-8 -*-
"""StackInfoRunner decisions (heat_stack_info), run on a scripted client: what is refused, what is sent."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack_info import (
    StackInfoRunner, StackQuery, event_filters, split_status,
)
from ansible_collections.heat_rpc.engine.plugins.modules.heat_stack_info import ARGUMENT_SPEC

from runner_doubles import StackTree, run_runner


def raw_stack(number, action='CREATE', status='COMPLETE', **extra):
    name = 's%02d' % number
    identity = {'stack_name': name, 'stack_id': 'id-%02d' % number, 'tenant': 'p', 'path': ''}
    return dict({'stack_name': name, 'stack_identity': identity, 'stack_action': action,
                 'stack_status': status}, **extra)


def run(answers=None, **given):
    return run_runner(StackInfoRunner, ARGUMENT_SPEC, answers, **given)


# -- option checks: refused before anything is sent ----------------------------------------------------------

@pytest.mark.parametrize('given,message', [
    (dict(name='s', tags=['t']), 'tags only applies without name; remove name'),
    (dict(name='s', tags=['t'], limit=3), 'tags, limit only apply without name; remove name'),
    (dict(name='s', show_deleted=True), 'show_deleted only applies without name; remove name'),
    (dict(name='s', count_only=True), 'count_only only applies without name; remove name'),
    (dict(include=['events']), 'include only applies with name; remove them or set name'),
    (dict(fail_if_missing=True), 'fail_if_missing only applies with name; remove them or set name'),
    (dict(event_options={'limit': 2}, resource_options={}),
     'resource_options, event_options only apply with name; remove them or set name'),
    (dict(page_size=0), 'page_size must be at least 1, not 0'),
    (dict(name='s', page_size=-1), 'page_size must be at least 1, not -1'),
    (dict(limit=-1), 'limit must not be negative, not -1'),
    (dict(name='s', event_options={'limit': -2}), 'event_options.limit must not be negative, not -2'),
    (dict(name='s', resource_options={'nested_depth': -1}), 'resource_options.nested_depth must not be negative, not -1'),
    (dict(name='s', event_options={'nested_depth': -3}), 'event_options.nested_depth must not be negative, not -3'),
    (dict(status=['SLEEPING']), "status: 'SLEEPING' is not a stack status; use COMPLETE, FAILED, IN_PROGRESS or "
                                "ACTION_STATUS such as CREATE_COMPLETE"),
    (dict(filters={'status': 'DONE'}), "filters.status: 'DONE' is not a stack status"),
    (dict(filters={'colour': 'red'}), "filters: unknown key 'colour'; known keys: action, disable_rollback, id"),
    # Accepted: the defaults of the other mode, and zero where zero is allowed.
    (dict(name='s', filters={}, include=['resources'], event_options={'limit': 0, 'nested_depth': 0}), None),
    (dict(limit=0, filters={'stack_status': 'CREATE_COMPLETE'}), None),
    (dict(page_size=1), None),
])
def test_option_checks(given, message):
    answers = {'identify_stack': errors.NotFoundError('no'), 'list_stacks': []}
    result, client = run(answers, **given)
    if message is None:
        assert isinstance(result, dict), result
    else:
        assert isinstance(result, errors.ConfigurationError)
        assert str(result).startswith(message)
        assert result.kind == 'configuration'
        assert client.calls == []


# -- listing: how the options become list_stacks arguments ----------------------------------------------------

@pytest.mark.parametrize('given,expected', [
    (dict(), dict(filters=None, sort_keys=None, sort_dir=None, tags=None, show_nested=False)),
    (dict(status=['CREATE_COMPLETE', 'FAILED']), dict(filters={'action': ['CREATE'], 'status': ['COMPLETE', 'FAILED']})),
    (dict(status=['update_in_progress'], action=['check']),
     dict(filters={'action': ['UPDATE', 'CHECK'], 'status': ['IN_PROGRESS']})),
    (dict(filters={'stack_name': 'a', 'parent': 'p', 'timeout_mins': 5}),
     dict(filters={'name': ['a'], 'owner_id': ['p'], 'timeout': [5]})),
    (dict(filters={'status': 'UPDATE_FAILED'}, status=['CREATE_COMPLETE']),
     dict(filters={'action': ['UPDATE', 'CREATE'], 'status': ['FAILED', 'COMPLETE']})),
    (dict(filters={'name': ['a', 'b']}, action=['delete', 'DELETE']), dict(filters={'name': ['a', 'b'], 'action': ['DELETE']})),
    (dict(sort_keys=['name', 'creation_time'], sort_dir='desc'),
     dict(sort_keys=['stack_name', 'creation_time'], sort_dir='desc')),
    (dict(sort_keys=['status', 'updated_time']), dict(sort_keys=['stack_status', 'updated_time'])),
    (dict(tags=['t'], not_tags_any=['x']), dict(tags=['t'], not_tags_any=['x'], tags_any=None)),
    (dict(show_deleted=True, show_nested=True, show_hidden=True),
     dict(show_deleted=True, show_nested=True, show_hidden=True)),
    # One status next to tags is filtered here, not by the engine (heat 27 fails on it).
    (dict(tags=['t'], status=['COMPLETE']), dict(filters=None, tags=['t'])),
    (dict(tags=['t'], status=['CREATE_COMPLETE']), dict(filters={'action': ['CREATE']}, tags=['t'])),
    (dict(tags=['t'], status=['COMPLETE', 'FAILED']), dict(filters={'status': ['COMPLETE', 'FAILED']})),
    (dict(tags_any=['t'], status=['COMPLETE']), dict(filters={'status': ['COMPLETE']})),
])
def test_listing_options_become_list_stacks_arguments(given, expected):
    result, client = run({'list_stacks': []}, **given)
    assert result == {'changed': False, 'stacks': []}
    assert client.methods() == ['list_stacks']
    sent = client.kwargs_of('list_stacks')[0]
    for key, value in expected.items():
        assert sent[key] == value, key


def listing_of(stacks):
    """list_stacks over ``stacks`` with marker/limit, as the engine pages."""
    def list_stacks(kwargs):
        start = 0
        if kwargs['marker']:
            start = [raw['stack_identity']['stack_id'] for raw in stacks].index(kwargs['marker']) + 1
        return stacks[start:start + kwargs['limit']]
    return list_stacks


@pytest.mark.parametrize('available,page_size,limit,pages,returned', [
    (25, 10, None, [10, 10, 10], 25),  # the last page is short: done
    (20, 10, None, [10, 10, 10], 20),  # a full last page needs one more (empty) page to know
    (25, 10, 12, [10, 2], 12),  # the limit shrinks the last page
    (25, 500, 0, [], 0),  # limit 0: nothing asked
    (2, 3, 5, [3], 2),
    (7, 1, 3, [1, 1, 1], 3),
])
def test_listing_pages_with_marker_and_limit(available, page_size, limit, pages, returned):
    stacks = [raw_stack(n) for n in range(available)]
    result, client = run({'list_stacks': listing_of(stacks)}, page_size=page_size, limit=limit)
    assert [kwargs['limit'] for kwargs in client.kwargs_of('list_stacks')] == pages
    markers = [kwargs['marker'] for kwargs in client.kwargs_of('list_stacks')]
    assert markers == ([None] + ['id-%02d' % (page_size * (n + 1) - 1) for n in range(len(pages))])[:len(pages)]
    assert [stack['name'] for stack in result['stacks']] == ['s%02d' % n for n in range(returned)]
    assert result['stacks'][0]['status'] == 'CREATE_COMPLETE' if returned else result['stacks'] == []


@pytest.mark.parametrize('limit,kept', [(None, ['s00', 's02', 's04']), (2, ['s00', 's02'])])
def test_a_status_filtered_here_keeps_only_that_status_up_to_the_limit(limit, kept):
    stacks = [raw_stack(n, status='COMPLETE' if n % 2 == 0 else 'FAILED') for n in range(6)]
    result, client = run({'list_stacks': listing_of(stacks)}, tags=['t'], status=['COMPLETE'], limit=limit,
                         page_size=4)
    assert [stack['name'] for stack in result['stacks']] == kept
    # The engine is asked for whole pages: the limit applies to what is kept.
    assert all(kwargs['limit'] == 4 for kwargs in client.kwargs_of('list_stacks'))


@pytest.mark.parametrize('count_only,methods,result', [
    (True, ['count_stacks'], {'changed': False, 'stacks': [], 'count': 7}),
    (False, ['list_stacks'], {'changed': False, 'stacks': []}),
])
def test_count_only_counts_with_one_call(count_only, methods, result):
    got, client = run({'count_stacks': 7, 'list_stacks': []}, count_only=count_only, tags=['t'], status=['COMPLETE'])
    assert got == result
    assert client.methods() == methods
    if count_only:
        # count_stacks gets the status filter itself (it does not mix it up with tags).
        assert client.kwargs_of('count_stacks')[0]['filters'] == {'status': ['COMPLETE']}
        assert client.kwargs_of('count_stacks')[0]['tags'] == ['t']


# -- one stack -------------------------------------------------------------------------------------------------

def show_stack(kwargs):
    """show_stack of s01: with outputs only when they are resolved."""
    if kwargs['resolve_outputs']:
        return [raw_stack(1, parameters={'a': '1'}, outputs=[{'output_key': 'k', 'output_value': 'v'}])]
    return [raw_stack(1, parameters={'a': '1'})]


def one_stack_answers(exists=True, **more):
    answers = {
        'identify_stack': raw_stack(1)['stack_identity'] if exists else errors.NotFoundError('no such stack'),
        'show_stack': show_stack,
    }
    answers.update(more)
    return answers


@pytest.mark.parametrize('exists,fail_if_missing,outcome', [
    (True, False, 1),
    (True, True, 1),
    (False, False, 0),
    (False, True, errors.NotFoundError),
])
def test_a_missing_stack_is_an_empty_list_unless_fail_if_missing(exists, fail_if_missing, outcome):
    result, client = run(one_stack_answers(exists), name='s01', fail_if_missing=fail_if_missing)
    if outcome is errors.NotFoundError:
        assert isinstance(result, errors.NotFoundError)
        assert str(result) == "stack 's01' not found" and result.method == 'identify_stack'
    else:
        assert result['changed'] is False and len(result['stacks']) == outcome
    assert client.methods()[0] == 'identify_stack'
    assert ('show_stack' in client.methods()) is exists


SHOWN = ['identify_stack', 'show_stack']
# The read of the stack's hidden values held in environment files, to mask them (Runner.mask_stack_secrets).
MASKING_READS = ['get_files', 'get_template']


@pytest.mark.parametrize('include,resolve_outputs,extra_calls,extra_keys', [
    ([], True, [], []),
    (['resources'], True, ['list_stack_resources'], ['resources']),
    (['events'], True, ['list_events'], ['events']),
    (['template'], True, ['get_template'], ['template']),
    (['environment'], True, ['get_environment'], ['environment']),
    (['files'], True, ['get_files'], ['files']),
    (['snapshots'], True, ['stack_list_snapshots'], ['snapshots']),
    # Resolved outputs come with the stack; unresolved ones are listed only when asked for.
    (['outputs'], True, [], []),
    (['outputs'], False, ['list_outputs'], ['output_list']),
    ([], False, [], []),
    (['snapshots', 'resources', 'template'], True, ['list_stack_resources', 'get_template', 'stack_list_snapshots'],
     ['resources', 'template', 'snapshots']),
])
def test_include_asks_for_each_section_once(include, resolve_outputs, extra_calls, extra_keys):
    answers = one_stack_answers(
        list_stack_resources=[{'resource_name': 'r', 'resource_action': 'CREATE', 'resource_status': 'COMPLETE',
                               'physical_resource_id': 'phys'}],
        list_events=[{'event_identity': {'path': '/events/e1'}, 'resource_name': 'r'}],
        get_template={'heat_template_version': 'wallaby'}, get_environment={'parameters': {}}, get_files={'f': 'x'},
        stack_list_snapshots=[{'id': 'sn', 'action': 'SNAPSHOT', 'status': 'COMPLETE'}],
        list_outputs=[{'output_key': 'k', 'description': 'd'}])
    result, client = run(answers, name='s01', include=include, resolve_outputs=resolve_outputs)
    assert client.methods() == SHOWN + extra_calls + MASKING_READS
    assert client.kwargs_of('show_stack')[0]['resolve_outputs'] is resolve_outputs
    stack = result['stacks'][0]
    base = set(run(one_stack_answers(), name='s01', resolve_outputs=resolve_outputs)[0]['stacks'][0])
    assert set(stack) - base == set(extra_keys)
    if 'resources' in include:
        assert stack['resources'][0]['physical_id'] == 'phys' and stack['resources'][0]['status'] == 'CREATE_COMPLETE'
    if 'snapshots' in include:
        assert stack['snapshots'][0]['status'] == 'SNAPSHOT_COMPLETE'
    if 'events' in include:
        assert stack['events'][0]['id'] == 'e1'
    if extra_keys == ['output_list']:
        assert stack['output_list'] == [{'key': 'k', 'description': 'd'}]
    elif resolve_outputs:
        assert stack['outputs'] == {'k': 'v'}


@pytest.mark.parametrize('options,expected', [
    ({}, dict(nested_depth=0, with_detail=False, filters=None)),
    ({'nested_depth': 2, 'detail': True, 'filters': {'type': 'Server'}},
     dict(nested_depth=2, with_detail=True, filters={'type': 'Server'})),
])
def test_resource_options_become_list_stack_resources_arguments(options, expected):
    _result, client = run(one_stack_answers(list_stack_resources=[]), name='s01', include=['resources'],
                          resource_options=options)
    assert client.kwargs_of('list_stack_resources') == [expected]


@pytest.mark.parametrize('options,page_size,expected', [
    ({}, 500, [dict(limit=500, filters=None, sort_dir='asc', nested_depth=None, marker=None)]),
    ({'limit': 3, 'sort_dir': 'desc', 'nested_depth': 2, 'filters': {'name': 'r', 'status': ['COMPLETE', 'FAILED']}},
     500, [dict(limit=3, sort_dir='desc', nested_depth=2,
                filters={'resource_name': ['r'], 'resource_status': ['COMPLETE', 'FAILED']})]),
    ({'filters': {'type': 'T', 'status_reason': 'x', 'uuid': 'u'}}, 500,
     [dict(filters={'resource_type': ['T'], 'resource_status_reason': ['x'], 'uuid': ['u']})]),
    # Paged by page_size, the last page shrunk to the limit, each page after the last event's id.
    ({'limit': 3}, 2, [dict(limit=2, marker=None), dict(limit=1, marker='e2')]),
    ({'limit': 0}, 2, []),
])
def test_event_options_become_list_events_arguments(options, page_size, expected):
    events = [{'event_identity': {'path': '/events/e%d' % n}} for n in range(1, 6)]

    def list_events(kwargs):
        start = 0 if kwargs['marker'] is None else int(kwargs['marker'][1:])
        return events[start:start + kwargs['limit']]
    result, client = run(one_stack_answers(list_events=list_events), name='s01', include=['events'],
                         event_options=options, page_size=page_size)
    sent = client.kwargs_of('list_events')
    assert len(sent) == len(expected)
    for kwargs, wanted in zip(sent, expected):
        assert dict((key, kwargs[key]) for key in wanted) == wanted


def test_unknown_event_filter_keys_are_refused_naming_the_option():
    result, client = run(one_stack_answers(), name='s01', include=['events'], event_options={'filters': {'when': 1}})
    assert isinstance(result, errors.ConfigurationError)
    assert str(result).startswith("event_options.filters: unknown key 'when'; known keys: ")
    assert 'list_events' not in client.methods()


# -- the translation helpers on their own ------------------------------------------------------------------------

def test_status_values_split_into_actions_and_statuses():
    assert split_status(['CREATE_COMPLETE', 'update_in_progress', 'FAILED']) == (
        {'CREATE', 'UPDATE'}, {'COMPLETE', 'IN_PROGRESS', 'FAILED'})
    with pytest.raises(errors.ConfigurationError) as caught:
        split_status(['DONE'])
    assert str(caught.value).startswith("status: 'DONE' is not a stack status")


def test_stack_query_translates_keys_and_sends_lists():
    query = StackQuery(filters={'stack_name': 'a', 'parent': 'p', 'status': 'UPDATE_FAILED'},
                       status=['CREATE_COMPLETE'], action=['check'], sort_keys=['name', 'creation_time'],
                       sort_dir='asc', tags_any=['x'])
    count = query.count_arguments()
    assert count['filters'] == {'name': ['a'], 'owner_id': ['p'], 'action': ['UPDATE', 'CREATE', 'CHECK'],
                                'status': ['FAILED', 'COMPLETE']}
    assert count['tags_any'] == ['x'] and count['tags'] is None and count['show_deleted'] is False
    listing, keep = query.list_arguments()
    assert keep is None
    assert (listing['sort_keys'], listing['sort_dir']) == (['stack_name', 'creation_time'], 'asc')
    assert listing['filters'] == count['filters']


def test_one_status_with_tags_is_filtered_client_side_when_listing():
    query = StackQuery(status=['COMPLETE'], tags=['t'])
    listing, keep = query.list_arguments()
    assert keep == {'COMPLETE'} and listing['filters'] is None
    assert query.count_arguments()['filters'] == {'status': ['COMPLETE']}


def test_unknown_filter_keys_are_refused():
    with pytest.raises(errors.ConfigurationError) as caught:
        StackQuery(filters={'colour': 'red'})
    assert "filters: unknown key 'colour'" in str(caught.value)
    assert event_filters({'name': 'r', 'status': ['COMPLETE', 'FAILED']}) == {
        'resource_name': ['r'], 'resource_status': ['COMPLETE', 'FAILED']}
    with pytest.raises(errors.ConfigurationError):
        event_filters({'when': 'now'})


# -- listing across projects: the scope and the project filter, as sent to list_stacks and count_stacks --------

@pytest.mark.parametrize('given,tenant_safe,filters', [
    (dict(), True, None),
    (dict(all_projects=True), False, None),
    (dict(all_projects=True, filter_project_id=['p1']), False, {'tenant': ['p1']}),
    (dict(all_projects=True, filter_project_id=['p1', 'p2', 'p1']), False, {'tenant': ['p1', 'p2']}),
    (dict(all_projects=True, filter_project_id=['p1'], status=['CREATE_COMPLETE']), False,
     {'tenant': ['p1'], 'action': ['CREATE'], 'status': ['COMPLETE']}),
    (dict(all_projects=False, filter_project_id=[]), True, None),
])
@pytest.mark.parametrize('count_only,method', [(False, 'list_stacks'), (True, 'count_stacks')])
def test_project_scope_and_filter_become_rpc_arguments(given, tenant_safe, filters, count_only, method):
    result, client = run({'list_stacks': [raw_stack(1)], 'count_stacks': 1}, count_only=count_only, **given)
    assert isinstance(result, dict), result
    sent = client.kwargs_of(method)
    assert len(sent) == 1
    assert sent[0]['tenant_safe'] is tenant_safe
    assert sent[0]['filters'] == filters


def test_a_project_filter_without_all_projects_is_refused_before_anything_is_sent():
    result, client = run({'list_stacks': []}, filter_project_id=['p1'])
    assert isinstance(result, errors.ConfigurationError)
    assert str(result).startswith('filter_project_id needs all_projects: true; without it the engine lists only')
    assert client.calls == []


@pytest.mark.parametrize('option,value', [('all_projects', True), ('filter_project_id', ['p1'])])
def test_project_options_only_apply_to_listing(option, value):
    result, client = run({}, name='s', **{option: value})
    assert str(result) == '%s only applies without name; remove name' % option
    assert client.calls == []


def test_listed_stacks_say_which_project_they_belong_to():
    result, _client = run({'list_stacks': [raw_stack(1)]}, all_projects=True)
    assert [stack['project_id'] for stack in result['stacks']] == ['p']


# -- which stack holds a physical resource (physical_resource_id) --------------------------------------------------

TREE = {
    'web-id': (None, {'group': 'grp-id', 'lb': 'lb-phys'}),
    'grp-id': ('web-id', {'0': 'm0-id'}),
    'm0-id': ('grp-id', {'server': 'srv-0'}),
}


@pytest.mark.parametrize('given,message', [
    (dict(physical_resource_id='srv-0', name='web'), 'name and physical_resource_id are mutually exclusive; set one of '
                                                     'them'),
    (dict(physical_resource_id=''), 'physical_resource_id must not be empty'),
    (dict(physical_resource_id='  '), 'physical_resource_id must not be empty'),
    (dict(physical_resource_id='srv-0', include=['resources']),
     'include cannot be combined with physical_resource_id; remove it'),
    (dict(physical_resource_id='srv-0', tags=['t'], limit=2, resource_options={}),
     'tags, limit, resource_options cannot be combined with physical_resource_id; remove them'),
    (dict(physical_resource_id='srv-0', count_only=True), 'count_only cannot be combined with physical_resource_id'),
    (dict(physical_resource_id='srv-0', all_projects=True), 'all_projects cannot be combined with physical_resource_id'),
    (dict(physical_resource_id='srv-0', event_options={'limit': 1}),
     'event_options cannot be combined with physical_resource_id'),
    (dict(physical_resource_id='srv-0', page_size=0), 'page_size must be at least 1, not 0'),
    # Accepted: fail_if_missing, and the other modes' defaults.
    (dict(physical_resource_id='srv-0', fail_if_missing=True, filters={}, include=[], resolve_outputs=False), None),
])
def test_owner_option_checks_refuse_before_anything_is_sent(given, message):
    result, client = run(StackTree(TREE).answers(), **given)
    if message is None:
        assert result['owner']['path'] == 'group/0/server'
    else:
        assert isinstance(result, errors.ConfigurationError) and result.kind == 'configuration'
        assert str(result).startswith(message)
        assert client.calls == []


@pytest.mark.parametrize('physical_id,fail_if_missing,path,stack,root', [
    ('srv-0', False, 'group/0/server', 'm0', 'web'),
    ('srv-0', True, 'group/0/server', 'm0', 'web'),
    ('m0-id', False, 'group/0', 'grp', 'web'),
    ('lb-phys', False, 'lb', 'web', 'web'),
    # Nothing holds it: an empty owner, or with fail_if_missing a not_found failure.
    ('no-such-id', False, None, None, None),
    ('no-such-id', True, errors.NotFoundError, None, None),
])
def test_physical_resource_id_gives_the_owner_or_nothing(physical_id, fail_if_missing, path, stack, root):
    result, client = run(StackTree(TREE).answers(), physical_resource_id=physical_id, fail_if_missing=fail_if_missing)
    assert client.methods()[0] == 'find_physical_resource'
    assert client.writes == []
    if path is errors.NotFoundError:
        assert isinstance(result, errors.NotFoundError) and result.kind == 'not_found'
        assert str(result) == "no stack holds a resource with the physical id 'no-such-id'"
        assert result.method == 'find_physical_resource'
        return
    assert result['changed'] is False and result['stacks'] == []
    if path is None:
        assert result['owner'] == {}
        assert client.methods() == ['find_physical_resource']
        return
    owner = result['owner']
    assert (owner['path'], owner['stack']['name'], owner['root_stack']['name']) == (path, stack, root)
    assert owner['resource']['physical_id'] == physical_id
    assert owner['resource']['name'] == path.rsplit('/', 1)[-1]


def test_physical_resource_id_lets_engine_errors_through():
    answers = dict(StackTree(TREE).answers(), find_physical_resource=errors.ConflictError(
        'Multiple resources were found with the physical ID (srv-0).'))
    result, client = run(answers, physical_resource_id='srv-0', fail_if_missing=True)
    assert isinstance(result, errors.ConflictError) and result.kind == 'conflict'
    assert client.methods() == ['find_physical_resource']


def test_the_other_modes_return_no_owner():
    for given in (dict(), dict(name='s01')):
        result, _client = run({'list_stacks': [], 'identify_stack': errors.NotFoundError('no')}, **given)
        assert 'owner' not in result

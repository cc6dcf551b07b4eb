# -*- coding: utf-8 -*-
"""heat_stack_info listing (filters, tags, sorting, paging, counting) and one stack's details, real engine."""

import collections
import time

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack_info import StackDetails, StackQuery, list_stacks
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import StackService
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import Poller, wait_for_stack

from conftest import STACK_WAIT, engine_environment, run_playbook, unique_name
from test_engine_api import NESTED_CHILD, NESTED_PARENT

NONE_TEMPLATE = {'heat_template_version': '2018-08-31', 'resources': {'nothing': {'type': 'OS::Heat::None'}}}
# 25 stacks in pages of 10: three list_stacks calls, the last one short.
BULK = 25
PAGE = 10


class CountingClient:
    """An EngineClient stand-in that counts the engine methods called through it."""

    def __init__(self, client):
        self.client = client
        self.calls = collections.Counter()

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def counted(*args, **kwargs):
            self.calls[name] += 1
            return method(*args, **kwargs)
        return counted


def bulk_tags(tag, index):
    tags = [tag, '%s-%s' % (tag, 'even' if index % 2 == 0 else 'odd')]
    if index < 3:
        tags.append(tag + '-low')
    return tags


@pytest.fixture(scope='module')
def bulk(client):
    """BULK small stacks (OS::Heat::None) sharing a tag, created without waiting for each; deleted at the end."""
    tag = unique_name('pg')
    names = ['%s-%02d' % (tag, index) for index in range(BULK)]
    started = time.monotonic()
    made = [client.create_stack(None, name, NONE_TEMPLATE, {'parameters': {}}, {}, {'tags': bulk_tags(tag, index)})
            for index, name in enumerate(names)]
    Poller(STACK_WAIT).wait(
        lambda: client.count_stacks(None, filters={'status': ['COMPLETE']}, tags_any=[tag]), lambda n: n == BULK)
    created = time.monotonic() - started
    # One more, deleted, for show_deleted.
    deleted_name = tag + '-gone'
    gone = client.create_stack(None, deleted_name, NONE_TEMPLATE, {'parameters': {}}, {}, {'tags': [tag + '-gone']})
    service = StackService(client)
    wait_for_stack(service, gone, STACK_WAIT, actions=('CREATE',))
    client.delete_stack(None, gone)
    wait_for_stack(service, gone, STACK_WAIT, actions=('DELETE',))
    yield {'tag': tag, 'names': names, 'identities': made, 'deleted_name': deleted_name, 'create_seconds': created}
    started = time.monotonic()
    for identity in made:
        client.delete_stack(None, identity, cast=True)
    Poller(STACK_WAIT).wait(lambda: client.count_stacks(None, tags_any=[tag]), lambda n: n == 0)
    print('created %d stacks in %.1f s, deleted them in %.1f s' % (BULK, created, time.monotonic() - started))


def names_of(result):
    return [stack['name'] for stack in result['stacks']]


def test_paging_lists_every_stack_once_without_per_stack_calls(client, bulk):
    counting = CountingClient(client)
    stacks = list_stacks(StackService(counting), StackQuery(tags=[bulk['tag']]), PAGE)
    assert sorted(s['name'] for s in stacks) == bulk['names']
    assert counting.calls == {'list_stacks': 3}
    # An overall limit across a page boundary stops asking once it has enough.
    counting.calls.clear()
    limited = list_stacks(StackService(counting), StackQuery(tags=[bulk['tag']]), PAGE, limit=12)
    assert len(set(s['id'] for s in limited)) == 12
    assert counting.calls == {'list_stacks': 2}
    # Events page the same way: every event once, in pages of two.
    identity = bulk['identities'][0]
    every = client.list_events(None, identity)
    counting.calls.clear()
    paged = StackDetails(counting, identity, 2).events()
    assert sorted(e['id'] for e in paged) == sorted(e['event_identity']['path'].rsplit('/', 1)[-1] for e in every)
    assert counting.calls['list_events'] == len(every) // 2 + 1


def test_list_filters_tags_sorting_and_counting(tmp_path, heat_testbed, bulk):
    tag = bulk['tag']
    names = bulk['names']
    info = 'heat_rpc.engine.heat_stack_info'
    tasks = [
        {'name': 'all', info: {'tags': [tag], 'page_size': PAGE}},
        {'name': 'limit', info: {'tags': [tag], 'page_size': PAGE, 'limit': 15}},
        {'name': 'count', info: {'tags': [tag], 'count_only': True}},
        {'name': 'tags and', info: {'tags': [tag, tag + '-even'], 'page_size': PAGE}},
        {'name': 'tags any', info: {'tags_any': [tag + '-odd', tag + '-low']}},
        {'name': 'not tags', info: {'tags_any': [tag], 'not_tags': [tag + '-odd']}},
        {'name': 'not tags any', info: {'tags_any': [tag], 'not_tags_any': [tag + '-odd', tag + '-low']}},
        {'name': 'by name asc', info: {'tags': [tag], 'sort_keys': ['name'], 'sort_dir': 'asc', 'page_size': PAGE}},
        {'name': 'by name desc', info: {'tags': [tag], 'sort_keys': ['name'], 'sort_dir': 'desc', 'page_size': 7}},
        {'name': 'complete with tags', info: {'tags': [tag], 'status': ['CREATE_COMPLETE'], 'page_size': PAGE}},
        {'name': 'complete limit', info: {'tags': [tag], 'status': ['COMPLETE'], 'limit': 4, 'page_size': 3}},
        {'name': 'failed', info: {'tags': [tag], 'status': ['FAILED']}},
        {'name': 'count complete', info: {'tags': [tag], 'status': ['CREATE_COMPLETE'], 'count_only': True}},
        {'name': 'count updated', info: {'tags_any': [tag], 'action': ['UPDATE'], 'count_only': True}},
        {'name': 'name filter', info: {'tags_any': [tag], 'filters': {'name': [names[0], names[1]]}}},
        {'name': 'api key filter', info: {'tags': [tag], 'filters': {'stack_name': names[3]}}},
        {'name': 'deleted hidden', info: {'tags_any': [tag + '-gone']}},
        {'name': 'deleted shown', info: {'tags_any': [tag + '-gone'], 'show_deleted': True}},
        {'name': 'show hidden', info: {'tags': [tag], 'show_hidden': True, 'count_only': True}},
        {'name': 'bad filter', info: {'filters': {'colour': 'red'}}},
        {'name': 'bad status', info: {'status': ['SLEEPING']}},
        {'name': 'name and list option', info: {'name': names[0], 'tags': [tag]}},
        {'name': 'bad page size', info: {'page_size': 0}},
    ]
    run = run_playbook(tmp_path, tasks, env=engine_environment(heat_testbed))
    results = run.results
    assert run.stats['changed'] == 0
    assert sorted(names_of(results['all'])) == names
    assert len(set(names_of(results['limit']))) == 15
    assert results['count']['count'] == BULK and results['count']['stacks'] == []
    even = [name for index, name in enumerate(names) if index % 2 == 0]
    odd = [name for index, name in enumerate(names) if index % 2 == 1]
    assert sorted(names_of(results['tags and'])) == even
    assert sorted(names_of(results['tags any'])) == sorted(set(odd) | set(names[:3]))
    assert sorted(names_of(results['not tags'])) == even
    assert sorted(names_of(results['not tags any'])) == [name for name in even if name not in names[:3]]
    assert names_of(results['by name asc']) == names
    assert names_of(results['by name desc']) == names[::-1]
    complete = results['complete with tags']['stacks']
    assert sorted(s['name'] for s in complete) == names
    assert set(s['status'] for s in complete) == {'CREATE_COMPLETE'}
    assert len(results['complete limit']['stacks']) == 4
    assert results['failed']['stacks'] == []
    assert results['count complete']['count'] == BULK
    assert results['count updated']['count'] == 0
    assert sorted(names_of(results['name filter'])) == names[:2]
    assert names_of(results['api key filter']) == [names[3]]
    assert results['deleted hidden']['stacks'] == []
    [gone] = results['deleted shown']['stacks']
    assert (gone['name'], gone['status']) == (bulk['deleted_name'], 'DELETE_COMPLETE') and gone['deletion_time']
    # The test bed hides no tags (hidden_stack_tags is empty): show_hidden is accepted and changes nothing.
    assert results['show hidden']['count'] == BULK
    assert results['bad filter']['failed'] is True
    assert results['bad filter']['msg'].startswith("filters: unknown key 'colour'; known keys: ")
    assert results['bad status']['msg'] == ("status: 'SLEEPING' is not a stack status; use COMPLETE, FAILED, "
                                            "IN_PROGRESS or ACTION_STATUS such as CREATE_COMPLETE")
    assert results['name and list option']['msg'] == 'tags only applies without name; remove name'
    assert results['bad page size']['msg'] == 'page_size must be at least 1, not 0'
    assert results['bad page size']['error']['kind'] == 'configuration'
    assert all('outputs' not in stack for stack in results['all']['stacks'])


@pytest.fixture
def nested_stack(client, service, make_stack):
    """A parent with a nested child stack and one COMPLETE snapshot."""
    name = unique_name('full')
    identity = make_stack(NESTED_PARENT, files={'child.yaml': NESTED_CHILD}, name=name, args={'tags': ['full']})
    snapshot = client.stack_snapshot(None, identity, 'snap-one')
    Poller(60).wait(lambda: client.show_snapshot(None, identity, snapshot['id']),
                    lambda shown: shown['status'] != 'IN_PROGRESS')
    return {'name': name, 'identity': identity, 'snapshot_id': snapshot['id']}


def test_show_one_stack_with_every_section(tmp_path, heat_testbed, client, nested_stack):
    name = nested_stack['name']
    info = 'heat_rpc.engine.heat_stack_info'
    every = ['resources', 'events', 'template', 'environment', 'files', 'snapshots', 'outputs']
    parent_id = nested_stack['identity']['stack_id']
    tasks = [
        {'name': 'everything', info: {'name': name, 'include': every,
                                      'resource_options': {'nested_depth': 1, 'detail': True},
                                      'event_options': {'nested_depth': 1}}},
        {'name': 'plain', info: {'name': name, 'include': ['resources', 'events']}},
        {'name': 'newest events', info: {'name': name, 'include': ['events'],
                                         'event_options': {'limit': 2, 'sort_dir': 'desc'}}},
        {'name': 'child events', info: {'name': name, 'include': ['events'], 'page_size': 2, 'event_options': {
            'filters': {'name': 'child', 'status': 'COMPLETE', 'action': ['CREATE', 'SNAPSHOT']}}}},
        {'name': 'filtered resources', info: {'name': parent_id, 'include': ['resources'],
                                              'resource_options': {'nested_depth': 1,
                                                                   'filters': {'type': 'Value'}}}},
        {'name': 'unresolved outputs', info: {'name': name, 'resolve_outputs': False, 'include': ['outputs']}},
        {'name': 'nested hidden', info: {'filters': {'parent': parent_id}}},
        {'name': 'nested shown', info: {'filters': {'parent': parent_id}, 'show_nested': True}},
        {'name': 'missing', info: {'name': 'no-such-' + name, 'include': ['resources']}},
        {'name': 'missing fails', info: {'name': 'no-such-' + name, 'fail_if_missing': True}},
        {'name': 'include without name', info: {'include': ['events']}},
    ]
    # In check mode: a read-only module behaves the same.
    run = run_playbook(tmp_path, tasks, env=engine_environment(heat_testbed), check=True)
    results = run.results
    assert run.stats['changed'] == 0
    [stack] = results['everything']['stacks']
    assert results['everything']['changed'] is False
    assert stack['status'] == 'SNAPSHOT_COMPLETE' and stack['outputs'] == {'child_said': 'hi'}
    resources = dict((r['name'], r) for r in stack['resources'])
    assert sorted(resources) == ['child', 'inner']
    assert resources['inner']['type'] == 'OS::Heat::Value' and resources['inner']['status'] == 'CREATE_COMPLETE'
    assert resources['inner']['parent_resource'] == 'child'
    assert resources['inner']['attributes']['value'] == 'hi'
    assert resources['child']['nested_stack_id'] == resources['inner']['stack_id']
    event_resources = set(e['resource_name'] for e in stack['events'])
    assert {'inner', 'child', name} <= event_resources
    times = [e['time'] for e in stack['events']]
    assert times == sorted(times)
    assert stack['template']['resources']['child']['type'] == 'child.yaml'
    assert stack['files'] == {'child.yaml': NESTED_CHILD}
    assert set(stack['environment']) >= {'parameters', 'resource_registry'}
    [snapshot] = stack['snapshots']
    assert (snapshot['id'], snapshot['name'], snapshot['status']) == (
        nested_stack['snapshot_id'], 'snap-one', 'CREATE_COMPLETE')

    [plain] = results['plain']['stacks']
    assert [r['name'] for r in plain['resources']] == ['child'] and 'attributes' not in plain['resources'][0]
    assert 'inner' not in set(e['resource_name'] for e in plain['events'])
    assert 'template' not in plain and 'snapshots' not in plain

    newest = results['newest events']['stacks'][0]['events']
    oldest_first = plain['events']
    assert [e['id'] for e in newest] == [e['id'] for e in oldest_first[::-1][:2]]
    child_events = results['child events']['stacks'][0]['events']
    assert sorted(e['status'] for e in child_events) == ['CREATE_COMPLETE', 'SNAPSHOT_COMPLETE']
    assert set(e['resource_name'] for e in child_events) == {'child'}
    assert [r['name'] for r in results['filtered resources']['stacks'][0]['resources']] == ['inner']

    [unresolved] = results['unresolved outputs']['stacks']
    assert 'outputs' not in unresolved
    assert unresolved['output_list'] == [{'key': 'child_said', 'description': 'No description given'}]

    assert results['nested hidden']['stacks'] == []
    [child] = results['nested shown']['stacks']
    assert child['parent'] == parent_id and child['id'] == resources['inner']['stack_id']

    assert results['missing']['stacks'] == [] and not results['missing'].get('failed')
    assert results['missing fails']['failed'] is True
    assert results['missing fails']['msg'] == "stack 'no-such-%s' not found" % name
    assert results['missing fails']['error']['kind'] == 'not_found'
    assert results['include without name']['msg'] == 'include only applies with name; remove them or set name'

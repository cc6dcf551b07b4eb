# -*- coding: utf-8 -*-
"""heat_stack_info physical_resource_id against the real engine: which stack holds a resource, two levels down.

The stack holds a ResourceGroup of a nested template (each member a stack of its own holding a random
string and a value), so a member's random string is held by the member's stack, which is held by the
group's nested stack, which is held by the top stack: find_physical_resource names only the member's
stack, the module walks up to the top and writes the path as heat_stack_hook takes it (group/1/leaf).
"""

import uuid

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.hooks import path_matches
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.stacks import find_owner
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import wait_for_stack

from conftest import STACK_WAIT
from module_helpers import play, task

MEMBER = '''
heat_template_version: 2018-08-31
resources:
  leaf: {type: OS::Heat::RandomString, properties: {length: 8}}
  note: {type: OS::Heat::Value, properties: {value: member}}
'''
TEMPLATE = {
    'heat_template_version': '2018-08-31',
    'resources': {
        'group': {'type': 'OS::Heat::ResourceGroup', 'properties': {'count': 2, 'resource_def': {'type': 'member.yaml'}}},
        'top': {'type': 'OS::Heat::RandomString', 'properties': {'length': 6}},
    },
}
LONE = {'heat_template_version': '2018-08-31', 'resources': {'lone': {'type': 'OS::Heat::RandomString'}}}


def owner_task(title, physical_id, **args):
    return task('heat_stack_info', title, physical_resource_id=physical_id, **args)


def test_the_stack_root_stack_and_path_holding_a_physical_resource(tmp_path, heat_testbed, client, service,
                                                                   make_stack, stack_name):
    root = make_stack(TEMPLATE, files={'member.yaml': MEMBER}, name=stack_name)
    resources = client.list_stack_resources(None, root, nested_depth=2)
    by_place = dict(((r.get('parent_resource'), r['resource_name']), r) for r in resources)
    group = by_place[(None, 'group')]
    member = by_place[('group', '1')]
    leaf = [r for r in resources if r['resource_name'] == 'leaf'
            and r['stack_identity']['stack_id'] == member['physical_resource_id']][0]
    top = by_place[(None, 'top')]
    # A stack deleted before the lookup: its resources are gone with it.
    lone = make_stack(LONE)
    lone_id = client.list_stack_resources(None, lone)[0]['physical_resource_id']
    client.delete_stack(None, lone)
    wait_for_stack(service, lone, STACK_WAIT, actions=('DELETE',))
    unknown = str(uuid.uuid4())
    theirs = uuid.uuid4().hex

    tasks = [
        owner_task('two levels down', leaf['physical_resource_id']),
        owner_task('a member stack', member['physical_resource_id']),
        owner_task('top level', top['physical_resource_id']),
        task('heat_stack_info', 'by alias under cap 1.0', physical_id=leaf['physical_resource_id'],
             api_version_cap='1.0'),
        owner_task('unknown', unknown),
        owner_task('unknown fails', unknown, fail_if_missing=True),
        owner_task('deleted stack', lone_id),
        # The engine looks among the stacks of the request's project; an admin context sees every project's.
        owner_task('another project', leaf['physical_resource_id'], project_id=theirs),
        owner_task('another project as admin', leaf['physical_resource_id'], project_id=theirs, is_admin=True),
        owner_task('with name', leaf['physical_resource_id'], name=stack_name),
        owner_task('with include', leaf['physical_resource_id'], include=['resources']),
    ]
    run = play(tmp_path, 'owner', tasks, heat_testbed)
    results = run.results
    assert run.stats['changed'] == 0

    deep = results['two levels down']
    assert deep['changed'] is False and deep['stacks'] == [] and not deep.get('failed')
    owner = deep['owner']
    assert owner['path'] == 'group/1/leaf'
    assert path_matches(owner['path'], 'group/*/leaf')
    resource = owner['resource']
    assert (resource['name'], resource['type'], resource['status']) == ('leaf', 'OS::Heat::RandomString',
                                                                        'CREATE_COMPLETE')
    assert resource['physical_id'] == leaf['physical_resource_id'] and resource['parent_resource'] == '1'
    assert len(resource['attributes']['value']) == 8
    # The stack holding it is the member's; its parent is the group's nested stack, whose parent is the top stack.
    assert owner['stack']['id'] == member['physical_resource_id'] == resource['stack_id']
    assert owner['stack']['parent'] == group['physical_resource_id']
    assert owner['stack']['status'] == 'CREATE_COMPLETE' and 'outputs' not in owner['stack']
    assert owner['root_stack']['id'] == root['stack_id'] and owner['root_stack']['name'] == stack_name
    assert owner['root_stack']['parent'] is None and owner['root_stack']['status'] == 'CREATE_COMPLETE'

    member_owner = results['a member stack']['owner']
    assert member_owner['path'] == 'group/1'
    assert member_owner['resource']['nested_stack_id'] == member['physical_resource_id']
    assert member_owner['stack']['id'] == group['physical_resource_id']
    assert member_owner['root_stack']['id'] == root['stack_id']

    top_owner = results['top level']['owner']
    assert top_owner['path'] == 'top'
    assert top_owner['stack'] == top_owner['root_stack'] and top_owner['stack']['id'] == root['stack_id']

    # Every method it uses is in RPC API 1.0: the same answer under the lowest cap (where show_stack resolves
    # outputs; the owner's stacks still come without them).
    capped = results['by alias under cap 1.0']['owner']
    assert not results['by alias under cap 1.0'].get('failed')
    assert (capped['path'], capped['stack']['id'], capped['root_stack']['id']) == (
        'group/1/leaf', owner['stack']['id'], root['stack_id'])
    assert 'outputs' not in capped['stack'] and 'outputs' not in capped['root_stack']

    admin = results['another project as admin']['owner']
    assert (admin['path'], admin['root_stack']['id']) == ('group/1/leaf', root['stack_id'])
    for title in ('unknown', 'deleted stack', 'another project'):
        assert results[title]['owner'] == {} and results[title]['stacks'] == [], title
        assert results[title]['changed'] is False and not results[title].get('failed'), title
    assert results['unknown fails']['failed'] is True
    assert results['unknown fails']['msg'] == "no stack holds a resource with the physical id '%s'" % unknown
    assert results['unknown fails']['error']['kind'] == 'not_found'
    assert results['with name']['msg'] == 'name and physical_resource_id are mutually exclusive; set one of them'
    assert results['with include']['msg'] == 'include cannot be combined with physical_resource_id; remove it'
    assert results['with include']['error']['kind'] == 'configuration'

    # The same from the _heat layer on the engine client: no stack is shown with its outputs resolved.
    direct = find_owner(client, leaf['physical_resource_id'])
    assert (direct['path'], direct['stack']['id'], direct['root_stack']['id']) == (
        'group/1/leaf', member['physical_resource_id'], root['stack_id'])
    assert find_owner(client, unknown) is None

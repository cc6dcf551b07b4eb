# -*- coding: utf-8 -*-
"""heat_stack's safety gates against the real engine: protect (update and delete), the blast radius."""

import re

import pytest
import yaml

from conftest import delete_stack_named, run_example_playbook, run_playbook

pytestmark = [pytest.mark.engine, pytest.mark.playbook]

# db: replaced when its length changes; app: updated in place when its value changes; group/0/leaf: replaced
# when the member length changes; group/0/kept: kept by its deletion policy.
MEMBER = {'heat_template_version': '2018-08-31',
          'parameters': {'length': {'type': 'number'}},
          'resources': {'leaf': {'type': 'OS::Heat::RandomString', 'properties': {'length': {'get_param': 'length'}}},
                        'kept': {'type': 'OS::Heat::RandomString', 'deletion_policy': 'Retain'}}}
MAIN = {'heat_template_version': '2018-08-31',
        'parameters': {'db_length': {'type': 'number', 'default': 8}, 'value': {'type': 'string', 'default': 'a'},
                       'member_length': {'type': 'number', 'default': 8}},
        'resources': {
            'db': {'type': 'OS::Heat::RandomString', 'properties': {'length': {'get_param': 'db_length'}}},
            'app': {'type': 'OS::Heat::Value', 'properties': {'value': {'get_param': 'value'}}},
            'group': {'type': 'OS::Heat::ResourceGroup', 'properties': {'count': 1, 'resource_def': {
                'type': 'member.yaml', 'properties': {'length': {'get_param': 'member_length'}}}}}},
        'outputs': {'db_value': {'value': {'get_attr': ['db', 'value']}},
                    'app_value': {'value': {'get_attr': ['app', 'value']}}}}


@pytest.fixture
def template(tmp_path):
    root = tmp_path / 'templates'
    root.mkdir()
    (root / 'member.yaml').write_text(yaml.safe_dump(MEMBER))
    (root / 'main.yaml').write_text(yaml.safe_dump(MAIN))
    return str(root / 'main.yaml')


def stack_task(task_name, stack_name, template, **options):
    return {'name': task_name, 'heat_rpc.engine.heat_stack': dict(name=stack_name, template=template, **options)}


def physical_ids(client, service, name):
    return dict((resource['resource_name'], resource['physical_resource_id'])
                for resource in client.list_stack_resources(None, service.identify(name), nested_depth=5))


def test_protect_refuses_what_would_destroy_a_protected_resource_and_allows_updates_in_place(
        tmp_path, env, client, service, stack_name, template):
    created = run_playbook(tmp_path / 'create', [stack_task('create', stack_name, template)], env=env).results['create']
    assert created['changed'] is True, created.get('msg')
    before = physical_ids(client, service, stack_name)

    protect = ['db', 'group/*/leaf']
    results = run_playbook(tmp_path / 'gates', [
        dict(stack_task('replace db, check mode', stack_name, template, protect=protect, parameters={'db_length': 9}),
             check_mode=True),
        stack_task('replace db', stack_name, template, protect=protect, parameters={'db_length': 9}),
        stack_task('replace a nested leaf', stack_name, template, protect=protect, parameters={'member_length': 9}),
        stack_task('delete', stack_name, template, protect=protect, state='absent'),
        stack_task('update app in place', stack_name, template, protect=protect, parameters={'value': 'b'}),
    ], env=env).results

    for name, path in (('replace db, check mode', 'db'), ('replace db', 'db'), ('replace a nested leaf', 'group/0/leaf')):
        refused = results[name]
        assert refused.get('failed') is True and refused.get('error', {}).get('kind') == 'protected_resource', \
            (name, refused.get('msg'))
        assert [entry['path'] for entry in refused['protected']] == [path], name
        assert refused['protected'][0]['change'] == 'replace'
        assert refused['protected'][0]['physical_id'] == before['leaf' if 'leaf' in path else 'db']
    assert results['replace db']['resource_changes']['replaced'] == ['db']
    deleting = results['delete']
    assert deleting['failed'] is True and deleting['error']['kind'] == 'protected_resource'
    # db and the leaf go with a delete; group/0/kept is retained and not protected anyway.
    assert [entry['path'] for entry in deleting['protected']] == ['db', 'group/0/leaf']

    in_place = results['update app in place']
    assert in_place['changed'] is True and not in_place.get('failed'), in_place.get('msg')
    assert 'app' in in_place['resource_changes']['updated']
    assert (in_place['resource_changes']['replaced'], in_place['resource_changes']['deleted']) == ([], [])
    # Nothing of the refused tasks was sent: db and the leaf are the same resources.
    after = physical_ids(client, service, stack_name)
    assert (after['db'], after['leaf']) == (before['db'], before['leaf'])
    assert service.identify(stack_name) is not None


def test_check_mode_of_a_delete_returns_the_blast_radius_down_through_nested_stacks(
        tmp_path, env, client, service, stack_name, template):
    run_playbook(tmp_path / 'create', [stack_task('create', stack_name, template)], env=env)
    ids = physical_ids(client, service, stack_name)
    dry = run_playbook(tmp_path / 'dry', [stack_task('dry', stack_name, template, state='absent')], env=env,
                       check=True).results['dry']
    assert dry['changed'] is True and not dry.get('failed'), dry.get('msg')
    radius = dict((entry['path'], entry) for entry in dry['blast_radius'])
    assert sorted(radius) == ['app', 'db', 'group', 'group/0', 'group/0/kept', 'group/0/leaf']
    assert radius['group/0/kept']['deletion_policy'] == 'Retain' and radius['group/0/kept']['kept'] is True
    assert radius['group/0/leaf'] == {'path': 'group/0/leaf', 'type': 'OS::Heat::RandomString',
                                      'physical_id': ids['leaf'], 'deletion_policy': 'Delete', 'kept': False}
    assert service.identify(stack_name) is not None


def test_a_successful_action_returns_its_own_events_down_through_nested_stacks(
        tmp_path, env, client, service, stack_name, template):
    results = run_playbook(tmp_path / 'run', [
        stack_task('create', stack_name, template),
        stack_task('update', stack_name, template, parameters={'member_length': 9}),
        stack_task('unchanged', stack_name, template, parameters={'member_length': 9}),
        stack_task('update, few events', stack_name, template, parameters={'member_length': 10}, max_events=3),
    ], env=env).results
    created = results['create']['events']
    paths = [event['path'] for event in created]
    assert {'db', 'app', 'group', 'group/0', 'group/0/leaf', 'group/0/kept', ''} <= set(paths), paths
    assert all(event['action'] == 'CREATE' for event in created)
    assert (created[-1]['path'], created[-1]['status']) == ('', 'CREATE_COMPLETE')
    assert [event['time'] for event in created] == sorted(event['time'] for event in created)

    updated = results['update']['events']
    assert updated and all(event['action'] in ('UPDATE', 'CREATE', 'DELETE') for event in updated), updated
    assert 'group/0/leaf' in [event['path'] for event in updated]
    assert (updated[-1]['path'], updated[-1]['status']) == ('', 'UPDATE_COMPLETE')
    assert 'events' not in results['unchanged']
    few = results['update, few events']['events']
    assert len(few) == 3 and (few[-1]['path'], few[-1]['status']) == ('', 'UPDATE_COMPLETE')


def test_snapshot_before_is_taken_when_an_update_destroys_and_restoring_it_gives_the_old_values_back(
        tmp_path, env, client, service, stack_name, template):
    created = run_playbook(tmp_path / 'create', [stack_task('create', stack_name, template)], env=env).results['create']
    first_value = created['stack']['outputs']['db_value']
    results = run_playbook(tmp_path / 'updates', [
        stack_task('in place', stack_name, template, snapshot_before=True, parameters={'value': 'b'}),
        dict(stack_task('replace, check mode', stack_name, template, snapshot_before=True,
                        parameters={'value': 'b', 'db_length': 12}), check_mode=True),
        stack_task('replace', stack_name, template, snapshot_before=True, parameters={'value': 'c', 'db_length': 12}),
        stack_task('absent', stack_name, template, snapshot_before=True, state='absent'),
    ], env=env).results
    assert results['in place']['changed'] is True and 'snapshot' not in results['in place']
    dry = results['replace, check mode']['snapshot']
    assert dry['id'] is None and dry['name'].startswith(stack_name + '-before-update-')
    replaced = results['replace']
    assert replaced['changed'] is True and not replaced.get('failed'), replaced.get('msg')
    snapshot = replaced['snapshot']
    assert snapshot['status'] == 'SNAPSHOT_COMPLETE' or snapshot['status'].endswith('_COMPLETE'), snapshot
    assert len(replaced['stack']['outputs']['db_value']) == 12 and replaced['stack']['outputs']['app_value'] == 'c'
    identity = service.identify(stack_name)
    assert [item['id'] for item in client.stack_list_snapshots(None, identity)] == [snapshot['id']]
    refused = results['absent']
    assert refused['error']['kind'] == 'configuration' and 'use protect' in refused['msg']
    assert service.identify(stack_name) is not None

    restored = run_playbook(tmp_path / 'restore', [{'name': 'restore', 'heat_rpc.engine.heat_snapshot': {
        'stack': stack_name, 'id': snapshot['id'], 'state': 'restored'}}], env=env).results['restore']
    assert restored['changed'] is True and not restored.get('failed'), restored.get('msg')
    outputs = dict((output['output_key'], output['output_value']) for output in service.find(stack_name)['outputs'])
    # The snapshot's template and parameters are back: the value set then, db's length then. db itself was
    # replaced by the update, so the restore creates it anew: a RandomString generates a new value.
    assert outputs['app_value'] == 'b'
    assert len(outputs['db_value']) == 8 and outputs['db_value'] != first_value


def test_an_approved_plan_is_applied_and_a_plan_overtaken_by_a_change_is_refused(
        tmp_path, env, client, service, stack_name, template):
    run_playbook(tmp_path / 'create', [stack_task('create', stack_name, template)], env=env)
    change = stack_task('plan', stack_name, template, parameters={'value': 'planned'})
    planned = run_playbook(tmp_path / 'plan', [change], env=env, check=True).results['plan']
    assert planned['changed'] is True and planned['plan'].startswith('hp1-'), planned.get('msg')
    assert 'app' in planned['plan_summary']

    # Someone else updates the stack between the approval and the apply: refused, nothing sent.
    run_playbook(tmp_path / 'other', [stack_task('other', stack_name, template, parameters={'value': 'other'})], env=env)
    other_time = service.find(stack_name)['updated_time']
    apply = stack_task('apply', stack_name, template, parameters={'value': 'planned'}, approved_plan=planned['plan'])
    refused = run_playbook(tmp_path / 'refused', [apply], env=env).results['apply']
    assert refused['error']['kind'] == 'plan_changed', refused.get('msg')
    assert 'the stack changed since the plan was made' in refused['msg']
    assert service.find(stack_name)['updated_time'] == other_time

    # A new plan, approved and applied as it is.
    replanned = run_playbook(tmp_path / 'replan', [change], env=env, check=True).results['plan']
    applied = run_playbook(tmp_path / 'apply', [dict(apply, **{'heat_rpc.engine.heat_stack': dict(
        apply['heat_rpc.engine.heat_stack'], approved_plan=replanned['plan'])})], env=env).results['apply']
    assert applied['changed'] is True and not applied.get('failed'), applied.get('msg')
    assert applied['stack']['outputs']['app_value'] == 'planned'

    # A file of the template changed after the approval: refused.
    final = run_playbook(tmp_path / 'final', [stack_task('plan', stack_name, template, parameters={'value': 'final'})],
                         env=env, check=True).results['plan']
    member = tmp_path / 'templates' / 'member.yaml'
    member.write_text(member.read_text().replace('Retain', 'Delete'))
    refused = run_playbook(tmp_path / 'file-changed', [stack_task(
        'apply', stack_name, template, parameters={'value': 'final'}, approved_plan=final['plan'])], env=env).results['apply']
    assert refused['error']['kind'] == 'plan_changed', refused.get('msg')
    assert 'what the task asks for changed' in refused['msg']
    assert client.get_template(None, service.identify(stack_name))  # the stack is still there, as it was


def test_the_plan_approve_apply_example(tmp_path, env, client, service):
    """examples/plan_approve_apply.yml as the workflow runs it: check mode plans, the approved plan applies."""
    name = 'plan-example-%s' % tmp_path.name[-8:].replace('_', '-')
    try:
        planned = run_example_playbook(tmp_path / 'plan', env, 'plan_approve_apply.yml', '--check',
                                       '-e', 'demo_stack_name=%s' % name)
        assert planned.returncode == 0, planned.output[-2000:]
        plan = re.search(r'plan (hp1-[0-9a-f-]+): create stack %s' % name, planned.output).group(1)
        assert service.identify(name) is None
        applied = run_example_playbook(tmp_path / 'apply', env, 'plan_approve_apply.yml',
                                       '-e', 'demo_stack_name=%s' % name, '-e', 'heat_plan=%s' % plan)
        assert applied.returncode == 0, applied.output[-2000:]
        assert service.identify(name) is not None
        stale = run_example_playbook(tmp_path / 'stale', env, 'plan_approve_apply.yml', '-e', 'demo_stack_name=%s' % name,
                                     '-e', 'demo_greeting=bonjour', '-e', 'heat_plan=%s' % plan)
        assert stale.returncode != 0 and 'plan_changed' in stale.output
    finally:
        delete_stack_named(client, service, name)

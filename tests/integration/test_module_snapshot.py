# -*- coding: utf-8 -*-
"""heat_snapshot through ansible-playbook against the real engine."""

import uuid

from conftest import STACK_WAIT, unique_name
from module_helpers import play, task as module_task
from test_engine_api import TEMPLATE
from test_module_stack_action import BROKEN

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import Poller, wait_for_stack


def task(_title, **args):
    return module_task('heat_snapshot', _title, **args)


def names_of(client, identity):
    return sorted(item['name'] for item in client.stack_list_snapshots(None, identity))


def test_present_absent_restored_idempotence_and_check_mode(tmp_path, heat_testbed, client, service, make_stack):
    name = unique_name('snap')
    identity = make_stack(TEMPLATE, name=name)

    run = play(tmp_path, 'create', [
        dict(task('dry create', stack=name, name='first'), check_mode=True),
        dict(task('dry absent', stack=name, name='first', state='absent'), check_mode=True),
        task('create', stack=name, name='first'),
        task('again', stack=identity['stack_id'], name='first'),
        task('with data', stack=name, name='second', include_data=True, wait_timeout=60),
        dict(task('dry delete', stack=name, name='second', state='absent'), check_mode=True),
        task('delete', stack=name, name='second', state='absent'),
        task('delete again', stack=name, name='second', state='absent'),
        task('delete unknown id', stack=name, id=str(uuid.uuid4()), state='absent'),
        task('missing stack', stack='no-such-' + name, name='first'),
    ], heat_testbed)
    results = run.results
    assert results['dry create']['changed'] is True
    assert results['dry create']['snapshot'] == {'name': 'first', 'action': 'CREATE', 'status': 'CREATE_COMPLETE'}
    assert results['dry absent']['changed'] is False and results['dry absent']['snapshot'] == {}
    created = results['create']
    assert created['changed'] is True
    snapshot = created['snapshot']
    assert (snapshot['name'], snapshot['action'], snapshot['status']) == ('first', 'CREATE', 'CREATE_COMPLETE')
    assert snapshot['status_reason'] == 'Stack SNAPSHOT completed successfully'
    assert snapshot['creation_time'] and 'data' not in snapshot
    assert created['stack']['status'] == 'SNAPSHOT_COMPLETE'
    assert results['again']['changed'] is False and results['again']['snapshot'] == snapshot
    data = results['with data']['snapshot']['data']
    assert data['template'] == TEMPLATE and sorted(data['resources']) == ['random', 'test', 'value']
    assert results['dry delete']['changed'] is True
    assert results['dry delete']['snapshot']['id'] == results['with data']['snapshot']['id']
    assert results['delete']['changed'] is True
    assert results['delete']['snapshot']['id'] == results['with data']['snapshot']['id']
    assert results['delete again']['changed'] is False and results['delete again']['snapshot'] == {}
    assert results['delete unknown id']['changed'] is False
    assert results['missing stack']['failed'] is True
    assert results['missing stack']['msg'] == "stack 'no-such-%s' not found" % name
    # Only 'first' is left on the engine: the check-mode tasks created and deleted nothing.
    assert names_of(client, identity) == ['first']

    # Change the stack, and make two snapshots with one name (Heat allows it).
    client.update_stack(None, identity, TEMPLATE, {'parameters': {'length': 12}}, {}, {})
    wait_for_stack(service, identity, STACK_WAIT, actions=('UPDATE',))
    twins = [client.stack_snapshot(None, identity, 'twin')]
    wait_for_stack(service, identity, STACK_WAIT, actions=('SNAPSHOT',))
    twins.append(client.stack_snapshot(None, identity, 'twin'))
    wait_for_stack(service, identity, STACK_WAIT, actions=('SNAPSHOT',))

    run = play(tmp_path, 'restore', [
        dict(task('dry restore', stack=name, name='first', state='restored'), check_mode=True),
        task('restore', stack=name, name='first', state='restored'),
        task('restore twin', stack=name, name='twin', state='restored'),
        task('delete twin', stack=name, name='twin', state='absent'),
        task('twin still present', stack=name, name='twin'),
        task('delete one twin', stack=name, id=twins[0]['id'], state='absent'),
        task('restore other twin by name', stack=name, name='twin', state='restored'),
        task('restore unknown', stack=name, name='never-taken', state='restored'),
    ], heat_testbed)
    results = run.results
    assert results['dry restore']['changed'] is True
    assert results['dry restore']['stack']['status'] == 'SNAPSHOT_COMPLETE'
    restored = results['restore']
    assert restored['changed'] is True and restored['stack']['status'] == 'RESTORE_COMPLETE'
    assert restored['snapshot']['id'] == snapshot['id']
    for key in ('restore twin', 'delete twin'):
        assert results[key]['failed'] is True
        # The ids come in the engine's order (by creation time, which has one-second resolution).
        assert results[key]['msg'] in ["stack '%s' has 2 snapshots named 'twin' (ids %s); choose one with the id "
                                       "option" % (name, ', '.join(item['id'] for item in order))
                                       for order in (twins, twins[::-1])]
    assert results['twin still present']['changed'] is False
    assert results['twin still present']['snapshot']['id'] == twins[1]['id']
    assert results['delete one twin']['changed'] is True
    assert results['restore other twin by name']['stack']['status'] == 'RESTORE_COMPLETE'
    assert results['restore other twin by name']['snapshot']['id'] == twins[1]['id']
    assert results['restore unknown']['failed'] is True
    assert results['restore unknown']['msg'] == "stack '%s' has no snapshot named 'never-taken'" % name
    assert names_of(client, identity) == ['first', 'twin']
    assert service.show(identity)['parameters']['length'] == '12'


def test_failed_restore_and_snapshot_of_a_busy_stack(tmp_path, heat_testbed, client, service, make_stack):
    # A snapshot of a CREATE_FAILED stack completes; once its failed resource is marked unhealthy, restoring the
    # snapshot re-runs the failing create.
    name = unique_name('snapfail')
    make_stack(BROKEN, name=name, args={'disable_rollback': True})
    busy = make_stack({'heat_template_version': '2018-08-31', 'resources': {'slow': {
        'type': 'OS::Heat::TestResource', 'properties': {'action_wait_secs': {'create': 60}}}}}, wait=False)
    run = play(tmp_path, 'run', [
        task('snapshot', stack=name, name='broken'),
        module_task('heat_resource_signal', 'unhealthy', stack=name, resource='broken', mark_unhealthy=True),
        task('restore', stack=name, name='broken', state='restored'),
        task('busy', stack=busy['stack_name'], name='busy'),
    ], heat_testbed)
    assert run.results['snapshot']['snapshot']['status'] == 'CREATE_COMPLETE'
    assert run.results['unhealthy']['resource']['status'] == 'CHECK_FAILED'
    restore = run.results['restore']
    assert restore.get('failed') is True and restore['changed'] is True, restore
    assert restore['stack']['status'] == 'RESTORE_FAILED'
    assert restore['error']['kind'] == 'stack_failed'
    assert restore['msg'].startswith("stack '%s' is RESTORE_FAILED: Resource CREATE failed: ValueError: "
                                     "resources.broken: Test Resource failed broken" % name)
    assert [item['name'] for item in restore['failed_resources']] == ['broken']
    assert restore['failed_resources'][0]['status'] == 'CREATE_FAILED'
    assert run.results['busy']['failed'] is True
    assert run.results['busy']['msg'] == ("cannot snapshot stack '%s': it is CREATE_IN_PROGRESS; wait until it "
                                          "settles" % busy['stack_name'])
    assert names_of(client, busy) == []
    # The busy stack's create is cancelled here so that its teardown does not wait a minute.
    client.stack_cancel_update(None, busy, cancel_with_rollback=False)
    Poller(30).wait(lambda: service.show(busy, resolve_outputs=False), lambda raw: raw['stack_status'] != 'IN_PROGRESS')

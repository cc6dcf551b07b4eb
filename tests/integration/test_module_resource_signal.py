# -*- coding: utf-8 -*-
"""heat_resource_signal through ansible-playbook against the real engine."""

from conftest import STACK_WAIT, unique_name
from module_helpers import play, task as module_task
from test_module_stack_action import HEALTHY

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import Poller, wait_for_stack


def task(_title, **args):
    return module_task('heat_resource_signal', _title, **args)


def paused_on_hook(client, identity, resource):
    events = client.list_events(None, identity, filters={'resource_name': resource})
    return any('paused until Hook pre-create is cleared' in (event.get('resource_status_reason') or '')
               for event in events)


def test_signal_releases_a_hook(tmp_path, heat_testbed, client, service):
    name = unique_name('hook')
    env = {'parameters': {}, 'resource_registry': {'resources': {'test': {'hooks': 'pre-create'}}}}
    identity = client.create_stack(None, name, HEALTHY, env, {}, {})
    try:
        Poller(60).wait(lambda: paused_on_hook(client, identity, 'test'), bool)
        run = play(tmp_path, 'run', [
            dict(task('dry release', stack=name, resource='test', data={'unset_hook': 'pre-create'}), check_mode=True),
            module_task('heat_stack_action', 'busy check', stack=name, action='check'),
            task('release', stack=name, resource='test', data={'unset_hook': 'pre-create'}, sync=True),
            task('release again', stack=name, resource='test', data={'unset_hook': 'pre-create'}),
            task('no handler', stack=name, resource='none', data={'anything': 1}),
            task('missing resource', stack=name, resource='nothing', data={}),
            task('missing stack', stack='no-such-' + name, resource='test', data={}),
        ], heat_testbed)
        results = run.results
        dry = results['dry release']
        assert dry['changed'] is True and dry['resource']['status'] == 'INIT_COMPLETE'
        # The check-mode task released nothing: the stack was still in progress for the next task.
        assert results['busy check']['msg'] == ("cannot check stack '%s': it is CREATE_IN_PROGRESS; wait until it "
                                                "settles" % name)
        release = results['release']
        assert release['changed'] is True and release.get('failed') is not True, release
        assert release['signal_result'] == {}
        assert release['resource']['name'] == 'test' and release['stack']['id'] == identity['stack_id']
        again = results['release again']
        assert again['failed'] is True and again['error']['kind'] == 'validation_failed'
        assert 'The "pre-create" hook is not defined on TestResource "test"' in again['msg']
        assert results['no handler']['failed'] is True
        assert results['no handler']['error']['remote_name'] == 'ResourceActionNotSupported'
        assert results['missing resource']['failed'] is True
        assert results['missing resource']['error']['kind'] == 'not_found'
        assert 'nothing' in results['missing resource']['msg']
        assert results['missing stack']['msg'] == "stack 'no-such-%s' not found" % name
        raw = wait_for_stack(service, identity, STACK_WAIT, actions=('CREATE',))
        assert (raw['stack_action'], raw['stack_status']) == ('CREATE', 'COMPLETE')
    finally:
        client.delete_stack(None, identity)
        wait_for_stack(service, identity, STACK_WAIT, actions=('DELETE',))


def test_mark_unhealthy_and_healthy_idempotence(tmp_path, heat_testbed, client, make_stack):
    name = unique_name('health')
    identity = make_stack(HEALTHY, name=name)
    run = play(tmp_path, 'run', [
        dict(task('dry mark', stack=name, resource='test', mark_unhealthy=True), check_mode=True),
        dict(task('dry heal', stack=name, resource='test', mark_unhealthy=False), check_mode=True),
        task('mark', stack=name, resource='test', mark_unhealthy=True, reason='disk errors'),
        task('mark again', stack=name, resource='test', mark_unhealthy=True, reason='disk errors'),
        task('mark without reason', stack=identity['stack_id'], resource='test', mark_unhealthy=True),
        dict(task('dry new reason', stack=name, resource='test', mark_unhealthy=True, reason='fan'), check_mode=True),
        task('new reason', stack=name, resource='test', mark_unhealthy=True, reason='fan'),
        task('heal', stack=name, resource='test', mark_unhealthy=False, reason='replaced the fan'),
        task('heal again', stack=name, resource='test', mark_unhealthy=False),
    ], heat_testbed)
    results = run.results
    assert (results['dry mark']['changed'], results['dry heal']['changed']) == (True, False)
    assert results['dry mark']['resource']['status'] == 'CREATE_COMPLETE'
    mark = results['mark']
    assert mark['changed'] is True
    assert (mark['resource']['status'], mark['resource']['status_reason']) == ('CHECK_FAILED', 'disk errors')
    assert results['mark again']['changed'] is False
    assert results['mark without reason']['changed'] is False
    assert results['dry new reason']['changed'] is True
    assert results['dry new reason']['resource']['status_reason'] == 'disk errors'
    assert results['new reason']['changed'] is True
    assert results['new reason']['resource']['status_reason'] == 'fan'
    heal = results['heal']
    assert heal['changed'] is True
    assert (heal['resource']['status'], heal['resource']['status_reason']) == ('CHECK_COMPLETE', 'replaced the fan')
    assert results['heal again']['changed'] is False
    described = client.describe_stack_resource(None, identity, 'test')
    assert (described['resource_action'], described['resource_status']) == ('CHECK', 'COMPLETE')

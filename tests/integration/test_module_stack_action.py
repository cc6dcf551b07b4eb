# -*- coding: utf-8 -*-
"""heat_stack_action through ansible-playbook against the real engine."""

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import Poller

from conftest import unique_name
from module_helpers import play, task as module_task

HEALTHY = {
    'heat_template_version': '2018-08-31',
    'resources': {
        'none': {'type': 'OS::Heat::None'},
        'test': {'type': 'OS::Heat::TestResource', 'properties': {'value': 'one'}},
    },
}

# A TestResource with fail: true never gets a physical id, so it fails its create and any later check.
BROKEN = {
    'heat_template_version': '2018-08-31',
    'resources': {
        'none': {'type': 'OS::Heat::None'},
        'broken': {'type': 'OS::Heat::TestResource', 'properties': {'value': 'x', 'fail': True}},
    },
}


def task(_title, **args):
    return module_task('heat_stack_action', _title, **args)


def state_of(service, identity):
    raw = service.show(identity, resolve_outputs=False)
    return None if raw is None else '%s_%s' % (raw['stack_action'], raw['stack_status'])


def test_check_suspend_resume_export_idempotence_and_refusals(tmp_path, heat_testbed, service, make_stack):
    name = unique_name('act')
    identity = make_stack(HEALTHY, name=name)

    run = play(tmp_path, 'real', [
        # Check mode predicts and sends nothing: the stack stays CREATE_COMPLETE and is not abandoned.
        dict(task('dry suspend', stack=name, action='suspend'), check_mode=True),
        dict(task('dry abandon', stack=name, action='abandon'), check_mode=True),
        dict(task('dry resume running', stack=name, action='resume'), check_mode=True),
        task('check', stack=name, action='check'),
        task('suspend', stack=identity['stack_id'], action='suspend'),
        task('suspend again', stack=name, action='suspend'),
        task('resume', stack=name, action='resume'),
        task('resume again', stack=name, action='resume'),
        task('export', stack=name, action='export'),
        task('cancel settled', stack=name, action='cancel_update'),
        task('cancel settled no rollback', stack=name, action='cancel_update', cancel_with_rollback=False),
        task('missing', stack='no-such-' + name, action='check'),
        task('check no wait', stack=name, action='check', wait=False),
    ], heat_testbed)
    results = run.results
    assert results['dry suspend']['changed'] is True
    assert results['dry suspend']['stack']['status'] == 'CREATE_COMPLETE'
    assert results['dry abandon']['changed'] is True
    assert results['dry abandon']['data']['name'] == name
    assert sorted(results['dry abandon']['data']['resources']) == ['none', 'test']
    assert results['dry resume running']['changed'] is False
    # The first real task found the stack still there and not suspended (the check ran on CREATE_COMPLETE).
    assert (results['check']['changed'], results['check']['stack']['status']) == (True, 'CHECK_COMPLETE')
    assert (results['suspend']['changed'], results['suspend']['stack']['status']) == (True, 'SUSPEND_COMPLETE')
    assert (results['suspend again']['changed'], results['suspend again']['stack']['status']) == (
        False, 'SUSPEND_COMPLETE')
    assert (results['resume']['changed'], results['resume']['stack']['status']) == (True, 'RESUME_COMPLETE')
    assert results['resume again']['changed'] is False
    exported = results['export']
    assert exported['changed'] is False and exported.get('failed') is not True
    assert exported['data']['id'] == identity['stack_id'] and exported['data']['template'] == HEALTHY
    assert exported['data']['resources']['test']['resource_data'] == {'value': 'one'}
    cancel = results['cancel settled']
    assert cancel['failed'] is True
    assert cancel['msg'] == ("cannot cancel_update stack '%s': it is RESUME_COMPLETE, and only a stack with UPDATE "
                             "in progress can be cancelled (with cancel_with_rollback=false, a create in progress "
                             "too)" % name)
    assert cancel['error']['kind'] == 'not_supported'
    assert 'UPDATE or CREATE in progress' in results['cancel settled no rollback']['msg']
    assert results['missing']['failed'] is True
    assert results['missing']['msg'] == "stack 'no-such-%s' not found" % name
    assert results['missing']['error']['kind'] == 'not_found'
    no_wait = results['check no wait']
    assert no_wait['changed'] is True and no_wait['stack']['action'] == 'CHECK'
    raw = Poller(30).wait(lambda: service.show(identity, resolve_outputs=False),
                          lambda raw: raw['stack_status'] != 'IN_PROGRESS')
    assert (raw['stack_action'], raw['stack_status']) == ('CHECK', 'COMPLETE')


def test_check_failure_reports_resources_then_abandon(tmp_path, heat_testbed, service, make_stack):
    name = unique_name('actfail')
    identity = make_stack(BROKEN, name=name, args={'disable_rollback': True})
    assert state_of(service, identity) == 'CREATE_FAILED'
    run = play(tmp_path, 'run', [
        task('check', stack=name, action='check'),
        task('abandon', stack=name, action='abandon'),
        task('gone', stack=name, action='export'),
    ], heat_testbed)
    check = run.results['check']
    assert check['failed'] is True and check['changed'] is True
    assert check['stack']['status'] == 'CHECK_FAILED'
    assert check['error']['kind'] == 'stack_failed'
    assert check['msg'].startswith("stack '%s' is CHECK_FAILED: Resource CHECK failed: " % name)
    assert check['msg'].endswith('; failed resources: broken (CHECK_FAILED): '
                                 'Exception: resources.broken: Resource not created')
    # Failed resources have the form of heat_stack_info's resources; these are the fields 0.1.0 returned.
    fields = ('name', 'type', 'status', 'status_reason', 'stack_name')
    assert [dict((key, item[key]) for key in fields) for item in check['failed_resources']] == [{
        'name': 'broken', 'type': 'OS::Heat::TestResource', 'status': 'CHECK_FAILED',
        'status_reason': 'Exception: resources.broken: Resource not created', 'stack_name': name}]
    abandon = run.results['abandon']
    assert abandon['changed'] is True and abandon.get('failed') is not True
    assert abandon['data']['name'] == name and sorted(abandon['data']['resources']) == ['broken', 'none']
    assert run.results['gone']['msg'] == "stack '%s' not found" % name
    assert service.find(identity['stack_id']) is None


QUICK = {
    'heat_template_version': '2018-08-31',
    'resources': {'slow': {'type': 'OS::Heat::TestResource', 'properties': {'value': 'one'}}},
}
# Long enough for two playbook tasks to run while the update is in progress, on a loaded machine too
# (with 8 s, the update sometimes ended before the 'refused' task of the cancel test ran).
SLOW_UPDATE = {
    'heat_template_version': '2018-08-31',
    'resources': {'slow': {'type': 'OS::Heat::TestResource', 'properties': {
        'value': 'two', 'action_wait_secs': {'update': 20}}}},
}


def start_slow_update(client, service, identity):
    client.update_stack(None, identity, SLOW_UPDATE, {}, {}, {})
    Poller(30).wait(lambda: service.show(identity, resolve_outputs=False),
                    lambda raw: (raw['stack_action'], raw['stack_status']) == ('UPDATE', 'IN_PROGRESS'))


def test_cancel_update_with_and_without_rollback(tmp_path, heat_testbed, client, service, make_stack):
    name = unique_name('cancel')
    identity = make_stack(QUICK, name=name)

    start_slow_update(client, service, identity)
    run = play(tmp_path, 'rollback', [
        dict(task('dry cancel', stack=name, action='cancel_update'), check_mode=True),
        task('refused', stack=name, action='suspend'),
        task('cancel', stack=name, action='cancel_update', wait_timeout=60),
    ], heat_testbed)
    assert run.results['dry cancel']['changed'] is True
    # Still in progress after the check-mode task: the suspend is refused for that reason.
    assert run.results['refused']['failed'] is True
    assert run.results['refused']['msg'] == ("cannot suspend stack '%s': it is UPDATE_IN_PROGRESS; wait until it "
                                             "settles" % name)
    cancel = run.results['cancel']
    assert cancel.get('failed') is not True, cancel
    assert (cancel['changed'], cancel['stack']['status']) == (True, 'ROLLBACK_COMPLETE')
    assert client.describe_stack_resource(None, identity, 'slow')['attributes']['output'] == 'one'

    start_slow_update(client, service, identity)
    run = play(tmp_path, 'stop', [
        task('cancel', stack=name, action='cancel_update', cancel_with_rollback=False, wait_timeout=60),
    ], heat_testbed)
    cancel = run.results['cancel']
    # A cancel without rollback ends UPDATE_FAILED by design: reported, not a task failure.
    assert cancel.get('failed') is not True, cancel
    assert (cancel['changed'], cancel['stack']['status']) == (True, 'UPDATE_FAILED')
    assert state_of(service, identity) == 'UPDATE_FAILED'

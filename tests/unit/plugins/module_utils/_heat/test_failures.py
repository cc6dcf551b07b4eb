# -*- coding: utf-8 -*-
"""The failures report (heat_stack_info include=failures) on a scripted engine: what is reported, what is asked."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.failures import ALL_NESTED, failure_report
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack_info import StackInfoRunner
from ansible_collections.heat_rpc.engine.plugins.modules.heat_stack_info import ARGUMENT_SPEC

from runner_doubles import InTurn, ScriptedClient, run_runner

TOP = {'stack_name': 'top', 'stack_id': 'top-id', 'tenant': 'p', 'path': ''}


def resource(name, status='CREATE_COMPLETE', stack='top', nested=None, rtype='OS::Heat::TestResource',
             physical='', reason='ok'):
    action, _sep, state = status.partition('_')
    raw = {'resource_name': name, 'resource_type': rtype, 'resource_action': action, 'resource_status': state,
           'resource_status_reason': reason, 'physical_resource_id': physical, 'stack_name': stack,
           'stack_identity': {'stack_id': stack + '-id', 'stack_name': stack, 'tenant': 'p', 'path': ''}}
    if nested:
        raw['nested_stack_id'] = {'stack_id': nested + '-id', 'stack_name': nested, 'tenant': 'p', 'path': ''}
    return raw


def deployment(status, outputs=None):
    return {'id': 'dep-1', 'server_id': 'srv', 'config_id': 'cfg', 'action': 'CREATE', 'status': status,
            'status_reason': 'Deployment exited 2' if status == 'FAILED' else 'done',
            'output_values': outputs, 'input_values': {}}


FAILED_DEPLOYMENT = deployment('FAILED', {'deploy_stdout': 'out', 'deploy_stderr': 'err', 'deploy_status_code': 2,
                                          'other': 'x'})
NESTED_FAILURE = [
    resource('ok'),
    resource('app', 'CREATE_FAILED', nested='app-stack', rtype='app.yaml', reason='resources.app: nested failed'),
    resource('db', 'CREATE_FAILED', stack='app-stack', nested='db-stack', rtype='db.yaml'),
    resource('disk', 'CREATE_FAILED', stack='db-stack', reason='Went to status error'),
    resource('cache', 'CREATE_COMPLETE', stack='db-stack'),
    resource('web', 'UPDATE_FAILED', stack='app-stack', reason='own failure'),
]
DEPLOYMENT_STACK = [
    resource('cfg', 'CREATE_FAILED', rtype='OS::Heat::SoftwareDeployment', physical='dep-1', reason='exited 2'),
]


@pytest.mark.parametrize('resources,deployments,expected,shown', [
    # Nothing failed: an empty report and no other call.
    ([resource('a'), resource('b', 'UPDATE_COMPLETE')], None, [], []),
    # Failures down two nested stacks: the path from the top and where each failure started.
    (NESTED_FAILURE, None, [('app', 'app', False, None), ('app.db', 'db', False, None),
                            ('app.db.disk', 'disk', True, None), ('app.web', 'web', True, None)], []),
    # A failed deployment resource: its deployment's deploy_* outputs (and nothing else of output_values).
    (DEPLOYMENT_STACK, FAILED_DEPLOYMENT,
     [('cfg', 'cfg', True, {'deploy_stdout': 'out', 'deploy_stderr': 'err', 'deploy_status_code': 2})], ['dep-1']),
    # A deployment failed without outputs (a timeout): the keys are there, null.
    (DEPLOYMENT_STACK, deployment('FAILED'),
     [('cfg', 'cfg', True, {'deploy_stdout': None, 'deploy_stderr': None, 'deploy_status_code': None})], ['dep-1']),
    # The resource failed but its deployment did not (or is gone): no deployment in the report.
    (DEPLOYMENT_STACK, deployment('COMPLETE', {'deploy_stdout': 'fine'}), [('cfg', 'cfg', True, None)], ['dep-1']),
    (DEPLOYMENT_STACK, errors.NotFoundError('no deployment'), [('cfg', 'cfg', True, None)], ['dep-1']),
    # A deployment resource that failed before it had a deployment: nothing to show.
    ([resource('cfg', 'CREATE_FAILED', rtype='OS::Heat::StructuredDeployment')], FAILED_DEPLOYMENT,
     [('cfg', 'cfg', True, None)], []),
    # Other resource types are never looked up as deployments, whatever their physical id.
    ([resource('x', 'CREATE_FAILED', physical='dep-1')], FAILED_DEPLOYMENT, [('x', 'x', True, None)], []),
])
def test_failure_report(resources, deployments, expected, shown):
    client = ScriptedClient({'list_stack_resources': resources, 'show_software_deployment': deployments})
    report = failure_report(client, TOP)
    got = []
    for entry in report:
        deploy = entry['deployment']
        if deploy is not None:
            assert (deploy['id'], deploy['status'], deploy['server_id']) == ('dep-1', 'FAILED', 'srv')
            deploy = dict((key, deploy[key]) for key in ('deploy_stdout', 'deploy_stderr', 'deploy_status_code'))
        got.append((entry['path'], entry['name'], entry['root_cause'], deploy))
        assert entry['status'].endswith('_FAILED') and 'status_reason' in entry
    assert got == expected
    # One listing down through every nested stack, then one show per failed deployment resource.
    assert client.kwargs_of('list_stack_resources') == [{'nested_depth': ALL_NESTED}]
    assert [call[1][0] for call in client.calls if call[0] == 'show_software_deployment'] == shown
    assert client.methods() == ['list_stack_resources'] + ['show_software_deployment'] * len(shown)


def test_reasons_come_through_the_resource_shape():
    [entry] = [e for e in failure_report(ScriptedClient({'list_stack_resources': NESTED_FAILURE}), TOP)
               if e['name'] == 'disk']
    assert entry['status_reason'] == 'Went to status error'
    assert (entry['stack_name'], entry['stack_id'], entry['type']) == ('db-stack', 'db-stack-id', 'OS::Heat::TestResource')


@pytest.mark.parametrize('status', ['CREATE_FAILED', 'CREATE_COMPLETE'])
def test_include_failures_does_not_fail_the_task(status):
    action, _sep, state = status.partition('_')
    identity = dict(TOP)
    answers = {'identify_stack': identity,
               'show_stack': InTurn([{'stack_name': 'top', 'stack_identity': identity, 'stack_action': action,
                                      'stack_status': state, 'stack_status_reason': 'r'}]),
               'list_stack_resources': DEPLOYMENT_STACK if state == 'FAILED' else [resource('a')],
               'show_software_deployment': FAILED_DEPLOYMENT}
    result, client = run_runner(StackInfoRunner, ARGUMENT_SPEC, answers, name='top', include=['failures'])
    assert isinstance(result, dict), result
    assert result['changed'] is False
    [stack] = result['stacks']
    assert stack['status'] == status
    assert [entry['path'] for entry in stack['failures']] == (['cfg'] if state == 'FAILED' else [])
    assert client.methods()[:2] == ['identify_stack', 'show_stack']

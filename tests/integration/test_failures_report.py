# -*- coding: utf-8 -*-
"""heat_stack_info include=failures against the real engine: a failure two stacks deep, a failed deployment.

What this engine cannot do: create an OS::Heat::SoftwareDeployment *resource* (heat 27 refuses it with
"Service heat is not available for resource type OS::Heat::SoftwareDeployment" without a Keystone catalog).
So the nested failure is tested end to end through ansible-playbook, and the deployment part of the report
(deployment_failure: show_software_deployment of a resource's physical id, the deploy_* output values) is
tested on a standalone deployment whose server_id is the physical id of the stack's nested stack resource, signalled FAILED
through the heat_software_deployment module.
"""

import json
import uuid

from conftest import STACK_WAIT, unique_name
from module_helpers import play, task

from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.failures import deployment_failure
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.waiting import wait_for_stack

INNER = {
    'heat_template_version': '2018-08-31',
    'resources': {
        'good': {'type': 'OS::Heat::TestResource', 'properties': {'value': 'fine'}},
        'bad': {'type': 'OS::Heat::TestResource', 'properties': {'fail': True, 'value': 'broken'},
                'depends_on': 'good'},
    },
}
OUTER = {
    'heat_template_version': '2018-08-31',
    'resources': {
        'fine': {'type': 'OS::Heat::TestResource', 'properties': {'value': 'top'}},
        'tier': {'type': 'tier.yaml'},
    },
}


def test_failures_report_of_a_failed_nested_stack_and_a_failed_deployment(
        tmp_path, heat_testbed, client, service, make_stack):
    name = unique_name('fail')
    identity = make_stack(OUTER, files={'tier.yaml': json.dumps(INNER)}, name=name, wait=False,
                          args={'disable_rollback': True})
    raw = wait_for_stack(service, identity, STACK_WAIT, actions=('CREATE',))
    assert (raw['stack_action'], raw['stack_status']) == ('CREATE', 'FAILED')
    # The nested stack resource's physical id (a UUID, as a server id is) stands in for a server.
    tier = [r for r in client.list_stack_resources(None, identity) if r['resource_name'] == 'tier'][0]
    server_id = tier['physical_resource_id']
    assert server_id
    config = 'cfg-' + name
    try:
        run = play(tmp_path, 'report', [
            task('heat_software_config', 'config', name=config, group='script', config='#!/bin/sh\nexit 2\n'),
            task('heat_software_deployment', 'deploy', server_id=server_id, config=config),
            task('heat_software_deployment', 'fail it', server_id=server_id, config=config,
                 signal={'deploy_stdout': 'installing', 'deploy_stderr': 'E: no such package', 'deploy_status_code': 2}),
            task('heat_stack_info', 'failures', name=name, include=['failures']),
            task('heat_stack_info', 'healthy', name=name + '-none', include=['failures']),
        ], heat_testbed)
        results = run.results
        assert run.stats['ignored'] == 0, run.output
        report = results['failures']
        assert report['changed'] is False and not report.get('failed')
        [stack] = report['stacks']
        assert stack['status'] == 'CREATE_FAILED'
        failures = dict((entry['path'], entry) for entry in stack['failures'])
        assert sorted(failures) == ['tier', 'tier.bad']
        bad = failures['tier.bad']
        assert (bad['name'], bad['type'], bad['status'], bad['root_cause']) == (
            'bad', 'OS::Heat::TestResource', 'CREATE_FAILED', True)
        assert 'Test Resource failed' in bad['status_reason'], bad['status_reason']
        assert bad['stack_id'] == failures['tier']['nested_stack_id']
        assert bad['deployment'] is None
        assert (failures['tier']['root_cause'], failures['tier']['stack_id']) == (False, identity['stack_id'])
        assert 'resources.bad' in failures['tier']['status_reason']
        assert results['healthy']['stacks'] == []

        # The deployment part of the report, on the real engine: the deployment signalled FAILED above.
        deployment_id = results['deploy']['deployment']['id']
        assert results['fail it']['deployment']['status'] == 'FAILED'
        failed = deployment_failure(client, deployment_id)
        assert (failed['id'], failed['server_id'], failed['status']) == (deployment_id, server_id, 'FAILED')
        assert (failed['deploy_stdout'], failed['deploy_stderr'], failed['deploy_status_code']) == (
            'installing', 'E: no such package', 2)
        assert 'deploy_status_code' in failed['status_reason']
        # A deployment that does not exist, or that has not failed, adds nothing to the report.
        assert deployment_failure(client, str(uuid.uuid4())) is None
        client.update_software_deployment(None, deployment_id, status='COMPLETE', status_reason='fixed by hand')
        assert deployment_failure(client, deployment_id) is None
    finally:
        for item in client.list_software_deployments(None, server_id=server_id):
            client.delete_software_deployment(None, item['id'])
        for item in client.list_software_configs(None, limit=1000):
            if item['name'] == config:
                client.delete_software_config(None, item['id'])

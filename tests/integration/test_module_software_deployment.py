# -*- coding: utf-8 -*-
"""heat_software_deployment and heat_software_deployment_info through ansible-playbook, real engine."""

import uuid

from conftest import unique_name
from module_helpers import play, task
from software_helpers import INPUTS, OUTPUTS, SCRIPT, config_task, deployment_task, ids_named


def test_software_deployment_lifecycle(tmp_path, heat_testbed, client):
    name = unique_name('dcfg')
    server_id = str(uuid.uuid4())
    fixed_id = str(uuid.uuid4())
    definition = dict(name=name, group='script', config=SCRIPT, inputs=INPUTS, outputs=OUTPUTS)
    try:
        run = play(tmp_path, 'create', [
            config_task('config', **definition),
            dict(deployment_task('dry deploy', server_id=server_id, config=name, input_values={'version': '1'}),
                 check_mode=True),
            deployment_task('deploy', server_id=server_id, config=name, input_values={'version': '1'}),
            deployment_task('deploy again', server_id=server_id, config=name, input_values={'version': '1'}),
            task('heat_software_deployment_info', 'server info', server_id=server_id),
            dict(deployment_task('dry signal', server_id=server_id, config=name,
                                 signal={'result': 'done', 'deploy_status_code': 0, 'deploy_stdout': 'ok'}),
                 check_mode=True),
            deployment_task('signal', server_id=server_id, config=name,
                            signal={'result': 'done', 'deploy_status_code': 0, 'deploy_stdout': 'ok'}),
            deployment_task('signal again', server_id=server_id, config=name,
                            signal={'result': 'done', 'deploy_status_code': 0, 'deploy_stdout': 'ok'}),
            deployment_task('fixed id', id=fixed_id, server_id=server_id, config=name,
                            input_values={'version': '2'}, action='UPDATE'),
            dict(deployment_task('dry failing signal', id=fixed_id, signal={'deploy_status_code': 3, 'problem': 'disk'}),
                 check_mode=True),
            deployment_task('failing signal', id=fixed_id, signal={'deploy_status_code': 3, 'problem': 'disk'}),
            dict(deployment_task('dry update', id=fixed_id, status='COMPLETE', status_reason='by hand'),
                 check_mode=True),
            deployment_task('update', id=fixed_id, status='COMPLETE', status_reason='by hand',
                            input_values={'version': '3'}),
            deployment_task('update again', id=fixed_id, status='COMPLETE', status_reason='by hand'),
            deployment_task('ambiguous', server_id=server_id, config=name, status='COMPLETE'),
            deployment_task('move', id=fixed_id, server_id=str(uuid.uuid4())),
            deployment_task('unknown config', server_id=server_id, config='no-such-' + name),
            deployment_task('no config', server_id=server_id),
            task('heat_software_deployment_info', 'one', id=fixed_id),
            config_task('config in use', name=name, state='absent'),
        ], heat_testbed)
        results = run.results
        config_id = results['config']['config']['id']
        dry = results['dry deploy']
        assert dry['changed'] is True and dry['created'] is True
        assert (dry['deployment']['id'], dry['deployment']['status']) == (None, 'IN_PROGRESS')
        deployed = results['deploy']['deployment']
        assert results['deploy']['changed'] is True
        assert (deployed['server_id'], deployed['config_id'], deployed['input_values'], deployed['action'],
                deployed['status']) == (server_id, config_id, {'version': '1'}, 'CREATE', 'IN_PROGRESS')
        assert results['deploy again']['changed'] is False
        assert results['deploy again']['deployment']['id'] == deployed['id']
        info = results['server info']
        assert [d['id'] for d in info['deployments']] == [deployed['id']]
        assert [(m['id'], m['name'], m['config']) for m in info['metadata']] == [(config_id, name, SCRIPT)]
        dry_signal = results['dry signal']
        assert (dry_signal['changed'], dry_signal['signal_sent']) == (True, True)
        signalled = results['signal']['deployment']
        assert (signalled['status'], signalled['status_reason']) == ('COMPLETE', 'Outputs received')
        assert signalled['output_values'] == {'result': 'done', 'deploy_status_code': 0, 'deploy_stdout': 'ok',
                                              'deploy_stderr': None}
        # The check-mode prediction is what the engine made of the signal.
        predicted = dry_signal['deployment']
        assert (predicted['status'], predicted['status_reason'], predicted['output_values']) == (
            signalled['status'], signalled['status_reason'], signalled['output_values'])
        again = results['signal again']
        assert (again['changed'], again['signal_sent']) == (False, False)
        fixed = results['fixed id']['deployment']
        assert (fixed['id'], fixed['action'], fixed['input_values']) == (fixed_id, 'UPDATE', {'version': '2'})
        failing = results['failing signal']['deployment']
        assert failing['status'] == 'FAILED'
        assert failing['status_reason'] == ('deploy_status_code : Deployment exited with non-zero status code: 3, '
                                            'problem : disk')
        assert results['dry failing signal']['deployment']['status_reason'] == failing['status_reason']
        assert results['dry update']['updated'] == ['status', 'status_reason']
        update = results['update']
        assert update['updated'] == ['input_values', 'status', 'status_reason']
        assert (update['deployment']['status'], update['deployment']['input_values']) == ('COMPLETE', {'version': '3'})
        assert results['update again']['changed'] is False
        assert results['ambiguous']['msg'] == (
            "server '%s' has 2 deployments of config %s (ids %s); choose one with the id option"
            % (server_id, config_id, ', '.join(sorted([deployed['id'], fixed_id],
                                                      key=[deployed['id'], fixed_id].index))))
        assert "cannot move to" in results['move']['msg']
        assert results['move']['error']['kind'] == 'configuration'
        assert results['unknown config']['msg'] == "config: no software config with id or name 'no-such-%s'" % name
        assert 'config: required when id is not given' in results['no config']['msg']
        assert results['no config']['error']['kind'] == 'configuration'
        assert results['one']['deployments'] == [update['deployment']]
        in_use = results['config in use']
        assert in_use['failed'] is True and 'can not be deleted as it is referenced' in in_use['msg']
        shown = client.show_software_deployment(None, fixed_id)
        assert (shown['status'], shown['status_reason']) == ('COMPLETE', 'by hand')

        run = play(tmp_path, 'absent', [
            dict(deployment_task('dry absent', id=fixed_id, state='absent'), check_mode=True),
            deployment_task('absent', id=fixed_id, state='absent'),
            deployment_task('absent again', id=fixed_id, state='absent'),
            deployment_task('absent by config', server_id=server_id, config=name, state='absent'),
            deployment_task('absent, no such config', server_id=server_id, config='no-such-' + name, state='absent'),
            task('heat_software_deployment_info', 'none left', server_id=server_id),
            config_task('config', name=name, state='absent'),
        ], heat_testbed)
        results = run.results
        assert results['dry absent']['changed'] is True
        assert (results['absent']['changed'], results['absent']['deleted_ids']) == (True, [fixed_id])
        assert results['absent again']['changed'] is False
        assert results['absent by config']['deleted_ids'] == [deployed['id']]
        nothing = results['absent, no such config']
        assert (nothing['changed'], nothing['deleted_ids'], nothing.get('failed', False)) == (False, [], False)
        assert results['none left']['deployments'] == [] and results['none left']['metadata'] == []
        assert results['config']['changed'] is True
    finally:
        for deployment in client.list_software_deployments(None, server_id=server_id):
            client.delete_software_deployment(None, deployment['id'])
        for config_id in ids_named(client, name):
            client.delete_software_config(None, config_id)

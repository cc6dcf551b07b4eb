# -*- coding: utf-8 -*-
"""heat_software_config(_info) and heat_software_deployment(_info) through ansible-playbook, real engine."""

import uuid

from conftest import unique_name
from module_helpers import play, task

SCRIPT = '#!/bin/sh\necho "$version" > $heat_outputs_path.result\n'

# Written loosely on purpose: the engine stores type: String, converts the Number default to 5, drops the
# false replace_on_change and adds error_output: false; the second run must still be unchanged.
INPUTS = [
    {'name': 'version', 'description': 'what to install'},
    {'name': 'retries', 'type': 'Number', 'default': '5', 'replace_on_change': False},
    {'name': 'flags', 'type': 'CommaDelimitedList', 'default': 'a,b', 'replace_on_change': True},
]
OUTPUTS = [{'name': 'result'}, {'name': 'problem', 'error_output': True}]


def config_task(_title, **args):
    return task('heat_software_config', _title, **args)


def deployment_task(_title, **args):
    return task('heat_software_deployment', _title, **args)


def ids_named(client, name):
    return [item['id'] for item in client.list_software_configs(None, limit=1000) if item['name'] == name]


def test_software_config_lifecycle(tmp_path, heat_testbed, client):
    name = unique_name('cfg')
    script_file = tmp_path / 'install.sh'
    script_file.write_text(SCRIPT)
    definition = dict(name=name, group='script', inputs=INPUTS, outputs=OUTPUTS, options={'timeout': 30})
    try:
        run = play(tmp_path, 'present', [
            dict(config_task('dry create', config=SCRIPT, **definition), check_mode=True),
            config_task('create', config=SCRIPT, **definition),
            config_task('again', config=SCRIPT, **definition),
            config_task('from file', config_file=str(script_file), **definition),
            dict(config_task('dry change', config=SCRIPT + 'exit 0\n', **definition), check_mode=True),
            config_task('change', config=SCRIPT + 'exit 0\n', **definition),
            config_task('keep old', config=SCRIPT + 'exit 1\n', keep_old=True, **definition),
            config_task('newest unchanged', config=SCRIPT + 'exit 1\n', **definition),
            task('heat_software_config_info', 'info by name', name=name, detail=True),
            task('heat_software_config_info', 'info list', name=name),
            config_task('missing file', config_file=str(tmp_path / 'nope.sh'), **definition),
            config_task('no name', id=str(uuid.uuid4()), config='x'),
            config_task('unknown id', id=str(uuid.uuid4()), name=name),
        ], heat_testbed, diff=True)
        results = run.results
        assert results['dry create']['changed'] is True and 'id' not in results['dry create']['config']
        created = results['create']
        assert created['changed'] is True and created['replaced'] is False
        config = created['config']
        assert (config['name'], config['group'], config['config'], config['options']) == (
            name, 'script', SCRIPT, {'timeout': 30})
        assert config['inputs'] == [
            {'name': 'version', 'description': 'what to install', 'type': 'String'},
            {'name': 'retries', 'type': 'Number', 'default': 5},
            {'name': 'flags', 'type': 'CommaDelimitedList', 'default': ['a', 'b'], 'replace_on_change': True}]
        assert config['outputs'] == [{'name': 'result', 'type': 'String', 'error_output': False},
                                     {'name': 'problem', 'type': 'String', 'error_output': True}]
        for key in ('again', 'from file'):
            assert results[key]['changed'] is False, results[key]
            assert results[key]['config']['id'] == config['id']
        dry_change = results['dry change']
        assert (dry_change['changed'], dry_change['replaced'], dry_change['old_id']) == (True, True, config['id'])
        assert dry_change['differences'] == ['config']
        change = results['change']
        assert (change['changed'], change['replaced'], change['old_id'], change['old_deleted']) == (
            True, True, config['id'], True)
        assert change['config']['id'] != config['id'] and change['config']['config'] == SCRIPT + 'exit 0\n'
        keep = results['keep old']
        assert (keep['replaced'], keep['old_id'], keep['old_deleted']) == (True, change['config']['id'], False)
        assert results['newest unchanged']['changed'] is False
        assert results['newest unchanged']['config']['id'] == keep['config']['id']
        # Newest first, but the engine's creation times have one-second resolution: configs made within the
        # same second may come in either order, so compare by id.
        detailed = dict((c['id'], c) for c in results['info by name']['configs'])
        assert sorted(detailed) == sorted([keep['config']['id'], change['config']['id']])
        kept = detailed[keep['config']['id']]
        assert kept['config'] == SCRIPT + 'exit 1\n' and kept['inputs'] == config['inputs']
        assert [sorted(c) for c in results['info list']['configs']] == [['creation_time', 'group', 'id', 'name']] * 2
        assert "config_file: cannot read '%s'" % (tmp_path / 'nope.sh') in results['missing file']['msg']
        assert 'state is present but all of the following are missing: name' in results['no name']['msg']
        assert results['unknown id']['error']['kind'] == 'not_found'
        # The check-mode tasks wrote nothing; the first and the second versions were deleted on replacement.
        assert sorted(ids_named(client, name)) == sorted([keep['config']['id'], change['config']['id']])

        run = play(tmp_path, 'absent', [
            dict(config_task('dry absent', name=name, state='absent'), check_mode=True),
            config_task('absent', name=name, state='absent'),
            config_task('absent again', name=name, state='absent'),
            config_task('absent by id', id=config['id'], state='absent'),
        ], heat_testbed)
        results = run.results
        assert results['dry absent']['changed'] is True
        assert results['absent']['deleted_ids'] == [keep['config']['id'], change['config']['id']]
        assert (results['absent again']['changed'], results['absent by id']['changed']) == (False, False)
        assert ids_named(client, name) == []
    finally:
        for config_id in ids_named(client, name):
            client.delete_software_config(None, config_id)


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
        assert results['unknown config']['msg'] == "config: no software config with id or name 'no-such-%s'" % name
        assert 'config: required when id is not given' in results['no config']['msg']
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
            task('heat_software_deployment_info', 'none left', server_id=server_id),
            config_task('config', name=name, state='absent'),
        ], heat_testbed)
        results = run.results
        assert results['dry absent']['changed'] is True
        assert (results['absent']['changed'], results['absent']['deleted_ids']) == (True, [fixed_id])
        assert results['absent again']['changed'] is False
        assert results['absent by config']['deleted_ids'] == [deployed['id']]
        assert results['none left']['deployments'] == [] and results['none left']['metadata'] == []
        assert results['config']['changed'] is True
    finally:
        for deployment in client.list_software_deployments(None, server_id=server_id):
            client.delete_software_deployment(None, deployment['id'])
        for config_id in ids_named(client, name):
            client.delete_software_config(None, config_id)

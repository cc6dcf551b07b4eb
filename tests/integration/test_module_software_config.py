# -*- coding: utf-8 -*-
"""heat_software_config and heat_software_config_info through ansible-playbook, real engine."""

import uuid

from conftest import unique_name
from module_helpers import play, task
from software_helpers import INPUTS, OUTPUTS, SCRIPT, config_task, ids_named


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
            config_task('missing file on the target', config_file=str(tmp_path / 'nope.sh'), remote_src=True,
                        **definition),
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
        # Read on the controller (the action plugin), or with remote_src where the module runs.
        assert results['missing file']['msg'].startswith("config_file: Could not find or access '%s'"
                                                         % (tmp_path / 'nope.sh'))
        assert results['missing file']['error']['kind'] == 'configuration'
        missing_there = results['missing file on the target']
        assert "config_file: cannot read '%s'" % (tmp_path / 'nope.sh') in missing_there['msg']
        assert missing_there['error']['kind'] == 'configuration'
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
        # Both versions go. Their order is the engine's listing order, which cannot tell apart two configs
        # created within the same second (its creation times have one-second resolution).
        assert sorted(results['absent']['deleted_ids']) == sorted([keep['config']['id'], change['config']['id']])
        assert (results['absent again']['changed'], results['absent by id']['changed']) == (False, False)
        assert ids_named(client, name) == []
    finally:
        for config_id in ids_named(client, name):
            client.delete_software_config(None, config_id)

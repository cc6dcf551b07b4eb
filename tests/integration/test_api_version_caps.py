# -*- coding: utf-8 -*-
"""Every module under api_version_cap 1.18 (the seed API) and 1.0: it works, or it fails before any write
with kind not_supported naming the RPC API version it needs. Never a write followed by "not supported".
"""

import re
import uuid

import pytest

from conftest import unique_name
from module_helpers import play, task
from test_engine_api import TEMPLATE

WORKS = 'works'
# What each module does under the cap (the closing note of issue #10 lists the same table).
EXPECTED = {
    '1.18': {
        'heat_stack present': 'refused: needs 1.32', 'heat_stack absent': WORKS, 'heat_stack_info': WORKS,
        'heat_stack_info list': WORKS, 'heat_template_validate': WORKS, 'heat_engine_info': WORKS,
        'heat_stack_action': WORKS, 'heat_snapshot': WORKS, 'heat_software_config': WORKS,
        'heat_software_config_info': WORKS, 'heat_software_deployment': WORKS,
        'heat_software_deployment_info': WORKS, 'heat_resource_signal': 'refused: needs 1.26',
        'heat_stack_hook': 'refused: needs 1.31',
    },
    '1.0': {
        'heat_stack present': 'refused: needs 1.32', 'heat_stack absent': WORKS, 'heat_stack_info': WORKS,
        'heat_stack_info list': WORKS, 'heat_template_validate': 'refused: needs 1.17',
        'heat_engine_info': 'refused: needs 1.4', 'heat_stack_action': WORKS, 'heat_snapshot': WORKS,
        'heat_software_config': 'refused: needs 1.10', 'heat_software_config_info': 'refused: needs 1.10',
        'heat_software_deployment': 'refused: needs 1.10', 'heat_software_deployment_info': WORKS,
        'heat_resource_signal': 'refused: needs 1.26', 'heat_stack_hook': 'refused: needs 1.31',
    },
}
SIGNAL_TEMPLATE = {'heat_template_version': '2018-08-31',
                   'resources': {'n': {'type': 'OS::Heat::None'}}}


def engine_state(client, names):
    """What any write of these tasks would change: stacks, their updated times and snapshots, configs."""
    stacks = {}
    for raw in client.list_stacks(None):
        identity = raw['stack_identity']
        snapshots = sorted(s['name'] for s in client.stack_list_snapshots(None, identity))
        stacks[raw['stack_name']] = (raw['stack_status'], raw['stack_action'], raw.get('updated_time'), snapshots)
    configs = sorted(c['name'] for c in client.list_software_configs(None, limit=1000))
    deployments = sorted(d['id'] for d in client.list_software_deployments(None, server_id=names['server']))
    return stacks, configs, deployments


def tasks_for(names):
    return [
        task('heat_stack', 'heat_stack present', name=names['new'], template_body=TEMPLATE),
        task('heat_stack', 'heat_stack absent', name=names['doomed'], state='absent'),
        task('heat_stack_info', 'heat_stack_info', name=names['stack']),
        task('heat_stack_info', 'heat_stack_info list', name=None),
        task('heat_template_validate', 'heat_template_validate', template_body=TEMPLATE),
        task('heat_engine_info', 'heat_engine_info'),
        task('heat_stack_action', 'heat_stack_action', stack=names['stack'], action='check'),
        task('heat_snapshot', 'heat_snapshot', stack=names['stack'], name='snap'),
        task('heat_software_config', 'heat_software_config', name=names['config'], config='echo hi'),
        task('heat_software_config_info', 'heat_software_config_info'),
        task('heat_software_deployment', 'heat_software_deployment', server_id=names['server'],
             config=names['existing_config']),
        task('heat_software_deployment_info', 'heat_software_deployment_info', server_id=names['server']),
        task('heat_resource_signal', 'heat_resource_signal', stack=names['stack'], resource='n',
             mark_unhealthy=True, reason='cap test'),
        task('heat_stack_hook', 'heat_stack_hook', stack=names['stack'], action='clear', resources=['*']),
    ]


@pytest.mark.parametrize('cap', ['1.18', '1.0'])
def test_each_module_works_or_refuses_before_any_write(tmp_path, heat_testbed, client, make_stack, cap):
    names = {'new': unique_name('capnew'), 'doomed': unique_name('capdel'), 'stack': unique_name('cap'),
             'config': unique_name('capcfg'), 'existing_config': unique_name('capcfg'), 'server': str(uuid.uuid4())}
    make_stack(SIGNAL_TEMPLATE, name=names['stack'])
    make_stack(SIGNAL_TEMPLATE, name=names['doomed'])
    config = client.create_software_config(None, group='script', name=names['existing_config'], config='echo hi',
                                           inputs=[], outputs=[], options={})
    try:
        before = engine_state(client, names)
        tasks = tasks_for(names)
        for item in tasks:
            module = next(key for key in item if key.startswith('heat_rpc.engine.'))
            item[module]['api_version_cap'] = cap
        run = play(tmp_path, 'cap' + cap, tasks, heat_testbed)
        outcome = {}
        for item in tasks:
            result = run.results[item['name']]
            if not result.get('failed'):
                outcome[item['name']] = WORKS
                continue
            assert result.get('error', {}).get('kind') == 'not_supported', (item['name'], result.get('msg'))
            needed = re.search(r'needs RPC API (\d+\.\d+)', result['msg'])
            assert needed, (item['name'], result['msg'])
            outcome[item['name']] = 'refused: needs %s' % needed.group(1)
        after = engine_state(client, names)
        # Whatever was refused wrote nothing: compare the engine's state with what the working tasks did.
        assert outcome['heat_stack absent'] == WORKS and names['doomed'] not in after[0]
        if outcome['heat_stack present'] != WORKS:
            assert names['new'] not in after[0]
        if outcome['heat_snapshot'] != WORKS:
            assert after[0][names['stack']][3] == before[0][names['stack']][3]
        if outcome['heat_stack_action'] != WORKS and outcome['heat_snapshot'] != WORKS:
            assert after[0][names['stack']][:3] == before[0][names['stack']][:3]
        if outcome['heat_software_config'] != WORKS:
            assert names['config'] not in after[1]
        if outcome['heat_software_deployment'] != WORKS:
            assert after[2] == before[2]
        assert outcome == EXPECTED.get(cap), sorted(outcome.items())
    finally:
        for config_id in [config['id']] + [c['id'] for c in client.list_software_configs(None, limit=1000)
                                           if c['name'] == names['config']]:
            try:
                client.delete_software_config(None, config_id)
            except Exception:  # noqa: BLE001 - cleanup only
                pass
        for deployment in client.list_software_deployments(None, server_id=names['server']):
            client.delete_software_deployment(None, deployment['id'])
        identity = client.identify_stack(None, names['new']) if names['new'] in engine_state(client, names)[0] \
            else None
        if identity:
            client.delete_stack(None, identity)

# -*- coding: utf-8 -*-
"""SoftwareDeploymentRunner and SoftwareDeploymentInfoRunner decisions, run on a scripted engine.

Each table row says what the engine holds, what the task asks, and what must be decided: created, which
fields an update sends, whether a signal is sent, which lookups fail, and that check mode writes nothing.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_software_deployment import (
    SoftwareDeploymentInfoRunner, SoftwareDeploymentRunner, wanted_changes,
)

from software_fakes import SoftwareEngine, run, uuid_of

APP, WEB = uuid_of(1), uuid_of(2)
DEP, OTHER, FIXED = uuid_of(11), uuid_of(12), uuid_of(13)
NEW = uuid_of(101)  # the id the scripted engine gives the first thing it creates


def config(config_id, name, outputs=()):
    return {'id': config_id, 'name': name, 'group': 'script', 'config': 'echo', 'inputs': [],
            'outputs': list(outputs), 'options': {}, 'creation_time': '2023-01-01T00:00:00Z'}


APP_OUTPUTS = [{'name': 'result', 'error_output': False}, {'name': 'problem', 'error_output': True}]
CONFIGS = [config(WEB, 'web'), config(APP, 'app', APP_OUTPUTS)]


def deployment(deployment_id=DEP, server_id='s1', config_id=APP, **fields):
    values = {'id': deployment_id, 'server_id': server_id, 'config_id': config_id, 'input_values': {'v': '1'},
              'output_values': {}, 'action': 'CREATE', 'status': 'IN_PROGRESS', 'status_reason': 'Deploy data available',
              'creation_time': '2023-01-01T00:00:00Z', 'updated_time': None}
    values.update(fields)
    return values


def params(**given):
    values = dict(id=None, server_id='s1', config='app', input_values=None, action=None, status=None,
                  status_reason=None, signal=None, state='present')
    values.update(given)
    return values


# -- which fields an update sends ---------------------------------------------------------------------------

@pytest.mark.parametrize('options,config_id,changes', [
    ({}, None, {}),
    ({}, APP, {}),
    ({}, WEB, {'config_id': WEB}),
    ({'input_values': {'v': '1'}}, APP, {}),
    ({'input_values': {'v': '2'}}, APP, {'input_values': {'v': '2'}}),
    ({'input_values': {}}, APP, {}),  # the engine cannot clear input values
    ({'action': 'CREATE', 'status': 'IN_PROGRESS'}, APP, {}),
    ({'action': 'UPDATE'}, APP, {'action': 'UPDATE'}),
    ({'status': 'FAILED', 'status_reason': 'by hand'}, APP, {'status': 'FAILED', 'status_reason': 'by hand'}),
    ({'status_reason': ''}, APP, {}),  # the engine keeps the old reason for an empty one
    ({'status_reason': 'Deploy data available'}, APP, {}),
])
def test_wanted_changes(options, config_id, changes):
    assert wanted_changes(params(**options), deployment(), config_id) == changes


# -- present: created, updated or kept ------------------------------------------------------------------------

PRESENT = [
    # (id, deployments, task options, created, updated, deployment's (id, config_id, action, status), writes)
    ('none yet: created IN_PROGRESS with CREATE', [], {}, True, [], (NEW, APP, 'CREATE', 'IN_PROGRESS'),
     [('create_software_deployment', NEW)]),
    ('none with this id: created with it', [], {'id': FIXED, 'action': 'UPDATE', 'status': 'COMPLETE'}, True, [],
     (FIXED, APP, 'UPDATE', 'COMPLETE'), [('create_software_deployment', FIXED)]),
    ('another config on the server only: created', [deployment(config_id=WEB)], {}, True, [],
     (NEW, APP, 'CREATE', 'IN_PROGRESS'), [('create_software_deployment', NEW)]),
    ('same config on another server only: created', [deployment(server_id='s2')], {}, True, [],
     (NEW, APP, 'CREATE', 'IN_PROGRESS'), [('create_software_deployment', NEW)]),
    ('found, nothing asked: kept', [deployment()], {}, False, [], (DEP, APP, 'CREATE', 'IN_PROGRESS'), []),
    ('found, same values: kept', [deployment()], {'input_values': {'v': '1'}, 'action': 'CREATE'}, False, [],
     (DEP, APP, 'CREATE', 'IN_PROGRESS'), []),
    ('found, new values: updated', [deployment()], {'input_values': {'v': '2'}, 'status': 'COMPLETE'}, False,
     ['input_values', 'status'], (DEP, APP, 'CREATE', 'COMPLETE'),
     [('update_software_deployment', DEP, {'input_values': {'v': '2'}, 'status': 'COMPLETE'})]),
    ('by id, config by name: moved to that config', [deployment()], {'id': DEP, 'server_id': None, 'config': 'web'},
     False, ['config_id'], (DEP, WEB, 'CREATE', 'IN_PROGRESS'),
     [('update_software_deployment', DEP, {'config_id': WEB})]),
    ('by id, config by id', [deployment()], {'id': DEP, 'config': WEB}, False, ['config_id'],
     (DEP, WEB, 'CREATE', 'IN_PROGRESS'), [('update_software_deployment', DEP, {'config_id': WEB})]),
    ('by id, no config given: kept', [deployment()], {'id': DEP, 'config': None}, False, [],
     (DEP, APP, 'CREATE', 'IN_PROGRESS'), []),
]


@pytest.mark.parametrize('deployments,options,created,updated,shown,writes', [row[1:] for row in PRESENT],
                         ids=[row[0] for row in PRESENT])
def test_present(deployments, options, created, updated, shown, writes):
    engine = SoftwareEngine(CONFIGS, deployments)
    result = run(SoftwareDeploymentRunner, engine, **params(**options))
    assert (result['changed'], result['created'], result['updated']) == (created or bool(updated), created, updated)
    got = result['deployment']
    assert (got['id'], got['config_id'], got['action'], got['status']) == shown
    assert engine.writes == writes
    assert 'signal_sent' not in result
    assert result['diff'] == {'before': {} if created else dict(deployments[0]), 'after': got}


@pytest.mark.parametrize('deployments,options,created,updated,shown,writes', [row[1:] for row in PRESENT],
                         ids=[row[0] for row in PRESENT])
def test_check_mode_predicts_present_without_writing(deployments, options, created, updated, shown, writes):
    engine = SoftwareEngine(CONFIGS, deployments)
    result = run(SoftwareDeploymentRunner, engine, check_mode=True, **params(**options))
    assert (result['changed'], result['created'], result['updated']) == (created or bool(updated), created, updated)
    got = result['deployment']
    # A deployment created without an id has none yet.
    predicted_id = None if shown[0] == NEW else shown[0]
    assert (got['id'], got['config_id'], got['action'], got['status']) == (predicted_id,) + shown[1:]
    assert engine.writes == []


# -- refusals: nothing is written -----------------------------------------------------------------------------

REFUSED = [
    # (id, deployments, task options, error, message)
    ('neither id nor config', [], {'config': None}, errors.ConfigurationError,
     '^config: required when id is not given'),
    ('unknown config', [], {'config': 'nope'}, errors.NotFoundError,
     "^config: no software config with id or name 'nope'$"),
    ('unknown config id', [], {'config': uuid_of(7)}, errors.NotFoundError, '^config: no software config'),
    ('no server to create on', [], {'id': FIXED, 'server_id': None}, errors.ConfigurationError,
     "^server_id: required to create a deployment \\(none with id '%s' exists\\)" % FIXED),
    ('no config to create with', [], {'id': FIXED, 'config': None}, errors.ConfigurationError,
     "^config: required to create a deployment"),
    ('two of the config on the server', [deployment(), deployment(OTHER)], {'status': 'COMPLETE'},
     errors.ConflictError, "^server 's1' has 2 deployments of config %s \\(ids %s, %s\\); choose one with the id"
     % (APP, DEP, OTHER)),
    ('moved to another server', [deployment()], {'id': DEP, 'server_id': 's2'}, errors.ConfigurationError,
     "^server_id: deployment %s belongs to server 's1'; it cannot move to 's2'" % DEP),
]


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('deployments,options,error,message', [row[1:] for row in REFUSED],
                         ids=[row[0] for row in REFUSED])
def test_refused(deployments, options, error, message, check_mode):
    engine = SoftwareEngine(CONFIGS, deployments)
    with pytest.raises(error, match=message):
        run(SoftwareDeploymentRunner, engine, check_mode=check_mode, **params(**options))
    assert engine.writes == []


# -- signals ------------------------------------------------------------------------------------------------------

OK = {'result': 'done', 'deploy_status_code': 0}
BAD = {'deploy_status_code': 3, 'problem': 'disk'}

SIGNAL, UPDATE, CREATE = 'signal_software_deployment', 'update_software_deployment', 'create_software_deployment'

SIGNALS = [
    # (id, deployments, task options, sent, predicted (status, status_reason), writes sent, in order)
    ('IN_PROGRESS: sent', [deployment()], {'signal': OK}, True, ('COMPLETE', 'Outputs received'), [SIGNAL]),
    ('IN_PROGRESS, failing: sent', [deployment()], {'signal': BAD}, True,
     ('FAILED', 'deploy_status_code : Deployment exited with non-zero status code: 3, problem : disk'), [SIGNAL]),
    ('COMPLETE: not sent', [deployment(status='COMPLETE')], {'signal': OK}, False, None, []),
    ('FAILED: not sent', [deployment(status='FAILED')], {'signal': OK}, False, None, []),
    ('COMPLETE and updated: not sent', [deployment(status='COMPLETE')], {'signal': OK, 'action': 'UPDATE'}, False,
     None, [UPDATE]),
    ('updated first, then sent', [deployment()], {'signal': OK, 'action': 'UPDATE'}, True,
     ('COMPLETE', 'Outputs received'), [UPDATE, SIGNAL]),
    ('created IN_PROGRESS, then sent', [], {'signal': OK}, True, ('COMPLETE', 'Outputs received'), [CREATE, SIGNAL]),
]


@pytest.mark.parametrize('deployments,options,sent,predicted,writes', [row[1:] for row in SIGNALS],
                         ids=[row[0] for row in SIGNALS])
def test_signal(deployments, options, sent, predicted, writes):
    engine = SoftwareEngine(CONFIGS, deployments)
    result = run(SoftwareDeploymentRunner, engine, **params(**options))
    assert (result['signal_sent'], result['changed']) == (sent, bool(writes))
    assert [write[0] for write in engine.writes] == writes
    assert [write[2] for write in engine.written(SIGNAL)] == ([options['signal']] if sent else [])
    if sent:
        # The result is the deployment as the engine shows it after the signal.
        assert (result['deployment']['status'], result['deployment']['status_reason']) == ('COMPLETE', 'signalled')


@pytest.mark.parametrize('deployments,options,sent,predicted,writes', [row[1:] for row in SIGNALS],
                         ids=[row[0] for row in SIGNALS])
def test_check_mode_predicts_the_signal_without_sending_it(deployments, options, sent, predicted, writes):
    engine = SoftwareEngine(CONFIGS, deployments)
    result = run(SoftwareDeploymentRunner, engine, check_mode=True, **params(**options))
    assert (result['signal_sent'], result['changed']) == (sent, bool(writes))
    assert engine.writes == []
    got = result['deployment']
    if predicted:
        assert (got['status'], got['status_reason']) == predicted
        assert got['output_values']['deploy_status_code'] == options['signal']['deploy_status_code']
    else:
        assert got['status'] == deployments[0]['status']


# -- absent ---------------------------------------------------------------------------------------------------

ABSENT = [
    # (id, deployments, task options, deleted ids, deployment returned)
    ('by id', [deployment(), deployment(OTHER)], {'id': OTHER, 'config': None}, [OTHER], OTHER),
    ('by id, config ignored', [deployment()], {'id': DEP, 'config': 'nope'}, [DEP], DEP),
    ('unknown id', [deployment()], {'id': FIXED}, [], None),
    ('every one of the config on the server', [deployment(), deployment(OTHER), deployment(FIXED, config_id=WEB),
                                               deployment(uuid_of(14), server_id='s2')], {}, [DEP, OTHER], None),
    ('the one of the config on the server', [deployment(), deployment(OTHER, config_id=WEB)], {}, [DEP], DEP),
    ('none of the config', [deployment(config_id=WEB)], {}, [], None),
    ('unknown config: none of it', [deployment()], {'config': 'nope'}, [], None),
]


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('deployments,options,deleted,returned', [row[1:] for row in ABSENT],
                         ids=[row[0] for row in ABSENT])
def test_absent(deployments, options, deleted, returned, check_mode):
    engine = SoftwareEngine(CONFIGS, deployments)
    result = run(SoftwareDeploymentRunner, engine, check_mode=check_mode, **params(state='absent', **options))
    assert (result['changed'], result['deleted_ids']) == (bool(deleted), deleted)
    assert result['deployment'].get('id') == returned
    expected = [] if check_mode else [('delete_software_deployment', item) for item in deleted]
    assert engine.writes == expected


def test_absent_without_id_or_config_names_the_option():
    engine = SoftwareEngine(CONFIGS, [deployment()])
    with pytest.raises(errors.ConfigurationError, match='^config: required with state=absent when id is not given'):
        run(SoftwareDeploymentRunner, engine, **params(state='absent', config=None))
    assert engine.writes == []


# -- info -------------------------------------------------------------------------------------------------------

INFO = [
    # (id, task options, listed ids, metadata config ids or None)
    ('every deployment', {}, [DEP, OTHER, FIXED], None),
    ('of a server', {'server_id': 's1'}, [DEP, OTHER], [APP, WEB]),
    ('by id', {'id': FIXED}, [FIXED], None),
    ('by id on its server', {'id': FIXED, 'server_id': 's2'}, [FIXED], [APP]),
    ('by id on another server', {'id': FIXED, 'server_id': 's1'}, [], [APP, WEB]),
    ('unknown id', {'id': uuid_of(7)}, [], None),
    ('a server without deployments', {'server_id': 's3'}, [], []),
]


@pytest.mark.parametrize('options,ids,metadata', [row[1:] for row in INFO], ids=[row[0] for row in INFO])
def test_info(options, ids, metadata):
    engine = SoftwareEngine(CONFIGS, [deployment(), deployment(OTHER, config_id=WEB),
                                      deployment(FIXED, server_id='s2', output_values=None)])
    given = dict(id=None, server_id=None)
    given.update(options)
    result = run(SoftwareDeploymentInfoRunner, engine, **given)
    assert result['changed'] is False and engine.writes == []
    assert [item['id'] for item in result['deployments']] == ids
    assert all(item['output_values'] == {} for item in result['deployments'])  # shaped: every key, {} for none
    if metadata is None:
        assert 'metadata' not in result
    else:
        assert [item['id'] for item in result['metadata']] == metadata

# -*- coding: utf-8 -*-
"""SoftwareConfigRunner and SoftwareConfigInfoRunner decisions, run on a scripted engine (software_fakes.py).

Each table row says what the engine holds, what the task asks, and what must be decided: changed or not,
replaced or kept, which writes are sent (none in check mode), and which lookups fail.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.software import definition
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_software_config import (
    SoftwareConfigInfoRunner, SoftwareConfigRunner, config_differences,
)

from software_fakes import SoftwareEngine, run, run_with_warnings, uuid_of

SCRIPT = 'echo hi'
# The engine's normal form of what DEFAULTS asks for.
STORED_INPUTS = [{'name': 'version', 'type': 'String'}, {'name': 'retries', 'type': 'Number', 'default': 5}]
STORED_OUTPUTS = [{'name': 'result', 'type': 'String', 'error_output': False}]
# The same, written loosely the way a task does (the runner must see no difference).
ASKED_INPUTS = [{'name': 'version', 'type': None, 'description': None, 'default': None, 'replace_on_change': False},
                {'name': 'retries', 'type': 'Number', 'description': '', 'default': '5', 'replace_on_change': False}]
ASKED_OUTPUTS = [{'name': 'result', 'type': 'String', 'description': None, 'error_output': False}]


def stored(number, name='app', **fields):
    config = {'id': uuid_of(number), 'name': name, 'group': 'script', 'config': SCRIPT, 'inputs': STORED_INPUTS,
              'outputs': STORED_OUTPUTS, 'options': {}, 'creation_time': '2023-01-0%dT00:00:00Z' % number}
    config.update(fields)
    return config


def params(**given):
    values = dict(name='app', id=None, state='present', group='script', config=SCRIPT, config_file=None,
                  inputs=ASKED_INPUTS, outputs=ASKED_OUTPUTS, options={}, keep_old=False)
    values.update(given)
    return values


def deployment_of(config_number):
    return {'id': uuid_of(900), 'server_id': 's1', 'config_id': uuid_of(config_number), 'status': 'COMPLETE'}


# -- what counts as a difference --------------------------------------------------------------------------

@pytest.mark.parametrize('current,asked,name,expected', [
    ({}, {}, 'app', []),
    ({}, {}, 'other', ['name']),
    ({'group': 'ansible'}, {}, 'app', ['group']),
    ({}, {'config': SCRIPT + '\n'}, 'app', ['config']),
    ({}, {'inputs': ASKED_INPUTS[:1]}, 'app', ['inputs']),
    ({}, {'inputs': [dict(ASKED_INPUTS[0], replace_on_change=True)] + ASKED_INPUTS[1:]}, 'app', ['inputs']),
    ({}, {'inputs': [ASKED_INPUTS[0], dict(ASKED_INPUTS[1], default='6')]}, 'app', ['inputs']),
    ({}, {'outputs': [dict(ASKED_OUTPUTS[0], error_output=True)]}, 'app', ['outputs']),
    ({}, {'options': {'timeout': 30}}, 'app', ['options']),
    ({'group': None, 'options': None}, {'group': 'Heat::Ungrouped'}, 'app', []),
    ({'config': 'x', 'options': {'a': 1}}, {}, 'other', ['name', 'config', 'options']),
])
def test_what_counts_as_a_difference(current, asked, name, expected):
    wanted = params(**asked)
    wanted = definition(wanted['group'], wanted['config'], wanted['inputs'], wanted['outputs'], wanted['options'])
    assert config_differences(stored(1, **current), wanted, name) == expected


# -- present: kept, created or replaced ---------------------------------------------------------------------

NEW = uuid_of(101)  # the id the scripted engine gives the first config it creates

PRESENT = [
    # (id, engine's configs, deployments, task options, changed, replaced, old_id, old_deleted, config id, writes)
    ('none yet: created', [], [], {}, True, False, None, None, NEW, [('create_software_config', 'app')]),
    ('same definition: kept', [stored(1)], [], {}, False, False, None, None, uuid_of(1), []),
    ('another name only: created', [stored(1, name='web')], [], {}, True, False, None, None, NEW,
     [('create_software_config', 'app')]),
    ('differs: replaced, old deleted', [stored(1)], [], {'config': 'echo 2'}, True, True, uuid_of(1), True, NEW,
     [('create_software_config', 'app'), ('delete_software_config', uuid_of(1))]),
    ('differs with keep_old: old kept', [stored(1)], [], {'config': 'echo 2', 'keep_old': True}, True, True,
     uuid_of(1), False, NEW, [('create_software_config', 'app')]),
    ('differs, old in use: old kept', [stored(1)], [deployment_of(1)], {'config': 'echo 2'}, True, True, uuid_of(1),
     False, NEW, [('create_software_config', 'app'), ('delete_software_config', uuid_of(1))]),
    ('an older one of the name matches: kept', [stored(2, config='newer'), stored(1)], [], {}, False, False, None,
     None, uuid_of(1), []),
    ('none of the name matches: the newest is replaced', [stored(2, config='newer'), stored(1, config='older')], [],
     {}, True, True, uuid_of(2), True, NEW,
     [('create_software_config', 'app'), ('delete_software_config', uuid_of(2))]),
    ('id of a config with another name: replaced', [stored(1, name='web')], [], {'id': uuid_of(1)}, True, True,
     uuid_of(1), True, NEW, [('create_software_config', 'app'), ('delete_software_config', uuid_of(1))]),
    ('id of the same config: kept', [stored(2), stored(1, config='old')], [], {'id': uuid_of(1), 'config': 'old'},
     False, False, None, None, uuid_of(1), []),
    ('id: compared with that config, not the newest', [stored(2), stored(1, config='old')], [], {'id': uuid_of(1)},
     True, True, uuid_of(1), True, NEW, [('create_software_config', 'app'), ('delete_software_config', uuid_of(1))]),
]


@pytest.mark.parametrize('configs,deployments,options,changed,replaced,old_id,old_deleted,config_id,writes',
                         [row[1:] for row in PRESENT], ids=[row[0] for row in PRESENT])
def test_present(configs, deployments, options, changed, replaced, old_id, old_deleted, config_id, writes):
    engine = SoftwareEngine(configs, deployments)
    result, warnings = run_with_warnings(SoftwareConfigRunner, engine, **params(**options))
    assert (result['changed'], result['replaced']) == (changed, replaced)
    assert (result.get('old_id'), result.get('old_deleted')) == (old_id, old_deleted)
    assert result['config']['id'] == config_id
    assert engine.writes == writes
    # The config-in-use warning comes exactly when a replaced config could not be deleted.
    in_use = replaced and old_deleted is False and not options.get('keep_old')
    assert [old_id in w and 'was kept' in w for w in warnings] == ([True] if in_use else [])


@pytest.mark.parametrize('configs,deployments,options,changed,replaced,old_id,old_deleted,config_id,writes',
                         [row[1:] for row in PRESENT], ids=[row[0] for row in PRESENT])
def test_check_mode_predicts_present_without_writing(configs, deployments, options, changed, replaced, old_id,
                                                     old_deleted, config_id, writes):
    engine = SoftwareEngine(configs, deployments)
    result, warnings = run_with_warnings(SoftwareConfigRunner, engine, check_mode=True, **params(**options))
    assert (result['changed'], result['replaced'], result.get('old_id')) == (changed, replaced, old_id)
    assert engine.writes == [] and warnings == []
    if changed:
        # The predicted config: the wanted definition in the engine's form, no id yet.
        assert 'id' not in result['config']
        assert (result['config']['name'], result['config']['inputs']) == ('app', STORED_INPUTS)
        # Check mode predicts the delete without knowing whether the engine would refuse it.
        assert result.get('old_deleted') == (True if replaced and not options.get('keep_old') else
                                             (False if replaced else None))
    else:
        assert result['config']['id'] == config_id


def test_the_result_is_shaped_and_the_diff_shows_the_normalised_definitions():
    engine = SoftwareEngine([dict(stored(1), project='p1', extra='dropped')])
    result = run(SoftwareConfigRunner, engine, **params(config='echo 2'))
    assert sorted(result['config']) == ['config', 'creation_time', 'group', 'id', 'inputs', 'name', 'options',
                                        'outputs']
    assert result['diff']['before']['config'] == SCRIPT and result['diff']['after']['config'] == 'echo 2'
    assert result['diff']['after']['inputs'] == result['diff']['before']['inputs'] == STORED_INPUTS
    assert result['differences'] == ['config']


def test_an_unknown_id_is_not_found_and_nothing_is_written():
    engine = SoftwareEngine([stored(1)])
    with pytest.raises(errors.NotFoundError, match="^id: no software config with id '%s'" % uuid_of(7)):
        run(SoftwareConfigRunner, engine, **params(id=uuid_of(7)))
    assert engine.writes == []


def test_the_config_text_comes_from_config_file(tmp_path):
    path = tmp_path / 'install.sh'
    path.write_text(SCRIPT)
    engine = SoftwareEngine([stored(1)])
    result = run(SoftwareConfigRunner, engine, **params(config=None, config_file=str(path)))
    assert result['changed'] is False and engine.writes == []
    result = run(SoftwareConfigRunner, engine, **params(config=None, config_file=None))
    assert result['differences'] == ['config'] and engine.configs[0]['config'] == ''


def test_an_unreadable_config_file_is_a_configuration_error_naming_the_option(tmp_path):
    engine = SoftwareEngine()
    with pytest.raises(errors.ConfigurationError, match="^config_file: cannot read '%s'" % (tmp_path / 'nope')):
        run(SoftwareConfigRunner, engine, **params(config=None, config_file=str(tmp_path / 'nope')))
    assert engine.writes == [] and engine.reads == []


# -- absent ---------------------------------------------------------------------------------------------------

ABSENT = [
    # (id, configs, deployments, options, changed, deleted_ids)
    ('every config of the name', [stored(3), stored(2, name='web'), stored(1)], [], {}, True,
     [uuid_of(3), uuid_of(1)]),
    ('the one with id', [stored(2), stored(1)], [], {'id': uuid_of(1)}, True, [uuid_of(1)]),
    ('none of the name', [stored(1, name='web')], [], {}, False, []),
    ('no config with id', [stored(1)], [], {'id': uuid_of(7), 'name': None}, False, []),
]


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('configs,deployments,options,changed,deleted', [row[1:] for row in ABSENT],
                         ids=[row[0] for row in ABSENT])
def test_absent(configs, deployments, options, changed, deleted, check_mode):
    engine = SoftwareEngine(configs, deployments)
    result = run(SoftwareConfigRunner, engine, check_mode=check_mode, **params(state='absent', **options))
    assert (result['changed'], result['deleted_ids'], result['config'], result['replaced']) == (
        changed, deleted, {}, False)
    expected = [] if check_mode else [('delete_software_config', config_id) for config_id in deleted]
    assert engine.writes == expected


def test_absent_of_a_config_in_use_fails_with_the_engines_refusal():
    engine = SoftwareEngine([stored(1)], [deployment_of(1)])
    with pytest.raises(errors.ValidationFailedError, match='can not be deleted as it is referenced'):
        run(SoftwareConfigRunner, engine, **params(state='absent'))


# -- info -------------------------------------------------------------------------------------------------------

INFO = [
    # (id, task options, listed ids, in full)
    ('every config', {}, [uuid_of(3), uuid_of(2), uuid_of(1)], False),
    ('by name', {'name': 'app'}, [uuid_of(3), uuid_of(1)], False),
    ('by name in full', {'name': 'app', 'detail': True}, [uuid_of(3), uuid_of(1)], True),
    ('by id', {'id': uuid_of(2)}, [uuid_of(2)], True),
    ('by id and its name', {'id': uuid_of(2), 'name': 'web'}, [uuid_of(2)], True),
    ('by id and another name', {'id': uuid_of(2), 'name': 'app'}, [], True),
    ('unknown id', {'id': uuid_of(7)}, [], True),
    ('unknown name', {'name': 'nope', 'detail': True}, [], True),
]


@pytest.mark.parametrize('options,ids,full', [row[1:] for row in INFO], ids=[row[0] for row in INFO])
def test_info(options, ids, full):
    engine = SoftwareEngine([stored(3), stored(2, name='web'), stored(1)])
    given = dict(name=None, id=None, detail=False)
    given.update(options)
    result = run(SoftwareConfigInfoRunner, engine, **given)
    assert result['changed'] is False and engine.writes == []
    assert [item['id'] for item in result['configs']] == ids
    for item in result['configs']:
        assert ('config' in item) is full and ('inputs' in item) is full

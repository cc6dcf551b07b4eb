# -*- coding: utf-8 -*-
"""The normal form of software config inputs/outputs, and the signal outcome prediction.

The expected values are what heat-engine 27 stored and answered for the same definitions (see
tests/integration/test_module_software.py, which checks the round trip against the real engine).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.software import (
    definition, differences, looks_like_uuid, normalise_input, normalise_output, predict_signal, read_config_text,
)


@pytest.mark.parametrize('given,stored', [
    ({'name': 'a'}, {'name': 'a', 'type': 'String'}),
    ({'name': 'a', 'type': 'String', 'default': 5}, {'name': 'a', 'type': 'String', 'default': '5'}),
    ({'name': 'a', 'type': 'String', 'default': True}, {'name': 'a', 'type': 'String', 'default': 'True'}),
    ({'name': 'a', 'type': 'Number', 'default': '5'}, {'name': 'a', 'type': 'Number', 'default': 5}),
    ({'name': 'a', 'type': 'Number', 'default': '5.5'}, {'name': 'a', 'type': 'Number', 'default': 5.5}),
    ({'name': 'a', 'type': 'Number', 'default': ''}, {'name': 'a', 'type': 'Number', 'default': ''}),
    ({'name': 'a', 'type': 'Boolean', 'default': 'true'}, {'name': 'a', 'type': 'Boolean', 'default': True}),
    ({'name': 'a', 'type': 'Json', 'default': '{"a": 1}'}, {'name': 'a', 'type': 'Json', 'default': '{"a": 1}'}),
    ({'name': 'a', 'type': 'CommaDelimitedList', 'default': 'x, y'},
     {'name': 'a', 'type': 'CommaDelimitedList', 'default': ['x', ' y']}),
    ({'name': 'a', 'replace_on_change': False, 'description': None, 'default': None}, {'name': 'a', 'type': 'String'}),
    ({'name': 'a', 'replace_on_change': True, 'description': ''}, {'name': 'a', 'type': 'String',
                                                                   'replace_on_change': True}),
])
def test_inputs_take_the_engines_normal_form(given, stored):
    assert normalise_input(given) == stored
    assert normalise_input(stored) == stored


def test_outputs_get_type_and_error_output():
    assert normalise_output({'name': 'o', 'description': None}) == {'name': 'o', 'type': 'String', 'error_output': False}
    assert normalise_output({'name': 'o', 'error_output': True, 'description': 'd'}) == {
        'name': 'o', 'type': 'String', 'error_output': True, 'description': 'd'}


def test_definitions_compare_by_field():
    engine_form = definition('script', 'echo', [{'name': 'a', 'type': 'String'}],
                             [{'name': 'o', 'type': 'String', 'error_output': False}], {})
    module_form = definition('script', 'echo', [{'name': 'a', 'type': None, 'default': None}], [{'name': 'o'}], None)
    assert differences(engine_form, module_form) == []
    assert definition(None, None, None, None, None) == {'group': 'Heat::Ungrouped', 'config': '', 'inputs': [],
                                                        'outputs': [], 'options': {}}
    changed = definition('script', 'echo 2', [{'name': 'b'}], [], {'x': 1})
    assert differences(engine_form, changed) == ['config', 'inputs', 'outputs', 'options']


def test_signal_prediction():
    config = {'outputs': [{'name': 'result'}, {'name': 'problem', 'error_output': True}]}
    running = {'status': 'IN_PROGRESS', 'output_values': None}
    assert predict_signal(running, config, {'result': 1, 'deploy_status_code': 0}) == (
        'COMPLETE', 'Outputs received',
        {'result': 1, 'deploy_status_code': 0, 'deploy_stdout': None, 'deploy_stderr': None})
    status, reason, outputs = predict_signal(running, config, {'deploy_status_code': '2', 'problem': 'disk'})
    assert (status, reason) == ('FAILED', 'deploy_status_code : Deployment exited with non-zero status code: 2, '
                                          'problem : disk')
    assert outputs['problem'] == 'disk'
    assert predict_signal({'status': 'COMPLETE'}, config, {'result': 1}) is None


def test_uuid_detection():
    assert looks_like_uuid('5d1b5e7c-1d3a-4c1e-9a57-0f3b1c9d2e4f')
    assert looks_like_uuid('5d1b5e7c1d3a4c1e9a570f3b1c9d2e4f')
    assert not looks_like_uuid('install-app') and not looks_like_uuid(None)


@pytest.mark.parametrize('status,details,outcome', [
    ('IN_PROGRESS', {}, 'COMPLETE'),
    ('IN_PROGRESS', {'deploy_status_code': 0}, 'COMPLETE'),
    ('IN_PROGRESS', {'deploy_status_code': '0'}, 'COMPLETE'),
    ('IN_PROGRESS', {'deploy_status_code': None}, 'COMPLETE'),
    ('IN_PROGRESS', {'deploy_status_code': 1}, 'FAILED'),
    ('IN_PROGRESS', {'deploy_status_code': '-1'}, 'FAILED'),
    ('IN_PROGRESS', {'result': 'x', 'unknown': 'y'}, 'COMPLETE'),
    ('IN_PROGRESS', {'problem': ''}, 'FAILED'),  # any value of an error_output output fails it
    ('COMPLETE', {'deploy_status_code': 1}, None),
    ('FAILED', {}, None),
    (None, {}, None),
])
def test_signal_outcome_table(status, details, outcome):
    config = {'outputs': [{'name': 'result'}, {'name': 'problem', 'error_output': True}]}
    predicted = predict_signal({'status': status, 'output_values': {'earlier': 1}}, config, details)
    assert (predicted[0] if predicted else None) == outcome
    if predicted:
        # Earlier outputs stay; the config's outputs and the deploy_* keys come from the signal; others are dropped.
        assert predicted[2]['earlier'] == 1 and 'unknown' not in predicted[2]
        assert predicted[2]['deploy_status_code'] == details.get('deploy_status_code')


def test_a_config_file_is_read_whole_and_config_wins_when_no_file_is_given(tmp_path):
    (tmp_path / 'run.sh').write_text('#!/bin/sh\necho {{ kept }}\n')
    assert read_config_text('given', None) == 'given'
    assert read_config_text(None, str(tmp_path / 'run.sh')) == '#!/bin/sh\necho {{ kept }}\n'


@pytest.mark.parametrize('content', [None, b'\xff\xfe not utf-8'])
def test_a_config_file_that_cannot_be_read_names_the_option_and_the_file(tmp_path, content):
    path = tmp_path / 'run.sh'
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(errors.ConfigurationError, match="^config_file: cannot read '%s'" % path):
        read_config_text(None, str(path))

# -*- coding: utf-8 -*-
"""Hostile and broken input against the real engine: nothing leaks, nothing is sent that should not be."""

import json

from conftest import run_playbook

LEAKY = {
    'heat_template_version': '2018-08-31',
    'parameters': {'secret': {'type': 'string', 'hidden': True}},
    'resources': {'r': {'type': 'OS::Heat::RandomString', 'properties': {'length': {'get_param': 'secret'}}}},
}
SECRET = 'hunter2-very-secret-value'


def test_a_hidden_value_quoted_by_the_engine_is_masked_everywhere(tmp_path, env, stack_name):
    tasks = [
        {'name': 'stack', 'heat_rpc.engine.heat_stack': {
            'name': stack_name, 'template_body': LEAKY, 'parameters': {'secret': SECRET}}},
    ]
    run = run_playbook(tmp_path, tasks, env=env, verbosity=3, diff=True)
    result = run.results['stack']
    assert result['failed'] is True, result
    # The engine did refuse the value, and said why (without the value).
    assert 'length' in result['msg'] or 'secret' in result['msg'], result['msg']
    everything = json.dumps(run.results) + run.output + run.log
    assert SECRET not in everything


def test_alias_bombs_are_refused_before_anything_is_sent(tmp_path, env, client, stack_name):
    lines = ['heat_template_version: 2018-08-31', 'a0: &a0 [%s]' % ','.join(['"lol"'] * 10)]
    for level in range(1, 9):
        lines.append('a%d: &a%d [%s]' % (level, level, ','.join(['*a%d' % (level - 1)] * 10)))
    (tmp_path / 'bomb.yaml').write_text('\n'.join(lines) + '\n')
    (tmp_path / 'main.yaml').write_text('heat_template_version: 2018-08-31\nresources: {}\n')
    (tmp_path / 'env.yaml').write_text('parameter_defaults:\n' + ''.join(
        '  %s\n' % line for line in lines[1:]))
    tasks = [
        {'name': 'template', 'heat_rpc.engine.heat_stack': {'name': stack_name, 'template': str(tmp_path / 'bomb.yaml')}},
        {'name': 'environment', 'heat_rpc.engine.heat_stack': {
            'name': stack_name, 'template': str(tmp_path / 'main.yaml'), 'environment': [str(tmp_path / 'env.yaml')]}},
        {'name': 'validate', 'heat_rpc.engine.heat_template_validate': {'template': str(tmp_path / 'bomb.yaml')}},
    ]
    run = run_playbook(tmp_path, tasks, env=env, timeout=120)
    for name, file_name in (('template', 'bomb.yaml'), ('environment', 'env.yaml'), ('validate', 'bomb.yaml')):
        result = run.results[name]
        assert result['failed'] is True and result['error']['kind'] == 'template_error', result
        assert '%s uses YAML aliases that expand to more than 200000 nodes' % (tmp_path / file_name) in result['msg']
        assert result['changed'] is False
    assert [raw['stack_name'] for raw in client.list_stacks(None) if raw['stack_name'] == stack_name] == []


def test_input_of_the_wrong_shape_is_refused_naming_the_place(tmp_path, env, client, stack_name):
    template = {'heat_template_version': '2018-08-31', 'parameters': {'word': {'type': 'string'}},
                'resources': {}}
    tasks = [
        {'name': 'parameters list', 'heat_rpc.engine.heat_stack': {
            'name': stack_name, 'template_body': template, 'environment': [{'parameters': ['a', 'b']}]}},
        {'name': 'list for a string', 'heat_rpc.engine.heat_stack': {
            'name': stack_name, 'template_body': template, 'parameters': {'word': ['a', 'b']}}},
        {'name': 'registry text', 'heat_rpc.engine.heat_stack': {
            'name': stack_name, 'template_body': template, 'environment': [{'resource_registry': 'x'}]}},
    ]
    run = run_playbook(tmp_path, tasks, env=env)
    expected = {
        'parameters list': 'environment environment[0]: parameters must be a mapping, not list',
        'list for a string': 'parameters.word: the template declares it a string, but a list was given',
        'registry text': 'environment environment[0]: resource_registry must be a mapping, not str',
    }
    for name, message in expected.items():
        result = run.results[name]
        assert result['failed'] is True and result['error']['kind'] == 'template_error', result
        assert message in result['msg']
    assert [raw for raw in client.list_stacks(None) if raw['stack_name'] == stack_name] == []

# -*- coding: utf-8 -*-
"""heat_stack state=adopted: the adopt data checks, the existing-stack decision (tables) and the runner."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json

import pytest

from ansible_collections.heat_rpc.engine.plugins.module_utils import errors
from ansible_collections.heat_rpc.engine.plugins.module_utils._heat.adoption import (
    adoption_args, adoption_conflict, adoption_inputs, load_adopt_data, refuse_other_definitions,
)
from ansible_collections.heat_rpc.engine.plugins.module_utils._runners.heat_stack import StackRunner
from ansible_collections.heat_rpc.engine.plugins.modules.heat_stack import ARGUMENT_SPEC

from runner_doubles import FakeModule, InTurn, params_for, stack, stack_client

TEMPLATE = {'heat_template_version': '2018-08-31',
            'parameters': {'secret': {'type': 'string', 'hidden': True}, 'size': {'type': 'number'}},
            'resources': {'none': {'type': 'OS::Heat::None'}, 'word': {'type': 'OS::Heat::RandomString'}}}


def abandoned(**changes):
    data = {'name': 'old', 'id': 'id-old', 'action': 'CREATE', 'status': 'COMPLETE', 'template': TEMPLATE,
            'environment': {'parameters': {'secret': 's3cr3t', 'size': 1}, 'parameter_defaults': {'d': 1}},
            'files': {'f.yaml': 'x: 1'}, 'tags': ['a'], 'project_id': 'p',
            'resources': {'none': {'name': 'none', 'resource_id': 'uuid-none', 'type': 'OS::Heat::None'},
                          'word': {'name': 'word', 'resource_id': 'old-word-x', 'type': 'OS::Heat::RandomString',
                                   'resource_data': {'value': 'kept'}}}}
    data.update(changes)
    return data


@pytest.mark.parametrize('given,message', [
    (None, 'state=adopted needs adopt_data: the data that heat_stack_action action=abandon or action=export'),
    ('', 'state=adopted needs adopt_data'),
    ({}, 'state=adopted needs adopt_data'),
    ('[1, 2]', 'adopt_data text must be a mapping, not list'),
    ('a: [1', 'adopt_data text is not valid YAML'),
    (['template'], 'adopt_data must be a mapping (the data of heat_stack_action action=abandon or export), not list'),
    (abandoned(template=None), 'adopt_data.template must be a mapping, not missing'),
    (abandoned(template='heat_template_version: 2018-08-31'), 'adopt_data.template must be a mapping, not str'),
    (abandoned(resources=None), 'adopt_data.resources must be a mapping, not missing'),
    (abandoned(resources=['none']), 'adopt_data.resources must be a mapping, not list'),
    (abandoned(environment='parameters: {}'), 'adopt_data.environment must be a mapping, not str'),
    (abandoned(files=['f.yaml']), 'adopt_data.files must be a mapping, not list'),
    (abandoned(resources={'none': 'uuid-none'}), 'adopt_data.resources.none must be a mapping, not str'),
    (abandoned(resources={'none': {'type': 'OS::Heat::None'}}), 'adopt_data.resources.none has no resource_id'),
    (abandoned(resources={'none': {'resource_id': None}}), 'adopt_data.resources.none has no resource_id'),
    (abandoned(resources={'none': {'resource_id': ''}}), 'adopt_data.resources.none has no resource_id'),
])
def test_bad_adopt_data_is_refused_naming_the_option(given, message):
    with pytest.raises(errors.ConfigurationError) as caught:
        load_adopt_data(given)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize('given', [abandoned(), json.dumps(abandoned()), '# exported\n' + json.dumps(abandoned()),
                                   abandoned(environment=None, files=None, tags=None)])
def test_good_adopt_data_as_a_dict_or_its_text(given):
    data = load_adopt_data(given)
    assert data['resources']['word']['resource_data'] == {'value': 'kept'}
    assert data['template'] == TEMPLATE


def test_what_an_adopt_sends():
    data = load_adopt_data(abandoned())
    inputs = adoption_inputs(data, {'size': 2})
    assert inputs.template == TEMPLATE and inputs.files == {'f.yaml': 'x: 1'}
    # The task's parameters win over the data's; the rest of the environment is the data's.
    assert inputs.environment == {'parameters': {'secret': 's3cr3t', 'size': 2}, 'parameter_defaults': {'d': 1}}
    assert inputs.secrets == ['s3cr3t'] and inputs.hidden == ['secret']
    args = adoption_args(data, {'timeout_mins': 5})
    assert json.loads(args.pop('adopt_stack_data')) == data
    assert args == {'timeout_mins': 5, 'tags': ['a']}
    assert adoption_args(data, {'tags': []})['tags'] == []
    assert 'tags' not in adoption_args(load_adopt_data(abandoned(tags=None)), {})


def resources(**physical_ids):
    return [{'resource_name': name, 'physical_resource_id': value} for name, value in physical_ids.items()]


@pytest.mark.parametrize('state,held,conflict', [
    (('ADOPT', 'COMPLETE'), resources(none='uuid-none', word='old-word-x'), None),
    # Updated since, more resources added: still the adoption.
    (('UPDATE', 'COMPLETE'), resources(none='uuid-none', word='old-word-x', extra='e'), None),
    (('CHECK', 'COMPLETE'), resources(none='uuid-none', word='old-word-x'), None),
    (('ADOPT', 'FAILED'), resources(none='uuid-none', word='old-word-x'),
     'it holds the resources of adopt_data but is ADOPT_FAILED'),
    (('ROLLBACK', 'COMPLETE'), resources(none='uuid-none', word='old-word-x'),
     'it holds the resources of adopt_data but is ROLLBACK_COMPLETE'),
    (('CREATE', 'COMPLETE'), resources(none='other', word='old-word-x'),
     'it does not hold the resources of adopt_data: none (other here, uuid-none in adopt_data)'),
    (('ADOPT', 'COMPLETE'), resources(none='uuid-none'),
     'it does not hold the resources of adopt_data: word (missing here, old-word-x in adopt_data)'),
    (('CREATE', 'COMPLETE'), [], 'it does not hold the resources of adopt_data: none (missing here, uuid-none in '
                                 'adopt_data), word (missing here, old-word-x in adopt_data)'),
])
def test_whether_an_existing_stack_is_the_adoption(state, held, conflict):
    raw = stack(action=state[0], status=state[1])
    assert adoption_conflict(raw, held, load_adopt_data(abandoned())) == conflict


@pytest.mark.parametrize('given,used', [
    (dict(template_body={'heat_template_version': '2018-08-31'}), 'template_body'),
    (dict(template='t.yaml', environment=['e.yaml']), 'template, environment'),
    (dict(template_url='http://example.com/t.yaml'), 'template_url'),
    (dict(template_base_dir='/srv/templates'), 'template_base_dir'),
    (dict(parameter_defaults={'a': 1}), 'parameter_defaults'),
    (dict(existing=True, converge=True), 'existing, converge'),
    (dict(clear_parameters=['a']), 'clear_parameters'),
    (dict(breakpoints={'pre_update': ['g/*']}, until_hook=True), 'breakpoints, until_hook'),
    (dict(), None),
    (dict(parameters={'size': 2}, timeout=3, rollback=True, tags=['x']), None),
])
def test_other_ways_of_defining_the_stack_are_refused_with_adopted(given, used):
    params = params_for(ARGUMENT_SPEC, name='new', state='adopted', **given)
    if used is None:
        refuse_other_definitions(params)
    else:
        with pytest.raises(errors.ConfigurationError) as caught:
            refuse_other_definitions(params)
        assert str(caught.value) == ('state=adopted takes the template, files and environment from adopt_data; '
                                     'remove %s' % used)


def run_adopt(client, check_mode=False, diff_mode=False, **given):
    options = dict(dict(name='new', state='adopted', adopt_data=abandoned(), wait_timeout=5), **given)
    module = FakeModule(params_for(ARGUMENT_SPEC, **options), client, check_mode=check_mode, diff_mode=diff_mode)
    try:
        return StackRunner(module).run(), module
    except errors.HeatRpcError as exc:
        return exc, module


def new_stack_client(**answers):
    adopted = stack(name='new', action='ADOPT')
    answers.setdefault('identify_stack', InTurn(errors.NotFoundError('no'), adopted['stack_identity']))
    answers.setdefault('create_stack', adopted['stack_identity'])
    answers.setdefault('show_stack', adopted)
    return stack_client(None, **answers)


def test_a_new_adoption_sends_the_data_and_waits_for_adopt_complete():
    client = new_stack_client()
    result, module = run_adopt(client, parameters={'size': 2}, tags=['t'])
    assert result['changed'] is True and result['stack']['status'] == 'ADOPT_COMPLETE'
    assert [method for method, _args, _kwargs in client.writes] == ['create_stack']
    name, template, environment, files, args = client.writes[0][1]
    assert name == 'new' and template == TEMPLATE and files == {'f.yaml': 'x: 1'}
    assert environment['parameters'] == {'secret': 's3cr3t', 'size': 2}
    assert args['tags'] == ['t']
    assert json.loads(args['adopt_stack_data']) == abandoned()
    assert 's3cr3t' in module.secrets


def test_an_adopt_that_fails_fails_the_task():
    failed = stack(name='new', action='ADOPT', status='FAILED')
    client = new_stack_client(show_stack=failed)
    result, _module = run_adopt(client)
    assert isinstance(result, errors.StackFailed) and 'ADOPT_FAILED' in str(result)
    assert result.result['changed'] is True


def test_check_mode_previews_the_adoption_and_writes_nothing():
    client = new_stack_client(preview_stack={'resources': [{'resource_name': 'none'}, {'resource_name': 'word'}]})
    result, _module = run_adopt(client, check_mode=True, diff_mode=True)
    assert result['changed'] is True and client.writes == []
    assert result['resource_changes']['added'] == ['none', 'word']
    (previewed,) = [args for method, args, _kwargs in client.calls if method == 'preview_stack']
    assert json.loads(previewed[4]['adopt_stack_data'])['resources']['none']['resource_id'] == 'uuid-none'
    assert result['diff']['before'] == {} and result['diff']['after']['template'] == TEMPLATE
    assert result['diff']['after']['environment']['parameters']['secret'] == '******'


@pytest.mark.parametrize('held,changed_or_error', [
    (resources(none='uuid-none', word='old-word-x'), False),
    (resources(none='uuid-none', word='new-word'), errors.ConflictError),
])
@pytest.mark.parametrize('check_mode', [False, True])
def test_an_existing_stack_is_kept_or_a_conflict_and_never_adopted_again(held, changed_or_error, check_mode):
    existing = stack(name='new', action='ADOPT')
    client = stack_client(existing, list_stack_resources=held)
    result, _module = run_adopt(client, check_mode=check_mode)
    assert client.writes == [] and 'preview_stack' not in client.methods()
    if changed_or_error is False:
        assert result['changed'] is False and result['stack']['name'] == 'new'
    else:
        assert isinstance(result, errors.ConflictError)
        assert str(result) == ('stack new already exists and it does not hold the resources of adopt_data: word '
                               '(new-word here, old-word-x in adopt_data); adopt under another name, or remove that '
                               'stack first (heat_stack_action action=abandon keeps its resources)')


def test_bad_data_is_refused_before_anything_is_sent():
    client = new_stack_client()
    result, _module = run_adopt(client, adopt_data=abandoned(resources={'none': {}}))
    assert isinstance(result, errors.ConfigurationError) and client.calls == []


@pytest.mark.parametrize('found_after,outcome', [
    # Another run adopted the name between our lookup and our adopt: that adoption is kept, nothing more sent.
    ('same', {'changed': False, 'writes': ['create_stack'], 'status': 'ADOPT_COMPLETE'}),
    # ... or something else took the name: a conflict, as for any existing stack that is not this adoption.
    ('other', errors.ConflictError),
    # The name belonged to a stack deleted a moment ago (the engine holds it briefly): adopted once it is free.
    ('released', {'changed': True, 'writes': ['create_stack', 'create_stack'], 'status': 'ADOPT_COMPLETE'}),
])
def test_an_adopt_that_finds_the_name_taken_converges_as_a_create_does(found_after, outcome):
    adopted = stack(name='new', action='ADOPT')
    taken = errors.ConflictError('The Stack (new) already exists.', remote_name='StackExists')
    if found_after == 'released':
        identify = InTurn(errors.NotFoundError('no'), errors.NotFoundError('gone'), errors.NotFoundError('free'),
                          adopted['stack_identity'])
        create = InTurn(taken, adopted['stack_identity'])
    else:
        identify = InTurn(errors.NotFoundError('no'), adopted['stack_identity'])
        create = InTurn(taken)
    held = resources(none='uuid-none', word='old-word-x' if found_after != 'other' else 'new-word')
    client = new_stack_client(identify_stack=identify, create_stack=create, list_stack_resources=held)
    result, _module = run_adopt(client)
    if outcome is errors.ConflictError:
        assert isinstance(result, errors.ConflictError) and 'does not hold the resources of adopt_data' in str(result)
        return
    assert result['changed'] is outcome['changed'] and result['stack']['status'] == outcome['status']
    assert [method for method, _args, _kwargs in client.writes] == outcome['writes']


def test_a_name_that_looks_like_an_id_is_not_adopted_without_allow_uuid_name():
    name = '0b4e4d2a-6f5e-4a1b-9c2d-3e4f5a6b7c8d'
    client = new_stack_client()
    result, _module = run_adopt(client, name=name)
    assert isinstance(result, errors.ConfigurationError) and 'allow_uuid_name: true' in str(result)
    assert client.writes == []
    result, _module = run_adopt(new_stack_client(), name=name, allow_uuid_name=True)
    assert result['changed'] is True
